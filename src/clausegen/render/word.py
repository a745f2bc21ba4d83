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

from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.shared import Cm
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from clausegen.blocks import (
    Block,
    Heading,
    Image,
    ListItem,
    PageBreak,
    Paragraph,
    Run,
    Table,
    plain_text,
)
from clausegen.errors import TemplateFileError
from clausegen.render.package import finalize_package

TABLE_WIDTH_CM = 16.6
CELL_PADDING_CHARS = 6
"""Cell margins, in characters: without them a short column (« 1 500 heures ») wraps mid-word."""
PARAGRAPH_STYLES = {"corps": "Normal", "droite": "Body Text 2", "centre": "Body Text 3",
                    "note": "Quote", "gauche": "Body Text"}


@dataclass(frozen=True)
class DocumentProperties:
    """Core properties written into the document (derived from the dossier)."""

    title: str
    subject: str
    author: str
    keywords: str = ""
    created: datetime | None = None


@lru_cache(maxsize=1)
def skeleton_environment() -> SandboxedEnvironment:
    """Sandboxed environment for the skeleton's plain ``{{ champ }}`` fields."""
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def _runs(paragraph, runs: Iterable[Run]) -> None:  # type: ignore[no-untyped-def]
    for run in runs:
        if run.line_break:
            paragraph.add_run().add_break()
            continue
        added = paragraph.add_run(run.text)
        if run.bold:
            added.bold = True
        if run.italic:
            added.italic = True


def column_widths(table: Table, columns: int, total_cm: float = TABLE_WIDTH_CM) -> list[float]:
    """Share the page width between columns by the length of their longest text."""
    weights = []
    for index in range(columns):
        texts = [plain_text(row[index]) for row in (table.header, *table.rows) if index < len(row)]
        longest = max((len(t) for t in texts), default=1)
        weights.append(min(max(longest, 8), 60) + CELL_PADDING_CHARS)
    scale = total_cm / sum(weights)
    return [w * scale for w in weights]


def _mark_header_row(row) -> None:  # type: ignore[no-untyped-def]
    """Repeat the header row on each page and keep every row on one page.

    python-docx has no API for ``w:tblHeader`` / ``w:cantSplit``: this is the one
    place where the render layer edits the row's XML.
    """
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:tblHeader"))


def _table(doc, table: Table) -> None:  # type: ignore[no-untyped-def]
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
            paragraph.style = "Body Text"
            if row_index == 0:
                runs = tuple(Run(r.text, True, r.italic, r.line_break) for r in runs)
                paragraph.paragraph_format.keep_with_next = True  # no header alone at a page foot
            _runs(paragraph, runs)
    _mark_header_row(grid.rows[0])
    doc.add_paragraph("", style="Normal")


def _list_item(doc, item: ListItem) -> None:  # type: ignore[no-untyped-def]
    depth = " 2" if item.depth else ""
    if item.ordered:
        paragraph = doc.add_paragraph(style="List" + depth)
        if item.label:
            paragraph.add_run(item.label + "\t")
    else:
        paragraph = doc.add_paragraph(style="List Bullet" + depth)
    _runs(paragraph, item.runs)


def write_blocks(doc, blocks: Sequence[Block]) -> None:  # type: ignore[no-untyped-def]
    """Append blocks to a python-docx document (or docxtpl subdocument)."""
    for block in blocks:
        if isinstance(block, Heading):
            doc.add_paragraph(block.text, style=f"Heading {min(block.level, 3)}")
        elif isinstance(block, Paragraph):
            _runs(doc.add_paragraph(style=PARAGRAPH_STYLES.get(block.style, "Normal")), block.runs)
        elif isinstance(block, ListItem):
            _list_item(doc, block)
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, Image):
            doc.add_picture(io.BytesIO(block.data), width=Cm(block.width_cm))
            if block.caption:
                doc.add_paragraph(block.caption, style="Caption")


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
    try:
        template = DocxTemplate(io.BytesIO(skeleton))
        body = template.new_subdoc()
    except Exception as exc:  # noqa: BLE001 - docxtpl raises anything on a broken file
        raise TemplateFileError(path=source, reason=f"document illisible ({exc})") from None
    write_blocks(body, blocks)
    try:
        template.render({**fields, "corps": body}, jinja_env=skeleton_environment(),
                        autoescape=True)
    except Exception as exc:  # noqa: BLE001 - Jinja or XML errors inside the skeleton
        raise TemplateFileError(path=source, reason=f"champ invalide ({exc})") from None
    core = template.docx.core_properties
    core.title = properties.title[:255]
    core.subject = properties.subject[:255]
    core.author = properties.author[:255]
    core.keywords = properties.keywords[:255]
    core.last_modified_by = "clausegen"
    core.revision = 1
    if properties.created is not None:
        core.created = properties.created
        core.modified = properties.created
    buffer = io.BytesIO()
    template.save(buffer)
    return finalize_package(buffer.getvalue(), provenance)
