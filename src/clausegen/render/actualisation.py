"""A regenerated document written with tracked changes against the document it replaces.

The regenerated document is the base (its styles, numbering, fields, header); its body is
aligned with the old body, block by block (paragraph or table), on what a reader sees: the
style and the text, list labels included (an old document with typed numbers and a new one
numbered by Word read the same). Then:

- an unchanged block is the new one, untouched;
- a paragraph reworded (same style, similar text) is diffed word by word (``w:ins``/``w:del``
  runs); a field (a cross-reference) is one word, formatting stays with each word;
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
import re
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


_WORD = re.compile(r"\s+|\w+|[^\w\s]")
_SKIPPED = ("pPr", "bookmarkStart", "bookmarkEnd", "proofErr")


@dataclass(frozen=True)
class _Token:
    """A word with its run formatting, or a whole field (REF…) with its cached result."""

    key: tuple[str, str, str]
    runs: tuple[Any, ...]
    text: str

    @property
    def is_field(self) -> bool:
        return self.key[0] == "champ"


def _tokens(paragraph: Any) -> tuple[_Token, ...] | None:
    """The words and fields of a paragraph made of text runs and complex fields, else None."""
    tokens: list[_Token] = []
    field: list[Any] | None = None
    for child in paragraph:
        name = etree.QName(child).localname
        if name in _SKIPPED:
            continue
        if name != "r":
            return None
        if child.find(_q("fldChar")) is not None or field is not None:
            field = [*(field or []), child]
            marker = child.find(_q("fldChar"))
            if marker is not None and marker.get(_q("fldCharType")) == "end":
                text = "".join(t.text or "" for run in field for t in run.iter(_q("t")))
                instruction = "".join(t.text or "" for run in field for t in run.iter(_q("instrText")))
                tokens.append(_Token(("champ", instruction.strip(), text), tuple(field), text))
                field = None
            continue
        if any(etree.QName(part).localname not in ("rPr", "t") for part in child):
            return None
        properties = child.find(_q("rPr"))
        fmt = etree.tostring(properties).decode() if properties is not None else ""
        text = "".join(t.text or "" for t in child.iter(_q("t")))
        tokens += [_Token(("texte", piece, fmt), (child,), piece) for piece in _WORD.findall(text)]
    return tuple(tokens) if field is None else None


@dataclass(frozen=True)
class _Block:
    element: Any
    signature: tuple[str, ...]
    label: str = ""
    plain: str | None = None
    """The paragraph's text when it is plain runs only (word-level diff possible)."""
    tokens: tuple[_Token, ...] | None = None
    """Words and fields of a paragraph of formatted runs and fields (word-level diff possible)."""


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
            tokens = _tokens(child) if plain is None and not label else None
            text = f"{label} {paragraph.text}" if label else paragraph.text
            blocks.append(_Block(child, ("p", style, text), label, plain, tokens))
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

    def reworded_rich(self, new: Any, old: Sequence[_Token], current: Sequence[_Token]) -> None:
        """A paragraph with formatting or fields rewritten: words and fields compared, each
        kept with its own formatting (the old one for deleted words)."""
        marks = [m for m in new if etree.QName(m).localname in ("bookmarkStart", "bookmarkEnd")]
        for child in list(new):
            if etree.QName(child).localname != "pPr":
                new.remove(child)
        pieces: list[tuple[Op, _Token]] = []
        matcher = difflib.SequenceMatcher(a=[t.key for t in old], b=[t.key for t in current],
                                          autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                pieces += [(Op.egal, t) for t in current[j1:j2]]
            else:
                pieces += [(Op.suppression, t) for t in old[i1:i2]]
                pieces += [(Op.ajout, t) for t in current[j1:j2]]
        starts = [m for m in marks if etree.QName(m).localname == "bookmarkStart"]
        for mark in starts:
            new.append(mark)
        for op, group in _grouped(pieces):
            runs = [run for token in group for run in _token_runs(token, deleted=op is Op.suppression)]
            if op is Op.egal:
                for run in runs:
                    new.append(run)
                continue
            wrapper = self._mark(op)
            for run in runs:
                wrapper.append(run)
            new.append(wrapper)
        for mark in marks:
            if mark not in starts:
                new.append(mark)

    def reworded(self, new: Any, old_text: str, new_text: str) -> None:
        """A plain paragraph rewritten: its runs replaced by a word-level comparison."""
        for child in list(new):
            if etree.QName(child).localname != "pPr":
                new.remove(child)
        tracked_paragraph(new, compare_words(old_text, new_text), self.revisions)


def _grouped(pieces: Sequence[tuple[Op, _Token]]) -> list[tuple[Op, list[_Token]]]:
    """Consecutive tokens with the same fate; a lone blank between two changes joins them, and
    each stretch of changes reads as one deletion then one insertion (as ``compare_words``)."""
    joined: list[tuple[Op, _Token]] = []
    for index, (op, token) in enumerate(pieces):
        changed_around = (0 < index < len(pieces) - 1 and pieces[index - 1][0] is not Op.egal
                          and pieces[index + 1][0] is not Op.egal)
        if op is Op.egal and token.text.isspace() and changed_around:
            joined += [(Op.suppression, token), (Op.ajout, token)]
        else:
            joined.append((op, token))
    ordered: list[tuple[Op, _Token]] = []
    stretch: list[tuple[Op, _Token]] = []
    for piece in [*joined, (Op.egal, None)]:
        if piece[0] is not Op.egal:
            stretch.append(piece)  # type: ignore[arg-type]
            continue
        ordered += [p for p in stretch if p[0] is Op.suppression] + [p for p in stretch if p[0] is Op.ajout]
        stretch = []
        if piece[1] is not None:
            ordered.append(piece)  # type: ignore[arg-type]
    groups: list[tuple[Op, list[_Token]]] = []
    for op, token in ordered:
        if groups and groups[-1][0] is op:
            groups[-1][1].append(token)
        else:
            groups.append((op, [token]))
    return groups


def _token_runs(token: _Token, *, deleted: bool) -> list[Any]:
    """Run elements for a token: copies of a field's runs, or one run with the word."""
    if token.is_field:
        runs = [copy.deepcopy(run) for run in token.runs]
    else:
        run = etree.Element(_q("r"))
        properties = token.runs[0].find(_q("rPr"))
        if properties is not None:
            run.append(copy.deepcopy(properties))
        text = etree.SubElement(run, _q("t"))
        text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        text.text = token.text
        runs = [run]
    if deleted:
        for run in runs:
            for node in run.iter(_q("t"), _q("instrText")):
                node.tag = _q("delText") if node.tag == _q("t") else _q("delInstrText")
    return runs


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
    if old.signature[0] != "p" or old.signature[1] != new.signature[1] or old.label or new.label:
        return False
    if not ((old.plain is not None or old.tokens is not None)
            and (new.plain is not None or new.tokens is not None)):
        return False
    return difflib.SequenceMatcher(a=old.signature[2], b=new.signature[2], autojunk=False).ratio() \
        >= REWORDED_SIMILARITY


def _tokens_of(block: _Block) -> tuple[_Token, ...]:
    if block.tokens is not None:
        return block.tokens
    return _tokens(block.element) or ()


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
        new_block = after[match]
        if old_block.plain is not None and new_block.plain is not None:
            tracker.reworded(new_block.element, old_block.plain, new_block.plain)
        else:
            tracker.reworded_rich(new_block.element, _tokens_of(old_block), _tokens_of(new_block))
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
