"""Compare two wordings of a clause: a terminal diff and a paragraph/word-level diff.

Pure: the word-level result (:class:`DiffParagraph`) is what ``render/revisions/redline.py`` turns
into Word tracked changes. Paragraphs are the non-blank lines of the fragment source
(one Markdown paragraph or list item per line, as the library is written).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum
from itertools import zip_longest


class Op(StrEnum):
    """What happened to a piece of text between the old and the new wording."""

    egal = "egal"
    ajout = "ajout"
    suppression = "suppression"


@dataclass(frozen=True)
class Segment:
    """A run of text with its fate."""

    op: Op
    text: str


@dataclass(frozen=True)
class DiffParagraph:
    """One paragraph of the comparison; ``op`` is ajout/suppression for a whole paragraph."""

    op: Op
    segments: tuple[Segment, ...]

    def text(self, *, accepted: bool) -> str:
        """The paragraph with every change accepted (new wording) or rejected (old one)."""
        dropped = Op.suppression if accepted else Op.ajout
        return "".join(s.text for s in self.segments if s.op is not dropped)


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def paragraphs(text: str) -> list[str]:
    """The non-blank lines of a fragment body."""
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def _words(old: str, new: str) -> tuple[Segment, ...]:
    """Word-level diff; a blank between two changes joins them, so a replaced phrase reads as
    one deletion then one insertion rather than word-by-word interleaving."""
    before, after = _TOKEN.findall(old), _TOKEN.findall(new)
    opcodes = difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
    segments: list[Segment] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        segments.extend(Segment(op, "".join(parts)) for op, parts in
                        ((Op.suppression, deleted), (Op.ajout, inserted)) if "".join(parts))
        deleted.clear()
        inserted.clear()

    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        text = "".join(before[i1:i2])
        if tag == "equal" and (text.strip() or index in (0, len(opcodes) - 1)):
            flush()
            segments.append(Segment(Op.egal, text))
            continue
        deleted.append(text)
        inserted.append(text if tag == "equal" else "".join(after[j1:j2]))
    flush()
    return tuple(segments)


def compare_words(old: str, new: str) -> DiffParagraph:
    """One paragraph's old and new wording, diffed word by word."""
    return DiffParagraph(Op.egal, _words(old, new))


def _whole(op: Op, text: str) -> DiffParagraph:
    return DiffParagraph(op, (Segment(op, text),))


def compare_paragraphs(old: str, new: str) -> list[DiffParagraph]:
    """Align paragraphs, then diff paired paragraphs word by word."""
    before, after = paragraphs(old), paragraphs(new)
    result: list[DiffParagraph] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result += [_whole(Op.egal, p) for p in before[i1:i2]]
            continue
        for old_p, new_p in zip_longest(before[i1:i2], after[j1:j2]):
            if new_p is None:
                result.append(_whole(Op.suppression, old_p))
            elif old_p is None:
                result.append(_whole(Op.ajout, new_p))
            else:
                result.append(compare_words(old_p, new_p))
    return result


def unified(old: str, new: str, old_name: str, new_name: str) -> str:
    """A unified diff for the terminal (empty when the texts are equal)."""
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 fromfile=old_name, tofile=new_name)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
