"""The two forms of the tender pieces: complete CCAP, or the social chapter to insert.

Also: the consultation version is the contract (award data never changes a tender piece).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from clausegen.api import open_library, read_dossier, render_piece
from clausegen.cli import cli
from clausegen.render.readers.inspect import dump_text, read_provenance
from tests.conftest import EXAMPLES, NETTOYAGE, sans_pagination

TOUS = EXAMPLES / "tous-axes-toutes-variantes.yml"

ARTICLE = re.compile(r"^\[Heading 1\] Article\s(\d+) – (.+)$", re.M)
SECTION = re.compile(r"^\[Heading 2\] (\d+)\.(\d+)\. (.+)$", re.M)


def _render(path: Path, piece: str, **options: Any) -> str:
    data, _ = render_piece(read_dossier(path), piece, library=open_library(), **options)
    return dump_text(data)


def test_complete_ccap_has_every_administrative_article() -> None:
    titles = [t for _, t in ARTICLE.findall(_render(NETTOYAGE, "ccap"))]
    for expected in ("Objet et forme du marché", "Pièces contractuelles", "Durée et reconduction",
                     "Plan de progrès en matière sociale", "Prix et règlement",
                     "Pénalités relatives à la condition sociale",
                     "Exécution des prestations",
                     "Pénalités relatives à l’exécution des prestations",
                     "Assurances", "Résiliation", "Règlement des différends",
                     "Dispositions diverses"):
        assert expected in titles
    assert titles[-1] == "Dérogations au CCAG"


def test_complete_ccap_states_maximum_execution_and_renewal() -> None:
    text = _render(TOUS, "ccap")
    assert "exécuté par l’émission de bons de commande" in text
    assert "montant minimum de 200\u202f000,00\u00a0€\u00a0HT" in text
    assert "montant maximum de 1\u202f500\u202f000,00\u00a0€\u00a0HT" in text
    assert "reconductions comprises" in text
    assert "période initiale de 12\u00a0mois (1\u00a0an)" in text
    # m12 (review of 7 December 2026): a faculty, « au plus »
    assert "peut être reconduit tacitement trois fois au plus, par période de 12\u00a0mois" in text
    assert "au taux de 10\u00a0%" in text
    assert "Clause de réexamen" in text


@pytest.mark.parametrize("start", [1, 7, 12])
def test_chapter_numbers_from_n_and_cross_references_follow(start: int) -> None:
    text = _render(NETTOYAGE, "ccap_chapitre", premier_article=start)
    numbers = [int(n) for n, _ in ARTICLE.findall(text)]
    assert numbers == list(range(start, start + len(numbers)))
    assert "[Title]" not in text  # no cover page
    headings = {n for n, _ in ARTICLE.findall(text)}
    headings |= {f"{a}.{s}" for a, s, _ in SECTION.findall(text)}
    cited = {n for n, ccag in re.findall(r"l’article\s(\d+(?:\.\d+)*)( du CCAG)?", text)
             if not ccag}
    assert cited
    assert cited <= headings
    titles = dict(ARTICLE.findall(text))
    formalisation = {f"{a}.{s}" for a, s, t in SECTION.findall(text)
                     if t == "Formalisation du plan de progrès"}
    assert re.search(rf"dans les conditions de l’article\s{re.escape(next(iter(formalisation)))}",
                     text)
    # The last numbered article is a stipulation; what the buyer carries over is in the notes.
    assert titles[str(numbers[-1])] == "Protection des données personnelles"
    assert "[Heading 1] Notes pour le rédacteur — à supprimer" in text


def test_chapter_lists_the_derogations_to_add() -> None:
    text = _render(NETTOYAGE, "ccap_chapitre", premier_article=9)
    rows = re.findall(r"^\| Dernier article du CCAP .+? \| Article\s(\d+\.\d+) du chapitre, "
                      r"stipulation relative (.+?)\s:\s", text, re.M)
    assert {objet for _, objet in rows} >= {
        "au plafonnement des pénalités à 10\u00a0% du montant du marché",
        "à l’exonération des pénalités dont le montant total ne dépasse pas "
        "1\u202f000\u00a0€\u00a0HT"}
    assert all(int(article.split(".")[0]) >= 9 for article, _ in rows)


def test_cctp_chapter_has_no_cover_and_starts_at_n() -> None:
    text = _render(NETTOYAGE, "cctp_chapitre", premier_article=4)
    assert "[Title]" not in text
    assert [int(n) for n, _ in ARTICLE.findall(text)][0] == 4
    assert "Le présent chapitre du cahier des clauses techniques particulières" in text


def test_cli_chapter_options(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "chapitre.docx"
    result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                 str(NETTOYAGE), "--chapitre", "--premier-article", "5",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "[Heading 1] Article\u00a05 – Condition d’exécution" in dump_text(out.read_bytes())
    refused = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "--premier-article", "5",
                                  "-o", str(tmp_path / "x.docx")])
    assert refused.exit_code == 2
    assert "--premier-article ne vaut qu'avec --chapitre" in refused.output
    assert not (tmp_path / "x.docx").exists()


def test_the_chapters_first_article_numbers_the_chapter_only(tmp_path: Path) -> None:
    """``administratif.chapitre_premier_article`` numbers the chapter (--chapitre); the
    complete CCAP starts at article 1, from ``ccap`` as from ``pieces``."""
    data = yaml.safe_load(NETTOYAGE.read_text(encoding="utf-8"))
    data["administratif"]["chapitre_premier_article"] = 7
    dossier = tmp_path / "chapitre-7.yml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    runner = CliRunner()
    for arguments in (["ccap", "-o", str(tmp_path / "ccap.docx")], ["pieces", "-o", str(tmp_path / "p")],
                      ["ccap", "--chapitre", "-o", str(tmp_path / "chapitre.docx")]):
        result = runner.invoke(cli, sans_pagination([arguments[0], str(dossier), *arguments[1:]]))
        assert result.exit_code == 0, result.output
    assert (tmp_path / "ccap.docx").read_bytes() == (tmp_path / "p" / "ccap.docx").read_bytes()
    assert ARTICLE.findall(dump_text((tmp_path / "ccap.docx").read_bytes()))[0][0] == "1"
    assert ARTICLE.findall(dump_text((tmp_path / "chapitre.docx").read_bytes()))[0][0] == "7"


def test_complete_ccap_of_an_accord_cadre_needs_its_maximum(tmp_path: Path) -> None:
    data = yaml.safe_load(NETTOYAGE.read_text(encoding="utf-8"))
    del data["administratif"]["montant_maximum_ht"]
    dossier = tmp_path / "sans-maximum.yml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(dossier), "-o", str(tmp_path / "x.docx")])
    assert result.exit_code == 2
    assert "administratif.montant_maximum_ht" in result.output
    assert "--chapitre" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.docx").exists()
    chapter = runner.invoke(cli, ["ccap", "--sans-pagination",
                                  str(dossier), "--chapitre", "-o", str(tmp_path / "c.docx")])
    assert chapter.exit_code == 0, chapter.output


AWARDED = ("titulaire", "plans", "bilans", "marches_subsequents")
"""What the dossier gains at award (the subsequent contracts of an accord-cadre too)."""


@pytest.mark.parametrize(("example", "piece"), [
    *[("nettoyage-4-ans.yml", p) for p in ("ccap", "cctp", "ccap_chapitre", "cctp_chapitre")],
    *[("accord-cadre-marches-subsequents.yml", p) for p in ("ccap", "cctp", "ccap_chapitre")],
    ("marche-reserve.yml", "ccap"),
    ("travaux-clause-insertion.yml", "ccap"),  # the insertion clause alone
    ("travaux-clause-insertion.yml", "cctp"),
])
def test_tender_pieces_are_byte_identical_before_and_after_award(tmp_path: Path, example: str,
                                                                 piece: str) -> None:
    awarded_path = EXAMPLES / example
    data = yaml.safe_load(awarded_path.read_text(encoding="utf-8"))
    assert data.get("titulaire") or data.get("marches_subsequents")  # the example is awarded
    for award in AWARDED:
        data.pop(award, None)
    data["marche"].pop("date_notification")
    # The award fills the same dossier file: same name (the provenance records it, for
    # ``actualiser``), contents without the award fields.
    before = tmp_path / "consultation" / awarded_path.name
    before.parent.mkdir()
    before.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    library = open_library()
    consultation, _ = render_piece(read_dossier(before), piece, library=library)
    awarded, _ = render_piece(read_dossier(awarded_path), piece, library=library)
    assert read_provenance(awarded)["dossier"] == awarded_path.name
    assert consultation == awarded


NOTES = "[Heading 1] Notes pour le rédacteur — à supprimer"


def _notes(text: str) -> str:
    """The notes, non-breaking spaces read as spaces."""
    return text[text.index(NOTES):].replace("\u00a0", " ").replace("\u202f", " ")


def test_chapter_carries_instructions_and_sentences_in_unnumbered_boxed_notes() -> None:
    """NM7: no drafting instruction as a numbered article; the price inclusion, résiliation and
    derogations to carry into the buyer's CCAP in a boxed table after the last article."""
    text = _render(NETTOYAGE, "ccap_chapitre", premier_article=7)
    body, notes = text[:text.index(NOTES)], _notes(text)
    assert "Dérogations au CCAG" not in "".join(ARTICLE.findall(body)[-1])
    assert "reporte" not in body  # no instruction to the buyer among the stipulations
    assert notes.count("[Heading") == 1  # the notes end the chapter and are not numbered
    lines = notes.splitlines()[1:]
    assert all(line.startswith("| ") for line in lines)  # one table: the box
    assert "| Article « Prix » du CCAP | « Les prix comprennent toutes les charges" in notes
    assert "y compris le coût de la mise en œuvre du plan de progrès" in notes
    assert "| Article « Résiliation » du CCAP | « Par dérogation à" in notes
    assert "manquements graves ou répétés à la condition d’exécution à caractère social prévue à " \
           "l’article 8," in notes
    assert "option --modele" in notes
    assert "[Heading 1] Article\u00a012 – Protection des données personnelles" in text
    assert NOTES not in _render(NETTOYAGE, "ccap")  # the complete CCAP has none


def test_chapter_can_leave_the_personal_data_article_to_the_buyer(write_dossier: Any) -> None:
    dossier = write_dossier(administratif={"chapitre_donnees_personnelles": False})
    text = _render(dossier, "ccap_chapitre", premier_article=7)
    assert "Protection des données personnelles" not in "".join(t for _, t in ARTICLE.findall(text))
    notes = _notes(text)
    assert "| Article « Protection des données personnelles » du CCAP | Le chapitre n’a pas" in notes
    assert "aucune donnée de santé" in notes
    # Numbering and references are unchanged: the data article was the last numbered one.
    assert [int(n) for n, _ in ARTICLE.findall(text)] == list(range(7, 12))
