"""The named Word styles blocks are written in, and the widths of table columns.

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
Image              inline picture (Normal) + Caption
=================  ==========================================

A skeleton must define every one of these styles, except the two letter roles, for which
:data:`LETTER_STYLE_STAND_INS` names a built-in stand-in (see docs/architecture.md, « Un seul
écrivain Word »).
"""

from __future__ import annotations

from clausegen.blocks import Table, plain_text

PARAGRAPH_STYLES = {"corps": "Normal", "droite": "Body Text 2", "centre": "Body Text 3",
                    "note": "Quote", "gauche": "Body Text", "destinataire": "Destinataire",
                    "signature": "Signataire"}
"""Paragraph style (:class:`clausegen.blocks.Paragraph`) → Word style name."""
PARAGRAPH_STYLE_NAMES = ("Normal", "Heading 1", "Heading 2", "Heading 3", "Body Text", "Body Text 2",
                         "Body Text 3", "Quote", "List", "List 2", "List Bullet", "List Bullet 2",
                         "Caption", "Destinataire", "Signataire")
"""Every paragraph style the writer uses."""
TABLE_STYLE = "Table Grid"
LETTER_STYLE_STAND_INS = {"Destinataire": "Body Text", "Signataire": "Body Text"}
"""Built-in styles used for the letter roles when a skeleton (``--modele``) lacks them."""

TABLE_WIDTH_CM = 16.6
CELL_PADDING_CHARS = 6
"""Cell margins, in characters: without them a short column (« 1 500 heures ») wraps mid-word."""
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
