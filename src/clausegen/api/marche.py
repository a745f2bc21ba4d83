"""The tender pieces: load, check, assemble, render, write (re-exported by :mod:`clausegen.api`).

Everything here is usable in-process (batch jobs, benchmarks, tests) without Click.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

from clausegen import __version__
from clausegen.assembly import AssembledDocument, UsedFragment, assemble
from clausegen.blocks import Block, Heading, Paragraph, Run
from clausegen.context import ccag_functions, dossier_context
from clausegen.domain.ccap_complet import missing_fields
from clausegen.domain.faisabilite import Avis, Faisabilite, Verdict, assess_dossier
from clausegen.dossier_file import parse_dossier
from clausegen.errors import DossierError, FieldProblem, InputFileError, NotSuitedError, SuiviInputError
from clausegen.library import Library, load_library
from clausegen.library.loader import library_files
from clausegen.library.overlays import overlay_roots
from clausegen.models._base import label
from clausegen.models.dispositifs import MarcheSubsequent
from clausegen.models.dossier import Dossier
from clausegen.output import note_input, transaction, write_atomic
from clausegen.render.skeleton import check_skeleton
from clausegen.render.word import DocumentProperties, render_docx
from clausegen.resources import library_dir, templates_dir
from clausegen.signed_cache import SignedCache, sources_digest
from clausegen.text.french import duree_mois, typographie
from clausegen.yaml_files import read_text

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
INSERTION_PIECES = {"ccap": "ccap_insertion", "cctp": "cctp_insertion"}
"""The canevas a tender piece uses when the dossier carries the insertion clause alone."""


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
    """:attr:`consultation_sha256` once known."""
    _as_read: bool = field(default=False, init=False, compare=False, repr=False)
    """Whether ``dossier`` is what the file hashed ``sha256`` reads as (:func:`read_dossier`):
    its consultation hash may then come from the cache. Neither field is copied by
    ``dataclasses.replace``, so a dossier changed in memory gets its own hash."""

    @property
    def consultation_sha256(self) -> str:
        """Hash of the dossier without its award data (what a tender piece depends on)."""
        if not self._consultation:
            kept = _CONSULTATIONS.load(self.sha256) if self._as_read else None
            if kept is not None and re.fullmatch(rb"[0-9a-f]{64}", kept):
                value = kept.decode("ascii")
            else:
                value = _consultation_sha256(self.dossier)
                if self._as_read:
                    _CONSULTATIONS.store(self.sha256, value.encode("ascii"))
            object.__setattr__(self, "_consultation", value)
        return self._consultation

    def recorded_sha256(self, piece: str) -> str:
        """The dossier hash a piece records: consultation data only for a tender piece."""
        return self.consultation_sha256 if piece in TENDER_PIECES else self.sha256


@dataclass(frozen=True)
class Generation:
    """What a generation produced."""

    path: Path
    piece: str
    fragments: tuple[UsedFragment, ...]
    faisabilite: Faisabilite
    is_draft: bool
    forced: bool = False


def _consultation_sha256(dossier: Dossier) -> str:
    dump = dossier.model_dump(mode="json", exclude=AWARD_FIELDS)
    canonical = json.dumps(dump, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _consultation_namespace() -> str:
    """The consultation hash depends on this module (:data:`AWARD_FIELDS`), the models
    and Pydantic's serialisation."""
    import pydantic_core
    from pydantic.version import VERSION

    from clausegen import models

    return "consultations-" + sources_digest(
        __file__, *sorted(Path(models.__file__).parent.glob("*.py")),
        extra=f"{VERSION}|{pydantic_core.__version__}")


_CONSULTATIONS = SignedCache(_consultation_namespace, ".txt", per_dossier=True)
"""Consultation hashes by the SHA-256 of the dossier file they were computed from (dumping a
dossier builds Pydantic's serialiser: ~20 ms of a run that takes the dossier from the cache)."""


def read_dossier(path: Path) -> LoadedDossier:
    """Load and validate a dossier file."""
    text = read_text(path)
    note_input(path)  # never replaced by an output of the same command
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    loaded = LoadedDossier(dossier=parse_dossier(text, path), path=path, sha256=digest)
    object.__setattr__(loaded, "_as_read", True)
    return loaded


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
    with an upgrade, which a running process sees no more than the new code. Listing and
    stating its hundred-odd files was ~7 % of every web generation."""
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

    ``use_cache=False`` parses every fragment file again instead of trusting the parse cache
    (:mod:`clausegen.library.cache`): integrity checks (verification, publication, reading a
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


def check_faisabilite(path: Path, numero: int | None = None) -> Faisabilite:
    """The feasibility verdict of a dossier's market (or of its subsequent contract ``numero``)."""
    dossier = read_dossier(path).dossier
    if numero is not None:
        subsequent_or_error(dossier, numero, path)
    return assess_dossier(dossier, numero)


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
    if loaded.dossier.clause_insertion is not None and piece.endswith("_chapitre"):
        raise DossierError(path=loaded.path, problems=[FieldProblem(
            path="clause_insertion", expected="un plan de progrès (section plan_de_progres) : le "
            "chapitre à insérer (--chapitre) est celui du plan ; pour la clause d'insertion seule, "
            "générez le CCAP ou le CCTP complet")])
    name = canevas_name(loaded.dossier, piece)
    if name == "ccap" and (problems := missing_fields(loaded.dossier)):
        raise DossierError(path=loaded.path, problems=problems)
    if loaded.dossier.bibliotheque:
        from clausegen.library.releases import pin  # only a dossier pinned to a release

        library = pin(library, loaded.dossier.bibliotheque)
    if mention:
        extra_provenance = {**(extra_provenance or {}), "faisabilite": "non_adapte_force"}
    canevas = library.canevas(name)
    context = {**dossier_context(loaded.dossier),
               **ccag_functions(library.ccag, loaded.dossier.marche.ccag), **(extra_context or {})}
    document = assemble(canevas, library, context, allow_drafts=allow_drafts, inserts=inserts,
                        premier_article=premier_article, sommaire=sommaire)
    if titre:
        document = replace(document, titre=titre)
    if mention:  # a forced document says so on its first page
        document = replace(document, blocks=(_mention_block(mention), *document.blocks))
    skeleton_path = modele or templates_dir() / document.modele
    skeleton = check_skeleton(skeleton_path)
    dossier = loaded.dossier
    notification = None if tender else dossier.marche.date_notification
    properties = DocumentProperties(
        title=f"{document.sigle} \u2013 {dossier.marche.objet}",
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
    return data, document


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


def generate_piece(
    dossier_path: Path,
    piece: str,
    output: Path,
    *,
    modele: Path | None = None,
    forcer: bool = False,
    brouillon: bool = False,
    overlays: Sequence[Path] = (),
    chapitre: bool = False,
    premier_article: int | None = None,
) -> Generation:
    """Check feasibility, assemble, render and write one piece atomically.

    ``chapitre``: the social chapter alone, to insert into the buyer's own piece, its
    articles numbered from ``premier_article`` (else the dossier's
    ``administratif.chapitre_premier_article``, else 1).
    """
    loaded = read_dossier(dossier_path)
    faisabilite = suited_or_forced(loaded.dossier, forcer=forcer)
    library = open_library(overlays)
    mention = forced_mention(loaded.dossier, faisabilite)
    data, document = render_piece(loaded, piece_name(piece, chapitre=chapitre),
                                  library=library, modele=modele, allow_drafts=brouillon,
                                  mention=mention, premier_article=premier_article
                                  or loaded.dossier.administratif.chapitre_premier_article or 1)
    write_atomic(output, data)
    return Generation(path=output, piece=piece, fragments=document.fragments,
                      faisabilite=faisabilite, is_draft=document.is_draft, forced=mention is not None)


PIECES = ("ccap", "cctp")
"""The pieces ``clausegen pieces`` writes for a dossier, in this order."""


def generate_pieces(
    dossier_path: Path,
    directory: Path,
    *,
    forcer: bool = False,
    brouillon: bool = False,
    overlays: Sequence[Path] = (),
    modele: Path | None = None,
) -> list[Generation]:
    """Render every piece in memory first, then write them all (``<piece>.docx``)."""
    loaded = read_dossier(dossier_path)
    faisabilite = suited_or_forced(loaded.dossier, forcer=forcer)
    library = open_library(overlays)
    mention = forced_mention(loaded.dossier, faisabilite)
    rendered = [(piece, *render_piece(loaded, piece, library=library, allow_drafts=brouillon,
                                      modele=modele, mention=mention))
                for piece in PIECES]
    results = []
    with transaction():  # every piece, or none
        for piece, data, document in rendered:
            path = write_atomic(directory / f"{piece}.docx", data)
            results.append(Generation(path=path, piece=piece, fragments=document.fragments,
                                      faisabilite=faisabilite, is_draft=document.is_draft,
                                      forced=mention is not None))
    return results
