"""The facilitator's year: the annual plan de progrès and the annual results.

Given inside the dossier (``plans:`` / ``bilans:``, keyed by ``annee``) or one YAML
file per year (``--plan``, ``--resultats``). Identifiers (``id``) tie results to the plan.
"""


from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, ValidationError, field_validator, model_validator

from clausegen.models._base import SLUG_PATTERN, MontantHT, StrictModel, Texte, label
from clausegen.models.commun import CodeAxe, Penalites
from clausegen.models.perimetre import RAISON, REFUSES, Perimetre, check_text
from clausegen.text.french import date_longue

Annee = Annotated[int, Field(ge=1, le=50, description="Année d'exécution (1 pour la première).")]
Identifiant = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=60)]
Valeur = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2)]


def refuse_duplicates(values: list[str], what: str) -> None:
    """Raise a French ValueError naming the values given twice."""
    doubles = sorted({v for v in values if values.count(v) > 1})
    if doubles:
        raise ValueError(f"{what} en double : {', '.join(doubles)}")


class Objectif(StrictModel):
    """A measurable objective of one axis (points 1 and 2 of the plan)."""

    id: Identifiant = Field(description="Identifiant de l'objectif (ex. heures_insertion).")
    libelle: Texte = Field(description="L'objectif, en une phrase.")
    indicateur: Texte = Field(description="Indicateur de mesure, sur le périmètre du marché.")
    valeur_cible: Valeur = Field(gt=0, description="Valeur cible de l'indicateur.")
    unite: Texte = Field(description="Unité de l'indicateur (heures, personnes, sessions…).")
    echeance: date = Field(description="Échéance de l'objectif (AAAA-MM-JJ).")
    justificatif: Texte | None = Field(
        default=None, description="Pièce qui établit la valeur atteinte."
    )
    perimetre: Perimetre = Field(
        default=Perimetre.personnel_affecte,
        description=(
            "Qui l'indicateur compte : « personnel_affecte » (salariés affectés au marché, par "
            "défaut) ou « publics_accueillis » (personnes accueillies sur le marché) ; un "
            "périmètre plus large (entreprise, groupe, autres_marches) est refusé."
        ),
    )

    @field_validator("libelle", "indicateur")
    @classmethod
    def _assigned_staff_only(cls, text: str) -> str:
        return check_text(text, "le texte")

    @field_validator("perimetre")
    @classmethod
    def _perimeter_allowed(cls, perimetre: Perimetre) -> Perimetre:
        if perimetre in REFUSES:
            raise ValueError(f"périmètre « {label(perimetre)} » refusé ; {RAISON}")
        return perimetre


class Action(StrictModel):
    """An action of one party (points 3 and 4), dated (point 6 is derived from it)."""

    id: Identifiant = Field(description="Identifiant de l'action.")
    libelle: Texte = Field(description="L'action, en une phrase.")
    echeance: date = Field(description="Échéance de l'action (AAAA-MM-JJ).")
    liee_a_une_date: bool = Field(
        default=False,
        description="Vrai pour une action liée à une date (un forum, une journée portes ouvertes…) "
                    "qui ne peut plus être réalisée une fois la date passée : le CCAP en sanctionne "
                    "la non-réalisation dès le constat, sans mise en demeure ; faux : une mise en "
                    "demeure restée sans effet précède la pénalité. Le plan l'indique à l'échéance.",
    )


class AxePlan(StrictModel):
    """The seven points of the plan for one retained axis."""

    axe: CodeAxe = Field(description="Axe de progrès (retenu au dossier).")
    objectifs: list[Objectif] = Field(min_length=1, description="Objectifs et valeurs cibles.")
    actions_titulaire: list[Action] = Field(default_factory=list,
                                            description="Actions à la charge du titulaire.")
    actions_acheteur: list[Action] = Field(default_factory=list,
                                           description="Actions à la charge de l'acheteur.")
    moyens_titulaire: list[Texte] = Field(default_factory=list,
                                          description="Moyens mobilisés par le titulaire.")
    moyens_acheteur: list[Texte] = Field(default_factory=list,
                                         description="Moyens mobilisés par l'acheteur.")
    suivi_controle: list[Texte] = Field(min_length=1,
                                        description="Modalités de suivi et de contrôle.")


class PlanAnnuel(StrictModel):
    """The plan de progrès of one year of execution."""

    annee: Annee
    date_validation: date | None = Field(
        default=None, description="Date de la réunion où le plan a été convenu."
    )
    axes: list[AxePlan] = Field(min_length=1, description="Un bloc par axe retenu.")
    prestations_remunerees_nouvelles: list[Texte] = Field(
        default_factory=list,
        description="Prestations rémunérées nouvelles (exigent un avenant).",
    )
    cout_supplementaire_ht: MontantHT = Field(
        default=Decimal("0"), description="Coût supplémentaire HT pour l'acheteur (avenant si > 0)."
    )
    penalites: Penalites | None = Field(
        default=None, description="Montants de pénalités (avenant s'ils diffèrent du CCAP)."
    )
    duree_mois: int | None = Field(default=None, ge=1, le=600,
                                   description="Durée du marché (avenant si elle change).")
    montant_estime_ht: MontantHT | None = Field(
        default=None, description="Montant du marché (avenant s'il change)."
    )

    @model_validator(mode="after")
    def _ids_unique(self) -> Self:
        refuse_duplicates([a.axe.value for a in self.axes], "axe(s)")
        refuse_duplicates([o.id for a in self.axes for o in a.objectifs], "objectif(s)")
        refuse_duplicates([x.id for a in self.axes for x in (*a.actions_titulaire, *a.actions_acheteur)],
                "action(s)")
        return self

    def objectifs(self) -> list[tuple[CodeAxe, Objectif]]:
        """Every objective with its axis, in the plan's order."""
        return [(a.axe, o) for a in self.axes for o in a.objectifs]

    def actions_titulaire(self) -> list[Action]:
        """Every titulaire action, in the plan's order."""
        return [x for a in self.axes for x in a.actions_titulaire]


class Decision(StrEnum):
    """The buyer's reasoned decision on one penalty."""

    appliquee = "appliquee"
    reduite = "reduite"
    ecartee = "ecartee"


class Procedure(StrictModel):
    """The dated steps of the penalty procedure of one failing (CCAP « Mise en demeure,
    procédure contradictoire… »): constat, mise en demeure when the CCAP requires one,
    invitation to present observations, the titulaire's observations, reasoned decision.

    The order of the steps against the failing (its constat, whether a mise en demeure is
    required) is checked by :mod:`clausegen.domain.procedure`, which knows the failing."""

    constat: date | None = Field(
        default=None,
        description="Date du constat du manquement (par défaut : l'échéance manquée, ou la réunion "
                    "de bilan pour les heures d'insertion et les objectifs).",
    )
    mise_en_demeure: date | None = Field(
        default=None, description="Date de la mise en demeure adressée au titulaire (date de la lettre), "
                                  "le cas échéant."
    )
    mise_en_demeure_recue_le: date | None = Field(
        default=None,
        description="Date à laquelle le titulaire a reçu la mise en demeure (avis de réception postal, ou "
                    "date certaine de sa prise de connaissance sur le profil d'acheteur) : son délai court "
                    "du lendemain (CCAP). Sans elle, le délai n'a pas de terme connu.",
    )
    delai_mise_en_demeure_jours: int = Field(
        default=15, ge=15, le=365,
        description="Délai laissé par la mise en demeure, en jours (au moins quinze, CCAP).",
    )
    invitation_observations: date | None = Field(
        default=None,
        description="Date de la lettre invitant le titulaire à présenter ses observations sous "
                    "quinze jours (procédure contradictoire).",
    )
    observations_recues_le: date | None = Field(
        default=None, description="Date de réception des observations du titulaire."
    )
    observations_titulaire: Texte | None = Field(
        default=None, description="Observations présentées par le titulaire, résumées."
    )
    date_decision: date | None = Field(
        default=None, description="Date de notification de la décision motivée de l'acheteur."
    )
    decision: Decision | None = Field(
        default=None,
        description="Décision de l'acheteur : « appliquee », « reduite » (montant_retenu) ou "
                    "« ecartee » ; à défaut, penalite_appliquee.",
    )
    penalite_appliquee: bool = Field(
        default=True,
        description="Décision de l'acheteur : la pénalité est appliquée (true) ou écartée (false).",
    )
    montant_retenu: MontantHT | None = Field(
        default=None, description="Montant HT retenu par une décision qui réduit la pénalité."
    )
    motifs: Texte | None = Field(
        default=None, description="Motifs de la décision (exigés pour réduire ou écarter la pénalité)."
    )

    @model_validator(mode="after")
    def _steps_in_order(self) -> Self:
        steps = [(nom, d) for nom, d in (
            ("le constat", self.constat), ("la mise en demeure", self.mise_en_demeure),
            ("la réception de la mise en demeure", self.mise_en_demeure_recue_le),
            ("l'invitation à présenter des observations", self.invitation_observations),
            ("la réception des observations", self.observations_recues_le),
            ("la décision", self.date_decision)) if d is not None]
        for (avant, d1), (apres, d2) in zip(steps, steps[1:], strict=False):
            if d2 < d1:
                raise ValueError(f"{apres} ({date_longue(d2)}) ne peut précéder {avant} ({date_longue(d1)})")
        if self.date_decision is not None and self.invitation_observations is None:
            raise ValueError(f"la décision du {date_longue(self.date_decision)} suppose l'invitation "
                             "préalable à présenter des observations (invitation_observations)")
        if self.observations_recues_le is not None and self.invitation_observations is None:
            raise ValueError("des observations reçues supposent l'invitation à les présenter "
                             "(invitation_observations)")
        return self

    @model_validator(mode="after")
    def _decision_consistent(self) -> Self:
        if self.decision is not None and self.date_decision is None:
            raise ValueError("date_decision attendue : une décision est datée de sa notification")
        if self.decision is not None and self.penalite_appliquee is False \
                and self.decision is not Decision.ecartee:
            raise ValueError(f"decision « {self.decision.value} » et penalite_appliquee false se "
                             "contredisent")
        if self.montant_retenu is not None and self.issue is not Decision.reduite:
            raise ValueError("montant_retenu ne se donne que pour une décision « reduite »")
        if self.issue is Decision.reduite and self.montant_retenu is None:
            raise ValueError("montant_retenu attendu pour une décision qui réduit la pénalité")
        return self

    @property
    def issue(self) -> Decision | None:
        """The decision, if one is recorded (``penalite_appliquee`` for older dossiers)."""
        if self.date_decision is None:
            return None
        if self.decision is not None:
            return self.decision
        return Decision.appliquee if self.penalite_appliquee else Decision.ecartee


class ResultatObjectif(StrictModel):
    """The value reached by one objective."""

    objectif: Identifiant = Field(description="Identifiant de l'objectif du plan.")
    valeur_atteinte: Valeur = Field(description="Valeur atteinte de l'indicateur.")
    commentaire: Texte | None = Field(default=None, description="Observation du facilitateur.")
    procedure: Procedure | None = Field(
        default=None, description="Procédure de pénalité (objectif non atteint, obligation de résultat)."
    )


class ResultatAction(StrictModel):
    """Whether one action was done."""

    action: Identifiant = Field(description="Identifiant de l'action du plan.")
    realisee: bool = Field(description="Action réalisée à l'échéance (true / false).")
    commentaire: Texte | None = Field(
        default=None, description="Résultat ou difficulté rencontrée, en une phrase."
    )
    procedure: Procedure | None = Field(
        default=None, description="Procédure de pénalité (action du titulaire non réalisée)."
    )


Mois = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="Mois (AAAA-MM).")]


class Retard(StrictModel):
    """One document sent late: its days of delay, typed (``jours``) or computed from dates.

    Computed (``clausegen.domain.retards``): the document's deadline (the monthly statement of
    ``releve``, or ``echeance``), the mise en demeure received on ``mise_en_demeure``, whose
    délai (``delai_mise_en_demeure_jours``, at least 15 days) expires on a working day, and the
    date the document was received (``recu_le``): days late = received − expiry of the délai.
    """

    document: Texte = Field(description="Document transmis en retard (relevé, justificatifs…).")
    jours: int | None = Field(default=None, ge=1, le=3660,
                              description="Jours calendaires de retard, si on ne donne pas les dates.")
    releve: Mois | None = Field(
        default=None, description="Relevé du mois AAAA-MM (échéance calculée : jour limite du mois suivant)."
    )
    echeance: date | None = Field(
        default=None, description="Échéance d'un autre document (AAAA-MM-JJ)."
    )
    mise_en_demeure: date | None = Field(
        default=None, description="Date de la mise en demeure de transmettre (date de la lettre, AAAA-MM-JJ)."
    )
    mise_en_demeure_recue_le: date | None = Field(
        default=None,
        description="Date à laquelle le titulaire a reçu la mise en demeure (avis de réception postal, ou "
                    "date certaine de sa prise de connaissance sur le profil d'acheteur) : son délai court "
                    "du lendemain (CCAP).",
    )
    delai_mise_en_demeure_jours: int = Field(
        default=15, ge=15, le=365, description="Délai laissé par la mise en demeure (au moins 15 jours)."
    )
    recu_le: date | None = Field(default=None, description="Date de réception du document (AAAA-MM-JJ).")
    procedure: Procedure | None = Field(default=None, description="Procédure de pénalité.")

    @model_validator(mode="after")
    def _typed_or_dated(self) -> Self:
        engagee = self.procedure
        if engagee is not None and engagee.mise_en_demeure is not None \
                and self.mise_en_demeure not in (None, engagee.mise_en_demeure):
            raise ValueError("mise_en_demeure et procedure.mise_en_demeure : une seule date de mise "
                             "en demeure est attendue (celle de mise_en_demeure)")
        med = self.mise_en_demeure or (engagee.mise_en_demeure if engagee else None)
        if self.jours is not None and med is not None:
            raise ValueError(f"jours de retard saisis ({self.jours}) alors qu'une mise en demeure du "
                             f"{date_longue(med)} est enregistrée : les jours se comptent à partir de "
                             "l'expiration de son délai ; donnez la date de réception (recu_le) au lieu "
                             "de jours")
        if self.jours is not None and self.recu_le is not None:
            raise ValueError("jours, ou bien recu_le : pas les deux")
        if self.jours is None and self.recu_le is None and med is None:
            raise ValueError("recu_le (date de réception du document) ou mise_en_demeure attendu")
        if self.releve is not None and self.echeance is not None:
            raise ValueError("releve ou echeance : l'un ou l'autre")
        if engagee is not None and engagee.mise_en_demeure_recue_le is not None \
                and self.mise_en_demeure_recue_le not in (None, engagee.mise_en_demeure_recue_le):
            raise ValueError("mise_en_demeure_recue_le et procedure.mise_en_demeure_recue_le : une seule "
                             "date de réception de la mise en demeure est attendue")
        recue = self.mise_en_demeure_recue_le
        if recue is not None and med is None:
            raise ValueError(f"réception d'une mise en demeure le {date_longue(recue)} sans mise en demeure "
                             "(mise_en_demeure : date de la lettre)")
        if recue is not None and med is not None and recue < med:
            raise ValueError(f"la réception de la mise en demeure ({date_longue(recue)}) ne peut précéder "
                             f"la mise en demeure ({date_longue(med)})")
        if self.mise_en_demeure is not None and engagee is not None:
            suites = [d for d in (engagee.invitation_observations, engagee.date_decision) if d is not None]
            if any(d < self.mise_en_demeure for d in suites):
                raise ValueError("les dates de la procédure (invitation à présenter des observations, "
                                 "décision) suivent la mise en demeure du "
                                 f"{date_longue(self.mise_en_demeure)}")
        try:  # the procedure with the mise en demeure and its reception recorded here, in order
            self.procedure_engagee  # noqa: B018
        except ValidationError as exc:
            raise ValueError(" ; ".join(str(e["msg"]).removeprefix("Value error, ")
                                        for e in exc.errors())) from None
        return self

    @property
    def procedure_engagee(self) -> Procedure | None:
        """The penalty procedure of this delay, including the mise en demeure and its délai that
        the delay's own fields record (a computed delay runs only after a mise en demeure)."""
        if self.mise_en_demeure is None and self.mise_en_demeure_recue_le is None:
            return self.procedure
        recorded = self.procedure.model_dump(exclude_unset=True) if self.procedure is not None else {}
        if self.mise_en_demeure is not None:
            recorded |= {"mise_en_demeure": self.mise_en_demeure,
                         "delai_mise_en_demeure_jours": self.delai_mise_en_demeure_jours}
        if self.mise_en_demeure_recue_le is not None:
            recorded["mise_en_demeure_recue_le"] = self.mise_en_demeure_recue_le
        return Procedure.model_validate(recorded)


class ReunionBilan(StrictModel):
    """The bilan meeting: date, place and who took part."""

    date_reunion: date = Field(description="Date de la réunion de bilan (AAAA-MM-JJ).")
    lieu: Texte | None = Field(default=None, description="Lieu de la réunion.")
    participants: list[Texte] = Field(
        default_factory=list,
        description="Participants, une entrée par personne (« Claire Martin, maire, pour "
                    "l'acheteur »).",
    )


class ResultatsAnnuels(StrictModel):
    """What year N achieved, as established at the bilan."""

    annee: Annee
    objectifs: list[ResultatObjectif] = Field(default_factory=list,
                                              description="Valeur atteinte par objectif.")
    actions: list[ResultatAction] = Field(default_factory=list,
                                          description="Réalisation des actions.")
    heures_insertion_realisees: Valeur | None = Field(
        default=None, description="Heures d'insertion réalisées dans l'année."
    )
    actions_insertion_realisees: int | None = Field(
        default=None, ge=0, le=1000,
        description="Actions d'insertion réalisées dans l'année (clause d'insertion en actions).",
    )
    procedure_insertion: Procedure | None = Field(
        default=None,
        description="Procédure de pénalité sur l'engagement d'insertion (heures ou actions).",
    )
    smic_horaire_brut: Valeur | None = Field(
        default=None, gt=0,
        description="SMIC horaire brut en vigueur à la date du constat (pénalité horaire « smic »).",
    )
    retards: list[Retard] = Field(default_factory=list,
                                  description="Retards de transmission, par document.")
    montant_annuel_ht: MontantHT | None = Field(
        default=None, description="Montant HT des prestations exécutées dans l'année."
    )
    reunion: ReunionBilan | None = Field(
        default=None, description="Réunion de bilan : date, lieu, participants."
    )
    difficultes: list[Texte] = Field(
        default_factory=list, description="Difficultés rencontrées et analyse des écarts."
    )
    observations_titulaire: Texte | None = Field(
        default=None, description="Observations du titulaire sur le bilan."
    )

    @model_validator(mode="after")
    def _ids_unique(self) -> Self:
        refuse_duplicates([r.objectif for r in self.objectifs], "objectif(s)")
        refuse_duplicates([r.action for r in self.actions], "action(s)")
        return self




Plans = Annotated[list[PlanAnnuel], Field(
    default_factory=list, description="Plans de progrès annuels, un par année (clé annee).")]
Bilans = Annotated[list[ResultatsAnnuels], Field(
    default_factory=list, description="Résultats annuels, un par année (clé annee).")]


def refuse_duplicate_years(model: Any) -> Any:
    """Model validator body: no year with two plans or two results (``model.plans``/``bilans``)."""
    refuse_duplicates([str(p.annee) for p in model.plans], "plans : année(s)")
    refuse_duplicates([str(b.annee) for b in model.bilans], "bilans : année(s)")
    return model


class BilanFinalInsertion(StrictModel):
    """The final bilan of the insertion clause alone (CCAP ``insertion_seule.bilan_final``):
    established by the facilitator after the end of execution; it founds the penalties."""

    date_bilan: date = Field(
        description="Date à laquelle le facilitateur établit le bilan final (constat des pénalités)."
    )
    heures_insertion_realisees: Valeur | None = Field(
        default=None, description="Heures d'insertion réalisées sur la durée du marché (mode heures)."
    )
    actions_insertion_realisees: list[Annotated[int, Field(ge=0, le=1000)]] = Field(
        default_factory=list,
        description="Actions d'insertion réalisées, une valeur par année d'exécution (mode actions).",
    )
    personnes_concernees: int | None = Field(
        default=None, ge=0, le=100000, description="Nombre de personnes en insertion sur le marché."
    )
    smic_horaire_brut: Valeur | None = Field(
        default=None, gt=0,
        description="SMIC horaire brut en vigueur à la date du constat (pénalité horaire « smic »).",
    )
    procedure_insertion: Procedure | None = Field(
        default=None, description="Procédure de pénalité sur l'engagement d'insertion."
    )
    retards: list[Retard] = Field(default_factory=list,
                                  description="Retards de transmission des relevés et justificatifs.")
    montant_execute_ht: MontantHT | None = Field(
        default=None, description="Montant HT des prestations exécutées (base du plafond)."
    )
    difficultes: list[Texte] = Field(
        default_factory=list, description="Réussites, difficultés rencontrées et analyse des écarts."
    )
    observations_titulaire: Texte | None = Field(
        default=None, description="Observations du titulaire sur le bilan final."
    )
