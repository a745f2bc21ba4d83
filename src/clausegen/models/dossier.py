"""The dossier: everything clausegen knows about one market, as typed by the buyer.

YAML keys are the French field names below. Every field has a description, which
``clausegen schema`` exports to JSON Schema for editor completion.
"""

from typing import Self

from pydantic import Field, model_validator

from clausegen.models._base import StrictModel, Version
from clausegen.models.administratif import Administratif
from clausegen.models.commun import (
    Acheteur,
    AxeDeProgres,
    BaseHeures,
    Ccag,
    ClauseInsertion,
    CodeAxe,
    Engagement,
    Facilitateur,
    Forme,
    FormulePenaliteHeure,
    Frequence,
    Marche,
    ModeInsertion,
    Nature,
    Penalites,
    PlanDeProgres,
    Prestation,
    Signataire,
    Suivi,
    Titulaire,
)
from clausegen.models.dispositifs import (
    ArticleReservation,
    ClauseInsertionSeule,
    MarcheSubsequent,
    Reservation,
)
from clausegen.models.suivi import (
    BilanFinalInsertion,
    Bilans,
    Plans,
    refuse_duplicate_years,
    refuse_duplicates,
)

__all__ = [  # the shared parts, defined in .commun, are read from here too
    "Acheteur",
    "AxeDeProgres",
    "BaseHeures",
    "Ccag",
    "ClauseInsertion",
    "CodeAxe",
    "Dossier",
    "Engagement",
    "Facilitateur",
    "Forme",
    "FormulePenaliteHeure",
    "Frequence",
    "Marche",
    "ModeInsertion",
    "Nature",
    "Penalites",
    "PlanDeProgres",
    "Prestation",
    "Signataire",
    "Suivi",
    "Titulaire",
]


class Dossier(StrictModel):
    """The whole dossier of one market (``plans`` and ``bilans``: its yearly follow-up)."""

    acheteur: Acheteur = Field(description="L'acheteur public.")
    marche: Marche = Field(description="Le marché.")
    facilitateur: Facilitateur = Field(description="Le facilitateur de la clause sociale.")
    titulaire: Titulaire | None = Field(
        default=None, description="Le titulaire, une fois le marché attribué."
    )
    plan_de_progres: PlanDeProgres | None = Field(
        default=None,
        description="Le plan de progrès en matière sociale (ou, à sa place, clause_insertion).",
    )
    clause_insertion: ClauseInsertionSeule | None = Field(
        default=None,
        description=(
            "La clause d'insertion seule, sans plan de progrès (marché de travaux, marché trop "
            "court ou ponctuel pour un plan)."
        ),
    )
    reservation: Reservation | None = Field(
        default=None,
        description="Marché (ou lot) réservé : article L2113-12 (EA, ESAT) ou L2113-13 (SIAE).",
    )
    marches_subsequents: list[MarcheSubsequent] = Field(
        default_factory=list,
        description="Marchés subséquents d'un accord-cadre multi-attributaire (clé numero).",
    )
    bibliotheque: Version | None = Field(
        default=None,
        description="Version publiée de la bibliothèque de clauses à utiliser (épinglage).",
    )
    administratif: Administratif = Field(
        default_factory=Administratif,
        description="Clauses administratives du CCAP complet (maximum, prix, paiement, "
                    "différends) ; inutiles pour le seul chapitre social.",
    )
    plans: Plans
    bilans: Bilans
    bilan_final: BilanFinalInsertion | None = Field(
        default=None,
        description="Bilan final de la clause d'insertion seule (section clause_insertion) : heures "
                    "réalisées, retards, procédure de pénalité.",
    )
    _years_unique = model_validator(mode="after")(refuse_duplicate_years)

    @model_validator(mode="after")
    def _final_bilan_of_the_insertion_clause(self) -> Self:
        if self.bilan_final is not None and self.clause_insertion is None:
            raise ValueError("bilan_final ne vaut que pour la clause d'insertion seule (section "
                             "clause_insertion) ; le plan de progrès a ses bilans annuels (bilans)")
        return self

    @model_validator(mode="after")
    def _subsequent_numbers_unique(self) -> Self:
        refuse_duplicates([str(m.numero) for m in self.marches_subsequents],
                          "marches_subsequents : numéro(s)")
        return self

    @model_validator(mode="after")
    def _one_social_device(self) -> Self:
        if (self.plan_de_progres is None) == (self.clause_insertion is None):
            raise ValueError(
                "une section plan_de_progres ou une section clause_insertion est attendue "
                "(l'une ou l'autre, pas les deux : le plan de progrès porte sa propre clause "
                "d'insertion dans plan_de_progres.insertion)"
            )
        if self.clause_insertion is not None and self.reservation is not None:
            raise ValueError(
                f"clause_insertion : un marché réservé ({self.reservation.article.value}) est "
                "exécuté par des personnes déjà en parcours d'insertion ou en emploi adapté ; une "
                "clause d'insertion en heures n'y a pas de sens (retirez clause_insertion ou "
                "reservation)"
            )
        return self

    @model_validator(mode="after")
    def _subsequents_match_form(self) -> Self:
        ms = Forme.accord_cadre_multi_attributaire_marches_subsequents
        if self.marches_subsequents and self.marche.forme is not ms:
            raise ValueError("marches_subsequents ne vaut que pour un accord-cadre multi-attributaire "
                             "à marchés subséquents")
        return self

    @model_validator(mode="after")
    def _renewals_fit_duration(self) -> Self:
        reconduction = self.administratif.reconduction
        if reconduction and reconduction.nombre * reconduction.duree_mois >= self.marche.duree_mois:
            raise ValueError(
                "administratif.reconduction : les reconductions "
                f"({reconduction.nombre} × {reconduction.duree_mois} mois) doivent laisser une "
                f"période initiale dans la durée totale du marché ({self.marche.duree_mois} mois)"
            )
        return self

    @property
    def plan(self) -> PlanDeProgres:
        """The plan de progrès of a dossier known to have one (post-award pieces check it)."""
        if self.plan_de_progres is None:
            raise RuntimeError("dossier sans plan de progrès")
        return self.plan_de_progres

    @property
    def insertion(self) -> ClauseInsertion | None:
        """The insertion clause, whether alone or within the plan de progrès."""
        if self.clause_insertion is not None:
            return self.clause_insertion
        return self.plan_de_progres.insertion if self.plan_de_progres else None

    def marche_subsequent(self, numero: int) -> MarcheSubsequent | None:
        """The subsequent contract with this number, if listed."""
        return next((m for m in self.marches_subsequents if m.numero == numero), None)


__all__ = ["ArticleReservation", "Dossier", "MarcheSubsequent", "Reservation"]
