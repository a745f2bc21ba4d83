"""Penalties by procedure state in the bilan, and the letter that transmits the bilan.

Hand computation for the example's year 1 (CCAP: 50 €/h, 500 €/action, 100 €/day), as it
stood on the bilan meeting of 13 January 2028 (issue 20: a document says only what was true on
its day):
- hours: an accord-cadre executed by bons de commande, so the CCAP (insertion.volume 1.1.0, NM4)
  makes the volume due follow the amount executed: 6 000 h × 287 450 / 1 200 000 = 1 437,25 h,
  done 1 380 → 57,25 h × 50 = 2 862,50, observations asked by the bilan letter of 13 January
  (decision of 7 February 2028 not known yet) → en cours;
- forum action (tied to a date, no mise en demeure): 500,00, same → en cours;
- relevé de mars: mise en demeure of 19 April 2027 received 20 April, délai expired 5 May, received 11 May:
  6 days × 100 = 600,00, decided 1 June 2027 → applicable;
- justificatifs: received three days late without a mise en demeure → no penalty (CCAP).
Encourues 3 962,50; en cours 3 362,50; applicables 600,00 (cap 10 % × 287 450 = 28 745,00).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.domain.lettre_bilan import date_limite_lettre, dates_renouvellement
from clausegen.render.readers.inspect import dump_text
from tests.conftest import NETTOYAGE, example_data, sans_pagination

NB = "\u00a0"
EUR = f"{NB}€{NB}HT"


def _run(*args: Any) -> Any:
    return CliRunner().invoke(cli, sans_pagination(args))


def test_bilan_separates_constatees_en_cours_and_applicables(tmp_path: Path) -> None:
    out = tmp_path / "bilan.docx"
    result = _run("bilan", NETTOYAGE, "--annee", "1", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"(pénalités applicables : 600,00{EUR} ; constatées : 3\u202f962,50{EUR})" in (
        result.output)
    text = dump_text(out.read_bytes())
    asked = f"observations demandées le 13{NB}janvier 2028 (délai expirant le 28{NB}janvier 2028)"
    assert f"| 2\u202f862,50{NB}€ | {asked} |" in text
    assert ("Heures d’insertion non réalisées depuis le début du marché (volume dû au montant exécuté de "
            f"287\u202f450,00{EUR}{NB}: 1\u202f437,25{NB}h, réalisées{NB}: 1\u202f380{NB}h)") in text
    assert f"| 500,00{NB}€ | {asked} |" in text
    assert f"| 600,00{NB}€ | applicable (décision du 1er{NB}juin 2027) |" in text
    # NM1 (a): received without a mise en demeure, the late document carries no penalty
    assert ("| — | — | reçu sans mise en demeure préalable, donc sans pénalité (le CCAP ne sanctionne "
            "le retard qu’après une mise en demeure restée sans effet) |") in text
    assert f"| Total des pénalités encourues |  | 3\u202f962,50{NB}€ |  |" in text
    assert f"| dont en cours de procédure |  | 3\u202f362,50{NB}€ |  |" in text
    assert f"| dont applicables |  | 600,00{NB}€ |  |" in text
    assert f"Montant des pénalités applicables au titre de l’année{NB}: 600,00{EUR}." in text
    # NM1 (c): nothing dated after the meeting (the decisions of 7 February 2028)
    assert "février 2028" not in text.split("[Heading 1] Pénalités")[1].split("[Heading 1] Observations")[0]


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
    from clausegen.api import read_dossier
    from clausegen.api.suivi import compute_bilan, open_suivi
    from clausegen.domain.bilan import EtatProcedure

    data = example_data()
    data["bilans"][0]["procedure_insertion"]["penalite_appliquee"] = False
    data["bilans"][0]["procedure_insertion"].pop("motifs", None)  # the example's decision gives its own
    path = write_dossier(data)
    # every recorded step: the decisions of 7 February 2028
    bilan = compute_bilan(open_suivi(read_dossier(path)), 1)
    assert [x.etat for x in bilan.penalites][:2] == [EtatProcedure.ecartee, EtatProcedure.reduite]
    # applicables: relevé de mars 600,00 + forum reduced to 250,00; the hours waived
    assert bilan.du == Decimal("850.00")
    # a decision that waives a penalty states its reasons: the letter is refused without them
    result = _run("decision-penalites", path, "--annee", "1", "--date", "2028-02-07", "-o",
                  tmp_path / "d.docx")
    assert result.exit_code == 2
    assert "motifs de la décision attendus (procedure.motifs)" in result.output
    data["bilans"][0]["procedure_insertion"]["motifs"] = "recrutements empêchés par le facilitateur"
    result = _run("decision-penalites", write_dossier(data), "--annee", "1", "--date", "2028-02-07",
                  "-o", tmp_path / "d.docx")
    assert result.exit_code == 0, result.output
    text = dump_text((tmp_path / "d.docx").read_bytes())
    assert f"Décision{NB}: pénalité écartée. Motifs{NB}: recrutements empêchés par le facilitateur." in text
    assert f"Décision{NB}: pénalité réduite à 250,00{EUR}" in text
    assert f"s’élève à 250,00{EUR}" in text


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
    # NM1: line by line, what this letter puts to observations and what needs nothing more
    assert f"d’un montant total envisagé de 3\u202f362,50{EUR}" in text
    assert f"57,25{NB}heures × 50,00{NB}€, soit 2\u202f862,50{EUR}" in text
    assert "action liée à une date, qui ne peut plus être réalisée" in text
    assert f"applicable (décision du 1er{NB}juin 2027)" in text
    assert "reçu sans mise en demeure préalable, donc sans pénalité" in text
    assert "dans un délai de quinze jours à compter de la réception" in text
    # NB2: the year-2 plan is agreed on 3 February 2028, after this letter: the letter asks
    # for the draft plan with its deadline and never says the plan was « arrêté »
    assert "ayant déjà été arrêté" not in text
    assert "Le plan de l’année 2 ayant été convenu" not in text
    assert f"au plus tard le 28{NB}janvier 2028" in text
    assert "Pièce jointe" in text


def test_letter_after_the_next_plan_was_agreed_asks_for_no_draft(tmp_path: Path) -> None:
    out = tmp_path / "lettre-bilan.docx"
    result = _run("lettre-bilan", NETTOYAGE, "--annee", "1", "--date", "2028-02-04", "-o", out)
    # a letter that late can no longer promise the renewal dates; but the plan is agreed
    assert result.exit_code == 0, result.output
    text = dump_text(out.read_bytes())
    assert f"Le plan de l’année 2 ayant été convenu lors de la réunion du 3{NB}février 2028" in text
    assert "projet de plan, ainsi qu’au facilitateur" not in text


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
    del data["bilans"][0]["procedure_insertion"]  # found at the meeting: needs its date
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
    result = CliRunner().invoke(cli, ["pieces", "--sans-pagination",
                                      str(write_dossier(data)), "-o", str(tmp_path),
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
    result = CliRunner().invoke(cli, ["pieces", "--sans-pagination",
                                      str(NETTOYAGE), "-o", str(tmp_path), "--suivi"])
    assert result.exit_code == 0, result.output
    # the only warning: CCAG article numbers the CCAP leaves « [à compléter] » (issue 19, NM6)
    warnings = [line for line in result.stderr.splitlines() if "Avertissement" in line]
    assert all("« [à compléter] »" in line for line in warnings), warnings
    assert "sur chacun des axes retenus" in dump_text((tmp_path / "plan-2.docx").read_bytes())


def _annee_deux(heures: int, montant: str) -> dict[str, Any]:
    return {"annee": 2, "objectifs": [{"objectif": "heures_insertion", "valeur_atteinte": heures},
                                      {"objectif": "pmsmp_2", "valeur_atteinte": 5},
                                      {"objectif": "encadrants_formes_2", "valeur_atteinte": 8}],
            "actions": [{"action": "alternance", "realisee": True},
                        {"action": "forum_emploi_2", "realisee": True}],
            "heures_insertion_realisees": heures, "montant_annuel_ht": montant}


@pytest.mark.parametrize(("forme", "montant", "attendu"), [
    # bons de commande: due = 6 000 × (287 450 + 291 000) / 1 200 000 = 2 892,25 h; done 1 380 +
    # 1 450 = 2 830; already penalised at year 1: 57,25 → 2 892,25 − 2 830 − 57,25 = 5 h × 50
    ("accord_cadre_mono_attributaire", "291000", "250,00"),
    ("accord_cadre_multi_attributaire_bons_de_commande", "291000", "250,00"),
    # the buyer ordered little in year 2: due 6 000 × 387 450 / 1 200 000 = 1 937,25 h ≤ done
    ("accord_cadre_mono_attributaire", "100000", "0,00"),
    # ordered beyond the estimate: the volume due never exceeds 6 000 h (6 000 − 2 830 − 57,25 h)
    ("accord_cadre_mono_attributaire", "2000000", "155\u202f637,50"),
    # an ordinary market: by the duration elapsed, 6 000 × 24 / 48 = 3 000 h; year 1 penalised
    # 1 500 − 1 380 = 120 h → 3 000 − 2 830 − 120 = 50 h × 50
    ("marche_ordinaire", "291000", "2\u202f500,00"),
])
def test_bons_de_commande_hours_due_follow_the_amount_executed(tmp_path: Path, write_dossier: Any,
                                                              forme: str, montant: str, attendu: str) -> None:
    """NM4: « pour un accord-cadre exécuté par bons de commande, le volume dû suit le montant
    commandé […] sans pouvoir excéder » the volume (CCAP insertion.volume 1.1.0)."""
    data = example_data()
    data["marche"]["forme"] = forme
    data["bilans"].append(_annee_deux(1450, montant))
    data["plan_de_progres"]["penalites"]["plafond_pourcentage"] = 100  # the cap is not tested here
    forcer = ["--forcer"] if forme.endswith("bons_de_commande") else []  # non adapté, but forced
    result = _run("bilan", write_dossier(data), "--annee", "2", *forcer, "-o", tmp_path / "b.docx")
    assert result.exit_code == 0, result.output
    assert f"constatées : {attendu}{EUR}" in result.output


def test_a_dossier_pinned_to_a_ccap_before_nm4_keeps_the_duration_prorata(tmp_path: Path,
                                                                          write_dossier: Any) -> None:
    """The bilan computes what the dossier's CCAP says: release 1.2.1 (insertion.volume 1.0.0)
    spreads the volume over the duration, even for bons de commande."""
    data = example_data()
    data["bibliotheque"] = "1.2.1"
    result = _run("bilan", write_dossier(data), "--annee", "1", "-o", tmp_path / "b.docx")
    assert result.exit_code == 0, result.output
    text = dump_text((tmp_path / "b.docx").read_bytes())
    assert f"prorata{NB}: 1\u202f500{NB}h, réalisées{NB}: 1\u202f380{NB}h" in text
