"""How the services themselves are executed, checked, invoiced and managed (complete CCAP).

What published CCAPs carry beyond the social clause (legal review of 7 December 2026, § 5;
issue 19, item 4): penalties on the service itself, service levels of an IT service, the
taking over of staff a collective agreement imposes, invoicing, the buyer's representative and
electronic exchanges. A sub-model of ``administratif`` (key ``execution``); every field is
optional or has a default, so existing dossiers stay valid.
"""

from enum import StrEnum
from typing import Any, Self

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from clausegen.models._base import LABELS, MontantHT, StrictModel, Texte


class Facturation(StrEnum):
    """How often the titulaire sends a payment request."""

    mensuelle = "mensuelle"
    trimestrielle = "trimestrielle"
    par_bon_de_commande = "par_bon_de_commande"


LABELS.update(
    {
        Facturation.mensuelle: "chaque mois",
        Facturation.trimestrielle: "chaque trimestre",
        Facturation.par_bon_de_commande: "à l'achèvement de chaque bon de commande",
    }
)


class ProprieteIntellectuelle(StrEnum):
    """Rights on the results of the services: the CCAG's own regime, or an exclusive assignment."""

    ccag = "ccag"
    cession = "cession"


LABELS.update(
    {
        ProprieteIntellectuelle.ccag: "régime du CCAG (droit d'utilisation de l'acheteur, sans exclusivité)",
        ProprieteIntellectuelle.cession: "cession exclusive des droits patrimoniaux à l'acheteur",
    }
)


class PenalitesPrestation(StrictModel):
    """Penalties on the service itself, beyond the CCAG's delay penalties (each optional)."""

    prestation_non_executee: MontantHT | None = Field(
        default=None,
        description="Pénalité, en euros HT, par prestation commandée ou planifiée et non "
                    "exécutée, constatée contradictoirement.",
    )
    non_conformite: MontantHT | None = Field(
        default=None,
        description="Pénalité, en euros HT, par non-conformité relevée lors d'un contrôle "
                    "contradictoire et non corrigée dans le délai fixé par l'acheteur.",
    )
    retard_intervention: MontantHT | None = Field(
        default=None,
        description="Pénalité, en euros HT, par heure de retard d'intervention au-delà du délai "
                    "d'intervention (delai_intervention_heures).",
    )
    delai_intervention_heures: int | None = Field(
        default=None, ge=1, le=720,
        description="Délai d'intervention, en heures, à compter de la demande de l'acheteur "
                    "(exigé avec retard_intervention).",
    )

    @model_validator(mode="after")
    def _delay_with_its_penalty(self) -> Self:
        if self.retard_intervention is not None and self.delai_intervention_heures is None:
            raise ValueError("delai_intervention_heures (délai d'intervention, en heures) est "
                             "obligatoire avec retard_intervention")
        return self


class NiveauService(StrictModel):
    """A service level of an IT service (CCAG-TIC) and the penalty when it is missed."""

    indicateur: Texte = Field(description="Indicateur mesuré (ex. « disponibilité du service »).")
    seuil: Texte = Field(description="Niveau attendu et période de mesure (ex. « 99,5 % par mois »).")
    penalite: MontantHT = Field(
        description="Pénalité, en euros HT, par période de mesure où le niveau n'est pas atteint.",
    )


class Execution(StrictModel):
    """Execution, checks, invoicing and exchanges of the complete CCAP."""

    penalites_prestation: PenalitesPrestation = Field(
        default_factory=PenalitesPrestation,
        description="Pénalités sur la prestation elle-même (prestation non exécutée, "
                    "non-conformité, retard d'intervention), en plus des pénalités de retard du CCAG.",
    )
    niveaux_service: list[NiveauService] = Field(
        default_factory=list,
        description="Niveaux de service d'une prestation informatique (CCAG-TIC) et pénalité "
                    "par période de mesure manquée ; mesurés selon le CCTP.",
    )
    reprise_personnel: Texte | None = Field(
        default=None,
        description="Stipulation conventionnelle qui impose la reprise du personnel affecté au "
                    "marché (ex. « l'article 7, ancienne annexe 7, de la convention collective "
                    "nationale des entreprises de propreté et services associés ») ; absente : pas "
                    "d'article de reprise.",
    )
    facturation: Facturation = Field(
        default=Facturation.mensuelle,
        description="Périodicité des demandes de paiement : mensuelle, trimestrielle ou "
                    "par_bon_de_commande.",
    )
    representant_acheteur: Texte | None = Field(
        default=None,
        description="Service ou personne qui représente l'acheteur pour l'exécution du marché "
                    "(ex. « la direction du patrimoine bâti ») ; absent : désigné à la notification.",
    )
    profil_acheteur: Texte | None = Field(
        default=None,
        description="Adresse du profil d'acheteur par lequel passent les échanges électroniques.",
    )
    sous_traitance_donnees: bool | None = Field(
        default=None,
        description="Le titulaire traite-t-il des données personnelles pour le compte de "
                    "l'acheteur (article 28 du RGPD) ? Par défaut : oui pour un marché sous "
                    "CCAG-TIC, non sinon.",
    )
    reversibilite: bool | None = Field(
        default=None,
        description="Clause de réversibilité en fin de marché. Par défaut : oui pour un marché "
                    "sous CCAG-TIC, non sinon.",
    )
    propriete_intellectuelle: ProprieteIntellectuelle | None = Field(
        default=None,
        description="Droits sur les résultats des prestations : « ccag » (régime du CCAG, sans "
                    "dérogation : l'acheteur utilise les résultats pour ses besoins, sans "
                    "exclusivité) ou « cession » (cession exclusive des droits patrimoniaux à "
                    "l'acheteur, par dérogation au CCAG, listée au dernier article). Par défaut : "
                    "« ccag » pour un marché sous CCAG-TIC, sans article sinon.",
    )

    @model_serializer(mode="wrap")
    def _without_unset_newer_options(self, handler: SerializerFunctionWrapHandler) -> Any:
        """A dossier that does not set an option added after a library release records the same
        data as before it (the dossier data embedded in a document stays byte for byte that of
        the release that built it: tests/golden/ccap-epingle-1.2.1.sha256)."""
        data = handler(self)
        if isinstance(data, dict) and data.get("propriete_intellectuelle") is None:
            data.pop("propriete_intellectuelle", None)
        return data
