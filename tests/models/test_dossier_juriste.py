"""What a lawyer needs to say in the dossier (issue 19, item 7; review of 2026-12-07, § 6 and m5):
duration including renewals, actions tied to a date, verified CCAG article numbers, and a
delegation mention that names the delegate, not the authority."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from clausegen.api import open_library, read_dossier, render_piece
from clausegen.cli import cli
from clausegen.render.readers.inspect import dump_text
from tests.conftest import example_data


def test_init_and_schema_say_that_the_duration_includes_renewals(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "dossier.yml"
    assert runner.invoke(cli, ["init", str(target)]).exit_code == 0
    line = next(line for line in target.read_text(encoding="utf-8").splitlines()
                if line.strip().startswith("duree_mois: 48"))
    assert "reconductions comprises" in line
    schema = runner.invoke(cli, ["schema"]).output
    assert "Durée totale du marché, en mois, reconductions comprises." in schema


def _plan_text(tmp_path: Path, runner: CliRunner, dossier: Path) -> str:
    out = tmp_path / "plan-1.docx"
    result = runner.invoke(cli, ["plan", str(dossier), "--annee", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return dump_text(out.read_bytes()).replace("\u00a0", " ")


def test_an_action_can_be_tied_to_its_date(runner: CliRunner, tmp_path: Path,
                                           write_dossier: Callable[..., Path]) -> None:
    data = example_data()
    action = data["plans"][0]["axes"][0]["actions_titulaire"][1]
    # The example's forum is tied to its date (issue 20: no mise en demeure); start from the default.
    assert action["id"] == "forum_emploi"
    assert action["liee_a_une_date"] is True
    del action["liee_a_une_date"]
    assert not read_dossier(write_dossier(data)).dossier.plans[0].axes[0].actions_titulaire[1].liee_a_une_date
    before = _plan_text(tmp_path, runner, write_dossier(data))
    assert "(action liée à cette date)" not in before
    action["liee_a_une_date"] = True
    text = _plan_text(tmp_path, runner, write_dossier(data))
    libelle = action["libelle"].replace("'", "\u2019")
    row = next(line for line in text.splitlines() if libelle in line and line.startswith("| "))
    assert "(action liée à cette date)" in row
    assert text.count("(action liée à cette date)") == 1
    assert read_dossier(write_dossier(data)).dossier.plans[0].axes[0].actions_titulaire[1].liee_a_une_date


def _ccap(dossier: Path) -> str:
    data, _ = render_piece(read_dossier(dossier), "ccap", library=open_library())
    return dump_text(data).replace("\u00a0", " ")


def test_a_derogation_carries_the_ccag_article_number_the_buyer_verified(
        write_dossier: Callable[..., Path]) -> None:
    objet = "à l’exonération des pénalités dont le montant total ne dépasse pas"
    default = _ccap(write_dossier())
    assert f"Par dérogation à l’article [à compléter] du CCAG-FCS, relatif {objet}" in default
    # « 99.9 »: test data standing for a number the buyer read on the arrêté.
    text = _ccap(write_dossier(administratif={"ccag_articles": {"penalites_exoneration": "99.9"}}))
    assert "Par dérogation à l’article 99.9 du CCAG-FCS" in text
    assert f"l’article [à compléter] du CCAG-FCS, relatif {objet}" not in text
    assert any(line.startswith("| 9.2 | 99.9 – stipulation relative") for line in text.splitlines())


def test_an_unknown_ccag_key_is_refused_with_the_field_name(runner: CliRunner, tmp_path: Path,
                                                            write_dossier: Callable[..., Path]) -> None:
    dossier = write_dossier(administratif={"ccag_articles": {"exoneration": "14.1"}})
    out = tmp_path / "ccap.docx"
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(dossier), "-o", str(out)])
    assert result.exit_code != 0
    assert "administratif.ccag_articles.exoneration" in result.output
    assert "penalites_exoneration" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    bad = write_dossier(administratif={"ccag_articles": {"penalites_exoneration": "article 14"}})
    refused = runner.invoke(cli, ["ccap", "--sans-pagination", str(bad), "-o", str(out)])
    assert refused.exit_code != 0
    assert "ccag_articles" in refused.output


def _lettre(runner: CliRunner, tmp_path: Path, dossier: Path) -> Any:
    return runner.invoke(cli, ["lettre", str(dossier), "--annee", "1", "-o", str(tmp_path / "l.docx")])


def test_a_delegation_mention_naming_the_authority_itself_is_flagged(
        runner: CliRunner, tmp_path: Path, write_dossier: Callable[..., Path]) -> None:
    data = example_data()
    signataire = data["acheteur"]["signataire"]
    signataire["delegation"] = "Pour la Maire et par délégation,"
    result = _lettre(runner, tmp_path, write_dossier(data))
    assert result.exit_code == 0, result.output
    assert "la mention « Pour la Maire et par délégation, » précède la signature de " \
           "« Maire de Saint-Aubin-sur-Loire » lui-même" in result.output
    signataire.update(nom="Jeanne Roux", qualite="Directrice générale des services")
    fine = _lettre(runner, tmp_path, write_dossier(data))
    assert fine.exit_code == 0, fine.output
    assert "délégataire" not in fine.output
