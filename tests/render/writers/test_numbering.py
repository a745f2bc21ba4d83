"""Word-maintained numbering: list bound to the heading styles, bookmarks, REF fields."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from clausegen.api import open_library, read_dossier, render_piece
from clausegen.render.readers.inspect import dump_text
from clausegen.render.writers.numbering import LIST_NAME, MARKER_STYLE
from tests.conftest import NETTOYAGE, ROOT
from tests.docx_xml import with_document_xml
from tests.office import office_text, uno_available

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def _ccap(premier_article: int = 1, sommaire: bool | None = None) -> bytes:
    data, _ = render_piece(read_dossier(NETTOYAGE), "ccap", library=open_library(),
                           premier_article=premier_article, sommaire=sommaire)
    return data


def _part(docx: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read(name))


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def test_headings_are_numbered_by_a_list_bound_to_their_styles() -> None:
    docx = _ccap()
    numbering = _part(docx, "word/numbering.xml")
    abstract = numbering.xpath(f"w:abstractNum[w:name/@w:val='{LIST_NAME}']", namespaces=NS)
    assert len(abstract) == 1
    levels = abstract[0].findall("w:lvl", NS)
    assert [lvl.find("w:lvlText", NS).get(_w("val")) for lvl in levels] == ["Article\u00a0%1 \u2013",
                                                                            "%1.%2.", "%1."]
    assert [lvl.find("w:pStyle", NS).get(_w("val")) for lvl in levels] == ["Heading1", "Heading2",
                                                                           MARKER_STYLE[0]]
    abstract_id = abstract[0].get(_w("abstractNumId"))
    num_id = numbering.xpath(f"w:num[w:abstractNumId/@w:val='{abstract_id}']/@w:numId", namespaces=NS)
    styles = _part(docx, "word/styles.xml")
    for style_id, level in (("Heading1", "0"), ("Heading2", "1")):
        num_pr = styles.find(f"w:style[@w:styleId='{style_id}']/w:pPr/w:numPr", NS)
        assert num_pr.find("w:numId", NS).get(_w("val")) == num_id[0]
        assert num_pr.find("w:ilvl", NS).get(_w("val")) == level
    body = _part(docx, "word/document.xml")
    headings = body.xpath("//w:p[w:pPr/w:pStyle/@w:val='Heading1']", namespaces=NS)
    texts = ["".join(h.itertext()) for h in headings]
    assert texts[0] == "Objet et forme du marché"  # no typed number
    assert not any(re.match(r"Article|\d", t) for t in texts)


def test_every_cross_reference_is_a_ref_field_to_a_heading_bookmark() -> None:
    docx = _ccap()
    body = _part(docx, "word/document.xml")
    dump = dump_text(docx)
    bookmarks = {b.get(_w("name")): b.getparent() for b in body.iter(_w("bookmarkStart"))}
    instructions = [t.text for t in body.iter(_w("instrText"))]
    refs = [i for i in instructions if i.strip().startswith("REF ")]
    assert len(refs) >= 10
    for paragraph in body.iter(_w("p")):
        runs = list(paragraph.iter(_w("r")))
        for index, run in enumerate(runs):
            instr = run.find("w:instrText", NS)
            if instr is None or not instr.text.strip().startswith("REF"):
                continue
            name = instr.text.split()[1]
            cached = "".join(runs[index + 2].itertext())
            if cached.isdigit():  # a whole article: its hidden number marker, « 4 » everywhere
                assert instr.text.split()[2:] == ["\\n", "\\h"]
                marker = bookmarks[name]
                assert marker.find("w:pPr/w:pStyle", NS).get(_w("val")) == MARKER_STYLE[0]
                assert marker.find("w:pPr/w:rPr/w:vanish", NS) is not None
                assert not "".join(marker.itertext())
                name = name.removesuffix("n")
            else:
                assert instr.text.split()[2:] == ["\\w", "\\t", "\\h"]
            target = bookmarks[name]  # every reference points to an existing bookmark
            label = [line for line in dump.splitlines()
                     if line.endswith("".join(target.itertext())) and line.startswith("[Heading")][0]
            # The cached result is the heading's current number.
            assert re.search(rf"\] (Article\u00a0)?{re.escape(cached)}(\.| \u2013) ", label), (cached, label)


def test_a_chapter_starts_its_list_and_its_references_at_the_first_article() -> None:
    docx = _ccap(premier_article=7, sommaire=False)
    numbering = _part(docx, "word/numbering.xml")
    start = numbering.xpath(f"w:abstractNum[w:name/@w:val='{LIST_NAME}']/w:lvl[@w:ilvl='0']/w:start/@w:val",
                            namespaces=NS)
    assert start == ["7"]
    dump = dump_text(docx)
    assert "[Heading 1] Article\u00a07 \u2013 Objet et forme du marché" in dump
    assert "[Heading 2] 10.6. Formalisation du plan de progrès" in dump
    assert "en application de l\u2019article\u00a010.6 sont" in dump
    assert "Article\u00a01 \u2013" not in dump
    assert "Sommaire" not in dump  # a chapter goes into the buyer's CCAP, which has its own


def test_numbering_keeps_documents_deterministic() -> None:
    assert _ccap() == _ccap()


def _insert_article_before(docx: bytes, heading_text: str) -> bytes:
    """What a buyer does in Word: a new article (and one section) before an existing one."""
    archive = zipfile.ZipFile(io.BytesIO(docx))
    body = etree.fromstring(archive.read("word/document.xml"))
    target = next(p for p in body.iter(_w("p")) if "".join(p.itertext()) == heading_text)
    for style, text in (("Heading2", "Section insérée"), ("Heading1", "Article inséré")):
        target.addprevious(etree.fromstring(
            f'<w:p xmlns:w="{W}"><w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
            f"<w:r><w:t>{text}</w:t></w:r></w:p>"))
        target = target.getprevious()
    return with_document_xml(docx, body)


@pytest.mark.skipif(not uno_available(), reason="LibreOffice et python3-uno absents")
def test_libreoffice_renumbers_headings_and_references_after_an_insertion(tmp_path: Path) -> None:
    source = tmp_path / "ccap.docx"
    source.write_bytes(_insert_article_before(_ccap(), "Plan de progrès en matière sociale"))
    text = " ".join(office_text(source, tmp_path / "ccap.txt").split())  # nbsp included
    assert "Article 4 \u2013 Article inséré 4.1. Section insérée" in text
    assert "Article 5 \u2013 Plan de progrès en matière sociale" in text
    assert "5.6. Formalisation du plan de progrès" in text
    # References to sections follow: the formalisation (4.6 when generated) is now 5.6.
    assert "en application de l\u2019article 5.6 sont" in text
    assert "l\u2019article 4.6" not in text
    assert "fixé à l\u2019article 7.2" in text  # was 6.2, a section of the insertion article


def test_the_complete_ccap_has_a_cached_table_of_contents_linked_to_its_headings() -> None:
    docx = _ccap()
    body = _part(docx, "word/document.xml")
    instructions = [t.text for t in body.iter(_w("instrText"))]
    assert [i for i in instructions if i.strip().startswith("TOC")] == [' TOC \\o "1-2" \\h \\z \\u ']
    bookmarks = {b.get(_w("name")) for b in body.iter(_w("bookmarkStart"))
                 if not b.get(_w("name")).endswith("n")}  # not the articles' number markers
    links = body.xpath("//w:hyperlink/@w:anchor", namespaces=NS)
    assert len(links) == len(bookmarks) >= 30  # one entry per article and section
    assert set(links) == bookmarks
    dump = dump_text(docx)
    assert "[toc 1] Article\u00a04 \u2013 Plan de progrès en matière sociale" in dump
    assert "[toc 2] 4.6. Formalisation du plan de progrès" in dump
    # The TOC has its own page: the first article starts the next one.
    toc_end = body.xpath("(//w:p[.//w:fldChar/@w:fldCharType='end'])[1]", namespaces=NS)[0]
    first_article = toc_end.getnext()
    assert first_article.find("w:pPr/w:pStyle", NS).get(_w("val")) == "Heading1"
    assert first_article.find("w:pPr/w:pageBreakBefore", NS) is not None
    styles = _part(docx, "word/styles.xml")
    assert styles.find("w:style[@w:styleId='TOC1']", NS) is not None


def test_a_skeleton_without_numbering_part_gets_one(tmp_path: Path) -> None:
    source = zipfile.ZipFile(ROOT / "templates" / "piece.docx")
    skeleton = tmp_path / "sans-numerotation.docx"
    with zipfile.ZipFile(skeleton, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/numbering.xml":
                continue
            if info.filename in ("word/_rels/document.xml.rels", "[Content_Types].xml"):
                data = re.sub(rb"<(Relationship|Override)[^>]*numbering[^>]*/>", b"", data)
            target.writestr(info, data)
    docx, _ = render_piece(read_dossier(NETTOYAGE), "ccap", library=open_library(), modele=skeleton)
    archive = zipfile.ZipFile(io.BytesIO(docx))
    assert b"numbering.xml" in archive.read("word/_rels/document.xml.rels")
    assert b'PartName="/word/numbering.xml"' in archive.read("[Content_Types].xml")
    assert "[Heading 1] Article\u00a01 \u2013 Objet et forme du marché" in dump_text(docx)


def test_a_dossier_value_cannot_forge_a_cross_reference(tmp_path: Path) -> None:
    dossier = tmp_path / "dossier.yml"
    text = NETTOYAGE.read_text(encoding="utf-8")
    objet = "Nettoyage et entretien des bâtiments communaux"
    assert objet in text
    dossier.write_text(text.replace(objet, objet + " 9.9\ue010abcdef0123\ue011 \ue011fin"), encoding="utf-8")
    data, _ = render_piece(read_dossier(dossier), "ccap", library=open_library())
    body = _part(data, "word/document.xml")
    assert "_Refabcdef0123" not in "".join(t.text for t in body.iter(_w("instrText")))
    assert f"{objet} 9.9 fin" in dump_text(data)
