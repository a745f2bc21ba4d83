"""The same blocks as the Word body, as HTML (the preview of a piece in the browser).

Every text is escaped (markupsafe); headings start at ``<h2>`` because the page has its
own ``<h1>``. Consecutive list items form one list, nested by depth.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from functools import lru_cache

from markupsafe import Markup, escape

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
)


def _runs(runs: Iterable[Run]) -> str:
    parts = []
    for run in runs:
        text = str(escape(run.text))
        if run.bold:
            text = f"<strong>{text}</strong>"
        if run.italic:
            text = f"<em>{text}</em>"
        parts.append(text + ("<br>" if run.line_break else ""))
    return "".join(parts)


def _heading(block: Heading) -> str:
    level = min(block.level + 1, 6)
    return f"<h{level}>{escape(block.full_text)}</h{level}>"  # with its number, as Word shows it


def _table(block: Table) -> str:
    head = "".join(f'<th scope="col">{_runs(cell)}</th>' for cell in block.header)
    rows = "".join("<tr>" + "".join(f"<td>{_runs(cell)}</td>" for cell in row) + "</tr>"
                   for row in block.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _image(block: Image) -> str:
    data = base64.b64encode(block.data).decode("ascii")
    alt = block.alt or block.caption or "graphique"
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def _toc(block: TableOfContents) -> str:
    """The contents as a navigation list (the Word field's cached entries)."""
    entries = "".join(f'<li class="niveau-{entry.level}">{escape(entry.full_text)}</li>'
                      for entry in block.entries)
    return f'<nav class="sommaire" aria-label="{escape(block.title)}"><p>{escape(block.title)}</p>' \
           f"<ul>{entries}</ul></nav>"


def _list(items: Sequence[ListItem]) -> str:
    html = []
    for item in items:
        label = f'<span class="etiquette">{escape(item.label)}</span> ' if item.label else ""
        html.append(f'<li class="profondeur-{item.depth}">{label}{_runs(item.runs)}</li>')
    kind = "ol" if items[0].ordered else "ul"
    style = ' class="liste-numerotee"' if items[0].ordered else ""
    return f"<{kind}{style}>{''.join(html)}</{kind}>"


def _single(block: Block) -> str:
    """One block's HTML; remembered per block in the process except images (blocks are
    immutable, and most recur from one piece and one dossier to the next, as in
    ``render/writers/fast.py``)."""
    return _image(block) if isinstance(block, Image) else _text_block(block)


@lru_cache(maxsize=4096)
def _text_block(block: Block) -> str:
    if isinstance(block, Heading):
        return _heading(block)
    if isinstance(block, Paragraph):
        return f'<p class="{escape(block.style)}">{_runs(block.runs)}</p>'
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, PageBreak):
        return '<hr class="saut-de-page">'
    if isinstance(block, TableOfContents):
        return _toc(block)
    raise TypeError(f"bloc inconnu : {type(block).__name__}")


def blocks_to_html(blocks: Sequence[Block]) -> Markup:
    """The body of a piece as safe HTML."""
    html: list[str] = []
    pending: list[ListItem] = []
    for block in blocks:
        if isinstance(block, ListItem) and (not pending or pending[0].ordered == block.ordered):
            pending.append(block)
            continue
        if pending:
            html.append(_list(pending))
            pending = []
        if isinstance(block, ListItem):
            pending.append(block)
        else:
            html.append(_single(block))
    if pending:
        html.append(_list(pending))
    return Markup("\n".join(html))  # noqa: S704 - every text above went through escape()
