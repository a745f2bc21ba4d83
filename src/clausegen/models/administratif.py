"""The administrative stipulations of a complete CCAP (maximum, prices, payment, disputes).

A separate sub-model of the dossier (key ``administratif``): every field is optional or has a
default, so a dossier written for the social chapter alone stays valid. What the complete
CCAP cannot do without (the maximum of an accord-cadre) is checked when it is generated
(:func:`clausegen.domain.ccap_complet.missing_fields`), with the field's name in the message.
"""


from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from clausegen.models._base import LABELS, MontantHT, Pourcentage, StrictModel, Texte
from clausegen.models.execution import Execution


class FormePrix(StrEnum):
    """How the prices of the market are expressed."""

    unitaires = "unitaires"
    forfaitaires = "forfaitaires"
    mixtes = "mixtes"


class VariationPrix(StrEnum):
    """Whether and how prices change over the market's life."""

    fermes = "fermes"
    actualisables = "actualisables"
    revisables = "revisables"


LABELS.update(
    {
        FormePrix.unitaires: "prix unitaires",
        FormePrix.forfaitaires: "prix forfaitaires",
        FormePrix.mixtes: "prix unitaires et prix forfaitaires",
        VariationPrix.fermes: "prix fermes",
        VariationPrix.actualisables: "prix fermes actualisables",
        VariationPrix.revisables: "prix révisables",
    }
)


class Reconduction(StrictModel):
    """Tacit renewal of the market: number and length of the renewal periods."""

    nombre: int = Field(ge=1, le=10, description="Nombre de reconductions possibles.")
    duree_mois: int = Field(ge=1, le=120, description="Durée de chaque période de reconduction, en mois.")
    preavis_mois: int = Field(
        default=3, ge=1, le=12,
        description="Délai, en mois avant la fin de la période en cours, dans lequel l'acheteur "
                    "notifie sa décision de ne pas reconduire.",
    )


class Reexamen(StrictModel):
    """Review clause (R. 2194-1) for the plan's foreseeable yearly evolutions."""

    plafond_pourcentage: Pourcentage = Field(
        default=Decimal("5"),
        description="Incidence financière cumulée maximale des modifications décidées au titre "
                    "de la clause de réexamen, en % du montant initial (ou du maximum) du marché.",
    )


class Administratif(StrictModel):
    """Stipulations of the complete CCAP outside the social plan (all optional)."""

    montant_minimum_ht: MontantHT | None = Field(
        default=None,
        description="Montant minimum de l'accord-cadre sur toute sa durée, en euros HT "
                    "(facultatif).",
    )
    montant_maximum_ht: MontantHT | None = Field(
        default=None,
        description="Montant maximum de l'accord-cadre sur toute sa durée, en euros HT "
                    "(exigé pour le CCAP complet d'un accord-cadre : article R. 2162-4 du code "
                    "de la commande publique).",
    )
    reconduction: Reconduction | None = Field(
        default=None,
        description="Reconduction tacite (nombre et durée des périodes) ; absente : marché "
                    "conclu pour sa durée totale, sans reconduction.",
    )
    forme_prix: FormePrix = Field(
        default=FormePrix.unitaires,
        description="Forme des prix : unitaires (bordereau des prix unitaires), forfaitaires "
                    "ou mixtes.",
    )
    variation_prix: VariationPrix = Field(
        default=VariationPrix.revisables,
        description="Variation des prix : fermes, actualisables ou révisables.",
    )
    indice_revision: Texte | None = Field(
        default=None,
        description="Index ou indice de référence de la révision des prix, tel qu'il doit "
                    "figurer au CCAP (ex. « indice des prix de production des services de "
                    "nettoyage publié par l'Insee »).",
    )
    avance_pourcentage: Pourcentage | None = Field(
        default=None,
        description="Taux de l'avance, en % ; absent : taux prévu par le code de la commande "
                    "publique.",
    )
    delai_paiement_jours: int = Field(
        default=30, ge=1, le=60,
        description="Délai global de paiement, en jours (30 jours pour l'État, les "
                    "collectivités territoriales et leurs établissements publics : article "
                    "R. 2192-10 du code de la commande publique).",
    )
    tribunal_administratif: Texte | None = Field(
        default=None,
        description="Tribunal administratif compétent, avec son adresse (ex. « tribunal "
                    "administratif de Nantes, 6 allée de l'Île-Gloriette, 44041 Nantes »).",
    )
    reexamen: Reexamen | None = Field(
        default=None,
        description="Clause de réexamen pour les évolutions annuelles du plan de progrès "
                    "(article R. 2194-1 du code de la commande publique) ; absente : toute "
                    "évolution d'une stipulation passe par une modification du marché.",
    )
    chapitre_premier_article: int | None = Field(
        default=None, ge=1, le=999,
        description="Si le CCAP de l'acheteur intègre le seul chapitre social (clausegen ccap "
                    "--chapitre), numéro de son premier article : le chapitre est numéroté à "
                    "partir de lui et les lettres et bilans citent cette numérotation.",
    )
    procedure: Texte | None = Field(
        default=None,
        description="Procédure de passation, telle qu'elle figure en page de garde "
                    "(ex. « Appel d'offres ouvert »).",
    )
    ccag_articles: dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,59}$")],
                        Annotated[str, StringConstraints(pattern=r"^\d{1,2}(\.\d{1,2}){0,3}$")]] = Field(
        default_factory=dict,
        description="Numéros d'articles du CCAG du marché que l'acheteur a vérifiés sur l'arrêté du "
                    "30 mars 2021, par clé de stipulation (clés : clause_library/ccag.yml, ex. "
                    "penalites_exoneration: \"14.1.3\") : imprimés dans les dérogations et les "
                    "renvois au CCAG à la place d'un renvoi sans numéro.",
    )
    chapitre_donnees_personnelles: bool = Field(
        default=True,
        description="Avec clausegen ccap --chapitre : faux si le CCAP de l'acheteur a déjà son "
                    "article sur la protection des données personnelles ; le chapitre n'a alors "
                    "pas le sien, et les notes pour le rédacteur disent ce que cet article doit "
                    "couvrir pour les données des personnes en parcours d'insertion.",
    )
    execution: Execution = Field(
        default_factory=Execution,
        description="Exécution des prestations : pénalités sur la prestation, niveaux de service, "
                    "reprise du personnel, facturation, représentant de l'acheteur, échanges "
                    "électroniques, données traitées pour l'acheteur, réversibilité.",
    )
