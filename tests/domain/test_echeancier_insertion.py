"""The insertion-only échéancier: periodic statements stop where the final statement takes over
(issue 20 item 4 follow-up).

CCAP (``insertion_seule.bilan_final``): the titulaire sends « son dernier relevé » after the end of
execution (for works, fifteen days after the reception); that last statement covers the period in
progress at the end of execution, so no periodic statement falls due on or after it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from clausegen.cli import cli
from tests.conftest import NETTOYAGE

TRAVAUX = NETTOYAGE.parent / "travaux-clause-insertion.yml"


def _echeances(dossier: Path, *extra: Any) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["echeancier", str(dossier), "--format", "json", *map(str, extra)])
    assert result.exit_code == 0, result.output
    return list(json.loads(result.output))


def _variant(tmp_path: Path, **changes: Any) -> Path:
    """The works example with ``changes``, before its réception and décompte are recorded (the
    last statement then counts from the contractual end of execution)."""
    data = yaml.safe_load(TRAVAUX.read_text(encoding="utf-8"))
    data["clause_insertion"].pop("reception_travaux", None)
    data["clause_insertion"].pop("decompte_general_le", None)
    for dotted, value in changes.items():
        *parents, leaf = dotted.split("__")
        target = data
        for key in parents:
            target = target[key]
        target[leaf] = value
    path = tmp_path / "dossier.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _releves(echeances: list[dict[str, Any]]) -> list[str]:
    return [e["libelle"] for e in echeances if e["cle"].startswith("releve_")]


def _no_statement_after_the_last(echeances: list[dict[str, Any]]) -> None:
    dernier = next(e for e in echeances if e["cle"] == "justificatifs")
    late = [e for e in echeances if e["cle"].startswith("releve_") and e["date"] >= dernier["date"]]
    assert not late, late


def test_the_example_stops_at_may_and_june_is_the_final_statement(tmp_path: Path) -> None:
    echeances = _echeances(_variant(tmp_path))
    # end of execution 12 June 2028, last statement 27 June 2028: June 2028 (partial, and due on
    # 10 July) is covered by the last statement; May 2028 (due 10 June, a Saturday: 12 June) stays
    releves = _releves(echeances)
    assert releves[0] == "Relevé d'avril 2027"
    assert releves[-1] == "Relevé de mai 2028"
    assert len(releves) == 14
    assert "Relevé de juin 2028" not in releves
    _no_statement_after_the_last(echeances)
    # the .ics export shares the computation
    ics = tmp_path / "echeances.ics"
    result = CliRunner().invoke(cli, ["echeancier", str(_variant(tmp_path)), "--ics", str(ics)])
    assert result.exit_code == 0, result.output
    calendar = ics.read_text(encoding="utf-8").replace("\r\n ", "")
    assert "SUMMARY:Relevé de mai 2028" in calendar
    assert "Relevé de juin 2028" not in calendar
    assert calendar.count("SUMMARY:") == len(echeances) == 18


def test_a_recorded_reception_moves_the_last_statement_not_the_periodic_ones() -> None:
    # the example records the réception on 11 August 2028: last statement 26 August (a Saturday:
    # 28 August); the periodic statements still stop at May 2028, the last period ended before
    # the contractual end of execution (12 June 2028)
    echeances = _echeances(TRAVAUX)
    by_key = {e["cle"]: e for e in echeances}
    assert by_key["justificatifs"]["date"] == "2028-08-28"
    assert _releves(echeances)[-1] == "Relevé de mai 2028"
    _no_statement_after_the_last(echeances)


def test_an_end_in_mid_month_leaves_that_month_to_the_final_statement(tmp_path: Path) -> None:
    # notified 20 March 2027, 14 months: end of execution 20 May 2028, last statement 4 June 2028
    echeances = _echeances(_variant(tmp_path, marche__date_notification="2027-03-20"))
    by_key = {e["cle"]: e for e in echeances}
    assert by_key["fin"]["date"] == "2028-05-20"
    assert by_key["justificatifs"]["date_nominale"] == "2028-06-04"
    releves = _releves(echeances)
    assert releves[-1] == "Relevé d'avril 2028"  # due 10 May 2028, before the end
    assert "Relevé de mai 2028" not in releves
    _no_statement_after_the_last(echeances)


def test_a_statement_due_after_the_final_one_is_left_to_it(tmp_path: Path) -> None:
    # end of execution 2 June 2028 (a Friday), statements due on the 28th: May 2028's statement
    # would fall due on 28 June, after the last statement (17 June 2028, a Saturday: 19 June)
    echeances = _echeances(_variant(tmp_path, marche__date_notification="2027-04-02",
                                    clause_insertion__suivi__jour_limite_reporting=28))
    by_key = {e["cle"]: e for e in echeances}
    assert by_key["justificatifs"]["date"] == "2028-06-19"
    releves = _releves(echeances)
    assert releves[-1] == "Relevé d'avril 2028"
    assert "Relevé de mai 2028" not in releves
    _no_statement_after_the_last(echeances)


def test_outside_works_the_partial_month_is_the_final_statement_too(tmp_path: Path) -> None:
    """Outside works the last statement is due a month after the end (12 July 2028); June 2028's
    periodic statement (10 July) would precede it but report the same days: it is not listed."""
    from clausegen.api import read_dossier
    from clausegen.api.suivi import list_echeances, open_suivi

    path = _variant(tmp_path, marche__nature="services", marche__ccag="fcs")
    echeances = list_echeances(open_suivi(read_dossier(path)))
    by_key = {e.cle: e for e in echeances}
    assert by_key["fin"].date == date(2028, 6, 12)
    assert by_key["justificatifs"].date == date(2028, 7, 12)
    releves = [e for e in echeances if e.cle.startswith("releve_")]
    assert [e.libelle for e in releves[-2:]] == ["Relevé d'avril 2028", "Relevé de mai 2028"]
    assert all(e.date < by_key["justificatifs"].date for e in releves)
