"""NM10: in a works market, sums not carried into the décompte général are lost once it is
definitive. The CCAP (``insertion_seule.bilan_final`` 1.1.0) ties the end of the insertion
follow-up to the réception (last statement fifteen days after, final bilan within the month) and
has the buyer decide the penalties before notifying the décompte général, where they are carried:
the échéancier carries these deadlines when the dossier has the dates, the final bilan says so,
and a decision dated on or after the décompte is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.render.readers.inspect import dump_text
from tests.conftest import EXAMPLES

TRAVAUX = EXAMPLES / "travaux-clause-insertion.yml"
NB = "\u00a0"


def _run(*args: Any) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _data() -> dict[str, Any]:
    return yaml.safe_load(TRAVAUX.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "travaux.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _echeances(path: Path) -> dict[str, str]:
    import json

    result = _run("echeancier", path, "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    rows = found["echeances"] if isinstance(found, dict) else found
    return {row["cle"]: row for row in rows}


def test_the_works_follow_up_ends_on_the_reception_and_before_the_decompte(tmp_path: Path) -> None:
    data = _data()
    assert data["marche"]["nature"] == "travaux"
    echeances = _echeances(TRAVAUX)
    # réception on Friday 11 August 2028: last statement 26 August (a Saturday → Monday 28),
    # final bilan within the month, 11 September; décompte général on 16 November 2028
    assert echeances["reception"]["date"] == "2028-08-11"
    assert echeances["justificatifs"]["date"] == "2028-08-28"
    assert echeances["bilan_final"]["date"] == "2028-09-11"
    assert echeances["decision_penalites"]["date"] == "2028-11-15"
    assert "avant le décompte général du 16" in echeances["decision_penalites"]["libelle"]
    # no réception recorded yet: counted from the contractual end, and said to be provisional
    del data["clause_insertion"]["reception_travaux"], data["clause_insertion"]["decompte_general_le"]
    echeances = _echeances(_write(tmp_path, data))
    assert "reception" not in echeances
    assert "decision_penalites" not in echeances
    assert "réception des travaux à enregistrer" in echeances["bilan_final"]["libelle"]
    assert echeances["bilan_final"]["date"] == "2028-07-12"  # end 12 June 2028 + 1 month


def test_the_final_bilan_says_the_decision_precedes_the_decompte(tmp_path: Path) -> None:
    out = tmp_path / "bilan-final.docx"
    result = _run("bilan", TRAVAUX, "--annee", "2", "-o", out)
    assert result.exit_code == 0, result.output
    text = dump_text(out.read_bytes())
    assert ("l’acheteur notifie sa décision sur ces pénalités avant de notifier le décompte général du "
            "marché, dans lequel elles sont portées") in text
    assert f"la décision doit être notifiée au plus tard le 15{NB}novembre 2028" in text


def test_a_decision_after_the_decompte_is_refused(tmp_path: Path) -> None:
    data = _data()
    data["clause_insertion"]["decompte_general_le"] = "2028-10-02"  # the day of the hours decision
    result = _run("bilan", _write(tmp_path, data), "--annee", "2", "-o", tmp_path / "b.docx")
    assert result.exit_code == 2, result.output
    assert "bilan_final.procedure_insertion" in result.output
    assert (f"décision du 2{NB}octobre 2028 postérieure au décompte général du 2{NB}octobre 2028"
            in result.output)
    assert not (tmp_path / "b.docx").exists()


def test_insertion_alone_by_bons_de_commande_owes_hours_on_the_amount_executed(tmp_path: Path) -> None:
    """CCAP insertion_seule.volume 1.1.0 (NM4): for an accord-cadre executed by bons de commande,
    the volume due « suit le montant commandé », never above the volume."""
    data = _data()
    data["marche"] |= {"nature": "services", "forme": "accord_cadre_mono_attributaire"}
    for cle in ("reception_travaux", "decompte_general_le"):
        del data["clause_insertion"][cle]
    montant = float(data["marche"]["montant_estime_ht"])
    # half the estimate executed: 3 500 h × ½ = 1 750 h due, 3 180 done: no hours penalty
    data["bilan_final"]["montant_execute_ht"] = montant / 2
    out = tmp_path / "bf.docx"
    result = _run("bilan", _write(tmp_path, data), "--annee", "2", "--forcer", "-o", out)
    assert result.exit_code == 0, result.output
    assert "Heures d’insertion non réalisées" not in dump_text(out.read_bytes())
    # the amount executed unknown: the hours due cannot be computed, and the bilan says which fact
    del data["bilan_final"]["montant_execute_ht"]
    result = _run("bilan", _write(tmp_path, data), "--annee", "2", "--forcer", "-o", out)
    assert result.exit_code == 2, result.output
    assert "bilan_final.montant_execute_ht" in result.output
