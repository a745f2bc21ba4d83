"""Penalties by procedure state in the bilan, and the letter that transmits the bilan.

Hand computation for the example's year 1 (CCAP: 50 €/h, 500 €/action, 100 €/day):
- hours: prorata 6 000 × 12 / 48 = 1 500 h, done 1 380 → 120 h × 50 = 6 000,00, decision
  notified → applicable;
- forum action: 500,00, invitation to present observations sent, no decision → en cours;
- relevé de mars: 6 days × 100 = 600,00, mise en demeure then decision → applicable;
- justificatifs: 3 days × 100 = 300,00, nothing sent → constatée.
Constatées 7 400,00; en cours 500,00; applicables 6 600,00 (cap 10 % × 287 450 = 28 745,00).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.domain.lettre_bilan import date_limite_lettre, dates_renouvellement
from clausegen.render.inspect import dump_text
from tests.conftest import NETTOYAGE, example_data

NB = "\u00a0"
EUR = f"{NB}€{NB}HT"


def _run(*args: Any) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_bilan_separates_constatees_en_cours_and_applicables(tmp_path: Path) -> None:
    out = tmp_path / "bilan.docx"
    result = _run("bilan", NETTOYAGE, "--annee", "1", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"(pénalités applicables : 6\u202f600,00{EUR} ; constatées : 7\u202f400,00{EUR})" in (
        result.output)
    text = dump_text(out.read_bytes())
    assert f"| 6\u202f000,00{NB}€ | applicable |" in text
    assert f"| 500,00{NB}€ | en cours de procédure |" in text
    assert f"| 600,00{NB}€ | applicable (mise en demeure du 20{NB}avril 2027) |" in text
    assert f"| 300,00{NB}€ | constatée |" in text
    assert f"| Total des pénalités constatées |  | 7\u202f400,00{NB}€ |  |" in text
    assert f"| dont en cours de procédure |  | 500,00{NB}€ |  |" in text
    assert f"| dont applicables |  | 6\u202f600,00{NB}€ |  |" in text
    assert f"Montant des pénalités applicables au titre de l’année{NB}: 6\u202f600,00{EUR}." in text


def test_bilan_is_complete_against_the_ccap_article(tmp_path: Path) -> None:
    out = tmp_path / "bilan.docx"
    assert _run("bilan", NETTOYAGE, "--annee", "1", "-o", out).exit_code == 0
    text = dump_text(out.read_bytes())
    for heading in ("Réunion de bilan", "Actions des parties", "Difficultés rencontrées et analyse "
                    "des écarts", "Pénalités", "Observations du titulaire", "Visas"):
        assert f"[Heading 1] {heading}" in text
    assert f"Date de la réunion{NB}: 13{NB}janvier 2028" in text
    assert "| Acheteur | Transmettre au facilitateur le calendrier" in text
    assert "| non réalisée | forum du 15" in text
    assert "demande que le forum de l’emploi de 2028" in text


def test_decision_not_to_apply_removes_the_penalty(tmp_path: Path, write_dossier) -> None:  # type: ignore[no-untyped-def]
    data = example_data()
    data["bilans"][0]["procedure_insertion"]["penalite_appliquee"] = False
    out = tmp_path / "bilan.docx"
    assert _run("bilan", write_dossier(data), "--annee", "1", "-o", out).exit_code == 0
    text = dump_text(out.read_bytes())
    assert f"| 6\u202f000,00{NB}€ | écartée |" in text
    # constatées 7 400,00 − 6 000,00 (écartée) = 1 400,00; applicables 600,00
    assert f"| Total des pénalités constatées |  | 1\u202f400,00{NB}€ |  |" in text
    assert f"applicables au titre de l’année{NB}: 600,00{EUR}" in text


def test_procedure_dates_must_follow_each_other(tmp_path: Path, write_dossier) -> None:  # type: ignore[no-untyped-def]
    data = example_data()
    data["bilans"][0]["procedure_insertion"] = {"date_decision": "2028-01-10"}
    result = _run("bilan", write_dossier(data), "--annee", "1", "-o", tmp_path / "b.docx")
    assert result.exit_code == 2
    assert "invitation_observations" in result.output
    assert not (tmp_path / "b.docx").exists()


# --- the letter transmitting the bilan --------------------------------------------------------


def test_letter_is_dated_from_the_bilan_meeting_and_invites_observations(tmp_path: Path) -> None:
    out = tmp_path / "lettre-bilan.docx"
    result = _run("lettre-bilan", NETTOYAGE, "--annee", "1", "-o", out)
    assert result.exit_code == 0, result.output
    text = dump_text(out.read_bytes())
    assert f"le 13{NB}janvier 2028" in text
    assert "[Title]" not in text
    assert "[Heading 1]" not in text
    assert f"pour un montant évalué à ce jour à 300,00{EUR}" in text  # the constatée delay only
    # lettre.renouvellement 1.1.1: no delay penalty without the prior mise en demeure of the CCAP
    assert "ne sanctionne qu’après une mise en demeure restée sans effet" in text
    assert "le montant indiqué ci-dessus sera alors recalculé" in text
    assert "dans un délai de quinze jours à compter de la réception" in text
    assert "Le plan de l’année 2 ayant déjà été arrêté" in text
    assert "Pièce jointe" in text


def _without_plan_two(write_dossier) -> Path:  # type: ignore[no-untyped-def]
    data = example_data()
    data["plans"] = [p for p in data["plans"] if p["annee"] == 1]
    return write_dossier(data)  # type: ignore[no-any-return]


def test_renewal_letter_leaves_the_time_it_promises(tmp_path: Path, write_dossier) -> None:  # type: ignore[no-untyped-def]
    # Deadline of the year-1 bilan: 14 February 2028 (anniversary + 2 months, a Monday).
    # Meeting proposed a week before: Monday 7 February; draft 8 days before: Sunday 30
    # January → Friday 28 January; the letter of 13 January leaves 15 days to prepare it.
    out = tmp_path / "lettre.docx"
    result = _run("lettre-bilan", _without_plan_two(write_dossier), "--annee", "1", "-o", out)
    assert result.exit_code == 0, result.output
    text = dump_text(out.read_bytes())
    assert f"au plus tard le 14{NB}février 2028" in text
    assert f"de la tenir le 7{NB}février 2028" in text
    assert f"au plus tard le 28{NB}janvier 2028" in text


def test_renewal_letter_too_late_is_refused(tmp_path: Path, write_dossier) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "lettre.docx"
    result = _run("lettre-bilan", _without_plan_two(write_dossier), "--annee", "1",
                  "--date", "2028-02-10", "-o", out)
    assert result.exit_code == 2
    assert f"date au plus tard le 21{NB}janvier 2028 attendue" in result.output
    assert not out.exists()


def test_letter_before_the_meeting_or_without_a_date_is_refused(tmp_path: Path,
                                                                  write_dossier) -> None:  # type: ignore[no-untyped-def]
    early = _run("lettre-bilan", NETTOYAGE, "--annee", "1", "--date", "2028-01-05",
                 "-o", tmp_path / "a.docx")
    assert early.exit_code == 2
    assert "réunion de bilan" in early.output
    data = example_data()
    del data["bilans"][0]["reunion"]
    undated = _run("lettre-bilan", write_dossier(data), "--annee", "1", "-o", tmp_path / "b.docx")
    assert undated.exit_code == 2
    assert "--date" in undated.output
    assert not (tmp_path / "a.docx").exists()
    assert not (tmp_path / "b.docx").exists()


@pytest.mark.parametrize(("lettre", "echeance", "ok"), [
    ("2028-01-21", "2028-02-14", True),   # the last possible date
    ("2028-01-22", "2028-02-14", False),
])
def test_renewal_dates_boundary(lettre: str, echeance: str, ok: bool) -> None:
    from datetime import date

    result = dates_renouvellement(date.fromisoformat(lettre), date.fromisoformat(echeance))
    assert (result is not None) is ok
    assert date_limite_lettre(date.fromisoformat(echeance)) == date(2028, 1, 21)


# --- plans that contradict the CCAP -------------------------------------------------------------


def test_pieces_suivi_flags_plans_that_contradict_the_ccap(tmp_path: Path, write_dossier) -> None:  # type: ignore[no-untyped-def]
    data = example_data()
    data["plans"][0]["axes"][0]["objectifs"][0]["valeur_cible"] = 1500  # = 6 000 × 12 / 48
    data["plans"][1]["axes"] = data["plans"][1]["axes"][:1]
    data["bilans"] = []
    result = CliRunner().invoke(cli, ["pieces", str(write_dossier(data)), "-o", str(tmp_path),
                                      "--suivi"])
    assert result.exit_code == 0, result.output
    assert ("ne dépasse pas la part de l'année de l'engagement minimal d'insertion "
            f"(1\u202f500{NB}heures)") in result.stderr
    assert "le plan de l'année 2 ne fixe rien pour l'axe « Découverte" in result.stderr.replace(
        f"«{NB}", "« ")
    plan = dump_text((tmp_path / "plan-2.docx").read_bytes())
    assert "chacun des axes" not in plan
    assert "sur l’axe suivant, parmi ceux retenus" in plan
    assert "Pour chaque axe qu’il couvre" in plan


def test_example_plans_agree_with_the_ccap(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["pieces", str(NETTOYAGE), "-o", str(tmp_path), "--suivi"])
    assert result.exit_code == 0, result.output
    # the only warning: CCAG article numbers the CCAP leaves « [à compléter] » (issue 19, NM6)
    warnings = [line for line in result.stderr.splitlines() if "Avertissement" in line]
    assert all("« [à compléter] »" in line for line in warnings), warnings
    assert "sur chacun des axes retenus" in dump_text((tmp_path / "plan-2.docx").read_bytes())
