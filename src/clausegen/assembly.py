"""Assemble a piece: canevas + library + dossier context → numbered blocks and provenance.

Gather, validate, then write: the whole document is built in memory (conditions,
numbering, version resolution, cross-references, rendering of every fragment) before
anything touches Word. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clausegen.blocks import (
    REF_CLOSE,
    REF_MARK,
    REF_OPEN,
    Block,
    Heading,
    PageBreak,
    TableOfContents,
    heading_label,
    parse_blocks,
    reference_mark,
)
from clausegen.errors import CrossReferenceError
from clausegen.library.index import Library
from clausegen.models.fragment import ArticleSpec, Canevas, Fragment, SectionSpec, Statut
from clausegen.templating import (
    Raw,
    evaluate_condition,
    render_text,
    rendering_session,
)
from clausegen.text.french import typographie

DASH = "\u2013"
TOC_TITLE = "Sommaire"
BEFORE = ":debut"
"""Suffix of an ``inserts`` key whose blocks go before the article's fragments."""


@dataclass(frozen=True)
class UsedFragment:
    """Provenance of one fragment version that went into a document."""

    id: str
    version: str
    sha256: str
    statut: str
    layer: str

    @property
    def ref(self) -> str:
        """``id@version``."""
        return f"{self.id}@{self.version}"


@dataclass(frozen=True)
class AssembledDocument:
    """A piece ready to render."""

    piece: str
    titre: str
    sigle: str
    modele: str
    blocks: tuple[Block, ...]
    fragments: tuple[UsedFragment, ...]

    @property
    def is_draft(self) -> bool:
        """True when a fragment that is not ``valide`` went in."""
        return any(f.statut != Statut.valide.value for f in self.fragments)


@dataclass(frozen=True)
class _Section:
    number: str
    title: str
    key: str
    fragments: tuple[Fragment, ...]


@dataclass(frozen=True)
class _Article:
    number: str
    spec: ArticleSpec
    intro: tuple[Fragment, ...]
    sections: tuple[_Section, ...]


def _included(condition: str | None, context: Mapping[str, Any], where: str) -> bool:
    """A condition's value (no condition: included)."""
    if condition is None:
        return True
    return evaluate_condition(condition, context, where=where)


def _plan(canevas: Canevas, library: Library, context: Mapping[str, Any],
          allow_drafts: bool, premier_article: int = 1) -> list[_Article]:
    """Apply conditions, number articles (from ``premier_article``) and sections, resolve
    fragment versions."""
    def resolve(ids: list[str]) -> tuple[Fragment, ...]:
        return tuple(library.resolve(i, allow_drafts=allow_drafts) for i in ids)

    articles: list[_Article] = []
    for spec in canevas.articles:
        if not _included(spec.condition, context, f"canevas {canevas.piece} / {spec.cle}"):
            continue
        number = str(sum(1 for a in articles if a.spec.numerote) + premier_article) if spec.numerote else ""
        sections: list[_Section] = []
        for section in spec.sections:
            if not _included(section.condition, context, f"canevas {canevas.piece} / {spec.cle}"):
                continue
            sections.append(_section(section, f"{number}.{len(sections) + 1}", resolve))
        articles.append(_Article(number, spec, resolve(spec.fragments), tuple(sections)))
    return articles


def _section(spec: SectionSpec, number: str,
             resolve: Callable[[list[str]], tuple[Fragment, ...]]) -> _Section:
    fragments = resolve(spec.fragments)
    title = spec.titre or fragments[0].meta.titre
    return _Section(number, title, spec.cle or spec.fragments[0], fragments)


def _numbers(articles: list[_Article]) -> dict[str, str]:
    numbers: dict[str, str] = {}
    for article in (a for a in articles if a.spec.numerote):  # an unnumbered one is never cited
        numbers[article.spec.cle] = article.number
        for fragment in article.intro:
            numbers.setdefault(fragment.meta.id, article.number)
        for section in article.sections:
            numbers[section.key] = section.number
            for fragment in section.fragments:
                numbers.setdefault(fragment.meta.id, section.number)
    return numbers


def anchor(key: str) -> str:
    """The anchor of the heading of an article or section key (stable, short, [0-9a-f])."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def _anchors(articles: list[_Article]) -> dict[str, str]:
    """Every key (article, section, fragment) → the anchor of the heading carrying its number."""
    anchors: dict[str, str] = {}
    for article in (a for a in articles if a.spec.numerote):
        anchors[article.spec.cle] = anchor(article.spec.cle)
        for fragment in article.intro:
            anchors.setdefault(fragment.meta.id, anchors[article.spec.cle])
        for section in article.sections:
            anchors[section.key] = anchor(section.key)
            for fragment in section.fragments:
                anchors.setdefault(fragment.meta.id, anchors[section.key])
    return anchors


def _derogations(articles: list[_Article], context: Mapping[str, Any],
                 ) -> list[dict[str, str]]:
    """Every CCAG derogation made by an included fragment, with the article making it."""
    found: list[dict[str, str]] = []
    for article in articles:
        located = [(article.number, f) for f in article.intro]
        located += [(s.number, f) for s in article.sections for f in s.fragments]
        for number, fragment in located:
            for derogation in fragment.meta.derogations_ccag:
                if not _included(derogation.condition, context, fragment.meta.id):
                    continue
                found.append({"article": number, "cle": derogation.cle,
                              "objet": derogation.objet})
    return found


def _rendered(fragment: Fragment, context: Mapping[str, Any],
              numbers: Mapping[str, str], anchors: Mapping[str, str]) -> list[Block]:
    def article(key: str) -> Raw:
        if key not in numbers:
            raise CrossReferenceError(key=key, fragment_id=fragment.meta.id, known=list(numbers))
        if key in anchors:
            return Raw(reference_mark(numbers[key], anchors[key]))
        return Raw(numbers[key])

    markup = render_text(fragment.body, {**context, "article": article},
                         fragment_id=fragment.meta.id, path=fragment.path,
                         first_line=fragment.body_line)
    return parse_blocks(without_forged_references(markup, set(anchors.values())))


def without_forged_references(markup: str, anchors: set[str]) -> str:
    """The markup without reference marks that ``article()`` did not make (a dossier value
    holding the private-use marks would otherwise become a field to a missing bookmark)."""
    if REF_OPEN not in markup and REF_CLOSE not in markup:
        return markup
    kept = REF_MARK.sub(lambda m: m.group(0) if m.group(2) in anchors else m.group(1), markup)
    spans = [m.span() for m in REF_MARK.finditer(kept)]
    out, position = [], 0
    for start, end in spans:
        out.append(kept[position:start].replace(REF_OPEN, "").replace(REF_CLOSE, ""))
        out.append(kept[start:end])
        position = end
    out.append(kept[position:].replace(REF_OPEN, "").replace(REF_CLOSE, ""))
    return "".join(out)


def _heading(level: int, number: str, title: str, numbered: bool, key: str) -> Heading:
    if not numbered:
        return Heading(level=level, text=typographie(title))
    return Heading(level=level, text=typographie(title), number=number,
                   label=heading_label(number), anchor=anchor(key))


def article_numbers(canevas: Canevas, library: Library, context: Mapping[str, Any], *,
                    allow_drafts: bool = False, premier_article: int = 1) -> dict[str, str]:
    """The number of every article, section and fragment key of a piece (for letters citing it)."""
    return _numbers(_plan(canevas, library, context, allow_drafts, premier_article))


def assemble(canevas: Canevas, library: Library, context: Mapping[str, Any], *,
             allow_drafts: bool = False,
             inserts: Mapping[str, Sequence[Block]] | None = None,
             premier_article: int = 1, sommaire: bool | None = None) -> AssembledDocument:
    """Build the numbered blocks of a piece and the list of fragment versions used.

    Articles are numbered from ``premier_article`` (a chapter of a buyer's own CCAP); the
    numbered headings carry an anchor, and ``article('…')`` becomes a cross-reference to it.
    ``sommaire`` (default: the canevas's) puts a table of contents first (not in a chapter).

    ``inserts`` maps an article or section key of the canevas to computed blocks (tables,
    charts, letter headers) placed after that article's or section's fragments; an article
    key followed by ``:debut`` places them after its title, before its fragments.
    ``premier_article`` is the number of the first article (a chapter inserted into the
    buyer's own CCAP starts at its number); cross-references follow it.
    Every condition and fragment renders within one :func:`rendering_session`.
    """
    with rendering_session():
        return _assemble(canevas, library, context, allow_drafts, inserts or {}, premier_article,
                         sommaire)


def _assemble(canevas: Canevas, library: Library, context: Mapping[str, Any], allow_drafts: bool,
              inserts: Mapping[str, Sequence[Block]], premier_article: int,
              sommaire: bool | None) -> AssembledDocument:
    articles = _plan(canevas, library, context, allow_drafts, premier_article)
    numbers = _numbers(articles)
    numbered = canevas.numerotation
    anchors = _anchors(articles) if canevas.titres and numbered else {}
    full_context = {**context, "piece": canevas.piece,
                    "derogations": _derogations(articles, context)}
    blocks: list[Block] = []
    used: dict[str, Fragment] = {}
    for article in articles:
        if canevas.titres:
            blocks.append(_heading(1, article.number, article.spec.titre,
                                   numbered and article.spec.numerote, article.spec.cle))
        blocks += inserts.get(article.spec.cle + BEFORE, ())
        for fragment in article.intro:
            blocks += _rendered(fragment, full_context, numbers, anchors)
            used[fragment.ref] = fragment
        blocks += inserts.get(article.spec.cle, ())
        for section in article.sections:
            if canevas.titres:
                blocks.append(_heading(2, section.number, section.title, numbered, section.key))
            for fragment in section.fragments:
                blocks += _rendered(fragment, full_context, numbers, anchors)
                used[fragment.ref] = fragment
            blocks += inserts.get(section.key, ())
    if canevas.sommaire if sommaire is None else sommaire:
        entries = tuple(b for b in blocks if isinstance(b, Heading) and b.label)
        blocks[0:0] = [TableOfContents(title=TOC_TITLE, entries=entries), PageBreak()]
    provenance = tuple(
        UsedFragment(f.meta.id, f.meta.version, f.sha256, _recorded_status(f), f.layer)
        for f in sorted(used.values(), key=lambda f: f.ref)
    )
    return AssembledDocument(piece=canevas.piece, titre=canevas.titre, sigle=canevas.sigle,
                             modele=canevas.modele, blocks=tuple(blocks), fragments=provenance)


def _recorded_status(fragment: Fragment) -> str:
    """The status recorded in provenance: a « valide » version without review (usable only
    with --brouillon) is recorded as such, so the document is a draft (PROJET)."""
    if fragment.meta.statut is Statut.valide and fragment.meta.revue is None:
        return "valide_sans_revue"
    return fragment.meta.statut.value
