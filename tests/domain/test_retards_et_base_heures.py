"""Issue 10, item 8: late documents computed from dates (deadline, mise en demeure, reception),
and the base of the insertion-hours penalty as a CCAP option. Values computed by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.domain.retards import echeance_releve, fin_mise_en_demeure
from clausegen.render.readers.inspect import dump_text
from tests.conftest import NETTOYAGE, example_data


@pytest.mark.parametrize(("mois", "due"), [
    ("2027-09", date(2027, 10, 12)),  # Tuesday 12 October
    ("2027-12", date(2028, 1, 12)),   # next year
    ("2027-05", date(2027, 6, 14)),   # 12 June 2027 is a Saturday -> Monday 14
])
def test_statement_deadline(mois: str, due: date) -> None:
    assert echeance_releve(mois, 12) == due


@pytest.mark.parametrize(("recue", "fin"), [
    (date(2027, 10, 20), date(2027, 11, 4)),  # + 15 days, a Thursday
    (date(2027, 10, 17), date(2027, 11, 2)),  # + 15 days = Monday 1 November (Toussaint) -> 2
])
def test_mise_en_demeure_expiry(recue: date, fin: date) -> None:
    assert fin_mise_en_demeure(recue, 15) == fin


# Only applicable penalties are due (issue 9): the buyer's decision, after the contradictory
# procedure, on the example's missed action (the forum of 15 June 2027, tied to a date: no
# mise en demeure, observations asked on 21 June, decision on 12 July 2027, before the bilan
# meeting of 13 January 2028 that shows it: issue 20) and on a late statement (after its mise
# en demeure of 20 April 2027).
DECISION_ACTION = {"invitation_observations": "2027-06-21", "date_decision": "2027-07-12"}
DECISION_RETARD = {"invitation_observations": "2027-05-17", "date_decision": "2027-06-07"}


def _decide_missed_action(data: dict[str, Any]) -> None:
    for action in data["bilans"][0]["actions"]:
        if not action["realisee"]:
            action["procedure"] = dict(DECISION_ACTION)


def _dossier(write_dossier: Any, retards: list[dict[str, Any]], **bilan: Any) -> Path:
    data = example_data()
    data["bilans"][0] = {**data["bilans"][0], "retards": retards, "heures_insertion_realisees": 1600,
                         **bilan}
    _decide_missed_action(data)
    return write_dossier(data)  # type: ignore[no-any-return]


def _due(amount: str) -> str:
    return f"Montant des pénalités applicables au titre de l’année\u00a0: {amount}\u00a0€\u00a0HT"


def _bilan(runner: CliRunner, path: Path, tmp_path: Path) -> tuple[int, str, str]:
    out = tmp_path / "bilan.docx"
    result = runner.invoke(cli, ["bilan", str(path), "--annee", "1", "-o", str(out)])
    return result.exit_code, result.output, dump_text(out.read_bytes()) if out.exists() else ""


RELEVE_MARS = {"document": "relevé de mars 2027", "releve": "2027-03",
               "mise_en_demeure": "2027-04-19", "mise_en_demeure_recue_le": "2027-04-20",
               "recu_le": "2027-05-12",
               "procedure": DECISION_RETARD}


def test_days_late_and_penalty_follow_from_the_dates(runner: CliRunner, write_dossier: Any,
                                                      tmp_path: Path) -> None:
    # March statement due 12 April 2027 (Monday); mise en demeure of 19 April received 20 April; délai of
    # 15 days expires Wednesday 5 May; received 12 May: 7 days × 100 € = 700 €, plus the
    # example's one titulaire action not done (500 €): 1 200 €.
    code, output, text = _bilan(runner, _dossier(write_dossier, [RELEVE_MARS]), tmp_path)
    assert code == 0, output
    assert "échéance le 12\u00a0avril 2027" in text
    assert "délai de la mise en demeure expiré le 5\u00a0mai 2027" in text
    assert "reçu le 12\u00a0mai 2027" in text
    flat = text.replace("\u00a0", " ").replace("\u202f", " ")
    assert "| 7 jours × 100,00 € | 700,00 € | applicable (décision du 7 juin 2027) |" in flat
    assert _due("1\u202f200,00") in text


def test_a_computed_delay_is_in_procedure_from_its_mise_en_demeure(runner: CliRunner,
                                                                   write_dossier: Any,
                                                                   tmp_path: Path) -> None:
    # Same 7 days late, no decision yet: the mise en demeure opened the procedure, so the
    # 700 € are « en cours de procédure », not due; the missed action (decided) stays due.
    pending = {k: v for k, v in RELEVE_MARS.items() if k != "procedure"}
    code, output, text = _bilan(runner, _dossier(write_dossier, [pending]), tmp_path)
    assert code == 0, output
    flat = text.replace("\u00a0", " ").replace("\u202f", " ")
    assert ("| 7 jours × 100,00 € | 700,00 € | constatée, observations du titulaire à recueillir "
            "(mise en demeure du 19 avril 2027 restée sans effet) |") in flat
    assert "| dont en cours de procédure |  | 700,00 € |" in flat
    assert _due("500,00") in text


def test_a_delay_has_one_mise_en_demeure_date(runner: CliRunner, write_dossier: Any,
                                              tmp_path: Path) -> None:
    other = {**RELEVE_MARS, "procedure": {**DECISION_RETARD, "mise_en_demeure": "2027-04-21"}}
    code, output, _ = _bilan(runner, _dossier(write_dossier, [other]), tmp_path)
    assert code == 2
    assert "une seule date de mise en demeure" in output
    early = {**RELEVE_MARS, "procedure": {"invitation_observations": "2027-04-18"}}
    code, output, _ = _bilan(runner, _dossier(write_dossier, [early]), tmp_path)
    assert code == 2
    assert "suivent la mise en demeure" in output


def test_document_received_within_the_mise_en_demeure_costs_nothing(runner: CliRunner,
                                                                     write_dossier: Any,
                                                                     tmp_path: Path) -> None:
    on_time = {k: v for k, v in RELEVE_MARS.items() if k != "procedure"} | {"recu_le": "2027-05-05"}
    code, output, text = _bilan(runner, _dossier(write_dossier, [on_time]), tmp_path)
    assert code == 0, output
    assert "reçu dans le délai de la mise en demeure, donc sans pénalité" in text
    assert _due("500,00") in text
    # issue 20: no procedure can go on for a document that carries no penalty
    code, output, _ = _bilan(runner, _dossier(write_dossier, [{**on_time, "procedure": DECISION_RETARD}]),
                             tmp_path)
    assert code == 2
    assert "dans le délai de la mise en demeure (expiré le 5\u00a0mai 2027), aucune pénalité" in output


def test_cap_applies_to_computed_delays(runner: CliRunner, write_dossier: Any, tmp_path: Path) -> None:
    # Received 4 June: 30 days × 100 = 3 000 + 500 = 3 500 €; cap 10 % × 20 000 € = 2 000 €.
    late = {**RELEVE_MARS, "recu_le": "2027-06-04",
            "procedure": {"invitation_observations": "2027-06-07", "date_decision": "2027-06-28"}}
    code, output, text = _bilan(runner, _dossier(write_dossier, [late], montant_annuel_ht=20000), tmp_path)
    assert code == 0, output
    assert "| 30 jours × 100,00 € |" in text.replace("\u00a0", " ").replace("\u202f", " ")
    assert _due("2\u202f000,00") in text


def test_mise_en_demeure_before_the_deadline_is_refused(runner: CliRunner, write_dossier: Any,
                                                        tmp_path: Path) -> None:
    early = {**RELEVE_MARS, "mise_en_demeure": "2027-04-10"}
    code, output, _ = _bilan(runner, _dossier(write_dossier, [early]), tmp_path)
    assert code == 2
    assert "retards[0].mise_en_demeure" in output
    assert "postérieure à l'échéance du document (2027-04-12)" in output


def test_a_delay_needs_days_or_the_dates(runner: CliRunner, write_dossier: Any, tmp_path: Path) -> None:
    undated = [{"document": "relevé"}]
    code, output, _ = _bilan(runner, _dossier(write_dossier, undated), tmp_path)
    assert code == 2
    assert "recu_le (date de réception du document) ou mise_en_demeure attendu" in output


# --- base of the insertion-hours penalty -------------------------------------------------


def _base(write_dossier: Any, base: str, heures: int) -> Path:
    data = example_data()
    data["marche"]["forme"] = "marche_ordinaire"  # hours due by duration (CCAP insertion.volume)
    data["plan_de_progres"]["penalites"]["base_heures"] = base
    data["plans"][0]["axes"][0]["objectifs"][0]["valeur_cible"] = 1400  # the year's objective
    data["bilans"][0] = {**data["bilans"][0], "heures_insertion_realisees": heures, "retards": []}
    data["bilans"][0]["objectifs"][0]["valeur_atteinte"] = heures
    _decide_missed_action(data)  # the example's hours penalty is already decided
    return write_dossier(data)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("base", "expected"), [
    # prorata: 6 000 × 12 / 48 = 1 500 h; 1 500 − 1 350 = 150 h × 50 = 7 500 + 500 = 8 000 €
    ("prorata", "8\u202f000,00"),
    # objectif annuel: 1 400 − 1 350 = 50 h × 50 = 2 500 + 500 = 3 000 €
    ("objectif_annuel", "3\u202f000,00"),
])
def test_hours_penalty_base(runner: CliRunner, write_dossier: Any, tmp_path: Path, base: str,
                            expected: str) -> None:
    from clausegen.api import read_dossier
    from clausegen.api.suivi import compute_bilan, open_suivi
    from clausegen.text.french import montant

    dossier = _base(write_dossier, base, 1350)
    code, output, _ = _bilan(runner, dossier, tmp_path)
    assert code == 0, output
    # the hours penalty is decided on 7 February 2028, after the bilan meeting: the amount due
    # today counts it, the bilan of 13 January 2028 does not yet (issue 20)
    du = compute_bilan(open_suivi(read_dossier(dossier)), 1).du
    assert montant(du, ht=True) == f"{expected}\u00a0€\u00a0HT"


@pytest.mark.parametrize(("base", "wording"), [
    ("prorata", "le prorata de l’engagement à cette date"),
    ("objectif_annuel", "l’objectif d’heures d’insertion fixé par le plan de l’année"),
])
def test_ccap_states_the_chosen_base(runner: CliRunner, write_dossier: Any, tmp_path: Path, base: str,
                                     wording: str) -> None:
    data = example_data()
    data["plan_de_progres"]["penalites"]["base_heures"] = base
    out = tmp_path / "ccap.docx"
    assert runner.invoke(cli, ["ccap", "--sans-pagination",
                               str(write_dossier(data)), "-o", str(out)]).exit_code == 0
    assert wording in dump_text(out.read_bytes())


def test_annual_base_needs_an_hours_objective(runner: CliRunner, write_dossier: Any,
                                              tmp_path: Path) -> None:
    data = example_data()
    data["plan_de_progres"]["penalites"]["base_heures"] = "objectif_annuel"
    for objectif in data["plans"][0]["axes"][0]["objectifs"]:
        objectif["unite"] = "personnes"
    code, output, _ = _bilan(runner, write_dossier(data), tmp_path)
    assert code == 2
    assert "doit fixer un objectif en heures sur l'axe insertion" in output


def test_example_dates_its_late_documents() -> None:
    # issue 20: a typed count of days ignores the mise en demeure; the example gives dates, and
    # one document received without a mise en demeure (no penalty)
    text = NETTOYAGE.read_text(encoding="utf-8")
    assert "jours: 6" not in text
    assert "mise_en_demeure: 2027-04-19" in text
    assert "mise_en_demeure_recue_le: 2027-04-20" in text
    assert "recu_le: 2027-12-31" in text
