"""The tender pieces: load, check, assemble, render, write (re-exported by :mod:`clausegen.api`).

Everything here is usable in-process (batch jobs, benchmarks, tests) without Click.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

from clausegen import __version__
from clausegen.assembly import AssembledDocument, UsedFragment, assemble
from clausegen.blocks import Block
from clausegen.context import ccag_functions, dossier_context
from clausegen.domain.ccap_complet import missing_fields
from clausegen.domain.faisabilite import Faisabilite, Verdict, assess_faisabilite
from clausegen.dossier_file import parse_dossier
from clausegen.errors import DossierError, NotSuitedError
from clausegen.library import Library, load_library
from clausegen.library.overlays import overlay_roots
from clausegen.library.releases import pin
from clausegen.models._base import label
from clausegen.models.dossier import Dossier
from clausegen.output import write_atomic
from clausegen.render.skeleton import check_skeleton
from clausegen.render.word import DocumentProperties, render_docx
from clausegen.resources import library_dir, templates_dir
from clausegen.text.french import duree_mois, typographie
from clausegen.yaml_files import read_text

DRAFT_MARK = "PROJET \u2014 clauses non validées"
PLAN_MENTION = (
    "Marché comportant un plan de progrès en matière sociale, condition d'exécution "
    "prévue à l'article L. 2112-2 du code de la commande publique"
)


TENDER_PIECES = frozenset({"ccap", "cctp", "ccap_chapitre", "cctp_chapitre"})
"""The consultation pieces: what bidders priced, so award data never changes them."""

AWARD_FIELDS: dict[str, Any] = {"titulaire": True, "plans": True, "bilans": True,
                                "marche": {"date_notification"}}
"""Dossier fields filled after award (excluded from what a tender piece records)."""


def canevas_name(piece: str, *, chapitre: bool) -> str:
    """The canevas of a piece: ``ccap`` or, for the chapter alone, ``ccap_chapitre``."""
    return f"{piece}_chapitre" if chapitre else piece


@dataclass(frozen=True)
class LoadedDossier:
    """A validated dossier with the hash of its file (for provenance)."""

    dossier: Dossier
    path: Path
    sha256: str

    @property
    def consultation_sha256(self) -> str:
        """Hash of the dossier without its award data (what a tender piece depends on)."""
        dump = self.dossier.model_dump(mode="json", exclude=AWARD_FIELDS)
        canonical = json.dumps(dump, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Generation:
    """What a generation produced."""

    path: Path
    piece: str
    fragments: tuple[UsedFragment, ...]
    faisabilite: Faisabilite
    is_draft: bool


def read_dossier(path: Path) -> LoadedDossier:
    """Load and validate a dossier file."""
    text = read_text(path)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedDossier(dossier=parse_dossier(text, path), path=path, sha256=digest)


@lru_cache(maxsize=8)
def _cached_library(roots: tuple[Path, ...], _signature: tuple[tuple[str, int, int], ...],
                    use_cache: bool) -> Library:
    return load_library(*roots, use_cache=use_cache)


def _signature(roots: Sequence[Path]) -> tuple[tuple[str, int, int], ...]:
    """Name, mtime and size of every file of the roots: the cache sees edits made meanwhile."""
    files = sorted(f for root in roots if root.is_dir() for f in root.rglob("*") if f.is_file())
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)


def open_library(overlays: Sequence[Path] = (), *, use_cache: bool = True) -> Library:
    """The bundled library, with the configured overlays and ``overlays`` on top (later ones
    win; see :mod:`clausegen.library.overlays`).

    ``use_cache=False`` parses every fragment file again instead of trusting the parse cache
    (:mod:`clausegen.library.cache`): integrity checks (verification, publication, reading a
    document's provenance) use it, so that no cache can stand between them and the files.
    """
    roots = (library_dir(), *overlay_roots(overlays))
    return _cached_library(roots, _signature(roots), use_cache)


def check_faisabilite(path: Path) -> Faisabilite:
    """The feasibility verdict of a dossier's market."""
    return assess_faisabilite(read_dossier(path).dossier.marche)


def _fields(dossier: Dossier, document: AssembledDocument, draft: bool) -> dict[str, str]:
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
        "mention_plan": PLAN_MENTION,
        "mention_projet": DRAFT_MARK if draft else "",
    }
    return {key: typographie(value) for key, value in fields.items()}


def provenance(document: AssembledDocument, library: Library, dossier_sha256: str) -> dict[str, str]:
    """What went into a document: tool and library versions, dossier hash, each fragment."""
    record = {
        "version": __version__,
        "bibliotheque": library.release,
        "piece": document.piece,
        "dossier_sha256": dossier_sha256,
        "fragments": str(len(document.fragments)),
    }
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
    premier_article: int = 1,
) -> tuple[bytes, AssembledDocument]:
    """Assemble and render one piece in memory (with the dossier's pinned release, if any).

    Post-award pieces add template names (``extra_context``), computed blocks placed under a
    canevas key (``inserts``), a title naming the year (``titre``) and what else went in
    (``extra_provenance``: the year, the hash of a plan or results file).

    A tender piece (:data:`TENDER_PIECES`) depends on the consultation data only: its
    dates and provenance ignore the award fields, so filling them changes no byte of it.
    The complete CCAP first checks the fields it needs (:func:`missing_fields`).
    """
    tender = piece in TENDER_PIECES
    if piece == "ccap" and (problems := missing_fields(loaded.dossier)):
        raise DossierError(path=loaded.path, problems=problems)
    if loaded.dossier.bibliotheque:
        library = pin(library, loaded.dossier.bibliotheque)
    canevas = library.canevas(piece)
    context = {**dossier_context(loaded.dossier),
               **ccag_functions(library.ccag, loaded.dossier.marche.ccag), **(extra_context or {})}
    document = assemble(canevas, library, context, allow_drafts=allow_drafts, inserts=inserts,
                        premier_article=premier_article)
    if titre:
        document = replace(document, titre=titre)
    skeleton_path = modele or templates_dir() / document.modele
    skeleton = check_skeleton(skeleton_path)
    dossier = loaded.dossier
    notification = None if tender else dossier.marche.date_notification
    properties = DocumentProperties(
        title=f"{document.sigle} \u2013 {dossier.marche.objet}",
        subject=f"Marché n° {dossier.marche.reference}",
        author=dossier.acheteur.nom,
        keywords="clausegen; plan de progrès en matière sociale",
        created=datetime.combine(notification, time()) if notification else None,
    )
    dossier_hash = loaded.consultation_sha256 if tender else loaded.sha256
    data = render_docx(skeleton, document.blocks, _fields(dossier, document, document.is_draft),
                       properties, {**provenance(document, library, dossier_hash),
                                                   **(extra_provenance or {})},
                       source=str(skeleton_path))
    return data, document


def suited_or_forced(dossier: Dossier, *, forcer: bool) -> Faisabilite:
    """The market's verdict; a market judged non adapté stops here unless ``forcer``."""
    faisabilite = assess_faisabilite(dossier.marche)
    if faisabilite.verdict is Verdict.non_adapte and not forcer:
        raise NotSuitedError(reasons=[r.message for r in faisabilite.bloquantes])
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
    data, document = render_piece(loaded, canevas_name(piece, chapitre=chapitre),
                                  library=library, modele=modele, allow_drafts=brouillon,
                                  premier_article=premier_article
                                  or loaded.dossier.administratif.chapitre_premier_article or 1)
    write_atomic(output, data)
    return Generation(path=output, piece=piece, fragments=document.fragments,
                      faisabilite=faisabilite, is_draft=document.is_draft)


PIECES = ("ccap", "cctp")
"""The pieces ``clausegen pieces`` writes for a dossier, in this order."""


def generate_pieces(
    dossier_path: Path,
    directory: Path,
    *,
    forcer: bool = False,
    brouillon: bool = False,
    overlays: Sequence[Path] = (),
) -> list[Generation]:
    """Render every piece in memory first, then write them all (``<piece>.docx``)."""
    loaded = read_dossier(dossier_path)
    faisabilite = suited_or_forced(loaded.dossier, forcer=forcer)
    library = open_library(overlays)
    rendered = [(piece, *render_piece(loaded, piece, library=library, allow_drafts=brouillon))
                for piece in PIECES]
    results = []
    for piece, data, document in rendered:
        path = write_atomic(directory / f"{piece}.docx", data)
        results.append(Generation(path=path, piece=piece, fragments=document.fragments,
                                  faisabilite=faisabilite, is_draft=document.is_draft))
    return results
