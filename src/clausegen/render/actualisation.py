"""A regenerated document written with tracked changes against the document it replaces.

The regenerated document is the base (its styles, numbering, fields, header); its body is
aligned with the old body, block by block (paragraph or table), on what a reader sees: the
style and the text, list labels included (an old document with typed numbers and a new one
numbered by Word read the same). Then:

- an unchanged block is the new one, untouched;
- a paragraph of plain text reworded is diffed word by word (``w:ins``/``w:del`` runs);
- any other changed block is the old one deleted (``w:del``, deleted paragraph mark, table
  rows deleted), followed by the new one inserted (``w:ins``, inserted mark, rows inserted).

So accepting every revision gives the regenerated document and rejecting every revision
gives the old text. Revision ids are sequential and author and date come from the caller:
the same inputs give the same bytes. Bookmarks are dropped from deleted copies (their names
are the new headings').
"""

from __future__ import annotations

import copy
import difflib
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from docx import Document
from lxml import etree

from clausegen.library.diff import Op, compare_words
from clausegen.render.inspect import ArticleNumbers
from clausegen.render.numbering import NO_NUMBERING, NSW, W
from clausegen.render.package import finalize_parts
from clausegen.render.redline import Revisions, tracked_paragraph

_PPR_AFTER_RPR = ("sectPr", "pPrChange")
_TRPR_AFTER = ("trPrChange",)


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class _Block:
    element: Any
    signature: tuple[str, ...]
    label: str = ""
    plain: str | None = None
    """The paragraph's text when it is plain runs only (word-level diff possible)."""


def _plain_text(paragraph: Any) -> str | None:
    """The text of a paragraph made only of unformatted text runs, else None."""
    parts = []
    for child in paragraph:
        tag = etree.QName(child).localname
        if tag == "pPr":
            continue
        if tag != "r":
            return None
        for part in child:
            if etree.QName(part).localname != "t":
                return None
            parts.append(part.text or "")
    return "".join(parts)


def _blocks(docx: bytes) -> tuple[Any, list[_Block]]:
    """The document (python-docx) and its body blocks with what a reader sees of them."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(io.BytesIO(docx))
    numbers = ArticleNumbers(document)
    blocks = []
    for child in document.element.body.iterchildren():
        tag = etree.QName(child).localname
        if tag == "p":
            paragraph = Paragraph(child, document)
            label = numbers.label(paragraph)
            style = paragraph.style.name if paragraph.style is not None else ""
            plain = _plain_text(child) if not label else None
            text = f"{label} {paragraph.text}" if label else paragraph.text
            blocks.append(_Block(child, ("p", style, text), label, plain))
        elif tag == "tbl":
            rows = tuple(" | ".join(c.text for c in row.cells) for row in Table(child, document).rows)
            blocks.append(_Block(child, ("tbl", *rows)))
    return document, blocks


def _insert_ordered(parent: Any, child: Any, after_names: Sequence[str]) -> None:
    """Insert ``child`` before the first child named in ``after_names`` (schema order)."""
    for existing in parent:
        if etree.QName(existing).localname in after_names:
            existing.addprevious(child)
            return
    parent.append(child)


class _Tracker:
    def __init__(self, author: str, date: datetime) -> None:
        self.revisions = Revisions(author, date)

    def _mark(self, op: Op) -> Any:
        return self.revisions.mark(op)

    def paragraph(self, paragraph: Any, op: Op) -> None:
        """Mark a whole paragraph inserted or deleted: its mark, then its runs."""
        ppr = paragraph.find(_q("pPr"))
        if ppr is None:
            ppr = etree.SubElement(paragraph, _q("pPr"))
            paragraph.remove(ppr)
            paragraph.insert(0, ppr)
        rpr = ppr.find(_q("rPr"))
        if rpr is None:
            rpr = etree.Element(_q("rPr"))
            _insert_ordered(ppr, rpr, _PPR_AFTER_RPR)
        rpr.append(self._mark(op))
        self._runs(paragraph, op)

    def _runs(self, parent: Any, op: Op) -> None:
        """Wrap each sequence of sibling runs in one ``w:ins``/``w:del`` (recursively)."""
        group: list[Any] = []
        for child in list(parent):
            name = etree.QName(child).localname
            if name == "r":
                group.append(child)
                continue
            self._wrap(group, op)
            group = []
            if name in ("hyperlink", "smartTag", "customXml", "fldSimple"):
                self._runs(child, op)
        self._wrap(group, op)

    def _wrap(self, runs: list[Any], op: Op) -> None:
        if not runs:
            return
        wrapper = self._mark(op)
        runs[0].addprevious(wrapper)
        for run in runs:
            if op is Op.suppression:
                for node in run.iter(_q("t"), _q("instrText")):
                    node.tag = _q("delText") if node.tag == _q("t") else _q("delInstrText")
            wrapper.append(run)

    def table(self, table: Any, op: Op) -> None:
        """Mark every row of a table inserted or deleted, and its cells' paragraphs."""
        for row in table.iter(_q("tr")):
            trpr = row.find(_q("trPr"))
            if trpr is None:
                trpr = etree.Element(_q("trPr"))
                cells = [c for c in row if etree.QName(c).localname not in ("tblPrEx",)]
                (cells[0].addprevious(trpr) if cells else row.append(trpr))
            _insert_ordered(trpr, self._mark(op), _TRPR_AFTER)
        for paragraph in table.iter(_q("p")):
            self.paragraph(paragraph, op)

    def block(self, block: Any, op: Op) -> None:
        """Mark a paragraph or a table."""
        if etree.QName(block).localname == "tbl":
            self.table(block, op)
        else:
            self.paragraph(block, op)

    def reworded(self, new: Any, old_text: str, new_text: str) -> None:
        """A plain paragraph rewritten: its runs replaced by a word-level comparison."""
        for child in list(new):
            if etree.QName(child).localname != "pPr":
                new.remove(child)
        tracked_paragraph(new, compare_words(old_text, new_text), self.revisions)


def _deleted_copy(block: _Block) -> Any:
    """A copy of an old block to mark deleted: no bookmarks; no list if it had no label."""
    element = copy.deepcopy(block.element)
    for mark in list(element.iter(_q("bookmarkStart"), _q("bookmarkEnd"))):
        mark.getparent().remove(mark)
    if etree.QName(element).localname == "p" and not block.label:
        ppr = element.find(_q("pPr"))
        style = ppr.find(_q("pStyle")) if ppr is not None else None
        if style is not None and style.get(_q("val"), "") in ("Heading1", "Heading2") \
                and ppr.find(_q("numPr")) is None:
            style.addnext(etree.fromstring(f"<w:x {NSW}>{NO_NUMBERING}</w:x>")[0])
    return element


REWORDED_SIMILARITY = 0.5
"""Above this, a changed plain paragraph is shown reworded (word level), not replaced."""


def _rewordable(old: _Block, new: _Block) -> bool:
    return (old.plain is not None and new.plain is not None and old.signature[1] == new.signature[1]
            and difflib.SequenceMatcher(a=old.plain, b=new.plain, autojunk=False).ratio()
            >= REWORDED_SIMILARITY)


def _replaced(before: list[_Block], after: list[_Block], tracker: _Tracker) -> list[Any]:
    """Old blocks replaced by new ones: similar plain paragraphs paired (word-level), in order;
    the others deleted and inserted where they stand."""
    out: list[Any] = []
    position = 0
    for old_block in before:
        match = next((k for k in range(position, len(after)) if _rewordable(old_block, after[k])), None)
        if match is None:
            deleted = _deleted_copy(old_block)
            tracker.block(deleted, Op.suppression)
            out.append(deleted)
            continue
        for block in after[position:match]:
            tracker.block(block.element, Op.ajout)
            out.append(block.element)
        tracker.reworded(after[match].element, old_block.plain or "", after[match].plain or "")
        out.append(after[match].element)
        position = match + 1
    for block in after[position:]:
        tracker.block(block.element, Op.ajout)
        out.append(block.element)
    return out


def tracked_body(old: Sequence[_Block], new: Sequence[_Block], tracker: _Tracker) -> list[Any]:
    """The new body's blocks, in order, with the old ones deleted and the changes marked."""
    out: list[Any] = []
    matcher = difflib.SequenceMatcher(a=[b.signature for b in old], b=[b.signature for b in new],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [b.element for b in new[j1:j2]]
            continue
        out += _replaced(list(old[i1:i2]), list(new[j1:j2]), tracker)
    return out


def render_update(old_docx: bytes, new_docx: bytes, *, author: str, date: datetime,
                  provenance: Mapping[str, str]) -> bytes:
    """The regenerated document ``new_docx`` with its differences from ``old_docx`` as revisions."""
    _, old_blocks = _blocks(old_docx)
    document, new_blocks = _blocks(new_docx)
    body = document.element.body
    tracked = tracked_body(old_blocks, new_blocks, _Tracker(author, date))
    end = body.find(_q("sectPr"))
    for child in list(body):
        if child is not end:
            body.remove(child)
    for element in tracked:
        if end is not None:
            end.addprevious(element)
        else:
            body.append(element)
    xml = etree.tostring(document.element, xml_declaration=True, encoding="UTF-8", standalone=True)
    archive = zipfile.ZipFile(io.BytesIO(new_docx))
    parts = [(info.filename, xml if info.filename == "word/document.xml" else archive.read(info.filename))
             for info in archive.infolist()]
    return finalize_parts(parts, provenance)
