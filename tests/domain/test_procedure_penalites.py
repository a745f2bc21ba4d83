"""Issue 20, items 1 to 3: each failing is its own procedure with dated steps, every document is
true on its date, and the procedure letters (mise en demeure, invitation, decision).

The order checks are reached through the CLI (exit 2, a French message naming the dates, no
file written); the property test draws random timelines and reads every generated letter as a
person would: a date later than the letter may only be a deadline it sets."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clausegen.cli import cli
from clausegen.errors import ClausegenError
from clausegen.render.readers.inspect import dump_text
from tests.conftest import NETTOYAGE, example_data

NB = "\u00a0"
MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre"]


def _run(*args: Any) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _write(tmp_path: Path, data: dict[str, Any], name: str = "dossier.yml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _bilan_refused(tmp_path: Path, data: dict[str, Any]) -> str:
    out = tmp_path / "refuse.docx"
    result = _run("bilan", _write(tmp_path, data), "--annee", "1", "-o", out)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    return str(result.output)


# --- item 1: the order of the steps ---------------------------------------------------------


def test_decision_before_the_invitation_is_refused_naming_the_dates(tmp_path: Path) -> None:
    data = example_data()
    data["bilans"][0]["procedure_insertion"]["invitation_observations"] = "2028-02-10"
    del data["bilans"][0]["procedure_insertion"]["observations_recues_le"]
    output = _bilan_refused(tmp_path, data)
    assert "procedure_insertion" in output
    assert (f"la décision (7{NB}février 2028) ne peut précéder l'invitation à présenter des "
            f"observations (10{NB}février 2028)") in output


def test_invitation_before_the_constat_is_refused(tmp_path: Path) -> None:
    # hours are found at the bilan meeting of 13 January 2028
    data = example_data()
    data["bilans"][0]["procedure_insertion"] = {"invitation_observations": "2027-12-20",
                                                "date_decision": "2028-01-10"}
    output = _bilan_refused(tmp_path, data)
    assert "procedure_insertion" in output
    assert "invitation à présenter des observations du 20\u00a0décembre 2027" in output
    assert "antérieure au constat du 13\u00a0janvier 2028" in output


def test_late_days_that_ignore_the_mise_en_demeure_are_refused(tmp_path: Path) -> None:
    data = example_data()
    data["bilans"][0]["retards"][0] = {"document": "relevé d'heures de mars 2027", "jours": 20,
                                       "procedure": {"mise_en_demeure": "2027-04-20"}}
    output = _bilan_refused(tmp_path, data)
    assert "jours de retard saisis (20) alors qu'une mise en demeure du 20\u00a0avril 2027 est " \
           "enregistrée" in output


def test_invitation_before_the_mise_en_demeure_expires_is_refused(tmp_path: Path) -> None:
    data = example_data()
    data["bilans"][0]["retards"][0]["procedure"] = {"invitation_observations": "2027-05-04"}
    data["bilans"][0]["retards"][0]["recu_le"] = "2027-05-03"
    output = _bilan_refused(tmp_path, data)
    assert "avant l'expiration du délai de la mise en demeure du 19\u00a0avril 2027" in output


def test_the_mise_en_demeure_runs_from_its_reception_which_the_ccap_does_not_presume(
        tmp_path: Path) -> None:
    """CCAP (penalites.procedure): the mise en demeure is sent « par tout moyen donnant date
    certaine à sa réception » and its délai runs from the day after that reception (the letter
    says so); the CCAP presumes no date of reception, so without it no invitation is possible."""
    data = example_data()
    del data["bilans"][0]["retards"][0]["mise_en_demeure_recue_le"]
    output = _bilan_refused(tmp_path, data)
    assert ("invitation à présenter des observations du 12\u00a0mai 2027 pour « relevé d'heures de mars "
            "2027 » : date de réception de la mise en demeure du 19\u00a0avril 2027 attendue "
            "(mise_en_demeure_recue_le") in output
    # without the invitation, the bilan says the days are not known yet, and no penalty is due
    del data["bilans"][0]["retards"][0]["procedure"]
    dossier = tmp_path / "sans-reception.yml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = _run("bilan", dossier, "--annee", "1", "-o", tmp_path / "bilan.docx")
    assert result.exit_code == 0, result.output
    texte = dump_text((tmp_path / "bilan.docx").read_bytes()).replace("\u202f", " ")
    ligne = next(x for x in texte.splitlines() if "relevé d’heures de mars 2027" in x and "|" in x)
    assert "mise en demeure du 19\u00a0avril 2027, date de réception à enregistrer" in ligne
    assert "| 0\u00a0jour × 100,00\u00a0€ | 0,00\u00a0€ |" in ligne
    # a later reception moves the expiry, and the days with it: received 22 April → délai expires
    # on 7 May (from the day after), document received on 11 May: 4 days, not 6
    data = example_data()
    data["bilans"][0]["retards"][0]["mise_en_demeure_recue_le"] = "2027-04-22"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = _run("invitation-observations", dossier, "--annee", "1", "--date", "2027-05-12",
                  "-o", tmp_path / "invitation.docx")
    assert result.exit_code == 0, result.output
    texte = dump_text((tmp_path / "invitation.docx").read_bytes())
    assert "4\u00a0jours × 100,00\u00a0€" in texte
    assert ("mise en demeure du 19\u00a0avril 2027, reçue le 22\u00a0avril 2027, restée sans effet à "
            "l’expiration de son délai, le 7\u00a0mai 2027") in texte
    # a reception before the letter is refused
    data["bilans"][0]["retards"][0]["mise_en_demeure_recue_le"] = "2027-04-18"
    output = _bilan_refused(tmp_path, data)
    assert "la réception de la mise en demeure (18\u00a0avril 2027) ne peut précéder la mise en demeure" \
        in output


def test_a_reduction_above_the_computed_penalty_is_refused(tmp_path: Path) -> None:
    data = example_data()
    forum = next(a for a in data["bilans"][0]["actions"] if a["action"] == "forum_emploi")
    forum["procedure"]["montant_retenu"] = "500.01"  # the action's penalty is 500,00 € HT
    dossier = tmp_path / "reduction.yml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = _run("decision-penalites", dossier, "--annee", "1", "--date", "2028-02-07",
                  "-o", tmp_path / "decision.docx")
    assert result.exit_code == 2, result.output
    assert ("montant retenu de 500,01\u00a0€\u00a0HT supérieur à la pénalité calculée "
            "(500,00\u00a0€\u00a0HT)") \
        in result.output.replace("\u202f", "\u00a0")
    assert not (tmp_path / "decision.docx").exists()
    forum["procedure"]["montant_retenu"] = "500.00"  # at most the computed amount
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = _run("decision-penalites", dossier, "--annee", "1", "--date", "2028-02-07",
                  "-o", tmp_path / "decision.docx")
    assert result.exit_code == 0, result.output


def test_an_action_not_tied_to_a_date_needs_a_mise_en_demeure(tmp_path: Path) -> None:
    data = example_data()
    forum = data["plans"][0]["axes"][0]["actions_titulaire"][1]
    assert forum["id"] == "forum_emploi"
    forum["liee_a_une_date"] = False
    output = _bilan_refused(tmp_path, data)
    assert "sans mise en demeure préalable : le CCAP subordonne cette pénalité" in output
    # …while the hours, found at the bilan, take none
    data = example_data()
    data["bilans"][0]["procedure_insertion"]["mise_en_demeure"] = "2028-01-13"
    output = _bilan_refused(tmp_path, data)
    assert "le CCAP n'en prévoit pas pour ce manquement (constat à la réunion de bilan)" in output


def test_decision_before_the_observation_window_closes_is_refused(tmp_path: Path) -> None:
    data = example_data()
    del data["bilans"][0]["procedure_insertion"]["observations_recues_le"]
    data["bilans"][0]["procedure_insertion"]["date_decision"] = "2028-01-20"
    output = _bilan_refused(tmp_path, data)
    assert "avant la fin du délai de quinze jours" in output
    assert "délai expirant le 28\u00a0janvier 2028" in output


def test_a_late_document_received_without_mise_en_demeure_carries_no_penalty(tmp_path: Path) -> None:
    data = example_data()
    data["bilans"][0]["retards"] = [{"document": "relevé d'heures de mars 2027", "releve": "2027-03",
                                     "recu_le": "2027-05-11"}]
    out = tmp_path / "bilan.docx"
    result = _run("bilan", _write(tmp_path, data), "--annee", "1", "-o", out)
    assert result.exit_code == 0, result.output
    text = dump_text(out.read_bytes())
    assert "reçu sans mise en demeure préalable, donc sans pénalité" in text
    # and no procedure can be carried on it
    data["bilans"][0]["retards"][0]["procedure"] = {"invitation_observations": "2027-05-20"}
    output = _bilan_refused(tmp_path, data)
    assert "document reçu le 11\u00a0mai 2027 sans mise en demeure préalable, aucune pénalité" in output


# --- item 3: the procedure letters ----------------------------------------------------------


def test_help_lists_the_procedure_letters() -> None:
    result = _run("--help")
    for name in ("mise-en-demeure", "invitation-observations", "decision-penalites"):
        assert name in result.output


def test_mise_en_demeure_letter_is_dated_and_says_only_what_was_known(tmp_path: Path) -> None:
    out = tmp_path / "med.docx"
    result = _run("mise-en-demeure", NETTOYAGE, "--annee", "1", "-o", out)
    assert result.exit_code == 0, result.output
    text = dump_text(out.read_bytes())
    assert f"Saint-Aubin-sur-Loire, le 19{NB}avril 2027" in text
    assert "Lettre recommandée avec accusé de réception" in text  # same dispatch as the others
    assert f"«{NB}relevé d’heures de mars 2027{NB}», attendu le 12{NB}avril 2027, non reçu à ce jour" in text
    assert "dans un délai de quinze jours à compter du lendemain de la réception" in text
    assert "mai 2027" not in text  # the reception of 11 May is not known on 19 April


def test_procedure_letter_refuses_an_unrecorded_day(tmp_path: Path) -> None:
    out = tmp_path / "d.docx"
    result = _run("decision-penalites", NETTOYAGE, "--annee", "1", "-o", out)
    assert result.exit_code == 2
    assert "(2027-06-01, 2028-02-07)" in result.output
    result = _run("invitation-observations", NETTOYAGE, "--annee", "1", "--date", "2027-05-13", "-o", out)
    assert result.exit_code == 2
    assert f"aucun manquement de l'année 1 n'enregistre l'invitation à présenter des observations le " \
           f"13{NB}mai 2027" in result.output
    assert not out.exists()


def test_a_decision_answering_observations_must_give_its_reasons(tmp_path: Path) -> None:
    """Second reading of 7 December 2026: a decision after the titulaire's observations states
    why they do not change it; no default reason stands in for it."""
    data = example_data()
    procedure = data["bilans"][0]["procedure_insertion"]
    assert procedure["observations_recues_le"]
    assert procedure.get("motifs")
    out = tmp_path / "d.docx"
    decided = _run("decision-penalites", _write(tmp_path, data), "--annee", "1", "--date", "2028-02-07",
                   "-o", out)
    assert decided.exit_code == 0, decided.output
    assert procedure["motifs"].replace("'", "\u2019")[:40] in dump_text(out.read_bytes())
    del procedure["motifs"]
    out.unlink()
    refused = _run("decision-penalites", _write(tmp_path, data), "--annee", "1", "--date", "2028-02-07",
                   "-o", out)
    assert refused.exit_code == 2
    assert "le titulaire a présenté des observations, la décision motivée y répond" in refused.output
    assert "procedure.motifs" in refused.output
    assert not out.exists()


def test_invitation_needs_the_reception_of_the_late_document(tmp_path: Path) -> None:
    data = example_data()
    del data["bilans"][0]["retards"][0]["recu_le"]
    output = _bilan_refused(tmp_path, data)
    assert "avant la réception du document (recu_le)" in output


def test_suivi_pieces_write_the_procedure_letters(tmp_path: Path) -> None:
    out = tmp_path / "pieces"
    result = _run("pieces", NETTOYAGE, "--suivi", "-o", out)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert "mise-en-demeure-1-2027-04-19.docx" in names
    assert "invitation-observations-1-2027-05-12.docx" in names
    assert "decision-penalites-1-2027-06-01.docx" in names
    assert "decision-penalites-1-2028-02-07.docx" in names
    # the invitation of 13 January 2028 is the bilan letter itself
    assert "invitation-observations-1-2028-01-13.docx" not in names


# --- item 2: every document is true on its date (random timelines) ---------------------------


DATE_FR = re.compile(r"(\d{1,2})(?:er)?[\u00a0 ]+(" + "|".join(MOIS) + r")[\u00a0 ]+(\d{4})")
FUTURE_ALLOWED = re.compile(r"(expirant le|au plus tard le|de la tenir le)[\u00a0 ]+$")


def _dates_after(text: str, jour: date) -> list[str]:
    """Dates later than ``jour`` that the text states as facts (not as a deadline it sets)."""
    found = []
    for match in DATE_FR.finditer(text):
        day = date(int(match.group(3)), MOIS.index(match.group(2)) + 1, int(match.group(1)))
        if day > jour and not FUTURE_ALLOWED.search(text[max(0, match.start() - 40):match.start()]):
            found.append(match.group(0))
    return found


def _letter_day(text: str) -> date:
    match = re.search(r"Saint-Aubin-sur-Loire, le " + DATE_FR.pattern, text)
    assert match is not None
    return date(int(match.group(3)), MOIS.index(match.group(2)) + 1, int(match.group(1)))


def _offset(base: str, days: int | None) -> str | None:
    return None if days is None else (date.fromisoformat(base) + timedelta(days=days)).isoformat()


GAP = st.one_of(st.none(), st.integers(min_value=-5, max_value=45))


@settings(derandomize=True, deadline=None, max_examples=16,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(med=GAP, med_recue=GAP, recu=GAP, invitation=GAP, decision=GAP, heures=GAP, heures_decision=GAP,
       plan2=st.integers(min_value=-20, max_value=30))
def test_every_document_is_true_on_its_date_or_refused(tmp_path: Path, med: int | None,
                                                        med_recue: int | None, recu: int | None,
                                                        invitation: int | None, decision: int | None,
                                                        heures: int | None, heures_decision: int | None,
                                                        plan2: int) -> None:
    from clausegen.api import read_dossier
    from clausegen.api import suivi as api

    data = example_data()
    bilan = data["bilans"][0]
    # the March statement: due 12 April 2027; each step a random gap after the previous one
    med_day = _offset("2027-04-12", med)
    med_recue_day = _offset(med_day, med_recue) if med_day else None  # its délai runs from the day after
    recu_day = _offset(med_recue_day or med_day or "2027-04-12", recu)
    inv_day = _offset(recu_day or med_day or "2027-04-12", invitation)
    dec_day = _offset(inv_day or "2027-05-01", decision) if inv_day else None
    retard: dict[str, Any] = {"document": "relevé d'heures de mars 2027", "releve": "2027-03"}
    retard |= {k: v for k, v in (("mise_en_demeure", med_day), ("mise_en_demeure_recue_le", med_recue_day),
                                 ("recu_le", recu_day)) if v}
    steps = {k: v for k, v in (("invitation_observations", inv_day), ("date_decision", dec_day)) if v}
    if steps:
        retard["procedure"] = steps
    bilan["retards"] = [retard] if (med_day or recu_day) else []
    # the hours: found at the meeting of 13 January 2028
    h_inv = _offset("2028-01-13", heures)
    h_dec = _offset(h_inv, heures_decision) if h_inv and heures_decision is not None else None
    bilan["procedure_insertion"] = {k: v for k, v in (("invitation_observations", h_inv),
                                                       ("date_decision", h_dec)) if v} or None
    if bilan["procedure_insertion"] is None:
        del bilan["procedure_insertion"]
    data["plans"][1]["date_validation"] = _offset("2028-01-13", plan2)
    path = _write(tmp_path, data, "-".join(map(str, ("d", med, med_recue, recu, invitation, decision, heures,
                                                     heures_decision, plan2))) + ".yml")
    try:
        suivi = api.open_suivi(read_dossier(path))
        letters = [dump_text(p.docx) for p in api.render_procedure_letters(suivi)]
        letters.append(dump_text(api.render_lettre_bilan(suivi, 1)[0].docx))
        bilan_text = dump_text(api.render_bilan(suivi, 1)[0].docx)
    except ClausegenError as exc:  # the timeline is refused, in French, naming what is wrong
        refusal = str(exc)
    else:
        refusal = ""
    if refusal:
        assert re.search(r"attendue?|antérieure|avant|précéder|suivent|n'en prévoit pas|aucune pénalité",
                         refusal), refusal
        return
    for text in letters:
        jour = _letter_day(text)
        assert _dates_after(text, jour) == [], (jour, text)
        if "ayant été convenu" in text:  # NB2: a plan agreed later is never said agreed
            assert date.fromisoformat(data["plans"][1]["date_validation"]) <= jour
    penalties = bilan_text.split("[Heading 1] Pénalités")[1].split("[Heading 1] Observations")[0]
    assert _dates_after(penalties, date(2028, 1, 13)) == []


@pytest.mark.parametrize(("jour", "expected"), [(date(2028, 2, 2), False), (date(2028, 2, 3), True)])
def test_next_plan_is_agreed_only_from_its_day(jour: date, expected: bool) -> None:
    from clausegen.domain.lettre_bilan import plan_convenu_le
    from clausegen.models.suivi import PlanAnnuel

    plans = [PlanAnnuel.model_validate(p) for p in example_data()["plans"]]
    assert (plan_convenu_le(plans, 2, jour) is not None) is expected


# --- item 5: the accord-cadre with subsequent contracts ---------------------------------------

AC = NETTOYAGE.parent / "accord-cadre-marches-subsequents.yml"


def test_pieces_suivi_writes_each_suited_subsequent_contract_and_says_which_are_skipped(
        tmp_path: Path) -> None:
    out = tmp_path / "ac"
    result = _run("pieces", AC, "--suivi", "-o", out)
    assert result.exit_code == 0, result.output
    assert (out / "ccap.docx").exists()
    assert (out / "marche-subsequent-1" / "bilan-1.docx").exists()
    assert not (out / "marche-subsequent-2").exists()
    assert "marché subséquent n° 2 : pièces du suivi non écrites, marché jugé non adapté" in result.output
    assert "10 mois" in result.output


def test_a_shorter_subsequent_contract_owes_the_volume_prorated_to_its_duration(tmp_path: Path) -> None:
    """CCAP insertion.volume (NM5): the accord-cadre's volume is set « pour un marché subséquent
    d'une durée de 36 mois » and, for a shorter one, « ramené au prorata de sa durée ; le marché
    subséquent mentionne le volume qui en résulte »."""
    from clausegen.api import read_dossier
    from clausegen.api import suivi as api
    from clausegen.domain.bilan import prorata_heures

    data = yaml.safe_load(AC.read_text(encoding="utf-8"))
    ms2 = data["marches_subsequents"][1]
    assert ms2["numero"] == 2
    assert ms2.pop("insertion")["volume_heures"] == 667  # the example's MS states its prorated volume
    assert data["marche"]["duree_marches_subsequents_mois"] == 36
    assert data["plan_de_progres"]["insertion"]["volume_heures"] == 2400
    ms2["duree_mois"] = 18  # 2 400 h × 18/36 = 1 200 h, of which 800 h by the first bilan
    suivi = api.open_suivi(read_dossier(_write(tmp_path, data, "ms18.yml")),
                           api.Cible(marche_subsequent=2, forcer=True))
    insertion = suivi.loaded.dossier.plan.insertion
    assert insertion is not None
    assert insertion.volume_heures == 1200
    assert prorata_heures(insertion.volume_heures, suivi.loaded.dossier.marche.duree_mois, 1) == 800
    # its own engagement, when it states one, is its own
    ms2["insertion"] = {"mode": "heures", "volume_heures": 1100, "perimetre": "fauchage"}
    suivi = api.open_suivi(read_dossier(_write(tmp_path, data, "ms18-propre.yml")),
                           api.Cible(marche_subsequent=2, forcer=True))
    assert suivi.loaded.dossier.plan.insertion.volume_heures == 1100
    # 10 months: 666,67 h, a volume the subsequent contract states, not the tool
    del ms2["insertion"]
    ms2["duree_mois"] = 10
    path = _write(tmp_path, data, "ms10.yml")
    result = _run("echeancier", path, "--marche-subsequent", "2", "--forcer")
    assert result.exit_code == 2, result.output
    assert "marches_subsequents[1].insertion" in result.output
    assert "2 400 heures × 10/36 mois = 666,67 heures" in result.output.replace("\u202f", " ").replace(
        "\u00a0", " ")
    # …and the accord-cadre's other follow-ups are still written, saying why this one is not
    out = tmp_path / "ac"
    result = _run("pieces", path, "--suivi", "--forcer", "-o", out)
    assert result.exit_code == 0, result.output
    assert (out / "marche-subsequent-1" / "bilan-1.docx").exists()
    assert "marché subséquent n° 2 : pièces du suivi non écrites" in result.output


def test_pieces_marche_subsequent_restricts_the_follow_up(tmp_path: Path) -> None:
    out = tmp_path / "ac"
    result = _run("pieces", AC, "--suivi", "--marche-subsequent", "2", "--forcer", "-o", out)
    assert result.exit_code == 0, result.output
    assert (out / "marche-subsequent-2" / "convocation.docx").exists()
    assert not (out / "marche-subsequent-1").exists()
    unknown = _run("pieces", AC, "--suivi", "--marche-subsequent", "9", "-o", tmp_path / "x")
    assert unknown.exit_code == 2
    assert "Traceback" not in unknown.output
    assert not (tmp_path / "x").exists()


def test_lot_suivi_reports_the_skipped_subsequent_contract(tmp_path: Path) -> None:
    folder = tmp_path / "dossiers"
    folder.mkdir()
    (folder / "ac.yml").write_text(AC.read_text(encoding="utf-8"), encoding="utf-8")
    result = _run("lot", folder, "--suivi", "-j", "1", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "ac" / "marche-subsequent-1" / "bilan-1.docx").exists()
    assert "ac.yml : marché subséquent n° 2 : pièces du suivi non écrites" in result.output


def test_insertion_engagement_is_set_per_subsequent_contract(tmp_path: Path) -> None:
    from clausegen.api import read_dossier
    from clausegen.api.suivi import Cible, compute_bilan, open_suivi

    data = yaml.safe_load(AC.read_text(encoding="utf-8"))
    # MS n° 1 commits to 1 800 hours over its 36 months: prorata 600 h at year 1, 740 done
    data["marches_subsequents"][0]["insertion"]["volume_heures"] = 1800
    bilan = compute_bilan(open_suivi(read_dossier(_write(tmp_path, data)), Cible(marche_subsequent=1)), 1)
    assert not [x for x in bilan.penalites if "Heures d'insertion" in x.manquement]
    # the accord-cadre's own engagement (2 400 h) gives 60 hours short
    bilan = compute_bilan(open_suivi(read_dossier(AC), Cible(marche_subsequent=1)), 1)
    assert [x.quantite for x in bilan.penalites if "Heures d'insertion" in x.manquement] == [60]


# --- item 4: the insertion-only works market ----------------------------------------------------

TRAVAUX = NETTOYAGE.parent / "travaux-clause-insertion.yml"


def test_insertion_only_deadlines_follow_the_working_day_rules() -> None:
    result = _run("echeancier", TRAVAUX, "--format", "json")
    assert result.exit_code == 0, result.output
    import json

    echeances = {e["cle"]: e for e in json.loads(result.output)}
    # notified 12 April 2027, 14 months: end of execution 12 June 2028 (a date, never moved)
    assert echeances["fin"]["date"] == "2028-06-12"
    # statement of June 2027 due on the 10th of July, a Saturday: Monday 12 July
    juin = next(e for e in echeances.values() if e["libelle"] == "Relevé de juin 2027")
    assert (juin["date_nominale"], juin["date"], juin["motif_report"]) == (
        "2027-07-10", "2027-07-12", "samedi")
    # a works market (CCAP insertion_seule.bilan_final 1.1.0, NM10): final bilan within the month
    # that follows the réception of 11 August 2028: 11 September 2028 (a Monday)
    assert echeances["bilan_final"]["date"] == "2028-09-11"
    # April 2027 to May 2028 (tests/domain/test_echeancier_insertion.py)
    assert len([c for c in echeances if c.startswith("releve_")]) == 14


def test_insertion_only_final_bilan_applies_the_hours_formula(tmp_path: Path) -> None:
    out = tmp_path / "bf.docx"
    result = _run("bilan", TRAVAUX, "--annee", "2", "-o", out)
    assert result.exit_code == 0, result.output
    text = dump_text(out.read_bytes()).replace(NB, " ").replace("\u202f", " ")
    # 3 500 − 3 180 = 320 h × 2 × 12,02 € = 320 × 24,04 = 7 692,80 €, constat at the final bilan
    # of 5 September 2028, decision of 2 October 2028 not known yet
    assert "| 320 heures × 24,04 € | 7 692,80 € | constatée, observations du titulaire à recueillir |" in text
    # relevé de novembre 2027: mise en demeure 20 December, délai expired 4 January, received
    # 12 January 2028: 8 days × 100 € = 800 €, decided on 7 February 2028
    assert "| 8 jours × 100,00 € | 800,00 € | applicable (décision du 7 février 2028) |" in text
    assert "Montant des pénalités applicables au titre du marché : 800,00 € HT." in text
    assert "le plafond est de 184 230,00 € HT" in text
    assert "octobre 2028" not in text


def test_insertion_only_final_bilan_is_refused_before_the_end(tmp_path: Path) -> None:
    data = yaml.safe_load(TRAVAUX.read_text(encoding="utf-8"))
    data["bilan_final"]["date_bilan"] = "2028-06-01"
    result = _run("bilan", _write(tmp_path, data), "--annee", "2", "-o", tmp_path / "bf.docx")
    assert result.exit_code == 2
    assert "bilan_final.date_bilan" in result.output
    assert f"postérieure à la fin de l'exécution (12{NB}juin 2028)" in result.output
    assert not (tmp_path / "bf.docx").exists()


def test_insertion_only_dashboard_and_suivi_pieces(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "tr"
    result = _run("pieces", TRAVAUX, "--suivi", "-o", out)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} >= {"ccap.docx", "cctp.docx", "echeancier.ics", "bilan-final.docx",
                                                "tableau-de-bord.xlsx", "mise-en-demeure-2027-12-17.docx",
                                                "invitation-observations-2028-09-08.docx",
                                                "decision-penalites-2028-10-02.docx"}
    decision = dump_text((out / "decision-penalites-2028-10-02.docx").read_bytes())
    assert "au titre de l’action d’insertion" in decision
    assert f"pénalité appliquée, soit 7\u202f692,80{NB}€{NB}HT" in decision
    book = load_workbook(out / "tableau-de-bord.xlsx")
    # penalties decided to date: 7 692,80 (2 October 2028) + 800,00
    assert book["Synthèse"]["E2"].value == pytest.approx(8492.80)
