"""A three-way update of a generated document the buyer has edited.

Three bodies are read: **base**, the document as clausegen generated it; **theirs**, the
buyer's current file (edited in Word or LibreOffice, possibly with their own pending tracked
changes); **new**, the document regenerated with the newer library. The output is the
buyer's file, untouched except where the library changed something between base and new:

- a paragraph the library rewrote and the buyer did not touch is diffed word by word on the
  buyer's own runs (``w:del`` of their words, ``w:ins`` of the library's);
- a paragraph or table the library added is inserted (tracked) after the buyer's counterpart
  of the paragraph it follows; one the library removed is deleted (tracked) when the buyer
  left it as generated;
- where the buyer changed (or deleted, or has pending revisions in) a paragraph the library
  also changed, the buyer's text stays; the library's text is offered as a tracked inserted
  paragraph just after it, with a Word comment naming the conflict.

So « Accepter tout » gives the buyer's document with the library's changes and « Refuser
tout » gives the buyer's document unchanged. Paragraphs holding the buyer's own revisions are
never rewritten (their marks, runs, numbering, bookmarks and fields stay as saved).

Paragraphs are compared on what a reader sees, normalised for what a save by Word or
LibreOffice rewrites: styles (only the heading level counts), run splits, rsids, bookmarks,
proofing marks, list definitions and numbering (labels are the list's, not text), the table of
contents (a field result, never compared nor changed: Word updates it, F9), and fields
(a cross-reference is its target bookmark, whatever its switches and cached result).

Revision and comment ids continue after the buyer's; author and date come from the caller:
the same inputs give the same bytes.

The table of contents keeps the buyer's cached entries and page numbers, which the update may
have made stale (headings reworded, text added or removed): when the document has one, its
settings get ``w:updateFields`` (:func:`clausegen.render.writers.settings.with_update_fields`), so
Word offers to update it on opening. It is not re-paginated by LibreOffice here: the layout
with pending revisions is neither the accepted nor the rejected document's.
"""

from __future__ import annotations

import copy
import difflib
import io
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree

from clausegen.render.writers.body_text import safe_parser
from clausegen.render.writers.numbering import W
from clausegen.render.writers.package import BODY_PART, finalize_parts
from clausegen.render.writers.settings import UPDATE_FIELDS, with_update_fields, without_update_fields

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
SETTINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
SIMILAR = 0.5
"""Above this ratio two paragraphs of the same level are one paragraph reworded."""


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _name(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


REVISIONS = frozenset({"ins", "del", "moveFrom", "moveTo", "pPrChange", "rPrChange", "sectPrChange",
                       "tblPrChange", "trPrChange", "tcPrChange", "tblGridChange", "numberingChange",
                       "cellIns", "cellDel", "cellMerge", "tblPrExChange"})
"""Tracked-change elements (ECMA-376 §17.13.5): a block holding one has pending revisions."""
_DELETED = frozenset({"del", "moveFrom"})
_WORD = re.compile(r"\s+|\w+|[^\w\s]")


def field_key(instruction: str) -> str:
    """A field as compared: its type, and the bookmark a cross-reference points to (Word and
    LibreOffice rewrite switches and cached results, never the target)."""
    words = instruction.split()
    if not words:
        return "\u27e6champ\u27e7"
    kind = words[0].upper()
    if kind in ("REF", "PAGEREF", "NOTEREF") and len(words) > 1:
        return f"\u27e6{kind} {words[1]}\u27e7"
    return f"\u27e6{kind}\u27e7"


# --- reading a body -------------------------------------------------------------------------


@dataclass
class Block:
    """A paragraph or a table of a body, with what a reader sees of it."""

    element: Any
    key: tuple[str, int, str]
    """(``p`` or ``tbl``, heading level or 0, normalised text)."""
    revised: bool = False
    """It holds pending tracked changes."""
    anchor: str = ""
    """The bookmark of the heading it stands under (``_Ref…``), for attribution."""
    shown: str = ""
    """What a reader sees: fields by their result, pending revisions as ``[-…-]``/``[+…+]``."""

    @property
    def text(self) -> str:
        return self.key[2]


class _Styles:
    """Heading level of each paragraph style (through ``basedOn``), and the default style."""

    def __init__(self, styles_xml: bytes | None) -> None:
        self.level: dict[str, int] = {}
        self.ids: set[str] = set()
        self.default = ""
        if not styles_xml:
            return
        root = etree.fromstring(styles_xml, safe_parser())
        based: dict[str, str] = {}
        own: dict[str, int] = {}
        for style in root.iter(_q("style")):
            sid = style.get(_q("styleId"), "")
            self.ids.add(sid)
            if style.get(_q("type")) != "paragraph":
                continue
            if style.get(_q("default")) in ("1", "true"):
                self.default = sid
            name = style.find(_q("name"))
            label = (name.get(_q("val"), "") if name is not None else "").lower()
            if found := re.fullmatch(r"(?:heading|titre) ?(\d)", label):
                own[sid] = int(found.group(1))
            outline = style.find(f"{_q('pPr')}/{_q('outlineLvl')}")
            if outline is not None and sid not in own and outline.get(_q("val"), "9").isdigit() \
                    and int(outline.get(_q("val"), "9")) < 9:
                own[sid] = int(outline.get(_q("val"), "9")) + 1
            parent = style.find(_q("basedOn"))
            if parent is not None:
                based[sid] = parent.get(_q("val"), "")
        for sid in based.keys() | own.keys():
            seen, current = set(), sid
            while current and current not in own and current not in seen:
                seen.add(current)
                current = based.get(current, "")
            self.level[sid] = own.get(current, 0)

    def heading_level(self, paragraph: Any) -> int:
        ppr = paragraph.find(_q("pPr"))
        outline = ppr.find(_q("outlineLvl")) if ppr is not None else None
        if outline is not None and outline.get(_q("val"), "9").isdigit() and int(outline.get(_q("val"))) < 9:
            return int(outline.get(_q("val"))) + 1
        style = ppr.find(_q("pStyle")) if ppr is not None else None
        sid = style.get(_q("val"), "") if style is not None else self.default
        return self.level.get(sid, 0)


class _Reader:
    """Walks a paragraph in its accepted view: the text, its fields, whether it is revised;
    and the text as a reader sees it (fields by their result, revisions marked inline)."""

    def __init__(self) -> None:
        self.fields: list[list[Any]] = []
        """Open complex fields across paragraphs: [instruction, in result, deleted]."""
        self.shown: list[str] = []

    def in_toc(self) -> bool:
        return any(f[0].split()[:1] == ["TOC"] for f in self.fields)

    def _in_result(self) -> bool:
        return bool(self.fields and self.fields[-1][1])

    def paragraph(self, paragraph: Any) -> tuple[str, bool, bool, bool]:
        """(text, revised, in a table of contents, paragraph mark deleted); :attr:`shown` holds
        the paragraph as read."""
        parts: list[str] = []
        self.shown = []
        state = {"revised": False, "toc": self.in_toc(), "mark_deleted": False}
        self._walk(paragraph, False, parts, state)
        state["toc"] = state["toc"] or self.in_toc()
        return "".join(parts).strip(), state["revised"], state["toc"], state["mark_deleted"]

    def _walk(self, element: Any, deleted: bool, parts: list[str], state: dict[str, bool]) -> None:
        for child in element:
            tag = _name(child)
            if tag in _DELETED or tag in ("ins", "moveTo"):
                state["revised"] = True
                self.shown.append("[-" if tag in _DELETED else "[+")
                self._walk(child, deleted or tag in _DELETED, parts, state)
                self.shown.append("-]" if tag in _DELETED else "+]")
            elif tag in REVISIONS:
                state["revised"] = True
            elif tag in ("pPr", "rPr"):
                for mark in child.iter(*(_q(r) for r in REVISIONS)):
                    state["revised"] = True
                    if tag == "pPr" and _name(mark) in _DELETED and _name(mark.getparent()) == "rPr":
                        state["mark_deleted"] = True
            elif tag == "fldChar":
                kind = child.get(_q("fldCharType"))
                if kind == "begin":
                    self.fields.append(["", False, deleted])
                elif kind == "separate" and self.fields:
                    self.fields[-1][1] = True
                elif kind == "end" and self.fields:
                    instruction, _, was_deleted = self.fields.pop()
                    if instruction.split()[:1] == ["TOC"]:
                        state["toc"] = True
                    if not (deleted or was_deleted):
                        parts.append(field_key(instruction))
            elif tag in ("instrText", "delInstrText"):
                if self.fields and not self.fields[-1][1]:
                    self.fields[-1][0] += child.text or ""
            elif tag in ("t", "delText"):
                self.shown.append(child.text or "")
                if not deleted and not self._in_result():
                    parts.append(child.text or "")
            elif tag == "fldSimple":
                if not deleted:
                    parts.append(field_key(child.get(_q("instr"), "")))
                    if child.get(_q("instr"), "").split()[:1] == ["TOC"]:
                        state["toc"] = True
                self._walk(child, True, [], state)
            elif tag in _SPECIAL:
                if not deleted and not self._in_result():
                    parts.append(_SPECIAL[tag])
                self.shown.append(_SPECIAL[tag])
            else:
                self._walk(child, deleted, parts, state)


_SPECIAL = {"tab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "\u2011", "softHyphen": "",
            "sym": "\u27e6symbole\u27e7", "footnoteReference": "\u27e6note\u27e7",
            "endnoteReference": "\u27e6note\u27e7", "drawing": "\u27e6objet\u27e7",
            "pict": "\u27e6objet\u27e7", "object": "\u27e6objet\u27e7",
            "lastRenderedPageBreak": "", "proofErr": "", "bookmarkStart": "", "bookmarkEnd": "",
            "commentRangeStart": "", "commentRangeEnd": "", "commentReference": "",
            "annotationRef": "", "permStart": "", "permEnd": ""}
"""Run content that is not text: how it reads (and the markers that read as nothing)."""


def _toc_sdt(sdt: Any) -> bool:
    gallery = sdt.find(f"{_q('sdtPr')}/{_q('docPartObj')}/{_q('docPartGallery')}")
    return gallery is not None and "content" in gallery.get(_q("val"), "").lower()


def has_table_of_contents(body: Any) -> bool:
    """Whether the body holds a table of contents: a ``TOC`` field (complex or simple) or a
    content control of the table-of-contents gallery."""
    if any(_toc_sdt(sdt) for sdt in body.iter(_q("sdt"))):
        return True
    reader = _Reader()
    return any(reader.paragraph(p)[2] for p in body.iter(_q("p")))


def read_blocks(body: Any, styles: _Styles) -> list[Block]:
    """The body's paragraphs and tables in order (content controls opened), without the table
    of contents and without paragraphs entirely deleted by a pending revision."""
    reader = _Reader()
    blocks: list[Block] = []
    anchor = [""]

    def paragraph(element: Any) -> None:
        text, revised, toc, mark_deleted = reader.paragraph(element)
        if toc:
            return
        level = styles.heading_level(element)
        if level:
            names = [b.get(_q("name"), "") for b in element.iter(_q("bookmarkStart"))]
            anchor[0] = next((n for n in names if n.startswith("_Ref")), anchor[0])
        if mark_deleted and not text:
            return  # the buyer deleted it (pending): not there in their text
        shown = " ".join("".join(reader.shown).split())
        blocks.append(Block(element, ("p", level, text), revised, anchor[0], shown))

    def walk(container: Any) -> None:
        for child in container:
            tag = _name(child)
            if tag == "p":
                paragraph(child)
            elif tag == "tbl":
                rows, lines = [], []
                revised = False
                for row in child.iter(_q("tr")):
                    cells, seen = [], []
                    for cell in row.iter(_q("tc")):
                        texts, views = [], []
                        for p in cell.iter(_q("p")):
                            text, rev, _, _ = reader.paragraph(p)
                            texts.append(text)
                            views.append(" ".join("".join(reader.shown).split()))
                            revised = revised or rev
                        cells.append("\n".join(texts))
                        seen.append(" ".join(views))
                    revised = revised or any(_name(m) in REVISIONS for m in row.iter())
                    rows.append(" | ".join(cells))
                    lines.append("| " + " | ".join(seen) + " |")
                blocks.append(Block(child, ("tbl", 0, "\n".join(rows)), revised, anchor[0],
                                    "\n".join(lines)))
            elif tag == "sdt":
                if _toc_sdt(child):
                    continue
                content = child.find(_q("sdtContent"))
                if content is not None:
                    walk(content)
            elif tag in ("customXml", "ins", "moveTo"):
                walk(child)

    walk(body)
    return blocks


# --- aligning two bodies --------------------------------------------------------------------


@dataclass
class Alignment:
    """How the blocks of ``a`` map to those of ``b``."""

    same: dict[int, int] = field(default_factory=dict)
    """Same text (in place or, with moves, elsewhere)."""
    changed: dict[int, int] = field(default_factory=dict)
    """Same level, similar text: the paragraph reworded."""
    moved: set[int] = field(default_factory=set)
    """Indices of ``a`` found elsewhere in ``b``."""

    def target(self, index: int) -> int | None:
        return self.same.get(index, self.changed.get(index))


def _similar(a: Block, b: Block) -> bool:
    return a.key[:2] == b.key[:2] and a.key[0] == "p" and difflib.SequenceMatcher(
        a=a.text, b=b.text, autojunk=False).ratio() >= SIMILAR


def align(a: Sequence[Block], b: Sequence[Block], *, moves: bool) -> Alignment:
    """Blocks of ``a`` and ``b`` matched by text, then (with ``moves``) equal text elsewhere,
    then similar paragraphs of the same level within each changed stretch, in order."""
    result = Alignment()
    matcher = difflib.SequenceMatcher(a=[x.key for x in a], b=[x.key for x in b], autojunk=False)
    stretches = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.same.update(zip(range(i1, i2), range(j1, j2), strict=True))
        else:
            stretches.append((i1, i2, j1, j2))
    used = set(result.same.values())
    if moves:
        free: dict[tuple[str, int, str], list[int]] = {}
        for _, _, j1, j2 in stretches:
            for j in range(j1, j2):
                if b[j].text:
                    free.setdefault(b[j].key, []).append(j)
        for i1, i2, _, _ in stretches:
            for i in range(i1, i2):
                if a[i].text and free.get(a[i].key):
                    result.same[i] = free[a[i].key].pop(0)
                    result.moved.add(i)
                    used.add(result.same[i])
    for i1, i2, j1, j2 in stretches:
        position = j1
        for i in range(i1, i2):
            if i in result.same:
                continue
            match = next((j for j in range(position, j2) if j not in used and _similar(a[i], b[j])),
                         None)
            if match is not None:
                result.changed[i] = match
                used.add(match)
                position = match + 1
    return result


# --- writing revisions ----------------------------------------------------------------------


class Marks:
    """``w:ins``/``w:del`` elements and comments with ids after the document's own."""

    def __init__(self, author: str, date: datetime, first_id: int, first_comment: int) -> None:
        self.author = author
        self.date = date.strftime("%Y-%m-%dT%H:%M:%SZ")
        self._next = first_id
        self._comment = first_comment
        self.comments: list[tuple[int, str]] = []

    def mark(self, inserted: bool) -> Any:
        element = etree.Element(_q("ins" if inserted else "del"))
        element.set(_q("id"), str(self._next))
        element.set(_q("author"), self.author)
        element.set(_q("date"), self.date)
        self._next += 1
        return element

    def comment(self, text: str) -> int:
        number = self._comment
        self._comment += 1
        self.comments.append((number, text))
        return number


def _ppr(paragraph: Any) -> Any:
    ppr = paragraph.find(_q("pPr"))
    if ppr is None:
        ppr = etree.Element(_q("pPr"))
        paragraph.insert(0, ppr)
    return ppr


def _mark_paragraph(paragraph: Any, marks: Marks, inserted: bool) -> None:
    """Mark a whole paragraph inserted or deleted: its mark, then every run."""
    ppr = _ppr(paragraph)
    rpr = ppr.find(_q("rPr"))
    if rpr is None:
        rpr = etree.Element(_q("rPr"))
        later = next((c for c in ppr if _name(c) in ("sectPr", "pPrChange")), None)
        (later.addprevious(rpr) if later is not None else ppr.append(rpr))
    rpr.append(marks.mark(inserted))
    _wrap_runs(paragraph, marks, inserted)


def _wrap_runs(parent: Any, marks: Marks, inserted: bool) -> None:
    group: list[Any] = []

    def flush() -> None:
        if not group:
            return
        wrapper = marks.mark(inserted)
        group[0].addprevious(wrapper)
        for run in group:
            if not inserted:
                for node in run.iter(_q("t"), _q("instrText")):
                    node.tag = _q("delText") if node.tag == _q("t") else _q("delInstrText")
            wrapper.append(run)
        group.clear()

    for child in list(parent):
        tag = _name(child)
        if tag == "r":
            group.append(child)
            continue
        flush()
        if tag in ("hyperlink", "smartTag", "customXml", "fldSimple", "sdt", "sdtContent"):
            _wrap_runs(child, marks, inserted)
    flush()


def _mark_table(table: Any, marks: Marks, inserted: bool) -> None:
    for row in table.iter(_q("tr")):
        trpr = row.find(_q("trPr"))
        if trpr is None:
            trpr = etree.Element(_q("trPr"))
            cell = next((c for c in row if _name(c) not in ("tblPrEx",)), None)
            (cell.addprevious(trpr) if cell is not None else row.append(trpr))
        later = next((c for c in trpr if _name(c) == "trPrChange"), None)
        mark = marks.mark(inserted)
        (later.addprevious(mark) if later is not None else trpr.append(mark))
    for paragraph in table.iter(_q("p")):
        _mark_paragraph(paragraph, marks, inserted)


def _mark_block(element: Any, marks: Marks, inserted: bool) -> None:
    (_mark_table if _name(element) == "tbl" else _mark_paragraph)(element, marks, inserted)


@dataclass(frozen=True)
class _Token:
    key: str
    runs: tuple[Any, ...]
    """Standalone runs to write for it (a word: one run with the word's formatting)."""
    blank: bool = False


def _run_like(properties: Any, content: Any) -> Any:
    run = etree.Element(_q("r"))
    if properties is not None:
        run.append(copy.deepcopy(properties))
    run.append(content)
    return run


def _text_run(properties: Any, text: str) -> Any:
    node = etree.Element(_q("t"))
    node.set(XML_SPACE, "preserve")
    node.text = text
    return _run_like(properties, node)


def tokens(paragraph: Any) -> list[_Token] | None:
    """Words (split across runs as they may be), fields and special characters of a paragraph
    made of runs, bookmarks and proofing marks only; None for anything richer."""
    out: list[_Token] = []
    text: list[tuple[str, Any]] = []  # (characters, run properties)
    field: list[Any] = []
    depth = 0

    def flush() -> None:
        joined = "".join(chars for chars, _ in text)
        owners = [props for chars, props in text for _ in chars]
        for match in _WORD.finditer(joined):
            word = match.group(0)
            out.append(_Token(word, (_text_run(owners[match.start()], word),), word.isspace()))
        text.clear()

    for child in paragraph:
        tag = _name(child)
        if tag in ("pPr", "proofErr", "bookmarkStart", "bookmarkEnd"):
            continue
        if tag != "r":
            return None
        marker = child.find(_q("fldChar"))
        if depth or marker is not None:
            flush()
            field.append(child)
            if marker is not None and marker.get(_q("fldCharType")) == "begin":
                depth += 1
            elif marker is not None and marker.get(_q("fldCharType")) == "end":
                depth -= 1
            if depth == 0:
                instruction = "".join(t.text or "" for run in field for t in run.iter(_q("instrText")))
                out.append(_Token(field_key(instruction), tuple(copy.deepcopy(r) for r in field)))
                field = []
            continue
        properties = child.find(_q("rPr"))
        for part in child:
            tag = _name(part)
            if tag == "rPr" or tag == "lastRenderedPageBreak":
                continue
            if tag == "t":
                text.append((part.text or "", properties))
            elif tag in ("tab", "br", "cr", "noBreakHyphen", "softHyphen", "sym"):
                flush()
                out.append(_Token(f"\u27e6{tag}\u27e7", (_run_like(properties, copy.deepcopy(part)),)))
            else:
                return None
    flush()
    return out if depth == 0 else None


def _deleted(run: Any) -> Any:
    for node in run.iter(_q("t"), _q("instrText")):
        node.tag = _q("delText") if node.tag == _q("t") else _q("delInstrText")
    return run


def _pieces(old: Sequence[_Token], new: Sequence[_Token]) -> list[tuple[str, _Token]]:
    """``old`` compared with ``new``: equal (« = »), deleted (« - ») and inserted (« + ») words."""
    matcher = difflib.SequenceMatcher(a=[t.key for t in old], b=[t.key for t in new], autojunk=False)
    pieces: list[tuple[str, _Token]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces += [("=", t) for t in old[i1:i2]]
        else:
            pieces += [("-", t) for t in old[i1:i2]] + [("+", t) for t in new[j1:j2]]
    return pieces


def merged_words(base: Sequence[_Token], mine: Sequence[_Token],
                 new: Sequence[_Token]) -> list[tuple[str, _Token]] | None:
    """The buyer's words with the library's word changes (base → new) as deletions and
    insertions, when the two sets of changes neither overlap nor touch; else None."""
    def changes(other: Sequence[_Token]) -> list[tuple[int, int, int, int]]:
        matcher = difflib.SequenceMatcher(a=[t.key for t in base], b=[t.key for t in other],
                                          autojunk=False)
        return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]

    ours, theirs = changes(mine), changes(new)
    if any(a[0] <= b[1] and b[0] <= a[1] for a in ours for b in theirs):
        return None
    mapped: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(a=[t.key for t in base], b=[t.key for t in mine], autojunk=False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag == "equal":
            mapped.update((i, j1 + i - i1) for i in range(i1, i2))
    pieces: list[tuple[str, _Token]] = []
    position = 0
    events = sorted([(*c, True) for c in ours] + [(*c, False) for c in theirs])
    for i1, i2, j1, j2, buyer in [*events, (len(base), len(base), 0, 0, True)]:
        pieces += [("=", mine[mapped[i]]) for i in range(position, i1)]
        if buyer:
            pieces += [("=", t) for t in mine[j1:j2]]
        else:
            pieces += [("-", mine[mapped[i]]) for i in range(i1, i2)] + [("+", t) for t in new[j1:j2]]
        position = i2
    return pieces


def reword(paragraph: Any, pieces: Sequence[tuple[str, _Token]], marks: Marks) -> None:
    """Rewrite the buyer's paragraph as ``pieces``: equal words keep their formatting, the
    others are deleted or inserted (tracked); bookmarks stay around the text."""
    kept = [c for c in paragraph if _name(c) in ("bookmarkStart", "bookmarkEnd")]
    for child in list(paragraph):
        if _name(child) != "pPr":
            paragraph.remove(child)
    for mark in kept:
        if _name(mark) == "bookmarkStart":
            paragraph.append(mark)
    for op, group in _grouped(pieces):
        runs = [copy.deepcopy(r) for token in group for r in token.runs]
        if op == "=":
            for run in runs:
                paragraph.append(run)
            continue
        wrapper = marks.mark(op == "+")
        for run in runs:
            wrapper.append(run if op == "+" else _deleted(run))
        paragraph.append(wrapper)
    for mark in kept:
        if _name(mark) == "bookmarkEnd":
            paragraph.append(mark)


def _grouped(pieces: Sequence[tuple[str, _Token]]) -> list[tuple[str, list[_Token]]]:
    """Consecutive tokens with the same fate; a lone blank between two changes joins them, and
    each stretch of changes reads as one deletion then one insertion."""
    joined: list[tuple[str, _Token]] = []
    for index, (op, token) in enumerate(pieces):
        around = 0 < index < len(pieces) - 1 and pieces[index - 1][0] != "=" != pieces[index + 1][0]
        joined += [("-", token), ("+", token)] if op == "=" and token.blank and around else [(op, token)]
    ordered: list[tuple[str, _Token]] = []
    stretch: list[tuple[str, _Token]] = []
    ending: list[tuple[str, _Token | None]] = [*joined, ("=", None)]
    for op, maybe in ending:
        if op != "=" and maybe is not None:
            stretch.append((op, maybe))
            continue
        ordered += [p for p in stretch if p[0] == "-"] + [p for p in stretch if p[0] == "+"]
        stretch = []
        if maybe is not None:
            ordered.append((op, maybe))
    groups: list[tuple[str, list[_Token]]] = []
    for op, token in ordered:
        if groups and groups[-1][0] == op:
            groups[-1][1].append(token)
        else:
            groups.append((op, [token]))
    return groups


# --- the merge ------------------------------------------------------------------------------


APPLIED = "appliqué"
CONFLICT = "conflit"
KEPT = "conservé"


@dataclass(frozen=True)
class Change:
    """One change reported on screen: the library's (applied or in conflict) or the buyer's
    (kept)."""

    status: str
    kind: str
    """« modifié », « ajouté », « supprimé » or « déplacé »."""
    text: str
    """The paragraph (its start)."""
    anchor: str = ""
    """The heading's bookmark it stands under (the fragment is found from it)."""


def excerpt(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


class _Theirs:
    """The buyer's document being updated: where to insert, which styles and lists exist."""

    def __init__(self, root: Any, styles: _Styles, numbering_xml: bytes | None, marks: Marks) -> None:
        self.root = root
        self.styles = styles
        self.marks = marks
        self.after: dict[int, Any] = {}
        self.bookmarks = {b.get(_q("name")) for b in root.iter(_q("bookmarkStart"))}
        ids = [int(v) for b in root.iter(_q("bookmarkStart")) if (v := b.get(_q("id"), "")).isdigit()]
        self._bookmark_id = max(ids, default=0) + 1
        self.num_ids: set[str] = set()
        if numbering_xml:
            numbering = etree.fromstring(numbering_xml, safe_parser())
            self.num_ids = {n.get(_q("numId"), "") for n in numbering.iter(_q("num"))}
        self.style_numbering: dict[str, Any] = {}
        for paragraph in root.iter(_q("p")):
            ppr = paragraph.find(_q("pPr"))
            style = ppr.find(_q("pStyle")) if ppr is not None else None
            num = ppr.find(_q("numPr")) if ppr is not None else None
            if style is not None and num is not None:
                self.style_numbering.setdefault(style.get(_q("val"), ""), num)

    def fit(self, element: Any) -> Any:
        """A copy of a new block fitted to the buyer's document: styles it lacks dropped, lists
        as the buyer's file carries them (LibreOffice numbers each heading itself), bookmarks
        renumbered and those it already has dropped."""
        element = copy.deepcopy(element)
        for mark in list(element.iter(_q("bookmarkStart"), _q("bookmarkEnd"))):
            if _name(mark) == "bookmarkStart" and mark.get(_q("name")) not in self.bookmarks:
                self.bookmarks.add(mark.get(_q("name")))
                old_id = mark.get(_q("id"))
                mark.set(_q("id"), str(self._bookmark_id))
                for end in element.iter(_q("bookmarkEnd")):
                    if end.get(_q("id")) == old_id:
                        end.set(_q("id"), str(self._bookmark_id))
                self._bookmark_id += 1
            elif _name(mark) == "bookmarkStart" or not any(
                    s.get(_q("id")) == mark.get(_q("id")) for s in element.iter(_q("bookmarkStart"))):
                mark.getparent().remove(mark)
        for style in list(element.iter(_q("pStyle"), _q("rStyle"), _q("tblStyle"))):
            if style.get(_q("val")) not in self.styles.ids:
                style.getparent().remove(style)
        for paragraph in [element] if _name(element) == "p" else element.iter(_q("p")):
            ppr = paragraph.find(_q("pPr"))
            if ppr is None:
                continue
            num = ppr.find(_q("numPr"))
            num_id = num.find(_q("numId")) if num is not None else None
            if num_id is not None and num_id.get(_q("val")) not in self.num_ids | {"0"}:
                ppr.remove(num)
                num = None
            style = ppr.find(_q("pStyle"))
            if num is None and style is not None and style.get(_q("val")) in self.style_numbering:
                style.addnext(copy.deepcopy(self.style_numbering[style.get(_q("val"))]))
        return element

    def fit_tokens(self, found: Sequence[_Token]) -> list[_Token]:
        """The library's words with the character styles the buyer's file lacks dropped."""
        fitted = []
        for token in found:
            runs = tuple(copy.deepcopy(run) for run in token.runs)
            for run in runs:
                for style in list(run.iter(_q("rStyle"))):
                    if style.get(_q("val")) not in self.styles.ids:
                        style.getparent().remove(style)
            fitted.append(_Token(token.key, runs, token.blank))
        return fitted

    def insert_after(self, anchor: Any | None, fallback: Any | None, element: Any) -> None:
        """Insert after ``anchor`` (and after what was inserted after it before), else before
        ``fallback``, else at the end of the body."""
        if anchor is not None:
            last = self.after.get(id(anchor), anchor)
            last.addnext(element)
            self.after[id(anchor)] = element
        elif fallback is not None:
            fallback.addprevious(element)
        else:
            body = self.root.find(_q("body"))
            end = body.find(_q("sectPr"))
            (end.addprevious(element) if end is not None else body.append(element))


def _comment_on(paragraph: Any, number: int, marks: Marks) -> None:
    """Anchor comment ``number`` on the paragraph's content; its reference is a tracked
    insertion, so that « Refuser tout » takes the comment away too."""
    ppr = paragraph.find(_q("pPr"))
    start = etree.Element(_q("commentRangeStart"))
    start.set(_q("id"), str(number))
    (ppr.addnext(start) if ppr is not None else paragraph.insert(0, start))
    end = etree.Element(_q("commentRangeEnd"))
    end.set(_q("id"), str(number))
    paragraph.append(end)
    reference = etree.SubElement(etree.Element(_q("r")), _q("commentReference"))
    reference.set(_q("id"), str(number))
    wrapper = marks.mark(True)
    wrapper.append(reference.getparent())
    paragraph.append(wrapper)


def _merged(base: Block, mine: Block, new: Block, theirs: _Theirs) -> list[tuple[str, _Token]] | None:
    """A word-level three-way merge of a paragraph both changed, when the buyer's paragraph
    has no pending revision and the changes are apart; else None."""
    if mine.revised or _name(mine.element) != "p" or mine.key[:2] != base.key[:2]:
        return None
    found = [tokens(block.element) for block in (base, mine, new)]
    if any(t is None for t in found):
        return None
    old, ours, fresh = found
    return merged_words(old or [], ours or [], theirs.fit_tokens(fresh or []))


def _tracked_copy(theirs: _Theirs, block: Block) -> Any:
    element = theirs.fit(block.element)
    _mark_block(element, theirs.marks, True)
    return element


@dataclass
class Merge:
    """The merged body and what happened."""

    changes: list[Change]
    comments: list[tuple[int, str]]


def merge(base: list[Block], theirs_blocks: list[Block], new: list[Block], theirs: _Theirs,
          describe: Callable[[str], str]) -> Merge:
    """Apply the library's changes (base → new) to the buyer's blocks in their tree."""
    marks = theirs.marks
    mine = align(base, theirs_blocks, moves=True)
    library = align(base, new, moves=False)
    changes: list[Change] = []

    def counterpart(index: int) -> tuple[Block | None, bool]:
        """The buyer's block for base block ``index`` and whether the buyer left it as generated."""
        target = mine.target(index)
        if target is None:
            return None, False
        block = theirs_blocks[target]
        return block, index in mine.same and not block.revised

    def anchor_for(new_index: int) -> tuple[Any | None, Any | None]:
        """Where the new block ``new_index`` goes: after the buyer's counterpart of the block
        before it, else before the counterpart of the block after it."""
        reverse = {n: b for b, n in {**library.same, **library.changed}.items()}
        for j in range(new_index - 1, -1, -1):
            if j in reverse and (found := counterpart(reverse[j])[0]) is not None:
                return found.element, None
        for j in range(new_index + 1, len(new)):
            if j in reverse and (found := counterpart(reverse[j])[0]) is not None:
                return None, found.element
        return None, None

    def conflict_copy(new_index: int, after: Any | None, message: str) -> None:
        element = theirs.fit(new[new_index].element)
        for mark in list(element.iter(_q("bookmarkStart"), _q("bookmarkEnd"))):
            mark.getparent().remove(mark)
        _mark_block(element, marks, True)
        paragraph = element if _name(element) == "p" else next(element.iter(_q("p")))
        _comment_on(paragraph, marks.comment(message), marks)
        if after is not None:
            theirs.insert_after(after, None, element)
        else:
            theirs.insert_after(*anchor_for(new_index), element)

    touched: set[int] = set()
    for index, block in enumerate(base):
        target = library.target(index)
        if index in library.same:
            continue
        mine_block, untouched = counterpart(index)
        if mine_block is not None:
            touched.add(id(mine_block))
        what = describe(block.anchor)
        if target is not None:  # reworded by the library
            fresh = new[target]
            if mine_block is not None and untouched:
                old_tokens, new_tokens = tokens(mine_block.element), tokens(fresh.element)
                if old_tokens is not None and new_tokens is not None:
                    reword(mine_block.element, _pieces(old_tokens, theirs.fit_tokens(new_tokens)), marks)
                else:
                    replacement = _tracked_copy(theirs, fresh)
                    mine_block.element.addprevious(replacement)
                    _mark_block(mine_block.element, marks, False)
                changes.append(Change(APPLIED, "modifié", fresh.shown, fresh.anchor))
            elif mine_block is not None and (merged := _merged(block, mine_block, fresh, theirs)):
                reword(mine_block.element, merged, marks)
                _comment_on(mine_block.element, marks.comment(
                    f"Mise à jour ({what}) : vous avez modifié ce paragraphe et la bibliothèque "
                    "aussi, à d’autres endroits. Vos modifications sont gardées telles quelles ; "
                    "celles de la bibliothèque sont en révision : acceptez-les ou refusez-les."), marks)
                changes.append(Change(CONFLICT, "fusionné", mine_block.shown, fresh.anchor))
            elif mine_block is not None:
                conflict_copy(target, mine_block.element,
                              f"Conflit de mise à jour ({what}) : vous avez modifié ce paragraphe et "
                              "la bibliothèque aussi. Votre texte, juste avant, est conservé ; celui "
                              "de la bibliothèque est proposé ici en révision : gardez l’un ou "
                              "l’autre.")
                changes.append(Change(CONFLICT, "modifié", mine_block.shown, fresh.anchor))
            else:
                conflict_copy(target, None,
                              f"Conflit de mise à jour ({what}) : vous aviez supprimé ce paragraphe, "
                              "que la bibliothèque a modifié ; son nouveau texte est proposé ici en "
                              "révision.")
                changes.append(Change(CONFLICT, "modifié", fresh.shown, fresh.anchor))
        elif mine_block is not None and untouched:  # removed by the library
            _mark_block(mine_block.element, marks, False)
            changes.append(Change(APPLIED, "supprimé", block.shown, block.anchor))
        elif mine_block is not None:
            paragraph = (mine_block.element if _name(mine_block.element) == "p"
                         else next(mine_block.element.iter(_q("p"))))
            _comment_on(paragraph, marks.comment(
                f"Conflit de mise à jour ({what}) : la bibliothèque supprime ce paragraphe, que "
                "vous avez modifié ; il est conservé. Supprimez-le si vous suivez la "
                "bibliothèque."), marks)
            changes.append(Change(CONFLICT, "supprimé", mine_block.shown, block.anchor))
    matched_new = set(library.same.values()) | set(library.changed.values())
    for index, block in enumerate(new):
        if index in matched_new:
            continue
        theirs.insert_after(*anchor_for(index), _tracked_copy(theirs, block))
        changes.append(Change(APPLIED, "ajouté", block.shown, block.anchor))
    changes += _buyer_changes(base, theirs_blocks, mine, touched, set(library.same))
    return Merge(changes, marks.comments)


def _buyer_changes(base: list[Block], theirs_blocks: list[Block], mine: Alignment,
                   touched: set[int], unchanged: set[int]) -> list[Change]:
    """The buyer's own edits, kept as they are (those the library did not change too)."""
    found = []
    reached = set(mine.same.values()) | set(mine.changed.values())
    for index, block in enumerate(base):
        target = mine.target(index)
        if target is None:
            if index in unchanged:  # deleted by the buyer alone
                found.append(Change(KEPT, "supprimé", block.shown, block.anchor))
            continue
        mine_block = theirs_blocks[target]
        if id(mine_block) in touched:
            continue
        if index in mine.moved:
            found.append(Change(KEPT, "déplacé", block.shown, block.anchor))
        elif index in mine.changed or mine_block.revised:
            found.append(Change(KEPT, "modifié", mine_block.shown, mine_block.anchor))
    for index, block in enumerate(theirs_blocks):
        if index not in reached and (block.text or block.key[0] == "tbl"):
            found.append(Change(KEPT, "ajouté", block.shown, block.anchor))
    return found


# --- the package ----------------------------------------------------------------------------


def _part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    return archive.read(name) if name in archive.namelist() else None


def _target(rels: bytes | None, rel_type: str) -> str | None:
    if not rels:
        return None
    for rel in etree.fromstring(rels, safe_parser()).iter(f"{{{REL_NS}}}Relationship"):
        if rel.get("Type") == rel_type and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"word/{target}"
    return None


def _max_id(root: Any, *tags: str) -> int:
    values = [int(v) for tag in tags for e in root.iter(_q(tag))
              if (v := e.get(_q("id"), "")).lstrip("-").isdigit()]
    return max(values, default=0)


def _comments_part(existing: bytes | None, comments: Sequence[tuple[int, str]], marks: Marks) -> bytes:
    if existing:
        root = etree.fromstring(existing, safe_parser())
    else:
        root = etree.Element(_q("comments"), nsmap={"w": W})
    initials = "".join(word[0] for word in marks.author.split() if word)[:8] or "C"
    for number, text in comments:
        comment = etree.SubElement(root, _q("comment"))
        comment.set(_q("id"), str(number))
        comment.set(_q("author"), marks.author)
        comment.set(_q("date"), marks.date)
        comment.set(_q("initials"), initials)
        paragraph = etree.SubElement(comment, _q("p"))
        paragraph.append(_text_run(None, text))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _with_comments(parts: dict[str, bytes], comments: Sequence[tuple[int, str]], marks: Marks) -> None:
    if not comments:
        return
    rels = parts.get(DOCUMENT_RELS)
    target = _target(rels, COMMENTS_REL)
    if target is None:
        target = "word/comments.xml"
        root = etree.fromstring(rels, safe_parser()) if rels else etree.Element(
            f"{{{REL_NS}}}Relationships", nsmap={None: REL_NS})
        taken = {r.get("Id") for r in root}
        rel_id = next(f"rIdClausegenComments{n or ''}" for n in range(100)
                      if f"rIdClausegenComments{n or ''}" not in taken)
        etree.SubElement(root, f"{{{REL_NS}}}Relationship", Id=rel_id, Type=COMMENTS_REL,
                         Target="comments.xml")
        parts[DOCUMENT_RELS] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                              standalone=True)
        types = etree.fromstring(parts["[Content_Types].xml"], safe_parser())
        if not any(o.get("PartName") == "/word/comments.xml" for o in types):
            etree.SubElement(types, f"{{{CT_NS}}}Override", PartName="/word/comments.xml",
                             ContentType=COMMENTS_CT)
        parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8",
                                                      standalone=True)
    parts[target] = _comments_part(parts.get(target), comments, marks)


@dataclass(frozen=True)
class Body:
    """A document's body blocks, read once."""

    blocks: list[Block]
    root: Any
    styles: _Styles


def read_body(docx: bytes) -> Body:
    """The blocks of a .docx's body, normalised as :func:`read_blocks` says."""
    archive = zipfile.ZipFile(io.BytesIO(docx))
    styles = _Styles(_part(archive, _target(_part(archive, DOCUMENT_RELS),
                                            "http://schemas.openxmlformats.org/officeDocument/2006/"
                                            "relationships/styles") or "word/styles.xml"))
    root = etree.fromstring(archive.read(BODY_PART), safe_parser())
    return Body(read_blocks(root.find(_q("body")), styles), root, styles)


@dataclass(frozen=True)
class Updated:
    """The updated document and what was done."""

    docx: bytes
    changes: tuple[Change, ...]
    update_fields: bool = False
    """The document has a table of contents and its settings now ask Word to update the
    fields on opening (``w:updateFields``): the sommaire's entries and page numbers."""


def _with_update_fields(parts: dict[str, bytes], root: Any) -> bool:
    """Set ``w:updateFields`` (true) in the settings when the body has a table of contents;
    whether it is set."""
    name = _target(parts.get(DOCUMENT_RELS), SETTINGS_REL) or "word/settings.xml"
    if name not in parts or not has_table_of_contents(root):
        return False
    parts[name] = with_update_fields(without_update_fields(parts[name]))  # a « false » one too
    return UPDATE_FIELDS in parts[name]


def render_update(theirs_docx: bytes, base_docx: bytes, new_docx: bytes, *, author: str,
                  date: datetime, provenance: Mapping[str, str],
                  describe: Callable[[str], str] = lambda anchor: "bibliothèque",
                  body_sha256: str | None = None) -> Updated:
    """The buyer's document ``theirs_docx`` with the library's changes between ``base_docx``
    (as generated) and ``new_docx`` (regenerated) as tracked changes and comments.

    ``describe`` names the fragment a heading's bookmark stands for (in the comments);
    ``body_sha256`` is recorded as the body's digest (the regenerated text's), else the
    output's own is.
    """
    archive = zipfile.ZipFile(io.BytesIO(theirs_docx))
    parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    order = [info.filename for info in archive.infolist()]
    body = read_body(theirs_docx)
    numbering_name = _target(parts.get(DOCUMENT_RELS), "http://schemas.openxmlformats.org/"
                             "officeDocument/2006/relationships/numbering")
    comments_name = _target(parts.get(DOCUMENT_RELS), COMMENTS_REL)
    first_comment = 0
    if comments_name and comments_name in parts:
        first_comment = _max_id(etree.fromstring(parts[comments_name], safe_parser()), "comment") + 1
    first_comment = max(first_comment, _max_id(body.root, "commentRangeStart", "commentReference") + 1)
    marks = Marks(author, date, _max_id(body.root, *REVISIONS) + 1, first_comment)
    theirs = _Theirs(body.root, body.styles, parts.get(numbering_name or ""), marks)
    merged = merge(read_body(base_docx).blocks, body.blocks, read_body(new_docx).blocks, theirs,
                   describe)
    parts[BODY_PART] = etree.tostring(body.root, xml_declaration=True, encoding="UTF-8", standalone=True)
    _with_comments(parts, merged.comments, marks)
    update_fields = _with_update_fields(parts, body.root)
    order += [name for name in parts if name not in order]
    data = finalize_parts([(name, parts[name]) for name in order], provenance, body_sha256)
    return Updated(data, tuple(merged.changes), update_fields)
