"""Word-maintained numbering: a multilevel list bound to the heading styles, bookmarks, REF fields.

Articles and sections are numbered by one list (``w:abstractNum`` named
:data:`LIST_NAME`) whose levels are bound to the styles Heading 1 and Heading 2; its level
texts are the labels of :data:`clausegen.blocks.LEVEL_LABELS` (« Article %1 – », « %1.%2. »).
Each numbered heading carries a bookmark ``_Ref<anchor>`` (Word's own prefix for hidden
cross-reference bookmarks). A reference to a section is a complex field
``REF _Ref<anchor> \\w \\t \\h`` whose cached result is the current number (« 4.6 »).

A reference to a whole article cannot point at its heading: LibreOffice (7.4 at least) ignores
``\\t`` and keeps a level's prefix in every number format, so it would read « l'article
Article 4 – » (and, once saved by LibreOffice, Word too). Each article therefore has a
*number marker*: an empty, hidden paragraph of the style :data:`MARKER_STYLE` bound to the
list's third level, whose label is « %1. » (the article's number, nothing else). It sits
after the article's first section heading, or after the article heading when there is none
(never between an article and its first section: LibreOffice would count a phantom section).
The reference is ``REF _Ref<anchor>n \\n \\h`` (number without trailing period): « 4 » in
Word, in LibreOffice, after an update, after a save in LibreOffice. In every case the text
reads right before any update, and after the buyer inserts an article Word or LibreOffice
renumbers headings and references together.

The list is added to the skeleton's ``numbering.xml`` (created when missing) and the two
heading styles are bound to it in ``styles.xml``; the first article's number is the
list's start value (a chapter starting at article N). Skeletons are untrusted: parsed
without DTDs, entities or network.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from lxml import etree

from clausegen.blocks import LEVEL_LABELS, Block, Heading, TableOfContents
from clausegen.render.writers.package import escape, with_override, with_relationship

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSW = f'xmlns:w="{W}"'
LIST_NAME = "clausegen-articles"
BOUND_STYLES = ("heading 1", "heading 2")
NUMBERING_PART = "word/numbering.xml"
STYLES_PART = "word/styles.xml"
NUMBERING_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"
NUMBERING_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
REF_SWITCHES = r"\w \t \h"
"""Full-context number (« 3.7 »), non-numeric text of the label suppressed (« Article »), hyperlink."""
ARTICLE_REF_SWITCHES = r"\n \h"
"""Number of an article's marker (« 4 », without the label's trailing period), hyperlink."""
MARKER_STYLE = ("ClausegenNumeroArticle", "clausegen numéro d'article")
"""(style id, name) of the hidden paragraphs that carry each article's bare number."""
MARKER_LEVEL = 2
MARKER_LEVEL_TEXT = "%1."
_MARKER_ID_OFFSET = 0x10000000
TOC_STYLES = (("TOC1", "toc 1", 0), ("TOC2", "toc 2", 220))
_PPR_BEFORE_NUMPR = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl")
_STYLE_BEFORE_PPR = ("name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden",
                     "uiPriority", "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal",
                     "personalCompose", "personalReply", "rsid")
T = TypeVar("T")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          remove_blank_text=False)


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def level_text(pattern: str) -> str:
    """A :data:`LEVEL_LABELS` pattern as a Word level text (``{1}`` → ``%1``)."""
    return re.sub(r"\{(\d)\}", r"%\1", pattern)


def start_number(blocks: Sequence[Block]) -> int | None:
    """The number of the first article when the blocks have numbered headings, else None."""
    for block in blocks:
        if isinstance(block, Heading) and block.label and block.number:
            return int(block.number.split(".")[0]) if block.level == 1 else 1
    return None


# --- body XML -----------------------------------------------------------------------------------


def bookmark_name(anchor: str) -> str:
    """Word bookmark of a heading anchor (hidden, as Word names its cross-reference targets)."""
    return f"_Ref{anchor}"


def bookmark_id(anchor: str) -> int:
    """A stable bookmark id from the anchor (the same heading keeps its id from run to run)."""
    return int(anchor[:7], 16)


def bookmark_start(anchor: str) -> str:
    """``w:bookmarkStart`` of a heading."""
    return f'<w:bookmarkStart w:id="{bookmark_id(anchor)}" w:name="{bookmark_name(anchor)}"/>'


def bookmark_end(anchor: str) -> str:
    """``w:bookmarkEnd`` of a heading."""
    return f'<w:bookmarkEnd w:id="{bookmark_id(anchor)}"/>'


def marker_bookmark_name(anchor: str) -> str:
    """Bookmark of an article's number marker."""
    return f"{bookmark_name(anchor)}n"


def marker_xml(anchor: str) -> str:
    """The number marker of an article: empty, hidden, no height, bookmarked.

    Its numbering comes from :data:`MARKER_STYLE` (bound to the list's third level); the
    direct formatting keeps it hidden even where a skeleton lacks the style.
    """
    mark = bookmark_id(anchor) + _MARKER_ID_OFFSET
    return (f'<w:p><w:pPr><w:pStyle w:val="{MARKER_STYLE[0]}"/><w:keepNext/>'
            '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
            '<w:rPr><w:vanish/><w:sz w:val="2"/></w:rPr></w:pPr>'
            f'<w:bookmarkStart w:id="{mark}" w:name="{marker_bookmark_name(anchor)}"/>'
            f'<w:bookmarkEnd w:id="{mark}"/></w:p>')


def marker_positions(blocks: Sequence[Block]) -> dict[int, str]:
    """Index of the block after which each article's number marker goes → the article's anchor.

    After the article's first numbered section heading, else after the article heading.
    """
    positions: dict[int, str] = {}
    pending: tuple[int, str] | None = None
    for index, block in enumerate(blocks):
        if not (isinstance(block, Heading) and block.label and block.anchor and block.level <= 2):
            continue
        if block.level == 2 and pending is not None:
            positions[index] = pending[1]
            pending = None
        elif block.level == 1:
            if pending is not None:
                positions[pending[0]] = pending[1]
            pending = (index, block.anchor)
    if pending is not None:
        positions[pending[0]] = pending[1]
    return positions


def is_article_number(cached: str) -> bool:
    """Whether a reference's current value is a whole article's number (« 4 », not « 4.6 »)."""
    return cached.isdigit()


NO_NUMBERING = '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr>'
"""An unnumbered Heading 1/2 (letters, unnumbered canevas): the style's list is switched off."""


def ref_field(anchor: str, cached: str, run_properties: str) -> str:
    """The runs of a ``REF`` field to a heading, with ``cached`` as its current result."""
    rpr = f"<w:rPr>{run_properties}</w:rPr>" if run_properties else ""
    target, switches = ((marker_bookmark_name(anchor), ARTICLE_REF_SWITCHES) if is_article_number(cached)
                        else (bookmark_name(anchor), REF_SWITCHES))
    return (f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r>{rpr}<w:instrText xml:space="preserve"> REF {target} '
            f"{switches} </w:instrText></w:r>"
            f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
            f"<w:r>{rpr}<w:t>{escape(cached)}</w:t></w:r>"
            f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>')


TOC_INSTRUCTION = r' TOC \o "1-2" \h \z \u '
"""Headings of levels 1 and 2, hyperlinked entries, no page numbers in Web view, outline levels."""


@dataclass(frozen=True)
class TocStyles:
    """Style ids of the table of contents in a skeleton (TOC 1/2 added by :func:`styles_xml`)."""

    title: str | None
    levels: tuple[str, str]


def _paragraph_styles(styles: bytes | etree._Element) -> dict[str, etree._Element]:
    """Paragraph styles by lower-case name (the first of a name wins, as in Word)."""
    root = etree.fromstring(styles, _PARSER) if isinstance(styles, bytes) else styles
    found: dict[str, etree._Element] = {}
    for style in root.iter(_w("style")):
        name = style.find(_w("name"))
        if style.get(_w("type")) == "paragraph" and name is not None:
            found.setdefault(name.get(_w("val"), "").lower(), style)
    return found


def toc_styles(styles: bytes) -> TocStyles:
    """The ids of the styles « TOC Heading », « toc 1 », « toc 2 » (Word's names, any language);
    the prepared skeleton keeps them (:attr:`clausegen.render.writers.fast.PreparedSkeleton.toc_styles`)."""
    found = {name: style.get(_w("styleId"), "") for name, style in _paragraph_styles(styles).items()}
    levels = tuple(found.get(name, style_id) for style_id, name, _ in TOC_STYLES)
    return TocStyles(title=found.get("toc heading"), levels=(levels[0], levels[1]))


def toc_xml(toc: TableOfContents, styles: TocStyles, run: Callable[[str], str]) -> str:
    """The table of contents: its title, then a ``TOC`` field whose cached result lists the
    headings, each a hyperlink to its bookmark (page numbers come with Word's first update).

    ``run`` writes the text of one run (``w:t`` with the right spaces).
    """
    title_style = f'<w:pStyle w:val="{escape(styles.title)}"/>' if styles.title else ""
    out = [f"<w:p><w:pPr>{title_style}{NO_NUMBERING}</w:pPr><w:r>{run(toc.title)}</w:r></w:p>"]
    begin = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
             f'<w:r><w:instrText xml:space="preserve">{TOC_INSTRUCTION}</w:instrText></w:r>'
             '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
    for index, entry in enumerate(toc.entries):
        style = styles.levels[min(entry.level, 2) - 1]
        text = f"<w:r>{run(entry.full_text)}</w:r>"
        if entry.anchor:
            text = f'<w:hyperlink w:anchor="{bookmark_name(entry.anchor)}" w:history="1">{text}</w:hyperlink>'
        out.append(f'<w:p><w:pPr><w:pStyle w:val="{escape(style)}"/></w:pPr>'
                   f"{begin if index == 0 else ''}{text}</w:p>")
    end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    if toc.entries:
        out[-1] = out[-1][:-len("</w:p>")] + end + "</w:p>"
    else:
        out.append(f"<w:p>{begin}{end}</w:p>")
    return "".join(out)


# --- package parts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListIds:
    """The list's ids in a skeleton's numbering part (after the skeleton's own lists)."""

    abstract_id: int
    num_id: int


def list_ids(numbering: bytes | None) -> ListIds:
    """Ids for the articles list that the skeleton's numbering part does not use yet."""
    if numbering is None:
        return ListIds(1, 1)
    root = etree.fromstring(numbering, _PARSER)
    abstract = [int(e.get(_w("abstractNumId"), "0")) for e in root.iter(_w("abstractNum"))]
    nums = [int(e.get(_w("numId"), "0")) for e in root.iter(_w("num"))]
    return ListIds(max(abstract, default=0) + 1, max(nums, default=0) + 1)


def _abstract_num(ids: ListIds, start: int, style_ids: Sequence[str]) -> str:
    levels = []
    for level, (pattern, style) in enumerate(zip(LEVEL_LABELS, style_ids, strict=True)):
        first = start if level == 0 else 1
        levels.append(f'<w:lvl w:ilvl="{level}"><w:start w:val="{first}"/><w:numFmt w:val="decimal"/>'
                      f'<w:pStyle w:val="{escape(style)}"/><w:suff w:val="space"/>'
                      f'<w:lvlText w:val="{escape(level_text(pattern))}"/><w:lvlJc w:val="left"/>'
                      '<w:pPr><w:ind w:left="0" w:firstLine="0"/></w:pPr></w:lvl>')
    levels.append(f'<w:lvl w:ilvl="{MARKER_LEVEL}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
                  f'<w:pStyle w:val="{MARKER_STYLE[0]}"/><w:suff w:val="nothing"/>'
                  f'<w:lvlText w:val="{MARKER_LEVEL_TEXT}"/><w:lvlJc w:val="left"/>'
                  '<w:pPr><w:ind w:left="0" w:firstLine="0"/></w:pPr><w:rPr><w:vanish/></w:rPr></w:lvl>')
    return (f'<w:abstractNum {NSW} w:abstractNumId="{ids.abstract_id}">'
            f'<w:multiLevelType w:val="multilevel"/><w:name w:val="{LIST_NAME}"/>'
            f'{"".join(levels)}</w:abstractNum>')


def numbering_xml(numbering: bytes | None, ids: ListIds, start: int, style_ids: Sequence[str]) -> bytes:
    """The numbering part with the articles list added (a new part when there was none)."""
    if numbering is None:
        numbering = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     f"<w:numbering {NSW}/>").encode()
    root = etree.fromstring(numbering, _PARSER)
    abstract = etree.fromstring(_abstract_num(ids, start, style_ids), _PARSER)
    num = etree.fromstring(f'<w:num {NSW} w:numId="{ids.num_id}">'
                           f'<w:abstractNumId w:val="{ids.abstract_id}"/></w:num>', _PARSER)
    existing = root.findall(_w("abstractNum"))
    if existing:
        existing[-1].addnext(abstract)
    else:
        pictures = root.findall(_w("numPicBullet"))
        if pictures:
            pictures[-1].addnext(abstract)
        else:
            root.insert(0, abstract)
    nums = root.findall(_w("num"))
    (nums[-1] if nums else abstract).addnext(num)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _insert_ordered(parent: etree._Element, child: etree._Element, before: Sequence[str]) -> None:
    """Insert ``child`` after the last of the children named in ``before`` (schema order)."""
    index = 0
    for position, existing in enumerate(parent):
        if etree.QName(existing).localname in before:
            index = position + 1
    parent.insert(index, child)


def heading_style_ids(styles: bytes) -> list[str] | None:
    """Style ids of Heading 1 and Heading 2 in a styles part (None when one is missing)."""
    found = {name: style.get(_w("styleId"), "") for name, style in _paragraph_styles(styles).items()}
    ids = [found.get(name) for name in BOUND_STYLES]
    return None if None in ids else [i for i in ids if i]


def styles_xml(styles: bytes, ids: ListIds) -> bytes:
    """The styles part with Heading 1/2 bound to the list and TOC 1/2 defined if missing."""
    root = etree.fromstring(styles, _PARSER)
    names = _paragraph_styles(root)
    for level, name in enumerate(BOUND_STYLES):
        style = names[name]
        ppr = style.find(_w("pPr"))
        if ppr is None:
            ppr = etree.SubElement(style, _w("pPr"))
            style.remove(ppr)
            _insert_ordered(style, ppr, _STYLE_BEFORE_PPR)
        for old in ppr.findall(_w("numPr")):
            ppr.remove(old)
        num_pr = etree.fromstring(f'<w:numPr {NSW}><w:ilvl w:val="{level}"/>'
                                  f'<w:numId w:val="{ids.num_id}"/></w:numPr>', _PARSER)
        _insert_ordered(ppr, num_pr, _PPR_BEFORE_NUMPR)
    normal = names["normal"].get(_w("styleId")) if "normal" in names else "Normal"
    if MARKER_STYLE[1] not in names:
        root.append(etree.fromstring(
            f'<w:style {NSW} w:type="paragraph" w:customStyle="1" w:styleId="{MARKER_STYLE[0]}">'
            f'<w:name w:val="{escape(MARKER_STYLE[1])}"/><w:basedOn w:val="{normal}"/><w:hidden/>'
            '<w:uiPriority w:val="99"/><w:semiHidden/><w:pPr><w:keepNext/>'
            f'<w:numPr><w:ilvl w:val="{MARKER_LEVEL}"/><w:numId w:val="{ids.num_id}"/></w:numPr>'
            '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/></w:pPr>'
            '<w:rPr><w:vanish/><w:sz w:val="2"/></w:rPr></w:style>', _PARSER))
    for style_id, name, indent in TOC_STYLES:
        if name not in names:
            root.append(etree.fromstring(
                f'<w:style {NSW} w:type="paragraph" w:styleId="{style_id}"><w:name w:val="{name}"/>'
                f'<w:basedOn w:val="{normal}"/>'
                '<w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>'
                f'<w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="9350"/></w:tabs>'
                f'<w:spacing w:after="40" w:line="240" w:lineRule="auto"/>'
                f'<w:ind w:left="{indent}"/></w:pPr></w:style>', _PARSER))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


@lru_cache(maxsize=32)
def numbered_parts(styles: bytes, numbering: bytes | None, start: int) -> dict[str, bytes]:
    """The parts to replace (styles, numbering) for a document numbered from ``start``.

    Empty when the skeleton lacks Heading 1 or Heading 2 (its headings then stay unnumbered).
    """
    style_ids = heading_style_ids(styles)
    if style_ids is None:
        return {}
    ids = list_ids(numbering)
    return {STYLES_PART: styles_xml(styles, ids),
            NUMBERING_PART: numbering_xml(numbering, ids, start, style_ids)}


DOCUMENT_RELS = "word/_rels/document.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"
RAW_PARTS = (STYLES_PART, NUMBERING_PART, DOCUMENT_RELS, CONTENT_TYPES)
"""Parts whose uncompressed bytes numbering needs (Word 2010's ``stylesWithEffects.xml`` is
dropped when packaging: see :data:`clausegen.render.writers.package.STALE_CONTENT_TYPES`)."""


def replacements(raw: Mapping[str, bytes], start: int) -> dict[str, bytes]:
    """Parts to replace or add so that the headings are numbered from ``start`` (the prepared
    skeleton keeps them deflated: :func:`clausegen.render.writers.fast.numbered_parts`)."""
    if STYLES_PART not in raw:
        return {}
    replaced = dict(numbered_parts(raw[STYLES_PART], raw.get(NUMBERING_PART), start))
    if replaced and NUMBERING_PART not in raw:
        if DOCUMENT_RELS in raw:
            replaced[DOCUMENT_RELS] = with_relationship(raw[DOCUMENT_RELS], "rIdClausegenNumbering",
                                                        NUMBERING_REL, "numbering.xml")
        if CONTENT_TYPES in raw:
            replaced[CONTENT_TYPES] = with_override(raw[CONTENT_TYPES], NUMBERING_PART, NUMBERING_CT)
    return replaced


def apply(parts: Sequence[tuple[str, T]], replaced: Mapping[str, T]) -> list[tuple[str, T]]:
    """The package parts with the replaced ones (a new numbering part goes last)."""
    out = [(name, replaced.get(name, content)) for name, content in parts]
    names = {name for name, _ in parts}
    out += [(name, content) for name, content in replaced.items() if name not in names]
    return out
