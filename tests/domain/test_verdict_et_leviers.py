"""Issue 10, items 4 to 6: a feasibility that reads the market, the other social levers on a
refusal, and post-award commands that follow the verdict (refusal, --forcer, mention, lot)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.domain.faisabilite import Niveau, Verdict, assess_faisabilite
from clausegen.models.dispositifs import Reservation
from clausegen.models.dossier import Marche
from clausegen.render.readers.inspect import dump_text, read_provenance
from tests.conftest import example_data

BASE: dict[str, Any] = {
    "reference": "T-1", "objet": "Nettoyage", "nature": "services",
    "forme": "accord_cadre_mono_attributaire", "prestation": "recurrente", "duree_mois": 48,
    "montant_estime_ht": "1200000", "ccag": "fcs",
}


def _marche(**changes: Any) -> Marche:
    return Marche.model_validate({**BASE, **changes})


def _niveau(marche: Marche, critere: str) -> Niveau:
    return next(r.niveau for r in assess_faisabilite(marche).raisons if r.critere == critere)


# --- item 5: each criterion, each reason shown with its source -----------------------


@pytest.mark.parametrize(("nature", "niveau"), [("services", Niveau.favorable),
                                                ("fournitures", Niveau.reserve),
                                                ("travaux", Niveau.reserve)])
def test_nature_is_never_blocking(nature: str, niveau: Niveau) -> None:
    assert _niveau(_marche(nature=nature), "nature") is niveau


@pytest.mark.parametrize(("duree", "niveau"), [(11, Niveau.bloquant), (12, Niveau.reserve),
                                               (23, Niveau.reserve), (24, Niveau.favorable)])
def test_duration_thresholds(duree: int, niveau: Niveau) -> None:
    assert _niveau(_marche(forme="marche_ordinaire", duree_mois=duree), "durée") is niveau


def test_every_reason_names_its_source_passage() -> None:
    result = assess_faisabilite(_marche(nature="travaux"))
    assert all(r.source for r in (*result.raisons, *result.insertion.raisons))
    assert any("§2.1" in r.source for r in result.raisons)
    assert any("§2.2" in r.source for r in result.raisons)


def test_works_contract_gets_a_reserve_for_the_plan_and_a_clear_yes_for_the_insertion_clause() -> None:
    result = assess_faisabilite(_marche(nature="travaux", forme="marche_ordinaire",
                                        prestation="ponctuelle", duree_mois=14))
    assert result.verdict is Verdict.non_adapte  # one-off works operation
    assert result.insertion.verdict is Verdict.adapte


# --- item 4: levers on refusal ---------------------------------------------------------


def test_suited_market_lists_no_lever() -> None:
    assert assess_faisabilite(_marche()).leviers == ()


def test_refused_market_lists_the_four_levers_with_verified_bases() -> None:
    result = assess_faisabilite(_marche(forme="marche_ordinaire", duree_mois=8))
    bases = {lv.code: lv.base_legale for lv in result.leviers}
    assert list(bases) == ["clause_insertion", "marche_reserve", "critere_social", "insertion_objet"]
    assert "L. 2112-2" in bases["clause_insertion"]
    assert "L. 2113-12" in bases["marche_reserve"]
    assert "L. 2113-13" in bases["marche_reserve"]
    assert "R. 2152-7" in bases["critere_social"]
    assert "417580" in bases["critere_social"]


def test_reserved_market_is_not_offered_reservation_nor_insertion_clause() -> None:
    result = assess_faisabilite(_marche(forme="marche_ordinaire", duree_mois=8),
                                reservation=Reservation(article="L2113-13"))
    codes = [lv.code for lv in result.leviers]
    assert "marche_reserve" not in codes
    assert "clause_insertion" not in codes
    assert result.insertion.verdict is Verdict.non_adapte


def test_supplies_are_not_offered_insertion_as_the_object() -> None:
    result = assess_faisabilite(_marche(nature="fournitures", prestation="ponctuelle"))
    assert "insertion_objet" not in [lv.code for lv in result.leviers]


def test_cli_json_reports_plan_insertion_clause_and_levers(runner: CliRunner, write_dossier: Any) -> None:
    path = write_dossier(marche={"prestation": "ponctuelle"})
    result = runner.invoke(cli, ["faisabilite", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["verdict"] == "non_adapte"
    assert payload["clause_insertion"]["verdict"] == "adapte"
    assert [lv["code"] for lv in payload["leviers"]][:2] == ["clause_insertion", "marche_reserve"]
    assert all(r["source"] for r in payload["raisons"])


def test_cli_text_lists_levers_with_their_basis(runner: CliRunner, write_dossier: Any) -> None:
    path = write_dossier(marche={"prestation": "ponctuelle"})
    result = runner.invoke(cli, ["faisabilite", str(path)])
    assert "Autres leviers sociaux adaptés à ce marché" in result.output
    assert "fondement : article L. 2112-2 du code de la commande publique" in result.output
    assert "Clause d'insertion seule : adapté" in result.output


# --- item 6: post-award commands follow the verdict --------------------------------------

POST_AWARD = [
    ["echeancier"],
    ["convocation", "-o", "{out}/convocation.docx"],
    ["plan", "--annee", "1", "-o", "{out}/plan.docx"],
    ["lettre", "--annee", "1", "-o", "{out}/lettre.docx"],
    ["bilan", "--annee", "1", "-o", "{out}/bilan.docx"],
    ["tableau-de-bord", "-o", "{out}/tdb.xlsx"],
]


def _unsuited(write_dossier: Any) -> Path:
    return write_dossier(marche={"prestation": "ponctuelle"})  # type: ignore[no-any-return]


@pytest.mark.parametrize("command", POST_AWARD, ids=[c[0] for c in POST_AWARD])
def test_post_award_command_refuses_an_unsuited_market(runner: CliRunner, write_dossier: Any,
                                                       tmp_path: Path, command: list[str]) -> None:
    args = [a.format(out=tmp_path) for a in command]
    result = runner.invoke(cli, [args[0], str(_unsuited(write_dossier)), *args[1:]])
    assert result.exit_code == 1
    assert "n'est pas adapté" in result.output
    assert "--forcer" in result.output
    assert "prestation ponctuelle" in result.output
    assert not list(tmp_path.glob("*.docx"))
    assert not list(tmp_path.glob("*.xlsx"))


@pytest.mark.parametrize("command", POST_AWARD[1:5], ids=[c[0] for c in POST_AWARD[1:5]])
def test_forced_document_shows_the_verdict(runner: CliRunner, write_dossier: Any, tmp_path: Path,
                                           command: list[str]) -> None:
    args = [a.format(out=tmp_path) for a in command]
    result = runner.invoke(cli, [args[0], str(_unsuited(write_dossier)), *args[1:], "--forcer"])
    assert result.exit_code == 0, result.output
    data = Path(args[-1]).read_bytes()
    text = dump_text(data).replace("\u00a0", " ")
    assert "Document établi malgré un verdict de faisabilité « non adapté »" in text
    assert "prestation ponctuelle" in text
    assert read_provenance(data)["faisabilite"] == "non_adapte_force"


def test_forced_calendar_and_workbook_carry_the_verdict(runner: CliRunner, write_dossier: Any,
                                                        tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = _unsuited(write_dossier)
    ics = tmp_path / "e.ics"
    result = runner.invoke(cli, ["echeancier", str(path), "--ics", str(ics), "--forcer"])
    assert result.exit_code == 0, result.output
    assert "non adapté" in result.output  # warning on stderr, mixed in by the runner
    assert "X-WR-CALDESC:Document établi malgré" in ics.read_text(encoding="utf-8")
    xlsx = tmp_path / "t.xlsx"
    assert runner.invoke(cli, ["tableau-de-bord", str(path), "-o", str(xlsx), "--forcer"]).exit_code == 0
    cells = [c.value for row in load_workbook(xlsx)["Synthèse"].iter_rows() for c in row]
    assert any(isinstance(v, str) and v.startswith("Document établi malgré") for v in cells)


def test_suited_market_documents_have_no_mention(runner: CliRunner, write_dossier: Any,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "c.docx"
    assert runner.invoke(cli, ["convocation", str(write_dossier()), "-o", str(out)]).exit_code == 0
    assert "malgré un verdict" not in dump_text(out.read_bytes())


def test_lot_summary_reports_refused_and_forced(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "dossiers"
    folder.mkdir()
    ok, unsuited = example_data(), example_data()
    unsuited["marche"]["prestation"] = "ponctuelle"
    for name, data in (("bon.yml", ok), ("ponctuel.yml", unsuited)):
        (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    refused = runner.invoke(cli, ["lot", "--sans-pagination",
                                  str(folder), "-o", str(tmp_path / "a"), "-j", "1"])
    assert refused.exit_code == 1
    assert "Non adaptés, refusés (sans --forcer) : 1 (ponctuel.yml)" in refused.output
    forced = runner.invoke(cli, ["lot", "--sans-pagination",
                                 str(folder), "-o", str(tmp_path / "b"), "-j", "1", "--forcer"])
    assert forced.exit_code == 0, forced.output
    assert "générés avec --forcer (mention du verdict dans chaque pièce) : 1 (ponctuel.yml)" in forced.output
    assert "malgré un verdict" in dump_text((tmp_path / "b" / "ponctuel" / "ccap.docx").read_bytes())
