"""Small helpers to build typographically correct blocks from plain French text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from clausegen.blocks import Heading, ListItem, Paragraph, Run, Runs, Table
from clausegen.text.french import typographie


def runs(text: str, *, bold: bool = False, italic: bool = False) -> Runs:
    """One run of French text (typography applied); lines split by ``\\n`` become breaks."""
    parts: list[Run] = []
    for index, line in enumerate(text.split("\n")):
        if index:
            parts.append(Run("", line_break=True))
        parts.append(Run(typographie(line), bold=bold, italic=italic))
    return tuple(parts)


def paragraph(text: str, style: str = "corps", *, bold: bool = False) -> Paragraph:
    """A paragraph of one run."""
    return Paragraph(runs(text, bold=bold), style=style)


def heading(level: int, text: str) -> Heading:
    """An unnumbered heading."""
    return Heading(level=level, text=typographie(text))


def bullets(items: Iterable[str]) -> list[ListItem]:
    """A bulleted list."""
    return [ListItem(runs(item), ordered=False) for item in items]


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Table:
    """A table from plain strings."""
    return Table(header=tuple(runs(h) for h in header),
                 rows=tuple(tuple(runs(cell) for cell in row) for row in rows))
