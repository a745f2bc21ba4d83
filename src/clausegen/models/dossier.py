"""The dossier: everything clausegen knows about one market, as typed by the buyer.

YAML keys are the French field names below. Every field has a description, which
``clausegen schema`` exports to JSON Schema for editor completion.
"""


from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from clausegen.models._base import LABELS, MontantHT, Pourcentage, StrictModel, Texte, Version
from clausegen.models.perimetre import check_text

# --- enumerations -------------------------------------------------------------


class Nature(StrEnum):
    """Nature of the services bought."""

    services = "services"
    fournitures = "fournitures"
    travaux = "travaux"


class Forme(StrEnum):
    """Legal form of the market."""

    marche_ordinaire = "marche_ordinaire"
    accord_cadre_mono_attributaire = "accord_cadre_mono_attributaire"
    accord_cadre_multi_attributaire_bons_de_commande = (
        "accord_cadre_multi_attributaire_bons_de_commande"
    )
    accord_cadre_multi_attributaire_marches_subsequents = (
        "accord_cadre_multi_attributaire_marches_subsequents"
    )


class Prestation(StrEnum):
    """Whether the service is performed continuously or once."""

    recurrente = "recurrente"
    ponctuelle = "ponctuelle"


class Ccag(StrEnum):
    """CCAG of reference (arrêtés du 30 mars 2021)."""

    fcs = "fcs"
    tic = "tic"
    pi = "pi"
    travaux = "travaux"
    mi = "mi"
    moe = "moe"


class CodeAxe(StrEnum):
    """The five axes of a social plan de progrès (Alliance Villes Emploi, §2.2)."""

    insertion = "insertion"
    decouverte_metiers = "decouverte_metiers"
    egalite = "egalite"
    sante_securite = "sante_securite"
    illettrisme = "illettrisme"


class Engagement(StrEnum):
    """Nature of the titulaire's commitment on the plan's objectives."""

    moyens = "moyens"
    resultats = "resultats"


class ModeInsertion(StrEnum):
    """How the insertion commitment is counted."""

    heures = "heures"
    actions = "actions"


class FormulePenaliteHeure(StrEnum):
    """How the penalty per insertion hour not carried out is computed."""

    forfait = "forfait"
    smic = "smic"


class BaseHeures(StrEnum):
    """What the insertion-hours penalty is measured against at each annual bilan."""

    prorata = "prorata"
    objectif_annuel = "objectif_annuel"


class Frequence(StrEnum):
    """Frequency of a follow-up obligation."""

    mensuelle = "mensuelle"
    trimestrielle = "trimestrielle"
    semestrielle = "semestrielle"
    annuelle = "annuelle"


LABELS.update(
    {
        Nature.services: "services",
        Nature.fournitures: "fournitures",
        Nature.travaux: "travaux",
        Forme.marche_ordinaire: "marché ordinaire",
        Forme.accord_cadre_mono_attributaire: "accord-cadre mono-attributaire",
        Forme.accord_cadre_multi_attributaire_bons_de_commande: (
            "accord-cadre multi-attributaire à bons de commande"
        ),
        Forme.accord_cadre_multi_attributaire_marches_subsequents: (
            "accord-cadre multi-attributaire à marchés subséquents"
        ),
        Prestation.recurrente: "prestation récurrente",
        Prestation.ponctuelle: "prestation ponctuelle",
        CodeAxe.insertion: "Recrutement et maintien dans l'emploi des personnes en insertion",
        CodeAxe.decouverte_metiers: "Découverte et sensibilisation des métiers",
        CodeAxe.egalite: (
            "Lutte contre les discriminations et égalité professionnelle entre les femmes "
            "et les hommes"
        ),
        CodeAxe.sante_securite: "Santé et sécurité au travail",
        CodeAxe.illettrisme: "Lutte contre l'illettrisme",
        Engagement.moyens: "obligation de moyens",
        Engagement.resultats: "obligation de résultats",
        ModeInsertion.heures: "en heures de travail",
        ModeInsertion.actions: "en actions",
        FormulePenaliteHeure.forfait: "montant forfaitaire par heure",
        FormulePenaliteHeure.smic: "multiple du SMIC horaire brut",
        BaseHeures.prorata: "prorata du volume total, cumulé depuis le début du marché",
        BaseHeures.objectif_annuel: "objectif d'heures du plan de l'année",
        Frequence.mensuelle: "mensuelle",
        Frequence.trimestrielle: "trimestrielle",
        Frequence.semestrielle: "semestrielle",
        Frequence.annuelle: "annuelle",
    }
)

# A separate call: Ccag.travaux and Nature.travaux are equal strings, so in one dict
# literal the second key would silently replace the first one's wording.
LABELS.update(
    {
        Ccag.fcs: "CCAG-FCS",
        Ccag.tic: "CCAG-TIC",
        Ccag.pi: "CCAG-PI",
        Ccag.travaux: "CCAG-Travaux",
        Ccag.mi: "CCAG-MI",
        Ccag.moe: "CCAG-MOE",
    }
)


# --- parties ------------------------------------------------------------------


class Signataire(StrictModel):
    """A person who signs for a party."""

    nom: Texte = Field(description="Prénom et nom du signataire.")
    qualite: Texte = Field(description="Qualité du signataire (ex. « Maire de Saint-Aubin », "
                                       "« Directeur général ») ; écrite en minuscule en cours de phrase.")
    civilite: Literal["M.", "Mme"] | None = Field(
        default=None,
        description="Civilité (« M. » ou « Mme ») : les lettres s'adressent alors à « Monsieur le "
                    "Directeur général » plutôt qu'à « Madame, Monsieur ».",
    )
    delegation: Texte | None = Field(
        default=None,
        description="Mention de délégation au-dessus de la signature (ex. « Pour la Maire et par "
                    "délégation, »).",
    )


class Acheteur(StrictModel):
    """The public buyer."""

    nom: Texte = Field(description="Dénomination de l'acheteur (ex. « Ville de Saint-Aubin »).")
    article: Literal["le", "la", "l'", "les"] | None = Field(
        default=None,
        description="Article défini devant la dénomination dans une phrase (« la » : « passé "
                    "par la Ville de Saint-Aubin ») ; absent : la dénomination seule.",
    )
    adresse: Texte = Field(description="Adresse postale complète, lignes séparées par des virgules.")
    ville: Texte = Field(description="Ville utilisée dans les lettres (« Saint-Aubin, le … »).")
    signataire: Signataire = Field(description="Personne habilitée à signer pour l'acheteur.")
    service: Texte | None = Field(
        default=None, description="Service acheteur ou direction gestionnaire du marché."
    )
    affaire_suivie_par: Texte | None = Field(
        default=None,
        description="« Affaire suivie par » des lettres : nom, téléphone et courriel de l'agent "
                    "qui suit le marché.",
    )
    envoi: Literal["lrar", "profil_acheteur"] = Field(
        default="lrar",
        description="Mode d'envoi des lettres qui doivent avoir date certaine : « lrar » (lettre "
                    "recommandée avec accusé de réception) ou « profil_acheteur » (notification "
                    "par le profil d'acheteur).",
    )


class Facilitateur(StrictModel):
    """The social-clause facilitator (Maison de l'emploi, PLIE…)."""

    nom: Texte = Field(description="Prénom et nom du facilitateur.")
    structure: Texte = Field(description="Structure qui porte le facilitateur (ex. PLIE, MDE).")
    adresse: Texte | None = Field(default=None, description="Adresse postale de la structure.")
    courriel: Texte = Field(description="Adresse électronique du facilitateur.")
    telephone: Texte = Field(description="Numéro de téléphone du facilitateur.")


class Titulaire(StrictModel):
    """The company that won the market (known after award)."""

    raison_sociale: Texte = Field(description="Raison sociale du titulaire.")
    siret: str | None = Field(
        default=None, pattern=r"^\d{14}$", description="Numéro SIRET (14 chiffres)."
    )
    adresse: Texte = Field(description="Adresse du siège ou de l'établissement signataire.")
    representant: Signataire | None = Field(
        default=None, description="Représentant légal ou personne habilitée du titulaire."
    )


# --- market -------------------------------------------------------------------


class Marche(StrictModel):
    """The market itself."""

    reference: Texte = Field(description="Numéro ou référence du marché (ex. « 2026-0142 »).")
    objet: Texte = Field(description="Objet du marché, tel qu'il figure dans l'acte d'engagement.")
    nature: Nature = Field(description="Nature des prestations : services, fournitures ou travaux.")
    forme: Forme = Field(description="Forme juridique du marché.")
    duree_marches_subsequents_mois: int | None = Field(
        default=None,
        ge=1,
        le=600,
        description=(
            "Durée des marchés subséquents, en mois (obligatoire pour un accord-cadre "
            "multi-attributaire à marchés subséquents)."
        ),
    )
    prestation: Prestation = Field(description="Prestation récurrente ou ponctuelle.")
    duree_mois: int = Field(ge=1, le=600, description="Durée totale du marché, en mois.")
    montant_estime_ht: MontantHT = Field(description="Montant estimé du marché, en euros HT.")
    ccag: Ccag = Field(description="CCAG de référence (fcs, tic, pi, travaux, mi, moe).")
    date_notification: date | None = Field(
        default=None, description="Date de notification (AAAA-MM-JJ), une fois connue."
    )
    lieu_execution: Texte | None = Field(
        default=None, description="Lieu(x) d'exécution des prestations."
    )

    @model_validator(mode="after")
    def _subsequent_duration_matches_form(self) -> Self:
        is_ms = self.forme is Forme.accord_cadre_multi_attributaire_marches_subsequents
        if is_ms and self.duree_marches_subsequents_mois is None:
            raise ValueError(
                "duree_marches_subsequents_mois est obligatoire pour un accord-cadre "
                "multi-attributaire à marchés subséquents"
            )
        if not is_ms and self.duree_marches_subsequents_mois is not None:
            raise ValueError(
                "duree_marches_subsequents_mois ne vaut que pour un accord-cadre "
                "à marchés subséquents"
            )
        return self


# --- plan de progrès ----------------------------------------------------------


class AxeDeProgres(StrictModel):
    """One axis of the plan retained in the tender documents."""

    code: CodeAxe = Field(description="Axe de progrès retenu.")
    precisions: Texte | None = Field(
        default=None,
        description="Précisions propres au marché, insérées dans la clause de l'axe.",
    )

    @field_validator("precisions")
    @classmethod
    def _assigned_staff_only(cls, text: str | None) -> str | None:
        return None if text is None else check_text(text, "la précision de l'axe")


class ClauseInsertion(StrictModel):
    """The insertion clause on which the first two axes rely (CCAG 2021, art. 16.1)."""

    mode: ModeInsertion = Field(
        default=ModeInsertion.heures,
        description="Engagement compté en heures de travail ou en actions.",
    )
    volume_heures: int | None = Field(
        default=None,
        ge=1,
        le=10_000_000,
        description="Volume d'heures d'insertion sur la durée du marché (mode « heures »).",
    )
    actions_par_an: int | None = Field(
        default=None, ge=1, le=1000, description="Nombre d'actions par an (mode « actions »)."
    )
    perimetre: Texte = Field(
        description="Prestations du marché sur lesquelles porte l'action d'insertion."
    )
    globalisation: bool = Field(
        default=True, description="Globalisation des heures autorisée (art. 16.1.3 du CCAG)."
    )

    @model_validator(mode="after")
    def _volume_matches_mode(self) -> Self:
        if self.mode is ModeInsertion.heures and self.volume_heures is None:
            raise ValueError("volume_heures est obligatoire quand mode vaut « heures »")
        if self.mode is ModeInsertion.actions and self.actions_par_an is None:
            raise ValueError("actions_par_an est obligatoire quand mode vaut « actions »")
        return self


class Suivi(StrictModel):
    """Follow-up modalities of the plan."""

    frequence_reporting: Frequence = Field(
        default=Frequence.mensuelle, description="Fréquence des relevés transmis au facilitateur."
    )
    jour_limite_reporting: int = Field(
        default=12, ge=1, le=28,
        description="Jour du mois suivant avant lequel le relevé est transmis.",
    )
    frequence_comites: Frequence = Field(
        default=Frequence.semestrielle, description="Fréquence des comités de suivi."
    )
    delai_bilan_final_mois: int = Field(
        default=3, ge=1, le=12,
        description="Délai, en mois après la fin du marché, pour le bilan final.",
    )


class Penalites(StrictModel):
    """Penalty amounts and cap of the plan (stipulated in the CCAP)."""

    heure_non_realisee: MontantHT = Field(
        default=Decimal("50"), description="Pénalité par heure d'insertion non réalisée (€ HT)."
    )
    formule_heure: FormulePenaliteHeure = Field(
        default=FormulePenaliteHeure.forfait,
        description=(
            "Formule de la pénalité par heure d'insertion non réalisée : « forfait » "
            "(montant heure_non_realisee) ou « smic » (coefficient_smic × SMIC horaire brut "
            "en vigueur à la date du constat)."
        ),
    )
    base_heures: BaseHeures = Field(
        default=BaseHeures.prorata,
        description=(
            "Base de la pénalité horaire d'insertion : « prorata » (prorata du volume total à la "
            "fin de l'année, heures cumulées depuis le début) ou « objectif_annuel » (objectif "
            "d'heures de l'axe insertion fixé par le plan de l'année)."
        ),
    )
    coefficient_smic: Decimal = Field(
        default=Decimal("2"),
        gt=0,
        le=10,
        description="Multiple du SMIC horaire brut (formule « smic » seulement).",
    )
    action_non_realisee: MontantHT = Field(
        default=Decimal("500"), description="Pénalité par action du plan non réalisée (€ HT)."
    )
    retard_par_jour: MontantHT = Field(
        default=Decimal("100"),
        description="Pénalité par jour calendaire de retard d'un relevé ou d'un bilan (€ HT).",
    )
    plafond_pourcentage: Pourcentage = Field(
        default=Decimal("10"),
        description="Plafond annuel des pénalités, en % du montant HT de l'année d'exécution.",
    )
    exoneration_ccag: bool = Field(
        default=False,
        description=(
            "Appliquer l'exonération des pénalités n'excédant pas 1 000 € HT prévue par le "
            "CCAG (par défaut : non, le CCAP y déroge)."
        ),
    )


class PlanDeProgres(StrictModel):
    """The plan de progrès as written in the tender documents."""

    engagement: Engagement = Field(
        default=Engagement.moyens,
        description="Obligation de moyens ou de résultats sur les objectifs du plan.",
    )
    axes: list[AxeDeProgres] = Field(
        min_length=1, max_length=5, description="Axes de progrès retenus (au moins un)."
    )
    insertion: ClauseInsertion | None = Field(
        default=None,
        description="Clause d'insertion (obligatoire si l'axe « insertion » est retenu).",
    )
    suivi: Suivi = Field(default_factory=Suivi, description="Modalités de suivi du plan.")
    penalites: Penalites = Field(
        default_factory=Penalites, description="Montants des pénalités et plafond."
    )

    @field_validator("axes")
    @classmethod
    def _axes_unique(cls, axes: list[AxeDeProgres]) -> list[AxeDeProgres]:
        codes = [a.code for a in axes]
        doubles = sorted({c.value for c in codes if codes.count(c) > 1})
        if doubles:
            raise ValueError(f"axe(s) en double : {', '.join(doubles)}")
        return axes

    @model_validator(mode="after")
    def _insertion_clause_present(self) -> Self:
        if self.has_axe(CodeAxe.insertion) and self.insertion is None:
            raise ValueError("la section insertion est obligatoire quand l'axe « insertion » est retenu")
        return self

    def has_axe(self, code: CodeAxe | str) -> bool:
        """Tell whether the given axis is retained."""
        return any(a.code == code for a in self.axes)


# The annual plans and results use CodeAxe and Penalites defined above.
from clausegen.models.administratif import Administratif  # noqa: E402
from clausegen.models.dispositifs import (  # noqa: E402
    ArticleReservation,
    ClauseInsertionSeule,
    MarcheSubsequent,
    Reservation,
)
from clausegen.models.suivi import (  # noqa: E402
    BilanFinalInsertion,
    Bilans,
    Plans,
    refuse_duplicate_years,
    refuse_duplicates,
)


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
