"""Clause fragments and the canevas (outline) of each piece, as stored in ``clause_library/``."""


from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import Field

from clausegen.models._base import LABELS, FragmentId, StrictModel, Texte, Version


class Statut(StrEnum):
    """Review status of a fragment version (brouillon → en_revue → valide → retire)."""

    brouillon = "brouillon"
    en_revue = "en_revue"
    valide = "valide"
    retire = "retire"


class Categorie(StrEnum):
    """Kind of clause, used to filter the library."""

    general = "general"
    axe = "axe"
    suivi = "suivi"
    penalite = "penalite"
    insertion = "insertion"
    lettre = "lettre"
    plan = "plan"
    bilan = "bilan"


LABELS.update(
    {
        Statut.brouillon: "brouillon",
        Statut.en_revue: "en revue",
        Statut.valide: "validé",
        Statut.retire: "retiré",
    }
)


class Revue(StrictModel):
    """Who reviewed a fragment version, when, and against which checklist."""

    par: Texte = Field(description="Nom du juriste relecteur.")
    le: date = Field(description="Date de la revue (AAAA-MM-JJ).")
    grille: Texte = Field(
        default="clause_library/GRILLE_DE_REVUE.md",
        description="Grille de revue appliquée (fichier de la bibliothèque).",
    )


class Derogation(StrictModel):
    """A derogation to the CCAG made by the fragment (listed in the CCAP's last article)."""

    cle: FragmentId = Field(
        description="Clé de l'article du CCAG dans clause_library/ccag.yml (ex. penalites_plafond)."
    )
    objet: Texte = Field(description="Objet de la dérogation, en une phrase.")
    condition: Texte | None = Field(
        default=None, description="Expression sur le dossier ; la dérogation vaut si elle est vraie."
    )


class CcagArticle(StrictModel):
    """Where one provision sits in each CCAG 2021 (``None``: number not verified)."""

    libelle: Texte = Field(description="Objet de la stipulation, pour un renvoi sans numéro.")
    fcs: str | None = Field(default=None, description="Numéro dans le CCAG-FCS.")
    tic: str | None = Field(default=None, description="Numéro dans le CCAG-TIC.")
    pi: str | None = Field(default=None, description="Numéro dans le CCAG-PI.")
    travaux: str | None = Field(default=None, description="Numéro dans le CCAG-Travaux.")
    mi: str | None = Field(default=None, description="Numéro dans le CCAG-MI.")
    moe: str | None = Field(default=None, description="Numéro dans le CCAG-MOE.")
    source: Texte = Field(description="Source de la numérotation et niveau de vérification.")


class CcagTable(StrictModel):
    """The CCAG article numbers clauses refer to (``clause_library/ccag.yml``)."""

    articles: dict[FragmentId, CcagArticle] = Field(
        default_factory=dict, description="Stipulations du CCAG citées, par clé."
    )


class FragmentMeta(StrictModel):
    """Front matter of a fragment file."""

    id: FragmentId = Field(description="Identifiant stable (ex. « plan_progres.penalites »).")
    version: Version = Field(description="Version sémantique MAJEUR.MINEUR.CORRECTIF.")
    statut: Statut = Field(description="brouillon, en_revue, valide ou retire.")
    titre: Texte = Field(description="Titre de la clause, repris comme intitulé de section.")
    categorie: Categorie = Field(description="Catégorie (axe, suivi, penalite, general…).")
    pieces: list[Texte] = Field(min_length=1, description="Pièces où la clause peut figurer.")
    variables: list[Texte] = Field(
        default_factory=list, description="Variables du dossier utilisées (chemins pointés)."
    )
    references: list[Texte] = Field(
        default_factory=list, description="Références juridiques sur lesquelles repose la clause."
    )
    references_non_verifiees: list[Texte] = Field(
        default_factory=list,
        description="Références ou faits non vérifiés sur le texte officiel, signalés au relecteur.",
    )
    derogations_ccag: list[Derogation] = Field(
        default_factory=list, description="Dérogations au CCAG opérées par la clause."
    )
    revue: Revue | None = Field(default=None, description="Revue juridique (exigée si valide).")
    remplace: Version | None = Field(
        default=None, description="Version précédente que celle-ci remplace."
    )
    notes: Texte | None = Field(default=None, description="Notes de rédaction pour les juristes.")


@dataclass(frozen=True)
class Fragment:
    """One version of a fragment: metadata, raw body and where it was read."""

    meta: FragmentMeta
    body: str
    path: Path
    sha256: str
    body_line: int = 1
    layer: str = "bibliotheque"

    @property
    def ref(self) -> str:
        """``id@version``, the form used in provenance records."""
        return f"{self.meta.id}@{self.meta.version}"


# --- canevas -----------------------------------------------------------------


class SectionSpec(StrictModel):
    """A numbered sub-article of the outline (X.Y)."""

    titre: Texte | None = Field(
        default=None, description="Intitulé ; par défaut, le titre du premier fragment."
    )
    cle: FragmentId | None = Field(
        default=None, description="Clé de renvoi ; par défaut, l'identifiant du premier fragment."
    )
    fragments: list[FragmentId] = Field(min_length=1, description="Fragments, dans l'ordre.")
    condition: Texte | None = Field(
        default=None, description="Expression sur le dossier ; la section est omise si fausse."
    )


class ArticleSpec(StrictModel):
    """A numbered article of the outline."""

    titre: Texte = Field(description="Intitulé de l'article.")
    cle: FragmentId = Field(description="Clé de renvoi de l'article (« voir l'article … »).")
    fragments: list[FragmentId] = Field(
        default_factory=list, description="Fragments en tête d'article, avant les sections."
    )
    sections: list[SectionSpec] = Field(default_factory=list, description="Sous-articles.")
    condition: Texte | None = Field(
        default=None, description="Expression sur le dossier ; l'article est omis si fausse."
    )
    numerote: bool = Field(
        default=True,
        description="Faux : titre sans numéro, hors de la numérotation des articles et sans "
                    "renvoi possible (notes pour le rédacteur du chapitre, à supprimer).",
    )


class Canevas(StrictModel):
    """The outline of one piece (CCAP, CCTP…): ordered articles with conditions."""

    piece: FragmentId = Field(description="Code de la pièce (ccap, cctp…).")
    titre: Texte = Field(description="Titre complet de la pièce.")
    sigle: Texte = Field(description="Sigle de la pièce (CCAP, CCTP…).")
    modele: str = Field(
        default="piece.docx", pattern=r"^[A-Za-z0-9_-]+\.docx$", max_length=80,
        description="Nom d'un squelette Word de templates/ (sans chemin : piece.docx, lettre.docx).",
    )
    numerotation: bool = Field(
        default=True, description="Numéroter les articles (« Article 1 – … »)."
    )
    titres: bool = Field(
        default=True, description="Afficher l'intitulé des articles (non pour une lettre)."
    )
    sommaire: bool = Field(
        default=False, description="Table des matières en tête du corps (champ que Word met à jour)."
    )
    articles: list[ArticleSpec] = Field(min_length=1, description="Articles, dans l'ordre.")
