"""``clausegen bibliotheque importer``: Word clauses → brouillon fragments of the organisation."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner, Result
from docx.shared import Cm

from clausegen.blocks import ListItem, Paragraph, Table, parse_blocks, plain_text
from clausegen.cli import cli
from clausegen.library.loader import load_library
from clausegen.resources import library_dir
from clausegen.templating import render_text


def _png() -> bytes:
    """A valid 1 × 1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0\0\0"))
            + chunk(b"IEND", b""))


def _clauses_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Préambule interne du service")
    document.add_heading("Pénalités de retard", level=1)
    paragraph = document.add_paragraph("En cas de retard, le titulaire encourt une pénalité de ")
    paragraph.add_run("1 000 € HT").bold = True
    paragraph.add_run(" par jour, ")
    paragraph.add_run("sans mise en demeure").italic = True
    paragraph.add_run(", dans la limite de 5 % du montant. ")
    paragraph.add_run("Clause essentielle.").underline = True
    document.add_paragraph("le constat du retard ;", style="List Bullet")
    document.add_paragraph("par lettre recommandée", style="List Bullet 2")
    document.add_paragraph("la notification au titulaire.", style="List Bullet")
    document.add_paragraph("premier cas", style="List Number")
    document.add_paragraph("second cas", style="List Number")
    document.add_heading("Cas particuliers", level=2)
    document.add_paragraph("Les jours fériés ne sont pas décomptés.")
    document.add_heading("Suivi de l'insertion", level=1)
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table.rows[0].cells + table.rows[1].cells,
                          ["Indicateur", "Cible", "Heures d'insertion", "1 500 heures"], strict=True):
        cell.text = text
    document.add_paragraph("Le bilan est remis le 23 novembre 2026, dans un délai de 15 jours.")
    document.add_picture(io.BytesIO(_png()), width=Cm(1))
    document.save(path)
    return path


@pytest.fixture
def imported(tmp_path: Path) -> tuple[str, Path]:
    source = _clauses_docx(tmp_path / "clauses.docx")
    result = CliRunner().invoke(cli, ["bibliotheque", "importer", str(source), "--bibliotheque",
                                      str(tmp_path / "org"), "--prefixe", "ville"])
    assert result.exit_code == 0, result.output
    return result.output, tmp_path / "org"


def _blocks(org: Path, fragment_id: str) -> list[object]:
    library = load_library(library_dir(), org)
    fragment = library.get(fragment_id, "1.0.0")
    assert fragment.meta.statut.value == "brouillon"
    return list(parse_blocks(render_text(fragment.body, {}, fragment_id=fragment_id)))


def test_each_heading_becomes_a_brouillon_fragment_with_its_markup(imported: tuple[str, Path]) -> None:
    output, org = imported
    files = sorted(p.relative_to(org).as_posix() for p in org.rglob("*.md"))
    assert files == ["fragments/ville.penalites_de_retard/1.0.0.md",
                     "fragments/ville.suivi_de_l_insertion/1.0.0.md"]
    blocks = _blocks(org, "ville.penalites_de_retard")
    first = blocks[0]
    assert isinstance(first, Paragraph)
    # The fragment keeps the text as typed; rendering applies French typography (issue 9).
    assert [(r.text, r.bold, r.italic) for r in first.runs][1:4] == [
        ("1\u202f000\u00a0€\u00a0HT", True, False), (" par jour, ", False, False),
        ("sans mise en demeure", False, True)]
    items = [b for b in blocks if isinstance(b, ListItem)]
    assert [(plain_text(i.runs), i.ordered, i.depth) for i in items] == [
        ("le constat du retard\u202f;", False, 0), ("par lettre recommandée", False, 1),
        ("la notification au titulaire.", False, 0), ("premier cas", True, 0), ("second cas", True, 0)]
    assert any(getattr(b, "text", "") == "Cas particuliers" for b in blocks)  # sub-heading kept
    tables = [b for b in _blocks(org, "ville.suivi_de_l_insertion") if isinstance(b, Table)]
    assert [plain_text(c) for c in tables[0].header] == ["Indicateur", "Cible"]
    assert [plain_text(c) for c in tables[0].rows[0]] == ["Heures d\u2019insertion", "1\u202f500\u00a0heures"]


def test_figures_are_listed_as_candidate_variables(imported: tuple[str, Path]) -> None:
    output, org = imported
    assert "« 1 000 € HT » (montant)" in output
    assert "« 5 % » (pourcentage)" in output
    assert "« 23 novembre 2026 » (date)" in output
    assert "« 15 jours » (duree)" in output
    text = (org / "fragments" / "ville.penalites_de_retard" / "1.0.0.md").read_text(encoding="utf-8")
    assert "Variables candidates" in text  # kept for the juriste in the fragment's notes


def test_what_cannot_be_represented_is_reported_with_its_place(imported: tuple[str, Path]) -> None:
    output, _ = imported
    assert "« clauses.docx », bloc 1 : texte avant le premier titre (non importé) : « Préambule" in output
    assert "clause « Pénalités de retard », bloc 3 « En cas de retard" in output
    assert "soulignement (non repris)" in output
    assert "clause « Suivi de l'insertion », bloc 14 : image ou objet (non repris)" in output


def test_the_bundled_library_is_never_written_to(tmp_path: Path) -> None:
    source = _clauses_docx(tmp_path / "clauses.docx")
    result = CliRunner().invoke(cli, ["bibliotheque", "importer", str(source), "--bibliotheque",
                                      str(library_dir())])
    assert result.exit_code == 1
    assert "bibliothèque fournie, en lecture seule" in result.output
    assert not list(library_dir().rglob("import.*"))


def test_an_existing_fragment_is_not_overwritten(imported: tuple[str, Path], tmp_path: Path) -> None:
    _, org = imported
    target = org / "fragments" / "ville.penalites_de_retard" / "1.0.0.md"
    before = target.read_bytes()
    target.parent.parent.joinpath("ville.suivi_de_l_insertion").rename(org / "ailleurs")
    result = CliRunner().invoke(cli, ["bibliotheque", "importer", str(tmp_path / "clauses.docx"),
                                      "--bibliotheque", str(org), "--prefixe", "ville"])
    assert result.exit_code == 2
    assert "ce fragment existe déjà" in result.output
    assert target.read_bytes() == before
    assert not (org / "fragments" / "ville.suivi_de_l_insertion").exists()  # all or nothing


def test_a_zip_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    import zipfile

    bomb = tmp_path / "bombe.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<a>" + b" " * 50_000_000 + b"</a>")
    result = CliRunner().invoke(cli, ["bibliotheque", "importer", str(bomb), "--bibliotheque",
                                      str(tmp_path / "org")])
    assert result.exit_code == 2
    assert "archive suspecte (taux de compression anormal)" in result.output
    assert not (tmp_path / "org").exists()
    result = CliRunner().invoke(cli, ["actualiser", str(bomb), "-o", str(tmp_path / "x.docx"),
                                      "--le", "2027-01-15"])
    assert result.exit_code == 2
    assert "archive suspecte" in result.output


def _numbered_docx(path: Path, headings: int = 2) -> Path:
    document = docx.Document()
    for number in range(1, headings + 1):
        document.add_heading(f"Article {number} \u2013 Clause numéro {number}", level=1)
        document.add_paragraph(f"Texte de la clause {number}.")
    document.add_heading("1.1 Cas d\u2019exonération", level=2)
    document.add_paragraph("Aucune pénalité n'est due en cas de force majeure.")
    document.save(str(path))
    return path


def _import(source: Path, library: Path) -> Result:
    return CliRunner().invoke(cli, ["bibliotheque", "importer", str(source), "--bibliotheque",
                                    str(library), "--prefixe", "ville"])


def test_typed_numbers_are_taken_out_of_titles_and_ids_and_reported(tmp_path: Path) -> None:
    result = _import(_numbered_docx(tmp_path / "clauses.docx"), tmp_path / "org")
    assert result.exit_code == 0, result.output
    fragments = sorted(p.parent.name for p in (tmp_path / "org" / "fragments").glob("*/1.0.0.md"))
    assert fragments == ["ville.clause_numero_1", "ville.clause_numero_2"]
    text = (tmp_path / "org" / "fragments" / "ville.clause_numero_2" / "1.0.0.md").read_text(encoding="utf-8")
    assert "titre: Clause numéro 2" in text
    assert "### Cas d\u2019exonération" in text
    assert "Article" not in text.split("---")[2]
    assert "numéro saisi « Article 1 \u2013 » retiré du titre « Clause numéro 1 »" in result.output
    assert "numéro saisi « 1.1 » retiré du titre « Cas d\u2019exonération »" in result.output


def test_C4_the_import_is_bounded_in_clauses(tmp_path: Path) -> None:
    from clausegen.api import importation

    result = _import(_numbered_docx(tmp_path / "many.docx", importation.MAX_CLAUSES + 1), tmp_path / "org")
    assert result.exit_code == 2
    assert f"{importation.MAX_CLAUSES + 1} clauses : au plus {importation.MAX_CLAUSES} par import" \
        in result.output
    assert not (tmp_path / "org").exists()


def test_C4_the_import_is_bounded_in_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from clausegen.api import importation

    monkeypatch.setattr(importation, "MAX_SECONDS", -1.0)
    result = _import(_numbered_docx(tmp_path / "clauses.docx"), tmp_path / "org")
    assert result.exit_code == 2
    assert "import arrêté après" in result.output
    assert "rien n'a été écrit" in result.output
    assert not (tmp_path / "org").exists()


def test_C4_the_import_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure (or Ctrl-C) while writing the second fragment leaves none of them."""
    from clausegen.api import importation

    real = importation.write_atomic
    calls = []

    def failing(path: Path, data: bytes) -> Path:
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(path, data)

    monkeypatch.setattr(importation, "write_atomic", failing)
    result = _import(_numbered_docx(tmp_path / "clauses.docx"), tmp_path / "org")
    assert result.exit_code != 0
    assert len(calls) == 2
    assert not list((tmp_path / "org").rglob("*.md"))
