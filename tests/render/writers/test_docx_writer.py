"""The one Word writer: every block (the bilan's chart included), buyers' skeletons (--modele),
and a loud refusal of a skeleton it cannot use, never another writer."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.render.readers.inspect import dump_text
from tests.conftest import NETTOYAGE, ROOT

IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"


def _part(docx: bytes, name: str) -> str:
    return zipfile.ZipFile(io.BytesIO(docx)).read(name).decode("utf-8")


@pytest.fixture(scope="module")
def bilan(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("bilan") / "bilan.docx"
    result = CliRunner().invoke(cli, ["bilan", str(NETTOYAGE), "--annee", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_bilan_chart_is_a_media_part_a_relationship_and_a_drawing(bilan: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(bilan))
    media = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert len(media) == 1
    assert media[0].endswith(".png")
    assert archive.read(media[0]).startswith(b"\x89PNG\r\n\x1a\n")
    rels = _part(bilan, "word/_rels/document.xml.rels")
    rel = re.search(rf'<Relationship Id="([^"]+)" Type="{IMAGE_REL}" Target="([^"]+)"/>', rels)
    assert rel is not None
    assert "word/" + rel.group(2) == media[0]
    body = _part(bilan, "word/document.xml")
    assert body.count("<w:drawing>") == 1
    assert f'r:embed="{rel.group(1)}"' in body
    assert re.search(r'<Default Extension="png" ContentType="image/png"/>',
                     _part(bilan, "[Content_Types].xml"))


def test_bilan_chart_is_read_back_by_python_docx_with_its_size_alt_text_and_caption(bilan: bytes) -> None:
    from docx import Document
    from docx.shared import Cm

    document = Document(io.BytesIO(bilan))
    (shape,) = document.inline_shapes
    assert shape.width == Cm(16)
    assert 0 < shape.height < shape.width  # the chart's aspect ratio, wider than high
    assert "objectif" in (shape._inline.docPr.get("descr") or "")  # the alternative text
    paragraphs = document.paragraphs
    index = next(i for i, p in enumerate(paragraphs) if p._p.xpath(".//w:drawing"))
    assert paragraphs[index].paragraph_format.keep_with_next  # the chart stays with its caption
    assert paragraphs[index + 1].style.name == "Caption"
    assert paragraphs[index + 1].text.startswith("Figure 1 – Taux de réalisation")


def test_bilan_is_byte_identical_from_one_run_to_the_next(bilan: bytes, runner: CliRunner,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "again.docx"
    assert runner.invoke(cli, ["bilan", str(NETTOYAGE), "--annee", "1", "-o", str(out)]).exit_code == 0
    assert out.read_bytes() == bilan


def _python_docx_skeleton(path: Path) -> Path:
    """A buyer's skeleton: python-docx's default document (its built-in styles, none of the
    letter roles) with a header field and the body slot."""
    from docx import Document

    document = Document()
    document.add_paragraph("EN-TÊTE MAISON {{ acheteur }}")
    document.add_paragraph("{{p corps }}")
    document.save(str(path))
    return path


def test_buyer_skeleton_gets_every_block_in_its_own_styles(runner: CliRunner, tmp_path: Path) -> None:
    modele = _python_docx_skeleton(tmp_path / "modele.docx")
    # without the letter roles: they take their documented stand-in, Body Text (render/writers/styles.py)
    assert b"Destinataire" not in zipfile.ZipFile(modele).read("word/styles.xml")
    output = tmp_path / "ccap.docx"
    result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                 str(NETTOYAGE), "-o", str(output), "--modele", str(modele)])
    assert result.exit_code == 0, result.output
    text = dump_text(output.read_bytes())
    assert "EN-TÊTE MAISON Ville de Saint-Aubin-sur-Loire" in text
    for style in ("[Heading 1]", "[Heading 2]", "[List]", "[List Bullet]"):
        assert style in text
    body = _part(output.read_bytes(), "word/document.xml")
    assert '<w:tblStyle w:val="TableGrid"/>' in body  # python-docx's own style ids


def test_skeleton_lacking_a_named_style_is_refused_naming_both(runner: CliRunner, tmp_path: Path) -> None:
    source = (ROOT / "templates" / "piece.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    styles = parts["word/styles.xml"].decode("utf-8")
    parts["word/styles.xml"] = re.sub(
        r'<w:style [^>]*>(?:(?!</w:style>).)*?<w:name w:val="Quote"/>.*?</w:style>', "", styles,
        flags=re.S).encode("utf-8")
    modele = tmp_path / "maison.docx"
    with zipfile.ZipFile(modele, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    out = tmp_path / "sortie"
    out.mkdir()
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(out / "ccap.docx"),
                                 "--modele", str(modele)])
    assert result.exit_code == 2
    assert f"Modèle Word « {modele} »" in result.output
    assert "style « Quote » absent du modèle (« Citation » dans Word en français)" in result.output
    assert "Traceback" not in result.output
    assert list(out.iterdir()) == []


def test_a_bug_in_the_writer_is_raised_not_written_another_way(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from clausegen.api import open_library, read_dossier, render_piece
    from clausegen.render.writers import fast

    def broken(skeleton: bytes) -> None:
        raise RuntimeError("bogue de l'écrivain")

    fast.prepare.cache_clear()
    monkeypatch.setattr(fast, "_inspect", broken)
    try:
        with pytest.raises(RuntimeError, match="bogue de l'écrivain"):
            render_piece(read_dossier(NETTOYAGE), "ccap", library=open_library(),
                         modele=_python_docx_skeleton(tmp_path / "modele.docx"))
    finally:
        fast.prepare.cache_clear()
