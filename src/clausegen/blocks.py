"""Fragment markup (a small Markdown subset) parsed into a pure block model.

Supported: paragraphs, bulleted and numbered lists (nested), bold, italic, headings
(rendered as unnumbered sub-headings), tables (GitHub syntax). Raw HTML is disabled.
French typography is applied to every piece of text here, once.

The render layer maps these blocks to Word styles; nothing here knows about Word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from clausegen.text.french import typographie

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@dataclass(frozen=True)
class Run:
    """A piece of text with one formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    line_break: bool = False
    ref: str = ""
    """Anchor of the heading this text refers to (a cross-reference showing its number)."""


Runs = tuple[Run, ...]


@dataclass(frozen=True)
class Heading:
    """A heading. Levels 1 and 2 are articles and sections; 3 is a heading inside a fragment.

    A numbered heading (article, section) has its ``number``, its ``label`` (« Article 3 – »,
    « 3.7. », see :data:`LEVEL_LABELS`) apart from its ``text`` (the title), and an ``anchor``
    that cross-references point to: the render layer numbers it with a list it maintains.
    """

    level: int
    text: str
    number: str = ""
    label: str = ""
    anchor: str = ""

    @property
    def full_text(self) -> str:
        """The heading as a reader sees it: label and title."""
        return f"{self.label} {self.text}" if self.label else self.text


LEVEL_LABELS = ("Article\u00a0{1} \u2013", "{1}.{2}.")
"""Label of a numbered heading by level; ``{n}`` is the number at level n (« 3.7 » → 3, 7)."""
REF_OPEN = "\ue010"
REF_CLOSE = "\ue011"
"""Private-use marks after a cross-referenced number: ``3.7`` + open + anchor + close."""
REF_MARK = re.compile(r"([0-9][0-9.]*)" + REF_OPEN + "([0-9a-z]+)" + REF_CLOSE)
"""A cross-referenced number and its anchor in fragment markup."""


def heading_label(number: str) -> str:
    """The label of the numbered heading ``number`` (« 3 » → « Article 3 – », « 3.7 » → « 3.7. »)."""
    parts = number.split(".")
    return LEVEL_LABELS[min(len(parts), len(LEVEL_LABELS)) - 1].format("", *parts)


def reference_mark(number: str, anchor: str) -> str:
    """Text of a cross-reference in fragment markup: the number followed by its anchor."""
    return f"{number}{REF_OPEN}{anchor}{REF_CLOSE}"


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph. ``style`` is a role: ``corps``, ``droite``, ``centre``, ``note``, ``gauche``,
    ``destinataire``, ``signature``."""

    runs: Runs
    style: str = "corps"


@dataclass(frozen=True)
class ListItem:
    """One list item; ``label`` is « 1. » for numbered lists, empty for bullets."""

    runs: Runs
    ordered: bool
    label: str = ""
    depth: int = 0


@dataclass(frozen=True)
class Table:
    """A table with one header row."""

    header: tuple[Runs, ...]
    rows: tuple[tuple[Runs, ...], ...]


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page."""


@dataclass(frozen=True)
class Image:
    """A PNG image (a chart), given as bytes, with its width in centimetres.

    ``alt`` is the alternative text read by screen readers (and kept in tagged PDF).
    """

    data: bytes = field(repr=False)
    width_cm: float = 16.0
    caption: str = ""
    alt: str = ""


@dataclass(frozen=True)
class TableOfContents:
    """The table of contents of the numbered headings: a field the word processor updates.

    ``entries`` are the headings as they are when generated (the field's cached result).
    """

    title: str
    entries: tuple[Heading, ...]


Block = Heading | Paragraph | ListItem | Table | PageBreak | Image | TableOfContents


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # imported only when a parse is not in the caches

    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def plain_text(runs: Sequence[Run]) -> str:
    """The text of runs, without formatting."""
    return "".join("\n" if r.line_break else r.text for r in runs)


def block_texts(blocks: Sequence[Block]) -> Iterator[str]:
    """The text of every block a reader sees (headings, paragraphs, list items, table cells)."""
    for block in blocks:
        if isinstance(block, Heading):
            yield block.full_text
        elif isinstance(block, (Paragraph, ListItem)):
            yield plain_text(block.runs)
        elif isinstance(block, Table):
            for row in (block.header, *block.rows):
                yield from (plain_text(cell) for cell in row)


def _inline_runs(token: Token) -> Runs:
    runs: list[Run] = []
    bold = italic = False
    for child in token.children or []:
        kind = child.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind in ("text", "code_inline"):
            runs += _with_references(typographie(child.content), bold, italic)
        elif kind == "softbreak":
            runs.append(Run(" ", bold=bold, italic=italic))
        elif kind == "hardbreak":
            runs.append(Run("", line_break=True))
    return _merge(runs)


def _with_references(text: str, bold: bool, italic: bool) -> list[Run]:
    """Runs of a text, the cross-referenced numbers in runs of their own."""
    runs: list[Run] = []
    position = 0
    for match in REF_MARK.finditer(text):
        if match.start() > position:
            runs.append(Run(text[position:match.start()], bold=bold, italic=italic))
        runs.append(Run(match.group(1), bold=bold, italic=italic, ref=match.group(2)))
        position = match.end()
    rest = text[position:].replace(REF_OPEN, "").replace(REF_CLOSE, "")
    if rest or not runs:
        runs.append(Run(rest, bold=bold, italic=italic))
    return runs


def _merge(runs: list[Run]) -> Runs:
    merged: list[Run] = []
    for run in runs:
        last = merged[-1] if merged else None
        if (last and not run.line_break and not last.line_break and not run.ref and not last.ref
                and (last.bold, last.italic) == (run.bold, run.italic)):
            merged[-1] = Run(last.text + run.text, bold=run.bold, italic=run.italic)
        else:
            merged.append(run)
    # Typography across merged runs (a colon after a word in the previous run).
    return tuple(r if r.ref else Run(typographie(r.text), r.bold, r.italic, r.line_break)
                 for r in merged)


@dataclass
class _ListState:
    ordered: bool
    next_number: int


def _table(tokens: list[Token], start: int) -> tuple[Table, int]:
    header: list[Runs] = []
    rows: list[tuple[Runs, ...]] = []
    current: list[Runs] = []
    in_head = False
    index = start
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            current = []
        elif token.type == "inline":
            current.append(_inline_runs(token))
        elif token.type == "tr_close":
            if in_head:
                header = current
            else:
                rows.append(tuple(current))
        index += 1
    return Table(header=tuple(header), rows=tuple(rows)), index


def parse_blocks(markup: str) -> list[Block]:
    """Parse fragment markup into blocks.

    Cached on the markup: most fragments render to the same text for every dossier of
    a batch, and Markdown parsing was most of the assembly time. Blocks are immutable.
    """
    return list(_parse_cached(markup))


@lru_cache(maxsize=4096)
def _parse_cached(markup: str) -> tuple[Block, ...]:
    return _parse(markup)


def _parse(markup: str) -> tuple[Block, ...]:
    tokens = _parser().parse(markup)
    blocks: list[Block] = []
    lists: list[_ListState] = []
    item_label = ""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrGet("start") or 1)
            lists.append(_ListState(ordered=kind == "ordered_list_open", next_number=start))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            state = lists[-1]
            item_label = f"{state.next_number}." if state.ordered else "•"
            state.next_number += 1
        elif kind == "heading_open":
            blocks.append(Heading(level=3, text=plain_text(_inline_runs(tokens[index + 1]))))
            index += 2
        elif kind == "table_open":
            table, index = _table(tokens, index)
            blocks.append(table)
        elif kind == "inline":
            runs = _inline_runs(token)
            if lists:
                state = lists[-1]
                blocks.append(ListItem(runs=runs, ordered=state.ordered,
                                       label=item_label if state.ordered else "",
                                       depth=len(lists) - 1))
                item_label = ""
            else:
                blocks.append(Paragraph(runs=runs))
        index += 1
    return tuple(blocks)
