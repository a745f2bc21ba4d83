"""Kinds of market beyond the single-titulaire contract (see ``docs/marches.md``).

- ``marches_subsequents``: the subsequent contracts of a multi-attributaire accord-cadre,
  each with its number, titulaire, notification date and duration; the post-award pieces
  attach to one of them (``--marche-subsequent N``), with its own ``plans`` and ``bilans``;
- ``reservation``: a contract reserved under article L. 2113-12 (entreprises adaptées, ESAT)
  or L. 2113-13 (SIAE) of the code de la commande publique;
- ``clause_insertion``: the insertion clause alone (condition d'exécution, L. 2112-2),
  for a works contract or a market too short or one-off for a plan de progrès.
"""


from datetime import date
from enum import StrEnum

from pydantic import Field, model_validator

from clausegen.models._base import LABELS, StrictModel, Texte
from clausegen.models.commun import ClauseInsertion, Penalites, Suivi, Titulaire
from clausegen.models.suivi import Bilans, Plans, refuse_duplicate_years


class ArticleReservation(StrEnum):
    """Legal basis of a reserved contract (code de la commande publique)."""

    l2113_12 = "L2113-12"
    l2113_13 = "L2113-13"


LABELS.update({
    ArticleReservation.l2113_12: (
        "article L. 2113-12 du code de la commande publique (entreprises adaptées, "
        "établissements et services d'aide par le travail)"
    ),
    ArticleReservation.l2113_13: (
        "article L. 2113-13 du code de la commande publique (structures d'insertion par "
        "l'activité économique)"
    ),
})


class Reservation(StrictModel):
    """The contract (or lot) is reserved to operators employing a minimum share of workers
    with a disability (L. 2113-12) or of disadvantaged workers (L. 2113-13)."""

    article: ArticleReservation = Field(
        description="Fondement de la réservation : « L2113-12 » (EA, ESAT) ou « L2113-13 » (SIAE)."
    )
    precisions: Texte | None = Field(
        default=None, description="Précisions (lot réservé, structures équivalentes…)."
    )


class MarcheSubsequent(StrictModel):
    """One subsequent contract of a multi-attributaire accord-cadre, with its own ``plans`` and
    ``bilans``."""

    numero: int = Field(ge=1, le=999, description="Numéro du marché subséquent (1, 2…).")
    reference: Texte | None = Field(
        default=None, description="Référence propre du marché subséquent (ex. « 2026-0142-MS1 »)."
    )
    objet: Texte | None = Field(default=None, description="Objet du marché subséquent.")
    titulaire: Titulaire = Field(description="Titulaire du marché subséquent.")
    date_notification: date = Field(description="Date de notification (AAAA-MM-JJ).")
    duree_mois: int = Field(ge=1, le=600, description="Durée du marché subséquent, en mois.")
    insertion: ClauseInsertion | None = Field(
        default=None,
        description="Engagement d'insertion de ce marché subséquent (volume d'heures sur sa durée, "
                    "ou actions par an), fixé à sa passation ; à défaut, celui de "
                    "plan_de_progres.insertion, appliqué à la durée du marché subséquent.",
    )
    plans: Plans
    bilans: Bilans
    _years_unique = model_validator(mode="after")(refuse_duplicate_years)


class ClauseInsertionSeule(ClauseInsertion):
    """The insertion clause without a plan de progrès: its follow-up and its penalties."""

    suivi: Suivi = Field(default_factory=Suivi, description="Relevés et bilan final de l'insertion.")
    penalites: Penalites = Field(
        default_factory=Penalites, description="Pénalités de la clause d'insertion et plafond."
    )
    reception_travaux: date | None = Field(
        default=None,
        description="Marché de travaux : date d'effet de la réception des travaux, une fois prononcée. "
                    "Le dernier relevé est dû quinze jours après, le bilan final dans le mois qui suit "
                    "(CCAP).",
    )
    decompte_general_le: date | None = Field(
        default=None,
        description="Marché de travaux : date à laquelle l'acheteur notifie (ou prévoit de notifier) le "
                    "décompte général ; la décision sur les pénalités d'insertion la précède, les pénalités "
                    "y étant portées (CCAP).",
    )
