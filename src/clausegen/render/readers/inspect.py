"""Read a generated .docx back: a normalised text dump and the provenance record."""

from __future__ import annotations

import io
import re
from typing import Any

from docx import Document

from clausegen.render.writers.numbering import LIST_NAME, MARKER_STYLE, W
from clausegen.render.writers.package import read_custom_properties


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def paragraph_num_pr(paragraph: Any) -> tuple[str, int] | None:
    """(numId, ilvl) of a python-docx paragraph: its own, else its style's (through ``basedOn``)."""
    elements = [paragraph._p]
    style = paragraph.style
    while style is not None:
        elements.append(style.element)
        style = style.base_style
    for element in elements:
        num_pr = element.find(f"{_q('pPr')}/{_q('numPr')}")
        if num_pr is not None:
            num_id = num_pr.find(_q("numId"))
            level = num_pr.find(_q("ilvl"))
            if num_id is None:
                continue
            return num_id.get(_q("val"), ""), int(level.get(_q("val"), "0")) if level is not None else 0
    return None


class ArticleNumbers:
    """The labels Word shows for the articles list (levels, start values, counters).

    Only clausegen's own list is evaluated: a skeleton's bullets and numbered styles are
    shown as their text, as before.
    """

    def __init__(self, document: Any) -> None:
        self.levels: dict[int, tuple[int, str]] = {}
        self.num_ids: set[str] = set()
        self.counters: list[int] = []
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        abstract_id = None
        for abstract in root.iter(_q("abstractNum")):
            name = abstract.find(_q("name"))
            if name is not None and name.get(_q("val")) == LIST_NAME:
                abstract_id = abstract.get(_q("abstractNumId"))
                for level in abstract.iter(_q("lvl")):
                    start = level.find(_q("start"))
                    text = level.find(_q("lvlText"))
                    self.levels[int(level.get(_q("ilvl"), "0"))] = (
                        int(start.get(_q("val"), "1")) if start is not None else 1,
                        text.get(_q("val"), "") if text is not None else "")
        for num in root.iter(_q("num")):
            ref = num.find(_q("abstractNumId"))
            if ref is not None and ref.get(_q("val")) == abstract_id:
                self.num_ids.add(num.get(_q("numId"), ""))

    def label(self, paragraph: Any) -> str:
        """The list label of a paragraph (« Article 3 – », « 3.7. »), or empty."""
        if not self.num_ids:
            return ""
        found = paragraph_num_pr(paragraph)
        if found is None or found[0] not in self.num_ids or found[1] not in self.levels:
            return ""
        level = found[1]
        del self.counters[level + 1:]
        while len(self.counters) <= level:
            self.counters.append(self.levels[len(self.counters)][0] - 1)
        self.counters[level] += 1
        counters = self.counters
        return re.sub(r"%(\d)", lambda m: str(counters[int(m.group(1)) - 1]), self.levels[level][1])


def dump_text(docx: bytes) -> str:
    """One line per paragraph, ``[Style] text``, tables as ``| a | b |``; headers first.

    Numbered headings show the label Word computes from the articles list; a cross-reference
    shows its field's cached result.

    Used for golden files: stable across runs, readable in a diff, free of XML noise.
    """
    document = Document(io.BytesIO(docx))
    lines: list[str] = []
    for section in document.sections:
        for paragraph in section.header.paragraphs:
            if paragraph.text.strip():
                lines.append(f"[En-tête] {paragraph.text}")
    numbers = ArticleNumbers(document)
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            from docx.text.paragraph import Paragraph

            paragraph = Paragraph(child, document)
            label = numbers.label(paragraph)
            if paragraph.style is not None and paragraph.style.style_id == MARKER_STYLE[0]:
                continue  # an article's hidden number marker: nothing a reader sees
            text = f"{label} {paragraph.text}" if label else paragraph.text
            if text.strip():
                lines.append(f"[{paragraph.style.name if paragraph.style else ''}] {text}")
        elif tag == "tbl":
            from docx.table import Table

            for row in Table(child, document).rows:
                lines.append("| " + " | ".join(c.text for c in row.cells) + " |")
    return "\n".join(lines) + "\n"


def read_provenance(docx: bytes) -> dict[str, str]:
    """The clausegen provenance record stored in a document's custom properties."""
    return read_custom_properties(docx)


def pending_revisions(docx: bytes) -> dict[str, int]:
    """The body's pending tracked changes (insertions, deletions, moves, formatting changes)
    counted by author, in order of first appearance; ``ValueError`` when unreadable."""
    from clausegen.render.revisions.actualisation import REVISIONS
    from clausegen.render.writers.package import BODY_PART, read_xml_part

    root = read_xml_part(docx, BODY_PART, "corps du document : balises")
    if root is None:
        return {}
    found: dict[str, int] = {}
    for element in root.iter(*(_q(tag) for tag in sorted(REVISIONS))):
        author = element.get(_q("author")) or "(auteur inconnu)"
        found[author] = found.get(author, 0) + 1
    return found


def _lines(docx: bytes) -> tuple[list[tuple[tuple[str, int, str], bool]], list[str]]:
    """Each block's comparison key (a paragraph with pending revisions never equals one
    without) and how it reads."""
    from clausegen.render.revisions.actualisation import read_body

    blocks = read_body(docx).blocks
    shown = [(f"[Titre {b.key[1]}] " if b.key[1] else "") + b.shown for b in blocks]
    return [(b.key, b.revised) for b in blocks], shown


def readable_diff(generated: bytes, document: bytes) -> str:
    """The paragraphs added, deleted or changed between two documents, compared as
    ``actualiser`` compares them (what a save by Word or LibreOffice rewrites does not count;
    a document's pending revisions read ``[-supprimé-]``/``[+inséré+]``): each stretch of
    changes after the paragraph it follows, ``-`` generated, ``+`` document. Empty when the
    wording is the same."""
    import difflib

    old_keys, old_lines = _lines(generated)
    new_keys, new_lines = _lines(document)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before = next((old_lines[i] for i in range(i1 - 1, -1, -1) if old_lines[i].strip()), "")
        where = f"après « {before[:60]}{'…' if len(before) > 60 else ''} »" if before else "au début"
        out.append(f"@@ {where} @@")
        out += [f"- {line}" for line in old_lines[i1:i2]]
        out += [f"+ {line}" for line in new_lines[j1:j2]]
    return "".join(line + "\n" for line in out)
