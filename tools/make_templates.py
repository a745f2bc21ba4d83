"""Build the Word skeletons of ``templates/`` (run by hand after changing the look).

    python tools/make_templates.py

The skeletons hold the page layout, the styles, the cover page, the header and the
footer, a few plain ``{{ champ }}`` fields and one ``{{p corps }}`` slot for the body.
Everything else (articles, clauses, tables) is built by clausegen at generation time.
The output is deterministic: fixed document properties and zip timestamps.
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
BLUE = RGBColor(0x1F, 0x38, 0x64)
FONT = "Arial"
FIXED = datetime(2026, 1, 1)


def _field(paragraph, code: str) -> None:  # type: ignore[no-untyped-def]
    """Append a simple field (PAGE, NUMPAGES) to a paragraph."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" {code} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def _drop_theme_fonts(style) -> None:  # type: ignore[no-untyped-def]
    """Use the skeleton's font everywhere: theme fonts would override it."""
    rpr = style.element.rPr
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    if fonts is None:
        return
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), FONT)


def _styles(doc) -> None:  # type: ignore[no-untyped-def]
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    fmt = normal.paragraph_format
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.15
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name, size, before, color in (("Heading 1", 13, 18, BLUE), ("Heading 2", 11, 12, BLUE),
                                      ("Heading 3", 10.5, 8, None)):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = name == "Heading 3"
        style.font.color.rgb = color or RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    title = styles["Title"]
    title.font.name = FONT
    title.font.size = Pt(24)
    title.font.color.rgb = BLUE
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = styles["Subtitle"]
    subtitle.font.name = FONT
    subtitle.font.size = Pt(14)
    subtitle.font.color.rgb = BLUE
    subtitle.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    numbered = styles["List Number"]
    numbered.paragraph_format.left_indent = Cm(1.0)
    numbered.paragraph_format.first_line_indent = Cm(-0.6)
    listing = styles["List"]  # numbered items: explicit « 1. » label + tab, hanging indent
    listing.paragraph_format.left_indent = Cm(1.0)
    listing.paragraph_format.first_line_indent = Cm(-0.6)
    listing.paragraph_format.tab_stops.add_tab_stop(Cm(1.0))
    listing.paragraph_format.space_after = Pt(3)
    styles["List Bullet"].paragraph_format.space_after = Pt(3)
    styles["List Bullet 2"].paragraph_format.space_after = Pt(3)
    listing2 = styles["List 2"]
    listing2.paragraph_format.left_indent = Cm(1.6)
    listing2.paragraph_format.first_line_indent = Cm(-0.6)
    listing2.paragraph_format.tab_stops.add_tab_stop(Cm(1.6))
    styles["Caption"].font.name = FONT
    for name in ("Header", "Footer"):
        styles[name].font.size = Pt(8)
        styles[name].font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    cell = styles["Body Text"]  # role « cellule »: table cells, left-aligned, compact
    cell.font.size = Pt(9)
    cell.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    cell.paragraph_format.space_before = Pt(1)
    cell.paragraph_format.space_after = Pt(1)
    cell.paragraph_format.line_spacing = 1.0
    for style in styles:
        _drop_theme_fonts(style)
    # Paragraph roles of the block model: « droite » and « centre ».
    styles["Body Text 2"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    styles["Body Text 2"].paragraph_format.line_spacing = 1.15  # the built-in style is double-spaced
    styles["Body Text 3"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Body Text 3"].font.size = Pt(10.5)
    # Letter roles « destinataire » and « signature »: left-aligned text starting 10,5 cm from
    # the page edge (2,2 cm margin + 8,3 cm), where a window envelope shows the address.
    for name, before in (("Destinataire", 12), ("Signataire", 6)):
        letter = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        letter.base_style = styles["Normal"]
        letter.paragraph_format.left_indent = Cm(8.3)
        letter.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        letter.paragraph_format.space_before = Pt(before)
        letter.paragraph_format.space_after = Pt(9)
        letter.paragraph_format.line_spacing = 1.0
        letter.paragraph_format.keep_together = True
    quote = styles["Quote"]  # role « note »
    quote.font.size = Pt(9)
    quote.font.italic = True
    quote.font.color.rgb = RGBColor(0x40, 0x40, 0x40)


def _page(section) -> None:  # type: ignore[no-untyped-def]
    section.page_height = Cm(29.7)
    section.page_width = Cm(21.0)
    section.top_margin = Cm(2.0)
    section.bottom_margin = Cm(2.0)
    section.left_margin = Cm(2.2)
    section.right_margin = Cm(2.2)
    section.header_distance = Cm(1.0)
    section.footer_distance = Cm(1.0)


def _header_footer(section, header_text: str, *, mention: bool = True) -> None:  # type: ignore[no-untyped-def]
    header = section.header.paragraphs[0]
    header.text = header_text
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for run in header.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    if mention:
        projet = section.header.add_paragraph("{{ mention_projet }}")
        projet.alignment = WD_ALIGN_PARAGRAPH.CENTER
        projet.runs[0].font.bold = True
        projet.runs[0].font.size = Pt(10)
        projet.runs[0].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" sur ")
    _field(footer, "NUMPAGES")


def build_piece() -> bytes:
    """CCAP, CCTP and other numbered pieces: cover page, then the body."""
    doc = Document()
    _styles(doc)
    section = doc.sections[0]
    _page(section)
    _header_footer(section, "{{ sigle }} – Marché n°\u00a0{{ reference }}")
    section.different_first_page_header_footer = True  # the cover has no running header
    section.first_page_header.paragraphs[0].add_run("{{ mention_projet }}").bold = True
    doc.add_paragraph("{{ acheteur }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.paragraphs[0].runs[0].font.size = Pt(14)
    doc.paragraphs[0].runs[0].font.bold = True
    doc.add_paragraph("{{ adresse_acheteur }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for _ in range(5):
        doc.add_paragraph("")
    doc.add_paragraph("{{ titre_piece }}", style="Title")
    doc.add_paragraph("")
    doc.add_paragraph("Marché n°\u00a0{{ reference }}", style="Subtitle")
    objet = doc.add_paragraph("{{ objet }}")
    objet.alignment = WD_ALIGN_PARAGRAPH.CENTER
    objet.runs[0].font.size = Pt(13)
    doc.add_paragraph("{{ sous_titre }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{{ procedure }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for _ in range(6):
        doc.add_paragraph("")
    doc.add_paragraph("{{ mention_plan }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.paragraphs[-1].runs[0].font.italic = True
    doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph("{{p corps }}")
    return _save(doc, "Pièce de marché")


def build_lettre() -> bytes:
    """Letters and short documents: no cover page, the body starts at the top."""
    doc = Document()
    _styles(doc)
    section = doc.sections[0]
    _page(section)
    _header_footer(section, "{{ acheteur }} – Marché n°\u00a0{{ reference }}")
    section.different_first_page_header_footer = True  # no running header on the first page
    section.first_page_header.paragraphs[0].add_run("{{ mention_projet }}").bold = True
    doc.add_paragraph("{{p corps }}")
    return _save(doc, "Courrier")


def build_chapitre() -> bytes:
    """A chapter to insert into the buyer's own CCAP or CCTP: no cover page, a title line."""
    doc = Document()
    _styles(doc)
    section = doc.sections[0]
    _page(section)
    _header_footer(section, "{{ sigle }} – Marché n°\u00a0{{ reference }}")
    doc.add_paragraph("{{ titre_piece }}", style="Subtitle")
    doc.add_paragraph("Marché n°\u00a0{{ reference }} – {{ objet }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{{p corps }}")
    return _save(doc, "Chapitre de pièce de marché")


def build_revue() -> bytes:
    """Review documents (tracked-change comparisons): styles and page only, an empty body.

    Not a docxtpl skeleton: the comparison is written straight into it with python-docx.
    """
    doc = Document()
    _styles(doc)
    section = doc.sections[0]
    _page(section)
    _header_footer(section, "Bibliothèque de clauses – document de revue", mention=False)
    return _save(doc, "Revue de clauses")


def _save(doc, title: str) -> bytes:  # type: ignore[no-untyped-def]
    props = doc.core_properties
    props.title = title
    props.author = "clausegen"
    props.last_modified_by = "clausegen"
    props.created = FIXED
    props.modified = FIXED
    props.revision = 1
    assert doc.sections[0].start_type == WD_SECTION.NEW_PAGE
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def main() -> int:
    """Write every skeleton into templates/."""
    TEMPLATES.mkdir(exist_ok=True)
    (TEMPLATES / "piece.docx").write_bytes(build_piece())
    (TEMPLATES / "lettre.docx").write_bytes(build_lettre())
    (TEMPLATES / "revue.docx").write_bytes(build_revue())
    (TEMPLATES / "chapitre.docx").write_bytes(build_chapitre())
    print(f"Squelettes écrits dans {TEMPLATES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
