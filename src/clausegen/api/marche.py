"""The buyer's facade: dossiers, feasibility, CCAP and CCTP, in memory (re-exported by
:mod:`clausegen.api`).

- :func:`read_dossier` / :func:`read_dossier_text`: a dossier file (or its text) validated, with
  its hash; :func:`validate_dossier` and :func:`dump_brouillon`: a draft typed in a form, both
  ways; :func:`dump_dossier`: the dossier file's text;
- :func:`check_faisabilite`, :func:`assess_marche`, :func:`assess_brouillon`,
  :func:`suited_or_forced`: the verdict;
- :func:`render_pieces`: CCAP and CCTP (or the chapter) as :class:`TenderPiece` objects, with
  their HTML preview; :func:`render_brouillon`: the same from a draft, with the file's text;
- :func:`render_piece`: the engine every facade shares (one piece's bytes and its assembly).

Nothing here writes a file: the command line writes the bytes (:mod:`clausegen.cli.acheteur`),
the web application stores them (:mod:`clausegen.db.store`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from pydantic import BaseModel, ValidationError

from clausegen import __version__
from clausegen.api.piece import RenderedPiece
from clausegen.assembly import AssembledDocument, assemble
from clausegen.blocks import Block, Heading, Paragraph, Run, TableOfContents, block_texts
from clausegen.context import a_completer, ccag_functions, dossier_ccag_table, dossier_context
from clausegen.domain.ccap_complet import administratif_problems, missing_fields, unknown_ccag_keys
from clausegen.domain.faisabilite import Avis, Faisabilite, Verdict, assess_dossier, assess_faisabilite
from clausegen.dossier_file import canonical_decimal, parse_dossier
from clausegen.dossier_file import dump_dossier as _dump_dossier
from clausegen.errors import DossierError, FieldProblem, InputFileError, NotSuitedError, SuiviInputError
from clausegen.library import Library, load_library
from clausegen.library.loader import library_files
from clausegen.library.overlays import overlay_roots
from clausegen.models._base import label
from clausegen.models.administratif import Administratif
from clausegen.models.dispositifs import ClauseInsertionSeule, MarcheSubsequent, Reservation
from clausegen.models.dossier import ClauseInsertion, Dossier, Forme, Marche
from clausegen.output import note_input
from clausegen.render.writers.package import with_dossier_part
from clausegen.render.writers.skeleton import check_skeleton
from clausegen.render.writers.word import DocumentProperties, render_docx
from clausegen.resources import library_dir, templates_dir
from clausegen.text.french import duree_mois, typographie
from clausegen.yaml_files import read_bytes, read_text

if TYPE_CHECKING:
    from clausegen.render.converters.converter import Converter

DRAFT_MARK = "PROJET \u2014 clauses non validées"
FORCED_MARK = "Établi malgré un verdict de faisabilité « non adapté »"
"""Cover mark of a forced piece (the first page of the body gives the reasons)."""
PLAN_MENTION = (
    "Marché comportant un plan de progrès en matière sociale, condition d'exécution "
    "prévue à l'article L. 2112-2 du code de la commande publique"
)
INSERTION_MENTION = (
    "Marché comportant une clause d'insertion, condition d'exécution prévue à l'article "
    "L. 2112-2 du code de la commande publique"
)
INSERTION_PIECES = {"ccap": "ccap_insertion", "ccap_chapitre": "ccap_insertion",
                    "cctp": "cctp_insertion"}
"""The canevas a tender piece uses when the dossier carries the insertion clause alone. Its
CCAP is a chapter to insert into the buyer's own CCAP (a works CCAP is the maître d'œuvre's
and the buyer's; legal review of 7 December 2026, B1 and NM10), with or without --chapitre."""


TENDER_PIECES = frozenset({"ccap", "cctp", "ccap_chapitre", "cctp_chapitre"})
"""The consultation pieces: what bidders priced, so award data never changes them."""

AWARD_FIELDS: dict[str, Any] = {"titulaire": True, "plans": True, "bilans": True, "bilan_final": True,
                                "marches_subsequents": True, "marche": {"date_notification"}}
"""Dossier fields filled after award (excluded from what a tender piece records): the subsequent
contracts of an accord-cadre, each with its titulaire, notification, plans and bilans, too; the
final bilan of the insertion clause alone."""


def piece_name(piece: str, *, chapitre: bool) -> str:
    """The piece asked for: ``ccap`` or, for the chapter alone, ``ccap_chapitre``."""
    return f"{piece}_chapitre" if chapitre else piece


@dataclass(frozen=True)
class LoadedDossier:
    """A validated dossier with the hash of its file (for provenance)."""

    dossier: Dossier
    path: Path
    sha256: str
    _consultation: str = field(default="", init=False, compare=False, repr=False)
    """:attr:`consultation_json` once known (not copied by ``dataclasses.replace``, so a
    dossier changed in memory gets its own)."""

    @property
    def consultation_json(self) -> str:
        """The dossier without its award data, as canonical JSON (what a tender piece depends
        on and carries for ``actualiser``)."""
        if not self._consultation:
            object.__setattr__(self, "_consultation", consultation_json(self.dossier))
        return self._consultation

    @property
    def consultation_sha256(self) -> str:
        """Hash of the dossier without its award data (what a tender piece depends on)."""
        return hashlib.sha256(self.consultation_json.encode("utf-8")).hexdigest()

    def recorded_sha256(self, piece: str) -> str:
        """The dossier hash a piece records: consultation data only for a tender piece."""
        return self.consultation_sha256 if piece in TENDER_PIECES else self.sha256


def consultation_json(dossier: Dossier) -> str:
    """The dossier without its award data, as canonical JSON (sorted keys; what a tender piece
    depends on, and carries for ``actualiser``), each amount written as reading the dossier's
    file gives it (:func:`~clausegen.dossier_file.canonical_decimal`): a dossier typed in a form
    (« 85000.50 ») and the same dossier read from its exported file (``85000.5``) give the same
    text, so the same hash."""
    dump = dossier.model_dump(mode="python", exclude=AWARD_FIELDS)
    return json.dumps(dump, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=_json_value)


def _json_value(value: Any) -> str:
    """What Pydantic's JSON mode writes for a date; an amount in its canonical writing."""
    if isinstance(value, Decimal):
        return str(canonical_decimal(value))
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"valeur sans écriture JSON : {type(value).__name__}")


def read_dossier(path: Path) -> LoadedDossier:
    """Load and validate a dossier file."""
    text = read_text(path)
    note_input(path)  # never replaced by an output of the same command
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedDossier(dossier=parse_dossier(text, path), path=path, sha256=digest)


@lru_cache(maxsize=8)
def _cached_library(roots: tuple[Path, ...], _signature: tuple[tuple[str, int, int], ...],
                    use_cache: bool) -> Library:
    return load_library(*roots, use_cache=use_cache)


LIBRARY_FILES = ("VERSION", "ccag.yml", "fragments/*/*.md", "canevas/*.yml", "releases/*.yml")
"""The files of a library root (anything else in the directory is not read)."""


def _signature(roots: Sequence[Path]) -> tuple[tuple[str, int, int], ...]:
    """Name, mtime and size of every library file of the roots: the in-memory cache sees
    edits made meanwhile. Only the library's own layout is looked at (``--bibliotheque /usr``
    does not walk the whole tree); an unreadable root is a French error."""
    found = []
    for root in roots:
        try:
            if not root.is_dir():
                continue
            for name in library_files(root, LIBRARY_FILES):
                path = os.path.join(root, name)
                info = os.stat(path)
                found.append((path, info.st_mtime_ns, info.st_size))
        except OSError as exc:
            raise InputFileError(path=root, reason=f"bibliothèque illisible ({exc.strerror})") from None
    return tuple(found)


@lru_cache(maxsize=4)
def _bundled_signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    """The bundled library's :func:`_signature`, taken once per process. That library ships
    with the code and is read-only (writes are refused, docs/bibliotheque.md): it changes
    with an upgrade, which a running process sees no more than the new code (cost of listing
    it: docs/performance-web.md)."""
    return _signature((root,))


_EXTRA_OVERLAYS: ContextVar[tuple[Path, ...]] = ContextVar("clausegen_overlays", default=())


@contextmanager
def using_overlays(overlays: Sequence[Path]) -> Iterator[None]:
    """Inside the block, every library opened also has ``overlays`` (a command's
    ``--bibliotheque`` reaching post-award pieces too)."""
    token = _EXTRA_OVERLAYS.set((*_EXTRA_OVERLAYS.get(), *overlays))
    try:
        yield
    finally:
        _EXTRA_OVERLAYS.reset(token)


def open_library(overlays: Sequence[Path] = (), *, use_cache: bool = True) -> Library:
    """The bundled library, with the configured overlays and ``overlays`` on top (later ones
    win; see :mod:`clausegen.library.overlays`).

    ``use_cache=False`` parses every file again instead of taking the library snapshot
    (:func:`clausegen.library.loader.load_library`): integrity checks (verification, publication, reading a
    document's provenance) use it, so that no cache can stand between them and the files.
    """
    bundled = library_dir().resolve()
    named = overlay_roots((*_EXTRA_OVERLAYS.get(), *overlays))
    extra = [r for r in named if r != bundled]
    roots = (bundled, *extra)  # naming the bundled library (maintainers) does not load it twice
    # A maintainer who names the bundled library may be editing it; integrity checks
    # (use_cache=False) look at the files as they are now.
    watched = len(extra) != len(named) or not use_cache
    signature = _signature((bundled,)) if watched else _bundled_signature(bundled)
    return _cached_library(roots, signature + _signature(extra), use_cache)


def check_faisabilite(loaded: LoadedDossier, numero: int | None = None) -> Faisabilite:
    """The feasibility verdict of a dossier's market (or of its subsequent contract ``numero``,
    which must be listed: the error names the dossier's file)."""
    if numero is not None:
        subsequent_or_error(loaded.dossier, numero, loaded.path)
    return assess_dossier(loaded.dossier, numero)


def assess_marche(marche: Mapping[str, Any]) -> Faisabilite | None:
    """The verdict of the market part of a draft; None while that part is incomplete."""
    try:
        return assess_faisabilite(Marche.model_validate(marche))
    except ValidationError:
        return None


def assess_brouillon(brouillon: Mapping[str, Any]) -> Faisabilite | None:
    """The verdict of a draft's market as the command line gives it for the dossier: with its
    reservation and its social device (the insertion clause alone, retained, is judged as
    such); None while the market part is incomplete. A reservation not valid yet is left out."""
    try:
        marche = Marche.model_validate(brouillon.get("marche") or {})
    except ValidationError:
        return None
    try:
        reservation = (Reservation.model_validate(brouillon["reservation"])
                       if isinstance(brouillon.get("reservation"), Mapping) else None)
    except ValidationError:
        reservation = None
    seule = "clause_insertion" in brouillon and "plan_de_progres" not in brouillon
    plan = brouillon.get("plan_de_progres")
    insertion = plan.get("insertion") if isinstance(plan, Mapping) else None
    heures = isinstance(insertion, Mapping) and str(insertion.get("mode") or "heures") == "heures"
    return assess_faisabilite(marche, reservation=reservation, heures_au_plan=heures and not seule,
                              insertion_retenue=seule)


def subsequent_or_error(dossier: Dossier, numero: int, path: Path) -> MarcheSubsequent:
    """The listed subsequent contract ``numero``, or a French error naming the known ones."""
    found = dossier.marche_subsequent(numero)
    if found is None:
        known = ", ".join(str(m.numero) for m in dossier.marches_subsequents) or "aucun"
        raise SuiviInputError(what=f"--marche-subsequent {numero}",
                              hint=f"numéro listé dans « {path} », marches_subsequents attendu "
                                   f"(numéros connus : {known})")
    return found


def avis_du_dispositif(dossier: Dossier, faisabilite: Faisabilite) -> Avis:
    """The verdict that governs the dossier's pieces: the plan's, or the insertion clause's
    when the dossier carries the insertion clause alone."""
    return faisabilite.plan if dossier.plan_de_progres is not None else faisabilite.insertion


def dispositif(dossier: Dossier) -> str:
    """The social device of the dossier, in French."""
    if dossier.plan_de_progres is not None:
        return "plan de progrès en matière sociale"
    return "clause d'insertion"


def forced_mention(dossier: Dossier, faisabilite: Faisabilite) -> str | None:
    """The visible mention a forced document carries (None when the market is suited)."""
    avis = avis_du_dispositif(dossier, faisabilite)
    if avis.verdict is not Verdict.non_adapte:
        return None
    where = (f" (marché subséquent n° {faisabilite.marche_subsequent})"
             if faisabilite.marche_subsequent else "")
    raisons = " ; ".join(r.message for r in avis.bloquantes)
    return (f"Document établi malgré un verdict de faisabilité « non adapté » pour le "
            f"{dispositif(dossier)}{where} : {raisons}.")


def _fields(dossier: Dossier, document: AssembledDocument, draft: bool, forced: bool) -> dict[str, str]:
    marche = dossier.marche
    sous_titre = (f"{label(marche.forme).capitalize()} de {label(marche.nature)} "
                  f"\u2013 durée : {duree_mois(marche.duree_mois)}")
    fields = {
        "acheteur": dossier.acheteur.nom,
        "adresse_acheteur": dossier.acheteur.adresse,
        "titre_piece": document.titre,
        "sigle": document.sigle,
        "reference": marche.reference,
        "objet": marche.objet,
        "sous_titre": sous_titre,
        "procedure": (f"Procédure de passation : {dossier.administratif.procedure}"
                      if dossier.administratif.procedure else ""),
        "mention_plan": PLAN_MENTION if dossier.plan_de_progres is not None else INSERTION_MENTION,
        "mention_projet": " \u2014 ".join(m for m in (DRAFT_MARK if draft else "",
                                                      FORCED_MARK if forced else "") if m),
    }
    return {key: typographie(value) for key, value in fields.items()}


def provenance(document: AssembledDocument, library: Library, dossier_sha256: str,
               dossier_name: str = "") -> dict[str, str]:
    """What went into a document: tool and library versions, dossier file and hash, each fragment."""
    record = {
        "version": __version__,
        "bibliotheque": library.release,
        "piece": document.piece,
        "dossier_sha256": dossier_sha256,
        "fragments": str(len(document.fragments)),
    }
    if dossier_name:
        record["dossier"] = dossier_name
    first = next((b.number for b in document.blocks if isinstance(b, Heading) and b.level == 1
                  and b.number), "1")
    if first != "1":
        record["premier_article"] = first
    if library.pins:
        record["bibliotheque_epinglee"] = "oui"
    for used in document.fragments:
        layer = "" if used.layer == "bibliotheque" else f" {used.layer}"
        record[f"fragment.{used.id}"] = f"{used.version} sha256:{used.sha256} {used.statut}{layer}"
    return record


def render_piece(
    loaded: LoadedDossier,
    piece: str,
    *,
    library: Library,
    modele: Path | None = None,
    allow_drafts: bool = False,
    extra_context: Mapping[str, Any] | None = None,
    inserts: Mapping[str, Sequence[Block]] | None = None,
    titre: str | None = None,
    extra_provenance: Mapping[str, str] | None = None,
    mention: str | None = None,
    premier_article: int = 1,
    sommaire: bool | None = None,
) -> tuple[bytes, AssembledDocument]:
    """Assemble and render one piece in memory (with the dossier's pinned release, if any).

    Post-award pieces add template names (``extra_context``), computed blocks placed under a
    canevas key (``inserts``), a title naming the year (``titre``) and what else went in
    (``extra_provenance``: the year, the hash of a plan or results file). A chapter of a
    buyer's own CCAP numbers its articles from ``premier_article`` and usually has no table of
    contents of its own (``sommaire=False``; default: the canevas's).

    A tender piece (:data:`TENDER_PIECES`) depends on the consultation data only: its
    dates and provenance ignore the award fields, so filling them changes no byte of it.
    The complete CCAP first checks the fields it needs (:func:`missing_fields`).
    """
    tender = piece in TENDER_PIECES
    if loaded.dossier.clause_insertion is not None and piece == "cctp_chapitre":
        raise DossierError(path=loaded.path, problems=[FieldProblem(
            path="clause_insertion", expected="un plan de progrès (section plan_de_progres) : le "
            "chapitre du CCTP à insérer (--chapitre) est celui du plan ; pour la clause "
            "d'insertion seule, générez le CCTP complet")])
    name = canevas_name(loaded.dossier, piece)
    if name == "ccap" and (problems := missing_fields(loaded.dossier)):
        raise DossierError(path=loaded.path, problems=problems)
    if problems := unknown_ccag_keys(loaded.dossier, library.ccag):
        raise DossierError(path=loaded.path, problems=problems)
    if loaded.dossier.bibliotheque:
        from clausegen.library.releases import pin  # only a dossier pinned to a release

        library = pin(library, loaded.dossier.bibliotheque)
    if mention:
        extra_provenance = {**(extra_provenance or {}), "faisabilite": "non_adapte_force"}
    canevas = library.canevas(name)
    context = {**dossier_context(loaded.dossier),
               **ccag_functions(dossier_ccag_table(library.ccag, loaded.dossier), loaded.dossier.marche.ccag),
               **(extra_context or {})}
    document = assemble(canevas, library, context, allow_drafts=allow_drafts, inserts=inserts,
                        premier_article=premier_article, sommaire=sommaire)
    if titre:
        document = replace(document, titre=titre)
    if mention:  # a forced document says so on its first page
        document = replace(document, blocks=(_mention_block(mention), *document.blocks))
    skeleton_path = modele or templates_dir() / document.modele
    # A buyer's skeleton (--modele) is untrusted: checked. The bundled ones ship with the code,
    # as the library does; a test checks that each passes the check unchanged.
    skeleton = check_skeleton(modele) if modele else read_bytes(skeleton_path)
    dossier = loaded.dossier
    notification = None if tender else dossier.marche.date_notification
    properties = DocumentProperties(
        title=f"{_title(document, extra_provenance)} \u2013 {dossier.marche.objet}",
        subject=f"Marché n° {dossier.marche.reference}",
        author=dossier.acheteur.nom,
        keywords=f"clausegen; {dispositif(dossier)}",
        created=datetime.combine(notification, time()) if notification else None,
    )
    dossier_hash = loaded.recorded_sha256(piece)
    data = render_docx(skeleton, document.blocks,
                       _fields(dossier, document, document.is_draft, forced=mention is not None),
                       properties, {**provenance(document, library, dossier_hash, loaded.path.name),
                                                   **(extra_provenance or {})},
                       source=str(skeleton_path))
    if tender:
        data = with_dossier_part(data, loaded.consultation_json)
    return data, document


def _title(document: AssembledDocument, extra: Mapping[str, str] | None) -> str:
    """What the document's title (core properties, PDF) names before the market's subject: the
    sigle of a tender piece (« CCAP »); a follow-up piece's own title and year, since plans,
    letters and bilans share a sigle from one year to the next."""
    if document.piece in TENDER_PIECES:
        return document.sigle
    year = (extra or {}).get("annee", "")
    return typographie(document.titre + (f" \u2013 année {year}" if year and year not in document.titre
                                         else ""))


def canevas_name(dossier: Dossier, piece: str) -> str:
    """The canevas of a piece for this dossier: ``ccap_insertion`` for the CCAP of a dossier
    carrying the insertion clause alone, the piece's own otherwise."""
    if dossier.clause_insertion is not None:
        return INSERTION_PIECES.get(piece, piece)
    return piece


def _mention_block(text: str) -> Paragraph:
    return Paragraph(runs=(Run(typographie(text), bold=True),), style="note")


def suited_or_forced(dossier: Dossier, *, forcer: bool, numero: int | None = None) -> Faisabilite:
    """The market's verdict; a market judged non adapté stops here unless ``forcer``."""
    faisabilite = assess_dossier(dossier, numero)
    avis = avis_du_dispositif(dossier, faisabilite)
    if avis.verdict is Verdict.non_adapte and not forcer:
        raise NotSuitedError(reasons=[r.message for r in avis.bloquantes],
                             dispositif=dispositif(dossier),
                             leviers=[f"{lv.libelle} \u2014 fondement : {lv.base_legale}"
                                      for lv in faisabilite.leviers])
    return faisabilite


PIECES = ("ccap", "cctp")
"""The pieces ``clausegen pieces`` and the web application render for a dossier, in this order."""


@dataclass(frozen=True)
class TenderPiece(RenderedPiece):
    """A CCAP or CCTP in memory, with its title, the blocks of its body and whether it holds
    clauses not yet validated (``--brouillon``: PROJET mark)."""

    titre: str = ""
    blocks: tuple[Block, ...] = field(default=(), repr=False, compare=False)
    is_draft: bool = False
    a_completer: int = 0
    """CCAG article numbers the piece leaves « [à compléter] » (not verified; NM6)."""
    sommaire_pagine: bool | None = None
    """None: the piece has no sommaire; True: its page numbers are written (LibreOffice's
    layout, see :mod:`clausegen.render.converters.pagination`); False: they are not (Word offers to
    update the fields on opening)."""

    @property
    def preview(self) -> Markup:
        """The body as HTML, from the same blocks as the Word body (the web page's preview)."""
        from clausegen.render.writers.html import blocks_to_html  # the command line has no use for it

        return blocks_to_html(self.blocks)


@dataclass(frozen=True)
class TenderPieces:
    """What one rendering of a dossier's tender pieces produced, and from what."""

    pieces: tuple[TenderPiece, ...]
    faisabilite: Faisabilite
    forced: bool
    """The market was judged non adapté and ``forcer`` was given (the pieces say so)."""
    dossier_sha256: str
    """The SHA-256 of the dossier file's text the pieces were rendered from."""
    bibliotheque: str
    """The library release: the dossier's pinned one, else the library's."""
    dossier_yaml: str = ""
    """That text, when the dossier came from a draft (:func:`render_brouillon`)."""
    version_outil: str = __version__
    avertissements: tuple[str, ...] = ()
    """What the buyer should know about the files (a sommaire left without page numbers)."""


def render_pieces(
    loaded: LoadedDossier,
    library: Library,
    pieces: Sequence[str] = PIECES,
    *,
    forcer: bool = False,
    brouillon: bool = False,
    modele: Path | None = None,
    chapitre: bool = False,
    premier_article: int | None = None,
    paginer: bool = True,
    converter: Converter | None = None,
) -> TenderPieces:
    """Check feasibility (a market judged non adapté stops here unless ``forcer``), then render
    each of ``pieces`` in memory.

    ``chapitre``: the social chapter alone, to insert into the buyer's own piece, its
    articles numbered from ``premier_article`` (else the dossier's
    ``administratif.chapitre_premier_article``, else 1); a whole piece always starts at 1.

    ``paginer``: the pieces that have a sommaire get its page numbers from LibreOffice
    (:func:`paginate_pieces`; ``converter``: a LibreOffice kept running, else one started for
    these pieces). Without it, or without LibreOffice (then :attr:`TenderPieces.avertissements`
    says so), the sommaire lists its entries without page numbers and Word offers to update it.
    """
    faisabilite = suited_or_forced(loaded.dossier, forcer=forcer)
    mention = forced_mention(loaded.dossier, faisabilite)
    chapter = chapitre or loaded.dossier.clause_insertion is not None  # see INSERTION_PIECES
    first = ((premier_article or loaded.dossier.administratif.chapitre_premier_article or 1)
             if chapter else 1)
    release = loaded.dossier.bibliotheque or library.release
    rendered = []
    for piece in pieces:
        data, document = render_piece(loaded, piece_name(piece, chapitre=chapitre), library=library,
                                      modele=modele, allow_drafts=brouillon, mention=mention,
                                      premier_article=first)
        fragments = {f.id: f"{f.version} sha256:{f.sha256} {f.statut}" for f in document.fragments}
        rendered.append(TenderPiece(piece=piece, docx=data, fragments=fragments, bibliotheque=release,
                                    titre=document.titre, blocks=tuple(document.blocks),
                                    is_draft=document.is_draft,
                                    a_completer=a_completer(block_texts(document.blocks)),
                                    sommaire_pagine=(False if any(isinstance(b, TableOfContents)
                                                                  for b in document.blocks) else None)))
    avertissements: tuple[str, ...] = ()
    if paginer:
        rendered, avertissements = paginate_pieces(rendered, converter)
    return TenderPieces(pieces=tuple(rendered), faisabilite=faisabilite, forced=mention is not None,
                        dossier_sha256=loaded.sha256, bibliotheque=release, avertissements=avertissements)


def sommaire_sans_pages(docx: bytes) -> bool:
    """Whether a generated .docx has a sommaire without its page numbers."""
    from clausegen.render.converters.pagination import sommaire_sans_pages as sans_pages

    return sans_pages(docx)


def sommaire_warning(sigle: str, reason: str) -> str:
    """What the buyer is told of a sommaire left without its page numbers, and why."""
    return (f"le sommaire du {sigle} n’a pas ses numéros de page ({reason}) : ils "
            "apparaîtront après « Mettre à jour la table » (F9 dans Word, qui propose "
            "aussi la mise à jour à l’ouverture du fichier ; Outils › Actualiser › Tout "
            "actualiser dans LibreOffice)")


def paginate_pieces(pieces: Sequence[TenderPiece], converter: Converter | None = None
                    ) -> tuple[list[TenderPiece], tuple[str, ...]]:
    """The pieces whose sommaire got its page numbers from LibreOffice (by ``converter`` when
    given, else by one LibreOffice run for all of them), and the warnings for those that did
    not because LibreOffice or its ``uno`` module is missing (the pieces are then unchanged).

    Same pieces and same LibreOffice, same bytes; the provenance names that LibreOffice.
    Raises :class:`~clausegen.errors.PdfError` when LibreOffice is there but fails."""
    from clausegen.render.converters.pagination import paginate, sommaire_sans_pages, unavailable

    todo = [p for p in pieces if p.sommaire_pagine is False]
    if not todo:
        return list(pieces), ()
    reason = unavailable() if converter is None else None
    if reason is not None:
        return list(pieces), tuple(sommaire_warning(p.piece.upper(), reason) for p in todo)
    paginated = iter(paginate([(f"{p.piece}.docx", p.docx) for p in todo], converter))
    out, warnings = [], []
    for piece in pieces:
        if piece.sommaire_pagine is False:
            docx = next(paginated)
            done = not sommaire_sans_pages(docx)
            piece = replace(piece, docx=docx, sommaire_pagine=done)
            if not done:
                warnings.append(sommaire_warning(piece.piece.upper(), "LibreOffice n’a pas donné "
                                                 "la page de chaque entrée"))
        out.append(piece)
    return out, tuple(warnings)


# --- dossiers typed in a form (the web application) ------------------------------


def validate_dossier(data: Mapping[str, Any]) -> tuple[Dossier | None, list[FieldProblem]]:
    """Validate a draft with the CLI's model: the dossier, or every problem (dotted paths)."""
    from clausegen.models.validation import problems_from  # not for a command's dossier

    try:
        return Dossier.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from(exc)


def check_brouillon(data: Mapping[str, Any]) -> tuple[Dossier | None, list[FieldProblem]]:
    """Everything that keeps a draft from giving the pieces, each problem at its field: the
    model's own validation (:func:`validate_dossier`) and what the complete CCAP checks when it
    is generated (:func:`~clausegen.domain.ccap_complet.missing_fields`: maximum of an
    accord-cadre, minimum not above it). The latter runs as soon as the administrative section
    validates, before the rest of the dossier does, so the step holding the amounts reports
    them. The dossier comes back only when nothing blocks: what is exported or generated is
    what the command line accepts."""
    dossier, problems = validate_dossier(data)
    if dossier is not None:
        problems = missing_fields(dossier)
        if dossier.administratif.ccag_articles:  # keys the clauses cite (the bundled table)
            problems += unknown_ccag_keys(dossier, open_library().ccag)
        return (dossier if not problems else None), problems
    problems = problems + _rules_behind_missing_texts(data, problems)
    administratif, marche = data.get("administratif") or {}, data.get("marche") or {}
    try:
        section = Administratif.model_validate(administratif)
    except ValidationError:
        return None, problems
    forme = None
    if isinstance(marche, Mapping):
        try:
            forme = Forme(str(marche.get("forme")))
        except (ValueError, TypeError):
            forme = None
    known = {p.path for p in problems}
    return None, problems + [p for p in administratif_problems(forme, section) if p.path not in known]


_SECTIONS_WITH_RULES: tuple[tuple[str, type[BaseModel]], ...] = (
    ("marche", Marche), ("plan_de_progres.insertion", ClauseInsertion),
    ("clause_insertion", ClauseInsertionSeule))
"""Sections whose own rule across fields (a volume when hours are chosen, a subsequent
contracts' duration for that form) Pydantic runs only once every field of the section is valid."""


def _rules_behind_missing_texts(data: Mapping[str, Any], problems: list[FieldProblem]) -> list[FieldProblem]:
    """The sections' rules across fields that a text field not answered yet hides: each such
    section is validated again with its missing texts stood in for, and only its own rule's
    problems (at the section's path) are kept. The model's validators decide, nothing else."""
    found = []
    for path, model in _SECTIONS_WITH_RULES:
        section: Any = data
        for part in path.split("."):
            section = section.get(part) if isinstance(section, Mapping) else None
        own = [p for p in problems if p.path.startswith(path + ".")]
        if not isinstance(section, Mapping) or not own or any(p.path == path for p in problems):
            continue
        missing = {p.path.removeprefix(path + ".") for p in own if p.expected == "champ obligatoire manquant"}
        if len(missing) < len(own) or not all(
                model.model_fields[name].annotation is str for name in missing if name in model.model_fields):
            continue
        try:
            model.model_validate({**section, **dict.fromkeys(missing, "\u2026")})
        except ValidationError as exc:
            from clausegen.models.validation import problems_from

            found += [replace(p, path=path + (p.path and "." + p.path))
                      for p in problems_from(exc) if not p.path]
    return found


def notices_brouillon(data: Mapping[str, Any]) -> list[FieldProblem]:
    """What a draft should have checked although the command line accepts it (issue 22,
    item 2), each at its field: revisable or updatable prices without their index (the CCAP
    then refers to « l'index fixé à l'acte d'engagement »), and yearly plans or bilans for a
    year beyond the market's (or its subsequent contract's) duration, which no post-award
    document can use."""
    from clausegen.domain.echeancier import annees  # the web's review, not a command's

    notices: list[FieldProblem] = []
    administratif = data.get("administratif")
    administratif = administratif if isinstance(administratif, Mapping) else {}
    variation = str(administratif.get("variation_prix") or "revisables")
    if variation in ("revisables", "actualisables") and not administratif.get("indice_revision"):
        notices.append(FieldProblem(
            "administratif.indice_revision",
            f"prix {'révisables' if variation == 'revisables' else 'actualisables'} sans indice : "
            "le CCAP renverra à « l'index fixé à l'acte d'engagement » ; nommez l'indice ici, "
            "ou vérifiez qu'il figure dans l'acte d'engagement"))

    def years(where: str, owner: Mapping[str, Any], duree: Any, path: str) -> None:
        try:
            total = annees(int(duree))
        except (TypeError, ValueError):
            return
        for key in ("plans", "bilans"):
            items = owner.get(key)
            beyond = sorted({int(i["annee"]) for i in items if isinstance(i, Mapping)
                             and str(i.get("annee", "")).isdecimal() and int(i["annee"]) > total}
                            ) if isinstance(items, list) else []
            if beyond:
                listed = ", ".join(str(a) for a in beyond)
                notices.append(FieldProblem(path, (
                    f"{where} a {total} année(s) d'exécution, mais ses {key} comptent l'année "
                    f"{listed} : aucun document du suivi ne s'en servira ; vérifiez la durée")))

    marche = data.get("marche")
    if isinstance(marche, Mapping):
        years("le marché", data, marche.get("duree_mois"), "marche.duree_mois")
    for index, ms in enumerate(data.get("marches_subsequents") or []):
        if isinstance(ms, Mapping):
            years(f"le marché subséquent n° {ms.get('numero', index + 1)}", ms, ms.get("duree_mois"),
                  f"marches_subsequents[{index}].duree_mois")
    return notices


def dump_brouillon(dossier: Dossier) -> dict[str, Any]:
    """The dossier as a draft dictionary (JSON types: dates as text, amounts as text)."""
    return dossier.model_dump(mode="json", exclude_none=True)


def dump_dossier(dossier: Dossier, name: str = "dossier.yml") -> str:
    """The dossier in the CLI's file format (model order, empty parts left out), which the
    command line reads back as the same dossier; one no file may hold (a date outside
    1900–2199…) is refused with the CLI's error naming ``name``."""
    return _dump_dossier(dossier, Path(name))


def read_dossier_text(text: str, name: str) -> LoadedDossier:
    """Parse and validate a dossier file's text (errors name ``name`` and each field)."""
    path = Path(name)
    return LoadedDossier(dossier=parse_dossier(text, path), path=path,
                         sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def render_brouillon(brouillon: Mapping[str, Any], name: str, library: Library, *,
                     paginer: bool = True, converter: Converter | None = None) -> TenderPieces:
    """CCAP and CCTP of a complete draft, as the command line renders them from the dossier
    file ``name`` whose text this writes once (:attr:`TenderPieces.dossier_yaml`, what the
    provenance's hash covers): the validated dossier is rendered as it is, not read back.
    ``paginer`` and ``converter``: as for :func:`render_pieces`."""
    dossier, problems = validate_dossier(brouillon)
    if dossier is None:
        raise DossierError(path=name, problems=problems)
    text = dump_dossier(dossier, name)
    loaded = LoadedDossier(dossier=dossier, path=Path(name),
                           sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    return replace(render_pieces(loaded, library, paginer=paginer, converter=converter),
                   dossier_yaml=text)


# --- the state of a dossier, as the list of dossiers shows it ---------------------------


class EtatDossier(StrEnum):
    """Where a buyer's dossier stands, derived from its draft each time it is shown (never
    stored, so it cannot drift from the dossier)."""

    a_completer = "à compléter"
    complet = "complet"
    non_adapte = "non adapté"
    pieces_generees = "pièces générées"


def brouillon_sha256(brouillon: Mapping[str, Any]) -> str:
    """The SHA-256 of a draft's canonical JSON (keys sorted): equal drafts, equal digests."""
    text = json.dumps(brouillon, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def state_brouillon(brouillon: Mapping[str, Any], generated_brouillons: Collection[str] = ()) -> EtatDossier:
    """The state of a draft: « pièces générées » when one of its generations was made from the
    draft as it is now (``generated_brouillons``: the :func:`brouillon_sha256` of each
    generation's draft); « non adapté » when the verdict that governs its pieces (the plan de
    progrès's, or the insertion clause's for a dossier that carries it alone) is « non
    adapté »; « complet » when nothing blocks the generation (:func:`check_brouillon`);
    « à compléter » otherwise. A draft whose market part is complete but unsuited to a plan is
    « non adapté » before it is complete.

    A draft that pieces were generated from, unchanged since, is « pièces générées » without
    being checked again: its generation checked it (complete and suited, or nothing would have
    been generated), and that fact does not change."""
    if generated_brouillons and brouillon_sha256(brouillon) in generated_brouillons:
        return EtatDossier.pieces_generees
    dossier, _ = check_brouillon(brouillon)
    if dossier is None:
        marche = brouillon.get("marche")
        faisabilite = assess_marche(marche) if isinstance(marche, Mapping) else None
        insertion_seule = brouillon.get("clause_insertion") is not None \
            and brouillon.get("plan_de_progres") is None
        if faisabilite is not None and not insertion_seule \
                and faisabilite.verdict is Verdict.non_adapte:
            return EtatDossier.non_adapte
        return EtatDossier.a_completer
    if avis_du_dispositif(dossier, assess_dossier(dossier)).verdict is Verdict.non_adapte:
        return EtatDossier.non_adapte
    return EtatDossier.complet


def brouillon_sha256_if_generated(brouillon: Mapping[str, Any], name: str, dossier_sha256: str) -> str:
    """For a generation recorded without its draft's digest (before revision 0008): the digest
    of ``brouillon`` if that draft still writes the dossier text the generation was made from
    (``dossier_sha256``, :func:`render_brouillon` named ``name``), else ``""`` (its draft is no
    longer known)."""
    dossier, _ = validate_dossier(brouillon)
    if dossier is None:
        return ""
    try:
        text = dump_dossier(dossier, name)
    except InputFileError:
        return ""
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != dossier_sha256:
        return ""
    return brouillon_sha256(brouillon)
