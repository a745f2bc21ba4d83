"""Read a Word document of clauses (one per heading) into fragment markup.

Each heading of the highest level present starts a clause: its text is the title, what
follows until the next such heading is the body. Paragraphs, bold and italic, bulleted and
numbered lists (nested) and tables become the fragment markup (a Markdown subset, see
:mod:`clausegen.blocks`); lower headings become « ### » sub-headings. Whatever the markup
cannot carry (images, notes, fields, links, underlining, merged cells, revisions, text
before the first heading…) is kept as text where it has one and **reported with its place**,
never dropped silently.

The document is untrusted: it is read by python-docx (lxml without DTDs or entities) after
the size checks of the caller.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from lxml import etree

from clausegen.models._base import INVISIBLES, without_invisibles
from clausegen.render.readers.inspect import paragraph_num_pr
from clausegen.render.writers.numbering import W

HEADING_STYLE = re.compile(r"^(?:heading|titre)\s*(\d)$", re.IGNORECASE)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)([#>+-]|\d+(?=[.)]))")
_JINJA = re.compile(r"\{([{%#])")
EXCERPT = 40
_STYLE_DEPTH = re.compile(r"^(?:list|liste).*\s(\d)$", re.IGNORECASE)


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class Loss:
    """Something the markup cannot carry, with where it is in the Word document."""

    place: str
    what: str

    def __str__(self) -> str:
        return f"{self.place} : {self.what}"


@dataclass
class ImportedClause:
    """One clause read from the document: title, body markup, what was not representable."""

    title: str
    markup: str = ""
    losses: list[Loss] = field(default_factory=list)
    text: str = ""
    """The plain text (where figures are looked for)."""


def escape_markdown(text: str) -> str:
    """Plain text as fragment markup: Markdown and template delimiters escaped."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _JINJA.sub(lambda m: "{{ '{" + m.group(1) + "' }}", text)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[:EXCERPT].rstrip() + "…"


class _Paragraph:
    """One paragraph's markup and losses, from its XML (revisions read as accepted)."""

    def __init__(self, element: Any) -> None:
        self.pieces: list[tuple[str, bool, bool]] = []
        self.losses: list[str] = []
        self._field_depth = 0
        self._walk(element)

    def _note(self, what: str) -> None:
        if what not in self.losses:
            self.losses.append(what)

    def _walk(self, parent: Any) -> None:
        for child in parent:
            name = etree.QName(child).localname
            if name == "r":
                self._run(child)
            elif name == "hyperlink":
                self._note("lien hypertexte (texte repris, adresse perdue)")
                self._walk(child)
            elif name == "ins":
                self._note("révisions non acceptées (texte pris comme si elles l'étaient)")
                self._walk(child)
            elif name == "del":
                self._note("révisions non acceptées (texte pris comme si elles l'étaient)")
            elif name == "fldSimple":
                self._note(f"champ « {child.get(_q('instr'), '').strip()} » (remplacé par son texte)")
                self._walk(child)
            elif name in ("smartTag", "customXml", "sdt", "sdtContent"):
                self._walk(child)
            elif name == "oMath" or name == "oMathPara":
                self._note("formule mathématique (non reprise)")

    def _run(self, run: Any) -> None:
        properties = run.find(_q("rPr"))
        bold = _on(properties, "b")
        italic = _on(properties, "i")
        if properties is not None:
            underline = properties.find(_q("u"))
            if underline is not None and underline.get(_q("val"), "single") != "none":
                self._note("soulignement (non repris)")
            if _on(properties, "strike") or _on(properties, "dstrike"):
                self._note("texte barré (repris sans le barré)")
        for part in run:
            name = etree.QName(part).localname
            if name == "fldChar":
                kind = part.get(_q("fldCharType"))
                self._field_depth += 1 if kind == "begin" else -1 if kind == "end" else 0
            elif name == "instrText":
                self._note(f"champ « {(part.text or '').strip()} » (remplacé par son texte)")
            elif name == "t":
                texte = part.text or ""
                if INVISIBLES.search(texte):  # bidi overrides, zero-width spaces: never imported
                    texte = without_invisibles(texte)
                    self._note("caractère invisible ou de direction du texte (retiré)")
                self.pieces.append((texte, bold, italic))
            elif name == "tab":
                self.pieces.append((" ", bold, italic))
                self._note("tabulation (remplacée par une espace)")
            elif name == "br":
                if part.get(_q("type")) == "page":
                    self._note("saut de page (non repris)")
                else:
                    self.pieces.append(("\n", False, False))
            elif name in ("drawing", "pict", "object"):
                self._note("image ou objet (non repris)")
            elif name in ("footnoteReference", "endnoteReference"):
                self._note("appel de note (la note n'est pas reprise)")
            elif name == "commentReference":
                self._note("commentaire (non repris)")

    @property
    def text(self) -> str:
        """The plain text."""
        return "".join(p[0] for p in self.pieces)

    def markup(self) -> str:
        """Bold and italic as ``**`` and ``*``; spaces kept outside the markers."""
        groups: list[list[Any]] = []
        for text, bold, italic in self.pieces:
            if groups and groups[-1][1:] == [bold, italic] and text != "\n" and groups[-1][0] != "\n":
                groups[-1][0] += text
            else:
                groups.append([text, bold, italic])
        out = []
        for text, bold, italic in groups:
            if text == "\n":
                out.append("\\\n")
                continue
            core = text.strip()
            if not core:
                out.append(escape_markdown(text))
                continue
            marker = ("**" if bold else "") + ("*" if italic else "")
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
            out.append(f"{lead}{marker}{escape_markdown(core)}{marker[::-1]}{trail}")
        markup = "".join(out).strip()
        return _LINE_START.sub(_escape_line_start, markup)


def _escape_line_start(match: re.Match[str]) -> str:
    """« - », « # », « > », « + » or « 1. » opening a paragraph: text, not Markdown."""
    lead, mark = match.group(1), match.group(2)
    return f"{lead}{mark}\\" if mark[0].isdigit() else f"{lead}\\{mark}"


def _on(properties: Any, tag: str) -> bool:
    if properties is None:
        return False
    element = properties.find(_q(tag))
    return element is not None and element.get(_q("val"), "true") not in ("false", "0", "off")


def _heading_level(paragraph: Any) -> int | None:
    style = paragraph.style
    while style is not None:
        found = HEADING_STYLE.match(style.name or "")
        if found:
            return int(found.group(1))
        style = style.base_style
    level = paragraph._p.find(f"{_q('pPr')}/{_q('outlineLvl')}")
    if level is not None and level.get(_q("val", ), "9").isdigit() and int(level.get(_q("val"))) < 9:
        return int(level.get(_q("val"))) + 1
    return None


class _Lists:
    """Bullet or numbered, from the numbering part."""

    def __init__(self, document: Any) -> None:
        self.formats: dict[tuple[str, int], str] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        abstract = {a.get(_q("abstractNumId")): a for a in root.iter(_q("abstractNum"))}
        for num in root.iter(_q("num")):
            ref = num.find(_q("abstractNumId"))
            definition = abstract.get(ref.get(_q("val")) if ref is not None else None)
            if definition is None:
                continue
            for level in definition.iter(_q("lvl")):
                fmt = level.find(_q("numFmt"))
                self.formats[(num.get(_q("numId"), ""), int(level.get(_q("ilvl"), "0")))] = (
                    fmt.get(_q("val"), "decimal") if fmt is not None else "decimal")

    def item(self, paragraph: Any) -> tuple[bool, int] | None:
        """(ordered, depth) of a list paragraph, None for a plain one."""
        found = paragraph_num_pr(paragraph)
        if found is None or found[0] in ("", "0"):
            return None
        # « List Bullet 2 » and the like are often a separate list at level 0, indented by style.
        styled = _STYLE_DEPTH.search(paragraph.style.name or "") if paragraph.style is not None else None
        depth = max(found[1], int(styled.group(1)) - 1 if styled else 0)
        return self.formats.get(found, "decimal") not in ("bullet", "none"), depth


def _cell_markup(cell: Any, place: str, losses: list[Loss]) -> str:
    parts = []
    for element in cell:
        name = etree.QName(element).localname
        if name == "p":
            paragraph = _Paragraph(element)
            losses += [Loss(place, what) for what in paragraph.losses]
            if paragraph.text.strip():
                parts.append(paragraph.markup().replace("\\\n", " "))
        elif name == "tbl":
            losses.append(Loss(place, "tableau imbriqué dans une cellule (non repris)"))
    return " ".join(parts).replace("\n", " ")


def _table(table: Any, place: str, losses: list[Loss]) -> str:
    rows = []
    for row in table.iter(_q("tr")):
        cells = []
        for cell in row.iter(_q("tc")):
            properties = cell.find(_q("tcPr"))
            if properties is not None and (properties.find(_q("gridSpan")) is not None
                                           or properties.find(_q("vMerge")) is not None):
                loss = Loss(place, "cellules fusionnées (chaque cellule reprise séparément)")
                if loss not in losses:
                    losses.append(loss)
            cells.append(_cell_markup(cell, place, losses))
        rows.append(cells)
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def _body_elements(document: Any) -> Iterator[tuple[str, Any]]:
    from docx.text.paragraph import Paragraph

    for child in document.element.body.iterchildren():
        name = etree.QName(child).localname
        if name == "p":
            yield "p", Paragraph(child, document)
        elif name == "tbl":
            yield "tbl", child
        elif name == "sdt":
            yield "sdt", child


TYPED_NUMBER = re.compile(
    r"^(?:(?:article|art\.|chapitre|section|annexe)\s+(?:\d+(?:\.\d+)*|[ivxlc]+\b|premier\b|1er\b)\.?"
    r"|\d+(?:\.\d+)+\.?(?=\s)|\d+\.(?=\s)|\d+(?=\s*[-\u2013\u2014:)])|[ivxlc]+\.(?=\s))"
    r"\s*(?:[-\u2013\u2014:.)]\s*)?", re.IGNORECASE)
"""A number typed at the start of a heading (« Article 1 – », « 1.1 », « II. »): clausegen
numbers headings itself, so it is taken out of titles and identifiers."""


def without_typed_number(title: str) -> tuple[str, str]:
    """(title without its typed number, the number taken out — empty when there was none)."""
    found = TYPED_NUMBER.match(title)
    if found is None or not title[found.end():].strip():
        return title, ""
    return title[found.end():].strip(), found.group(0).strip()


def _title(text: str, place: str, losses: list[Loss]) -> str:
    title, number = without_typed_number(" ".join(text.split()))
    if number:
        losses.append(Loss(place, f"numéro saisi « {number} » retiré du titre « {title} » "
                              "(clausegen numérote les titres)"))
    return title


def read_clauses(docx: bytes, source: str) -> tuple[list[ImportedClause], list[Loss]]:
    """The clauses of a Word document (one per top-level heading) and what lies outside them."""
    document = Document(io.BytesIO(docx))
    lists = _Lists(document)
    elements = list(_body_elements(document))
    levels = [lvl for kind, e in elements if kind == "p" and (lvl := _heading_level(e)) is not None]
    outside: list[Loss] = []
    if not levels:
        return [], [Loss(f"« {source} »", "aucun titre : une clause par titre (style Titre 1, 2…) attendue")]
    top = min(levels)
    clauses: list[ImportedClause] = []
    chunks: list[str] = []
    previous_list = False
    counters: dict[int, tuple[bool, int]] = {}
    for index, (kind, element) in enumerate(elements, start=1):
        clause = clauses[-1] if clauses else None
        place = (f"clause « {clause.title} », bloc {index}" if clause
                 else f"« {source} », bloc {index}")
        if kind == "sdt":
            (clause.losses if clause else outside).append(Loss(place, "contrôle de contenu (non repris)"))
            continue
        if kind == "tbl":
            if clause is None:
                outside.append(Loss(place, "tableau avant le premier titre (non importé)"))
                continue
            chunks.append(_table(element, place, clause.losses))
            clause.text += " " + " ".join("".join(t.itertext()) for t in element.iter(_q("t")))
            previous_list = False
            continue
        paragraph = _Paragraph(element._p)
        level = _heading_level(element)
        if level == top:
            if clause is not None:
                clause.markup = _join(chunks)
            fresh = ImportedClause(title="")
            fresh.title = _title(paragraph.text, f"« {source} », bloc {index}", fresh.losses)
            clauses.append(fresh)
            chunks, previous_list, counters = [], False, {}
            continue
        if not paragraph.text.strip():
            if paragraph.losses and clause is not None:
                clause.losses += [Loss(place, what) for what in paragraph.losses]
            continue
        if clause is None:
            outside.append(Loss(f"« {source} », bloc {index}", "texte avant le premier titre "
                                f"(non importé) : « {_excerpt(paragraph.text)} »"))
            continue
        clause.losses += [Loss(f"{place} « {_excerpt(paragraph.text)} »", what) for what in paragraph.losses]
        if level is not None:
            chunks.append("### " + escape_markdown(_title(paragraph.text, place, clause.losses)))
            previous_list = False
            continue
        item = lists.item(element)
        if item is None:
            chunks.append(paragraph.markup())
            clause.text += " " + paragraph.text
            previous_list = False
            continue
        ordered, depth = item
        if not previous_list:
            counters = {}
        counters = {d: c for d, c in counters.items() if d <= depth}
        was_ordered, count = counters.get(depth, (ordered, 0))
        new_list = was_ordered != ordered  # a numbered list right after a bulleted one (or back)
        counters[depth] = (ordered, 1 if new_list else count + 1)
        marker = f"{counters[depth][1]}." if ordered else "-"
        line = "   " * depth + f"{marker} {paragraph.markup()}"
        if previous_list and not (new_list and depth == 0):
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
        previous_list = True
        clause.text += " " + paragraph.text
    if clauses:
        clauses[-1].markup = _join(chunks)
    return clauses, outside


def _join(chunks: list[str]) -> str:
    return "\n\n".join(c for c in chunks if c.strip()) + "\n"
