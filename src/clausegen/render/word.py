"""Render blocks into a Word skeleton with docxtpl (fields) and python-docx (body).

Blocks map to named styles of the skeleton, never to direct formatting:

=================  ==========================================
block              Word style
=================  ==========================================
Heading 1/2/3      Heading 1 / Heading 2 / Heading 3
Paragraph corps    Normal
Paragraph droite   Body Text 2 (aligned right: dates, signatures)
Paragraph centre   Body Text 3 (centred)
Paragraph note     Quote
Paragraph gauche   Body Text (left, compact: a letter's sender block)
Paragraph destin.  Destinataire (left-aligned at the window-envelope position)
Paragraph signat.  Signataire (a letter's signature block, same indent)
ListItem bullet    List Bullet, List Bullet 2 (nested)
ListItem numbered  List, List 2 (explicit « 1. » label + tab)
Table              Table Grid, cells in Body Text, header row repeated
Image              inline picture + Caption
=================  ==========================================
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsmap
from docx.shared import Cm
from docxtpl import DocxTemplate
from docxtpl.subdoc import Subdoc

from clausegen.blocks import (
    Block,
    Heading,
    Image,
    ListItem,
    PageBreak,
    Paragraph,
    Run,
    Table,
    TableOfContents,
    plain_text,
)
from clausegen.errors import TemplateFileError
from clausegen.render import fast, numbering
from clausegen.render.package import finalize_parts
from clausegen.templating import (
    RenderBoundError,
    bounded_rendering,
    describe_error,
    skeleton_environment,
)

CORE_PROPERTIES_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
# docxtpl[subdoc] imports docxcompose, whose ``utils`` module rebinds python-docx's ``cp`` prefix
# to the custom-properties namespace at import time: python-docx would then write keywords,
# lastModifiedBy and revision into docProps/core.xml in the wrong namespace (a file Word
# repairs). Upstream: docxcompose#101, python-docx#1037. Put the prefix back once imported.
nsmap["cp"] = CORE_PROPERTIES_NS

TABLE_WIDTH_CM = 16.6
CELL_PADDING_CHARS = 6
"""Cell margins, in characters: without them a short column (« 1 500 heures ») wraps mid-word."""
PARAGRAPH_STYLES = {"corps": "Normal", "droite": "Body Text 2", "centre": "Body Text 3",
                    "note": "Quote", "gauche": "Body Text", "destinataire": "Destinataire",
                    "signature": "Signataire"}
LETTER_STYLE_STAND_INS = {"Destinataire": "Body Text", "Signataire": "Body Text"}
"""Built-in styles used for the letter roles when a skeleton (``--modele``) lacks them."""


@dataclass(frozen=True)
class DocumentProperties:
    """Core properties written into the document (derived from the dossier)."""

    title: str
    subject: str
    author: str
    keywords: str = ""
    created: datetime | None = None


def _field_error(exc: Exception) -> str:
    """French reason for a failure inside the skeleton's own fields."""
    if isinstance(exc, RenderBoundError):
        return str(exc)
    return "champ invalide : " + describe_error(exc)


class _StyleIds:
    """Word style names resolved to style ids once per document.

    python-docx resolves a style name on every ``add_paragraph(style=...)`` by scanning
    all styles twice (about 1 ms each): caching the id keeps the output identical
    (the default paragraph style still gets no ``w:pStyle``) at a fraction of the cost.
    """

    def __init__(self, doc) -> None:  # type: ignore[no-untyped-def]
        self._doc = doc
        self._ids: dict[str, str | None] = {}

    def paragraph(self, container, name: str, text: str = ""):  # type: ignore[no-untyped-def]
        """Add a paragraph in the named style to ``container`` (document or cell)."""
        paragraph = container.add_paragraph(text)
        self.apply(paragraph, name)
        return paragraph

    def apply(self, paragraph, name: str) -> None:  # type: ignore[no-untyped-def]
        """Give an existing paragraph the named style."""
        if name not in self._ids:
            try:
                self._ids[name] = self._doc.part.get_style_id(name, WD_STYLE_TYPE.PARAGRAPH)
            except KeyError:  # a skeleton without the letter styles: their built-in stand-in
                if name not in LETTER_STYLE_STAND_INS:
                    raise
                self._ids[name] = self._doc.part.get_style_id(LETTER_STYLE_STAND_INS[name],
                                                              WD_STYLE_TYPE.PARAGRAPH)
        paragraph._p.style = self._ids[name]


def _xml_children(xml: str) -> list[Any]:
    """Elements of a WordprocessingML snippet from :mod:`clausegen.render.numbering`."""
    return list(parse_xml(f"<w:x {numbering.NSW}>{xml}</w:x>"))


def _runs(paragraph, runs: Iterable[Run]) -> None:  # type: ignore[no-untyped-def]
    for run in runs:
        if run.line_break:
            paragraph.add_run().add_break()
            continue
        if run.ref:
            properties = ("<w:b/>" if run.bold else "") + ("<w:i/>" if run.italic else "")
            for element in _xml_children(numbering.ref_field(run.ref, run.text, properties)):
                paragraph._p.append(element)
            continue
        added = paragraph.add_run(run.text)
        if run.bold:
            added.bold = True
        if run.italic:
            added.italic = True


CHAR_CM = 0.19
"""Width of an average character of a 9-point table cell, in cm (Arial / Liberation Sans)."""
CELL_MARGINS_CM = 0.45


def column_widths(table: Table, columns: int, total_cm: float = TABLE_WIDTH_CM) -> list[float]:
    """Share the page width between columns by the length of their longest text, but never
    narrower than their longest unbreakable word (« Titulaire », « 28 745,00 € » with its
    non-breaking spaces): such a word would otherwise be cut in the middle."""
    weights, minimums = [], []
    for index in range(columns):
        texts = [plain_text(row[index]) for row in (table.header, *table.rows) if index < len(row)]
        longest = max((len(t) for t in texts), default=1)
        word = max((len(part) for t in texts for part in t.replace("-", " ").split(" ")), default=1)
        weights.append(min(max(longest, 8), 60) + CELL_PADDING_CHARS)
        minimums.append(word * CHAR_CM + CELL_MARGINS_CM)
    widths = [w * total_cm / sum(weights) for w in weights]
    if sum(minimums) >= total_cm:
        return widths
    for _ in range(columns):  # give the narrow columns their minimum, take it from the others
        short = [i for i in range(columns) if widths[i] < minimums[i] - 1e-9]
        if not short:
            break
        fixed = set(short) | {i for i in range(columns) if widths[i] == minimums[i]}
        for i in short:
            widths[i] = minimums[i]
        free = [i for i in range(columns) if i not in fixed]
        room = total_cm - sum(widths[i] for i in fixed)
        share = sum(weights[i] for i in free)
        for i in free:
            widths[i] = room * weights[i] / share
    return widths


def _mark_header_row(row, *, header: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Keep the row on one page; repeat it on each page when it is the header row.

    python-docx has no API for ``w:tblHeader`` / ``w:cantSplit``: this is the one
    place where the render layer edits the row's XML.
    """
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def _table(doc, styles: _StyleIds, table: Table) -> None:  # type: ignore[no-untyped-def]
    columns = max([len(table.header)] + [len(r) for r in table.rows])
    grid = doc.add_table(rows=1 + len(table.rows), cols=columns)
    grid.style = "Table Grid"
    grid.autofit = False
    widths = [Cm(w) for w in column_widths(table, columns)]
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    for row_index, row in enumerate((table.header, *table.rows)):
        cells = grid.rows[row_index].cells
        for col_index in range(columns):
            cells[col_index].width = widths[col_index]
            runs = row[col_index] if col_index < len(row) else ()
            paragraph = cells[col_index].paragraphs[0]
            styles.apply(paragraph, "Body Text")
            if row_index == 0:
                runs = tuple(Run(r.text, True, r.italic, r.line_break) for r in runs)
                paragraph.paragraph_format.keep_with_next = True  # no header alone at a page foot
            _runs(paragraph, runs)
    for index, row in enumerate(grid.rows):
        _mark_header_row(row, header=index == 0)
    styles.paragraph(doc, "Normal")


def _list_item(doc, styles: _StyleIds, item: ListItem) -> None:  # type: ignore[no-untyped-def]
    depth = " 2" if item.depth else ""
    if item.ordered:
        paragraph = styles.paragraph(doc, "List" + depth)
        if item.label:
            paragraph.add_run(item.label + "\t")
    else:
        paragraph = styles.paragraph(doc, "List Bullet" + depth)
    _runs(paragraph, item.runs)


def _heading(doc, styles: _StyleIds, heading: Heading, numbered: bool,  # type: ignore[no-untyped-def]
             break_before: bool) -> Any:
    """A heading (returned); a numbered one gets its bookmark; in a ``numbered`` document (heading
    styles bound to the list) an unnumbered article-level one switches the list off."""
    paragraph = styles.paragraph(doc, f"Heading {min(heading.level, 3)}", heading.text)
    paragraph.paragraph_format.page_break_before = break_before or None
    if heading.anchor:
        start, end = _xml_children(numbering.bookmark_start(heading.anchor)
                                   + numbering.bookmark_end(heading.anchor))
        paragraph._p.get_or_add_pPr().addnext(start)
        paragraph._p.append(end)
    elif heading.level <= 2 and numbered:
        paragraph._p.get_or_add_pPr().append(_xml_children(numbering.NO_NUMBERING)[0])
    return paragraph


def write_blocks(doc, blocks: Sequence[Block]) -> None:  # type: ignore[no-untyped-def]
    """Append blocks to a python-docx document (or docxtpl subdocument)."""
    styles = _StyleIds(doc)
    numbered = numbering.start_number(blocks) is not None
    break_before = False  # a PageBreak: « page break before » on the next paragraph (see fast.py)
    markers = numbering.marker_positions(blocks)
    for index, block in enumerate(blocks):
        if isinstance(block, Heading):
            heading = _heading(doc, styles, block, numbered, break_before)
            break_before = False
            if index in markers:  # after a heading: the article's number marker
                heading._p.addnext(_xml_children(numbering.marker_xml(markers[index]))[0])
        elif isinstance(block, Paragraph):
            paragraph = styles.paragraph(doc, PARAGRAPH_STYLES.get(block.style, "Normal"))
            paragraph.paragraph_format.page_break_before = break_before or None
            break_before = False
            _runs(paragraph, block.runs)
        elif isinstance(block, ListItem):
            _list_item(doc, styles, block)
        elif isinstance(block, Table):
            _table(doc, styles, block)
        elif isinstance(block, PageBreak):
            break_before = True
        elif isinstance(block, TableOfContents):
            from lxml import etree

            styles_xml = etree.tostring(doc.styles.element)
            toc = numbering.toc_xml(block, numbering.toc_styles(styles_xml), fast.text_xml)
            end = doc.element.body.find(f"{{{numbering.W}}}sectPr")
            for element in _xml_children(toc):
                if end is not None:
                    end.addprevious(element)
                else:
                    doc.element.body.append(element)
        elif isinstance(block, Image):
            picture = doc.add_picture(io.BytesIO(block.data), width=Cm(block.width_cm))
            if block.alt:  # alternative text: wp:docPr/@descr (Word « Texte de remplacement »)
                picture._inline.docPr.set("descr", block.alt)
            if block.caption:  # the picture stays on the page of its caption
                doc.paragraphs[-1].paragraph_format.keep_with_next = True
                styles.paragraph(doc, "Caption", block.caption)


class _PartCollector:
    """Stands in for python-docx's zip writer: keeps (member name, bytes) in order."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, bytes]] = []

    def write(self, pack_uri, blob: bytes) -> None:  # type: ignore[no-untyped-def]
        self.parts.append((pack_uri.membername, blob))


def _package_parts(document) -> list[tuple[str, bytes]]:  # type: ignore[no-untyped-def]
    """The parts python-docx's ``save`` would zip, in the same order, without zipping.

    Saving then re-zipping (for fixed timestamps and provenance) compressed every part
    twice; collecting the parts lets :func:`finalize_parts` compress them once, to the
    same bytes. Mirrors ``OpcPackage.save`` and ``PackageWriter.write``.
    """
    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    collector = _PartCollector()
    writer: Any = PackageWriter  # its helpers are private and untyped
    writer._write_content_types_stream(collector, package.parts)
    writer._write_pkg_rels(collector, package.rels)
    writer._write_parts(collector, package.parts)
    return collector.parts


@lru_cache(maxsize=1)
def _blank_document_xml() -> bytes:
    """``word/document.xml`` of python-docx's default package (what ``new_subdoc`` opens)."""
    return str(docx.Document().element.xml).encode("utf-8")


def _new_subdoc(template: DocxTemplate) -> Subdoc:
    """``template.new_subdoc()`` without opening python-docx's default package each time.

    docxtpl's subdocument only uses the default document's body element, with the
    template's part for styles: a fresh parse of that one XML part gives the same tree.
    """
    template.init_docx()
    subdoc = Subdoc.__new__(Subdoc)
    subdoc.tpl = template
    subdoc.docx = template.get_docx()
    subdoc.subdocx = DocxDocument(parse_xml(_blank_document_xml()), subdoc.docx.part)
    return subdoc


def render_docx(
    skeleton: bytes,
    blocks: Sequence[Block],
    fields: Mapping[str, str],
    properties: DocumentProperties,
    provenance: Mapping[str, str],
    *,
    source: str = "(modèle)",
) -> bytes:
    """Fill the skeleton's fields, put the blocks in its body slot, return the .docx bytes."""
    if fast.supports(blocks):
        try:
            prepared = fast.prepare(skeleton, skeleton_environment())
        except Exception:  # noqa: BLE001 - the python-docx path below reports it in French
            prepared = None
        if prepared is not None:
            try:
                with bounded_rendering("champ du modèle"):
                    packaged = fast.package_parts(prepared, blocks, fields, properties)
            except Exception as exc:  # noqa: BLE001 - Jinja errors inside the skeleton
                raise TemplateFileError(path=source, reason=_field_error(exc)) from None
            return finalize_parts(packaged.parts, provenance, packaged.body_sha256)
    try:
        template = DocxTemplate(io.BytesIO(skeleton))
        body = _new_subdoc(template)
    except Exception as exc:  # noqa: BLE001 - docxtpl raises anything on a broken file
        raise TemplateFileError(path=source, reason=f"document illisible ({exc})") from None
    try:
        write_blocks(body, blocks)
    except KeyError as exc:  # python-docx: "no style with name 'X'"
        missing = str(exc.args[0]).split("'")[1] if "'" in str(exc.args[0]) else str(exc)
        raise TemplateFileError(path=source, reason=f"style « {missing} » absent du modèle (partez de "
                                "templates/piece.docx pour disposer des styles nommés)") from None
    try:
        with bounded_rendering("champ du modèle"):
            template.render({**fields, "corps": body}, jinja_env=skeleton_environment(),
                            autoescape=True)
    except Exception as exc:  # noqa: BLE001 - Jinja or XML errors inside the skeleton
        raise TemplateFileError(path=source, reason=_field_error(exc)) from None
    fast.set_core_properties(template.docx.core_properties, properties)
    parts = _package_parts(template.docx)
    start = numbering.start_number(blocks)
    if start is not None:
        parts = numbering.apply(parts, numbering.replacements(dict(parts), start))
    return finalize_parts(parts, provenance)
