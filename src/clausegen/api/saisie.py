"""Dossiers typed in a form or uploaded (the web application), on the same models as files.

- :func:`valider_dossier`: the dossier of a draft dictionary, or its French field problems;
- :func:`verdict_du_marche`: the feasibility verdict as soon as the market part is valid;
- :func:`dossier_depuis_yaml` / :func:`dossier_en_yaml`: the CLI's file format, both ways;
- :func:`generer_en_memoire`: CCAP and CCTP in memory, with their HTML preview and what went in;
- :func:`archive_zip`, :func:`pdf_depuis_docx`: downloads of stored pieces.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pydantic import ValidationError

from clausegen import __version__
from clausegen.api.marche import PIECES, LoadedDossier, open_library, render_piece, suited_or_forced
from clausegen.api.piece import Converter, to_pdf
from clausegen.domain.faisabilite import Faisabilite, assess_faisabilite
from clausegen.dossier_file import parse_dossier, validated_document
from clausegen.dossier_text import dossier_text
from clausegen.errors import DossierError, FieldProblem
from clausegen.models.dossier import Dossier, Marche
from clausegen.models.validation import problems_from
from clausegen.render.html import blocks_to_html
from clausegen.render.package import rezip
from clausegen.render.pdf import find_soffice
from clausegen.yaml_files import read_document


def valider_dossier(data: Mapping[str, Any]) -> tuple[Dossier | None, list[FieldProblem]]:
    """Validate a draft with the CLI's model: the dossier, or every problem (dotted paths)."""
    try:
        return Dossier.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from(exc)


def verdict_du_marche(marche: Mapping[str, Any]) -> Faisabilite | None:
    """The verdict of the market part of a draft; None while that part is incomplete."""
    try:
        return assess_faisabilite(Marche.model_validate(marche))
    except ValidationError:
        return None


def dossier_depuis_yaml(text: str, nom: str) -> LoadedDossier:
    """Parse and validate a dossier file's text (errors name ``nom`` and each field)."""
    path = Path(nom)
    return LoadedDossier(dossier=parse_dossier(text, path), path=path,
                         sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def dossier_en_yaml(dossier: Dossier) -> str:
    """The dossier in the CLI's file format (model order, empty parts left out)."""
    return dossier_text(dossier).text


def generer_depuis_donnees(data: Mapping[str, Any], nom: str,
                           overlays: Sequence[Path] = ()) -> tuple[str, PiecesEnMemoire]:
    """What the web application generates from a draft: validate it, write the dossier file's
    text, take the dossier that the CLI reads from that text, render. The text is returned
    (it is what the provenance's hash covers)."""
    dossier, problemes = valider_dossier(data)
    if dossier is None:
        raise DossierError(path=nom, problems=problemes)
    path = Path(nom)
    written = dossier_text(dossier, path)
    lu = validated_document(read_document(written.text, written.data, path=path))
    loaded = LoadedDossier(dossier=lu, path=path,
                           sha256=hashlib.sha256(written.text.encode("utf-8")).hexdigest())
    return written.text, generer_en_memoire(loaded, overlays)


def donnees_du_dossier(dossier: Dossier) -> dict[str, Any]:
    """The dossier as a draft dictionary (JSON types: dates as text, amounts as text)."""
    return dossier.model_dump(mode="json", exclude_none=True)


@dataclass(frozen=True)
class DocumentEnMemoire:
    """A generated Word document, not written anywhere, with the fragment versions in it."""

    piece: str
    docx: bytes
    fragments: dict[str, str]

    @property
    def sha256(self) -> str:
        """Hash of the .docx bytes."""
        return hashlib.sha256(self.docx).hexdigest()


@dataclass(frozen=True)
class PieceEnMemoire(DocumentEnMemoire):
    """One tender piece (CCAP, CCTP) with its title and HTML preview."""

    titre: str
    apercu: Markup
    brouillon: bool


@dataclass(frozen=True)
class PiecesEnMemoire:
    """What one generation produced and from what."""

    pieces: tuple[PieceEnMemoire, ...]
    faisabilite: Faisabilite
    dossier_sha256: str
    bibliotheque: str
    version_outil: str


def generer_en_memoire(loaded: LoadedDossier, overlays: Sequence[Path] = ()) -> PiecesEnMemoire:
    """Check feasibility, then render CCAP and CCTP in memory (as ``clausegen pieces``);
    ``overlays``: the organisation's library (see :mod:`clausegen.api.juridique`)."""
    faisabilite = suited_or_forced(loaded.dossier, forcer=False)
    library = open_library(overlays)
    pieces = []
    for piece in PIECES:
        data, document = render_piece(loaded, piece, library=library)
        fragments = {f.id: f"{f.version} sha256:{f.sha256} {f.statut}" for f in document.fragments}
        pieces.append(PieceEnMemoire(piece=piece, titre=document.titre, docx=data,
                                     apercu=blocks_to_html(document.blocks), fragments=fragments,
                                     brouillon=document.is_draft))
    return PiecesEnMemoire(pieces=tuple(pieces), faisabilite=faisabilite,
                           dossier_sha256=loaded.sha256,
                           bibliotheque=loaded.dossier.bibliotheque or library.release,
                           version_outil=__version__)


def archive_zip(fichiers: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of named files, with fixed timestamps (same files, same bytes)."""
    return rezip(fichiers)


def pdf_disponible() -> bool:
    """Whether LibreOffice is installed (PDF downloads)."""
    return find_soffice() is not None


def pdf_depuis_docx(docx: bytes, nom: str, converter: Converter | None = None) -> bytes:
    """The PDF of a .docx (:func:`clausegen.api.piece.to_pdf`)."""
    return to_pdf(docx, nom, converter)
