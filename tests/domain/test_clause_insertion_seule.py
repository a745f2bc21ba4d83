"""Issue 10, item 3: the insertion clause alone (works contract, CCAG-Travaux), without a plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.render.readers.inspect import dump_text, read_provenance
from tests.conftest import EXAMPLES, example_data

TRAVAUX = EXAMPLES / "travaux-clause-insertion.yml"


def _text(runner: CliRunner, piece: str, tmp_path: Path, dossier: Path = TRAVAUX) -> str:
    out = tmp_path / f"{piece}.docx"
    result = runner.invoke(cli, [piece, str(dossier), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert read_provenance(out.read_bytes())["piece"] == f"{piece}_insertion"
    return dump_text(out.read_bytes()).replace("\u00a0", " ").replace("\u202f", " ")


def test_ccap_carries_the_insertion_clause_without_the_plan(runner: CliRunner, tmp_path: Path) -> None:
    text = _text(runner, "ccap", tmp_path)
    assert "Plan de progrès" not in text
    assert "co-traitance" not in text  # fixed at the offer, not a modality (issue 9, M4)
    # Issue 19, item 3: a chapter to insert into the buyer's works CCAP, not a CCAP with parts missing
    assert "Clause d’insertion professionnelle – chapitre à insérer au CCAP" in text
    assert "Cahier des clauses administratives particulières" not in text
    assert "il n’engage pas l’acheteur" not in text
    assert "à compter de sa notification" not in text  # a works délai runs from the ordre de service
    for expected in ("volume minimal de 3 500 heures de travail", "Publics éligibles",
                     "l’embauche directe", "la mise à disposition",
                     "la sous-traitance d’une partie des prestations",
                     "Karim Benali", "au plus tard le 10 du mois qui suit",
                     "Dans le mois qui suit la date d’effet de la réception",
                     "avant de notifier le décompte général du marché, dans lequel elles sont portées",
                     "deux fois le montant du SMIC horaire brut", "100,00 € HT par jour calendaire",
                     "liste récapitulative des dérogations au CCAG-Travaux"):
        assert expected in text, expected
    # Issue 19, item 2 for this chapter too: the derogations to carry over are in the unnumbered
    # notes, never a numbered article holding an instruction to the buyer.
    assert "Notes pour le rédacteur — à supprimer" in text
    assert "Dérogations au CCAG à reporter" not in text
    # CCAG-Travaux: whether it has an insertion stipulation is not verified (brief [U]): the
    # chapter neither cites nor derogates to one (the FCS, TIC and PI ones are verified).
    assert "CCAG-Travaux relative à l’action d’insertion" not in text
    assert "relatif aux pénalités pour non-respect de la clause sociale d’insertion" not in text
    # Issue 9 (M3, item 3): derogations stated outright; a penalty applies once decided.
    assert "en tant que de besoin" not in text
    assert ("Les pénalités relatives à l’action d’insertion sont exclusivement celles du présent "
            "article.") in text
    assert "la pénalité n’est applicable qu’à compter de cette notification" in text


@pytest.mark.parametrize(("exoneration", "expected", "absent"), [
    (True, "L’exonération prévue par la stipulation du CCAG-Travaux relative à l’exonération des "
           "pénalités dont le montant total ne dépasse pas 1 000 € HT s’applique aussi aux pénalités "
           "du présent article, le montant total s’appréciant pour l’ensemble du marché",
     "dès le premier euro"),
    (False, "le titulaire n’est pas exonéré des pénalités du présent article", "s’applique aussi"),
])
def test_exemption_of_small_penalties_stated_either_way(runner: CliRunner, write_dossier: Any,
                                                        tmp_path: Path, exoneration: bool,
                                                        expected: str, absent: str) -> None:
    data = yaml.safe_load(TRAVAUX.read_text(encoding="utf-8"))
    data["clause_insertion"]["penalites"]["exoneration_ccag"] = exoneration
    text = _text(runner, "ccap", tmp_path, write_dossier(data))
    assert expected in text
    assert absent not in text


def test_cctp_gives_statement_final_bilan_and_facilitator(runner: CliRunner, tmp_path: Path) -> None:
    text = _text(runner, "cctp", tmp_path)
    assert "Relevé de l’action d’insertion" in text
    assert "Bilan final de l’insertion" in text
    assert "au regard du volume de 3 500 heures fixé" in text
    assert "Missions du facilitateur" in text
    assert "plan de progrès" not in text.lower()


def test_verdict_reports_plan_and_insertion_clause_separately(runner: CliRunner) -> None:
    import json

    result = runner.invoke(cli, ["faisabilite", str(TRAVAUX), "--format", "json"])
    payload = json.loads(result.output)
    assert payload["verdict"] == "non_adapte"  # 14-month one-off works: no plan
    assert payload["clause_insertion"]["verdict"] == "adapte"
    assert "clause_insertion" not in [lv["code"] for lv in payload["leviers"]]  # already there
    assert payload["dispositif"] == "clause_insertion"
    text = runner.invoke(cli, ["faisabilite", str(TRAVAUX)]).output
    assert text.startswith("Verdict (clause d'insertion seule, retenue au dossier) : adapté")
    assert "Plan de progrès (non retenu au dossier) : non adapté" in text


def test_post_award_plan_pieces_do_not_apply(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["convocation", str(TRAVAUX), "-o", str(tmp_path / "c.docx")])
    assert result.exit_code == 2
    assert "clause d'insertion seule" in result.output


@pytest.mark.parametrize(("mode", "expected"), [("heures", "par heure"), ("actions", "par action")])
def test_insertion_in_hours_or_actions(runner: CliRunner, write_dossier: Any, tmp_path: Path,
                                       mode: str, expected: str) -> None:
    data = yaml.safe_load(TRAVAUX.read_text(encoding="utf-8"))
    data["clause_insertion"]["mode"] = mode
    data["clause_insertion"]["actions_par_an"] = 2
    assert expected in _text(runner, "ccap", tmp_path, write_dossier(data))


def test_plan_and_insertion_clause_alone_are_exclusive(runner: CliRunner, write_dossier: Any) -> None:
    data = example_data()
    data["clause_insertion"] = {"volume_heures": 100, "perimetre": "nettoyage"}
    both = runner.invoke(cli, ["faisabilite", str(write_dossier(data))])
    assert both.exit_code == 2
    assert "l'une ou l'autre, pas les deux" in both.output
    del data["clause_insertion"], data["plan_de_progres"]
    neither = runner.invoke(cli, ["faisabilite", str(write_dossier(data))])
    assert neither.exit_code == 2
    assert "une section plan_de_progres ou une section clause_insertion est attendue" in neither.output


def test_accord_cadre_with_the_insertion_clause_alone(runner: CliRunner, write_dossier: Any,
                                                      tmp_path: Path) -> None:
    data = yaml.safe_load(TRAVAUX.read_text(encoding="utf-8"))
    data["marche"] |= {"forme": "accord_cadre_multi_attributaire_marches_subsequents",
                       "duree_marches_subsequents_mois": 6, "prestation": "recurrente"}
    text = _text(runner, "ccap", tmp_path, write_dossier(data))
    # the chapter leaves form and duration to the buyer's CCAP; one engagement per subsequent contract
    assert "L’engagement d’insertion est fixé pour chaque marché subséquent" in text
    assert "chaque marché subséquent fixe son propre volume au prorata de son montant" in text
