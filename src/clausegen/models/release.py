"""A published release of the clause library: ``releases/<version>.yml``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, StringConstraints

from clausegen.models._base import FragmentId, StrictModel, Texte, Version

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""A hexadecimal SHA-256 digest."""


class ReleaseEntry(StrictModel):
    """One fragment version recorded by a release."""

    version: Version = Field(description="Version du fragment publiée.")
    sha256: Sha256 = Field(description="Empreinte de contenu de la version (hors statut et revue).")
    couche: Texte = Field(default="bibliotheque", description="Couche qui fournit la version.")


class CanevasEntry(StrictModel):
    """One canevas recorded by a release: a copy lies in ``releases/<version>/canevas/``."""

    sha256: Sha256 = Field(description="SHA-256 du fichier du canevas tel que publié.")
    couche: Texte = Field(default="bibliotheque", description="Couche qui fournissait le canevas.")


class ReleaseManifest(StrictModel):
    """The fragment versions and canevas of one library release, with their hashes."""

    version: Version = Field(description="Version de la bibliothèque.")
    date: dt.date = Field(description="Date de publication (AAAA-MM-JJ).")
    fragments: dict[FragmentId, ReleaseEntry] = Field(
        description="Chaque fragment publié : version, empreinte, couche."
    )
    canevas: dict[FragmentId, CanevasEntry] = Field(
        default_factory=dict,
        description="Chaque canevas publié (plan de la pièce), par pièce : empreinte du fichier "
        "copié dans releases/<version>/canevas/<pièce>.yml. Vide pour une publication antérieure "
        "à l'enregistrement des canevas.",
    )
