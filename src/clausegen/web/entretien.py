"""The buyer's guided interview: eight steps over the dossier's own Pydantic models.

Each step lists its fields by their dotted path in the dossier (``marche.duree_mois``); a
field's help text is the model's description, its choices the enum's members with their
French wording. The draft is a dictionary of the YAML's shape; validation is the CLI's
(:func:`clausegen.api.marche.check_brouillon`), each problem shown on the step that owns it.
"""

from __future__ import annotations

import copy
import functools
import re
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from clausegen.errors import FieldProblem
from clausegen.models._base import label
from clausegen.models.dossier import CodeAxe, Dossier
from clausegen.text.french import montant, nombre

Condition = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Champ:
    """One question: dotted path, label, kind (texte, zone, nombre, montant in euros, decimal,
    date, choix, case, oui_non, courriel, tel, axes; and dispositif, section, articles, liste,
    whose values are not a single scalar)."""

    chemin: str
    libelle: str
    type: str = "texte"
    aide: str = ""
    autocomplete: str = ""
    choix_juridique: bool = False
    """A legal choice the buyer makes: the model's default is not shown as already made."""
    si: Condition | None = None
    """Whether the question applies, read from the other steps' answers: when it does not,
    it is not asked (unless the draft holds a value other than the model's default, shown
    so that the buyer sees it and can remove it)."""
    si_reponse: tuple[str, tuple[str, ...]] | None = None
    """The question applies when the field at this path (same step) has one of these values:
    the script hides it otherwise; the server asks it regardless (it works without script)."""
    vide: str = ""
    """A choice's option meaning « none » (value removed), with its wording."""
    sous: tuple[Champ, ...] = ()
    """A list's questions for each row (paths under the list's own path)."""

    @property
    def ident(self) -> str:
        """The HTML id (and anchor) of the field."""
        return self.chemin.replace(".", "-")

    def relatif(self, liste: Champ) -> str:
        """This row question's path inside one row of ``liste``."""
        return self.chemin.removeprefix(liste.chemin + ".")


@dataclass(frozen=True)
class Etape:
    """One step of the interview."""

    code: str
    titre: str
    intro: str
    champs: tuple[Champ, ...]
    possede: tuple[str, ...] = field(default=())
    """Dotted paths whose problems this step shows (the fields' own paths besides)."""
    si: Condition | None = None
    """Whether the step applies to the draft (server-side: a step that does not is skipped)."""
    facultative: bool = False
    """Every question is optional: the step is complete without an answer once the market
    is described."""

    def montre(self, chemin: str, message: str = "") -> bool:
        """Whether a problem at ``chemin`` belongs to this step."""
        if chemin == "plan_de_progres":
            # The whole plan missing is the axes step's; a rule of the plan (the insertion
            # clause required by the insertion axis) is the insertion step's.
            manquant = message.startswith("champ obligatoire manquant")
            return self.code == ("axes" if manquant else "insertion")
        if chemin == "":
            return self.code == next((code for debut, code in _REGLES_DU_DOSSIER
                                      if message.startswith(debut)), "")
        racines = self.possede or tuple(c.chemin for c in self.champs)
        return any(chemin == r or chemin.startswith((r + ".", r + "[")) for r in racines)

    def applicable(self, brouillon: Mapping[str, Any]) -> bool:
        """Whether the step is asked for this draft."""
        return self.si is None or self.si(brouillon)


_REGLES_DU_DOSSIER = (("une section plan_de_progres", "faisabilite"),
                      ("clause_insertion", "faisabilite"),
                      ("marches_subsequents", "marches_subsequents"),
                      ("administratif.reconduction", "administratif"))
"""The dossier's own rules (no field path): the step that shows each, by its message's start."""

_A = "acheteur."
_M = "marche."
_P = "plan_de_progres."
_I = "plan_de_progres.insertion."
_S = "plan_de_progres.suivi."
_PE = "plan_de_progres.penalites."
_CI = "clause_insertion."
_F = "facilitateur."
_AD = "administratif."
_EX = "administratif.execution."
_MS = "marches_subsequents."

_FORME_MS = "accord_cadre_multi_attributaire_marches_subsequents"
_ACCORDS_CADRES = ("accord_cadre_mono_attributaire", "accord_cadre_multi_attributaire_bons_de_commande",
                   _FORME_MS)


def insertion_seule(brouillon: Mapping[str, Any]) -> bool:
    """The draft carries the insertion clause alone (no plan de progrès)."""
    return "clause_insertion" in brouillon and "plan_de_progres" not in brouillon


def _plan(brouillon: Mapping[str, Any]) -> bool:
    return not insertion_seule(brouillon)


def _forme(brouillon: Mapping[str, Any]) -> Any:
    marche = brouillon.get("marche")
    return marche.get("forme") if isinstance(marche, Mapping) else None


def _accord_cadre(brouillon: Mapping[str, Any]) -> bool:
    """An accord-cadre, or a form not answered yet (the question is then asked)."""
    return _forme(brouillon) in (*_ACCORDS_CADRES, None)


def _a_marches_subsequents(brouillon: Mapping[str, Any]) -> bool:
    return _forme(brouillon) == _FORME_MS or bool(brouillon.get("marches_subsequents"))


def _axe_insertion(brouillon: Mapping[str, Any]) -> bool:
    axes = lire(brouillon, _P + "axes") or []
    retenu = any(isinstance(a, Mapping) and a.get("code") == "insertion" for a in axes)
    return _plan(brouillon) and (retenu or lire(brouillon, _P + "insertion") is not None)


def _mode(prefixe: str, valeur: str) -> Condition:
    def condition(brouillon: Mapping[str, Any]) -> bool:
        return (lire(brouillon, prefixe + "mode") or "heures") == valeur
    return condition


def _au_plan_en_heures(brouillon: Mapping[str, Any]) -> bool:
    return _axe_insertion(brouillon) and (lire(brouillon, _I + "mode") or "heures") == "heures"


def _champs_insertion(prefixe: str) -> tuple[Champ, ...]:
    return (
        Champ(prefixe + "mode", "Engagement compté", "choix"),
        Champ(prefixe + "volume_heures", "Volume d'heures d'insertion sur la durée du marché",
              "nombre", si_reponse=(prefixe + "mode", ("heures",))),
        Champ(prefixe + "actions_par_an", "Nombre d'actions par an", "nombre",
              si_reponse=(prefixe + "mode", ("actions",))),
        Champ(prefixe + "perimetre", "Prestations concernées par l'action d'insertion", "zone"),
        Champ(prefixe + "globalisation", "Globalisation des heures autorisée", "case",
              "Cochez pour permettre au titulaire qui exécute plusieurs marchés comportant "
              "une clause d'insertion sur le même bassin d'emploi de demander au facilitateur "
              "de globaliser les heures (CCAG-FCS, TIC et PI, article 16.1.3). Case non "
              "cochée par défaut : ce choix vous revient.", choix_juridique=True),
    )


def _travaux(brouillon: Mapping[str, Any]) -> bool:
    """A works market, or a nature not answered yet."""
    marche = brouillon.get("marche")
    return (marche.get("nature") if isinstance(marche, Mapping) else None) in ("travaux", None)


def _jamais(brouillon: Mapping[str, Any]) -> bool:
    """A question that never applies (only shown when a dossier gives it a value)."""
    return False


def _champs_suivi_penalites(suivi: str, penalites: str, heures: Condition,
                            actions: Condition | None, base: Condition) -> tuple[Champ, ...]:
    return (
        Champ(suivi + "frequence_reporting", "Fréquence des relevés", "choix"),
        Champ(suivi + "jour_limite_reporting", "Jour limite de transmission du relevé", "nombre"),
        Champ(suivi + "frequence_comites", "Fréquence des comités de suivi", "choix"),
        Champ(suivi + "delai_bilan_final_mois", "Délai du bilan final, en mois", "nombre"),
        Champ(penalites + "formule_heure", "Pénalité par heure d'insertion non réalisée : formule",
              "choix", "Un montant fixe par heure, ou un multiple du SMIC horaire brut en "
              "vigueur à la date du constat.", si=heures),
        Champ(penalites + "heure_non_realisee", "Montant par heure non réalisée (€ HT)", "montant",
              "Formule « montant forfaitaire » seulement.", si=heures,
              si_reponse=(penalites + "formule_heure", ("forfait",))),
        Champ(penalites + "coefficient_smic", "Multiple du SMIC horaire brut", "decimal",
              "Par exemple 2 ou 1,5.", si=heures,
              si_reponse=(penalites + "formule_heure", ("smic",))),
        Champ(penalites + "base_heures", "Pénalité horaire : heures comptées", "choix",
              "Au bilan de chaque année, les heures manquantes se comptent par rapport au prorata "
              "du volume total (heures cumulées depuis le début du marché), ou par rapport à "
              "l'objectif d'heures fixé par le plan de l'année.", si=base),
        Champ(penalites + "action_non_realisee", "Pénalité par action non réalisée (€ HT)", "montant",
              si=actions),
        Champ(penalites + "retard_par_jour", "Pénalité par jour de retard (€ HT)", "montant"),
        Champ(penalites + "plafond_pourcentage", "Plafond annuel, en % du montant de l'année",
              "decimal"),
        Champ(penalites + "exoneration_ccag", "Appliquer l'exonération du CCAG (pénalités de "
              "1 000 € HT au plus)", "case",
              "Par défaut, non : le CCAP y déroge, et les pénalités de faible montant "
              "s'appliquent."),
    )


ETAPES: tuple[Etape, ...] = (
    Etape("acheteur", "L'acheteur",
          "Qui achète et qui signe. Ces informations figurent en tête du CCAP et du CCTP et dans "
          "les lettres envoyées au titulaire.",
          (Champ(_A + "nom", "Nom de l'acheteur", autocomplete="organization"),
           Champ(_A + "service", "Service acheteur ou direction gestionnaire (facultatif)"),
           Champ(_A + "adresse", "Adresse postale", autocomplete="street-address"),
           Champ(_A + "ville", "Ville", autocomplete="address-level2"),
           Champ(_A + "article", "Article devant le nom dans une phrase", "choix",
                 "« la » donne « passé par la Ville de Saint-Aubin » ; sans article, le nom "
                 "figure seul.", vide="Sans article"),
           Champ(_A + "affaire_suivie_par", "Affaire suivie par (facultatif)",
                 aide="Nom, téléphone et adresse électronique de l'agent, repris dans les "
                      "lettres au titulaire."),
           Champ(_A + "envoi", "Envoi des lettres qui doivent avoir date certaine", "choix"),
           Champ(_A + "signataire.civilite", "Signataire : civilité (facultatif)", "choix",
                 vide="Non précisée"),
           Champ(_A + "signataire.nom", "Signataire : prénom et nom", autocomplete="name"),
           Champ(_A + "signataire.qualite", "Signataire : qualité"),
           Champ(_A + "signataire.delegation", "Signataire : mention de délégation (facultatif)",
                 aide="Si une autre personne signe par délégation, par exemple « Pour la Maire "
                      "et par délégation, » : nom et qualité ci-dessus sont alors les siens.")),
          possede=("acheteur",)),
    Etape("marche", "Le marché",
          "Le plan de progrès suppose une exécution récurrente et un titulaire stable pendant au "
          "moins deux ans : les réponses ci-dessous permettent de le vérifier. Le verdict de "
          "faisabilité se met à jour à mesure que vous répondez.",
          (Champ(_M + "reference", "Référence du marché"),
           Champ(_M + "objet", "Objet du marché", "zone"),
           Champ(_M + "nature", "Nature des prestations", "choix"),
           Champ(_M + "forme", "Forme du marché", "choix",
                 "Le plan suppose un titulaire stable : les accords-cadres multi-attributaires à "
                 "bons de commande ne conviennent pas ; à marchés subséquents, seulement si chacun "
                 "dure au moins 2 ans."),
           Champ(_M + "duree_marches_subsequents_mois",
                 "Durée des marchés subséquents, en mois", "nombre",
                 si_reponse=(_M + "forme", (_FORME_MS,))),
           Champ(_M + "prestation", "Type de prestation", "choix",
                 "Une exécution continue ou récurrente (nettoyage, maintenance, restauration…) "
                 "permet l'amélioration continue ; un achat isolé ne le permet pas."),
           Champ(_M + "duree_mois", "Durée totale du marché, en mois", "nombre",
                 "Reconductions comprises. 2 ans au moins sont préconisés, et les accords-cadres "
                 "de 4 ans s'y prêtent "
                 "particulièrement bien ; en dessous de 12 mois, aucun bilan annuel n'a lieu."),
           Champ(_M + "montant_estime_ht", "Montant estimé, en euros hors taxes", "montant",
                 "Par exemple 1 200 000 ou 85 000,50. Le montant n'est jamais bloquant : même un "
                 "marché modeste peut porter un plan de progrès si sa durée suffit."),
           Champ(_M + "ccag", "CCAG de référence", "choix",
                 "Le cahier des clauses administratives générales auquel le CCAP se réfère "
                 "(arrêtés du 30 mars 2021)."),
           Champ(_M + "date_notification", "Date de notification (facultatif, une fois connue)",
                 "date", "Elle fixe ensuite le calendrier du plan : réunion de lancement dans les "
                 "2 mois, bilan chaque année à la date anniversaire. Elle est reprise dans le "
                 "suivi du marché."),
           Champ(_M + "lieu_execution", "Lieu(x) d'exécution (facultatif)")),
          possede=("marche",)),
    Etape("administratif", "Prix, montants et règlement",
          "Ces stipulations administratives figurent dans le CCAP complet : montants de "
          "l'accord-cadre, reconduction, forme et variation des prix, paiement, réexamen, "
          "tribunal compétent.",
          (Champ(_AD + "montant_maximum_ht", "Montant maximum de l'accord-cadre, en euros hors "
                 "taxes", "montant",
                 "Obligatoire pour le CCAP complet d'un accord-cadre : le montant maximum sur "
                 "toute sa durée, par exemple 1 500 000.", si=_accord_cadre),
           Champ(_AD + "montant_minimum_ht", "Montant minimum de l'accord-cadre, en euros hors "
                 "taxes (facultatif)", "montant", si=_accord_cadre),
           Champ(_AD + "reconduction", "Le marché peut être reconduit tacitement", "section",
                 "Cochez pour prévoir des périodes de reconduction ; leur durée cumulée doit "
                 "laisser une période initiale dans la durée totale du marché."),
           Champ(_AD + "reconduction.nombre", "Nombre de reconductions possibles", "nombre",
                 si_reponse=(_AD + "reconduction", ("oui",))),
           Champ(_AD + "reconduction.duree_mois", "Durée de chaque reconduction, en mois", "nombre",
                 si_reponse=(_AD + "reconduction", ("oui",))),
           Champ(_AD + "reconduction.preavis_mois", "Préavis de non-reconduction, en mois", "nombre",
                 si_reponse=(_AD + "reconduction", ("oui",))),
           Champ(_AD + "forme_prix", "Forme des prix", "choix"),
           Champ(_AD + "variation_prix", "Variation des prix", "choix"),
           Champ(_AD + "indice_revision", "Indice de révision des prix", "zone",
                 "Prix révisables ou actualisables : l'index ou l'indice de référence, tel qu'il "
                 "doit figurer au CCAP (ex. « indice des prix de production des services de "
                 "nettoyage publié par l'Insee ») ; vide, le CCAP renvoie à l'index fixé à l'acte "
                 "d'engagement.",
                 si_reponse=(_AD + "variation_prix", ("revisables", "actualisables"))),
           Champ(_AD + "avance_pourcentage", "Taux de l'avance, en % (facultatif)", "decimal"),
           Champ(_AD + "delai_paiement_jours", "Délai global de paiement, en jours", "nombre"),
           Champ(_AD + "reexamen.plafond_pourcentage", "Clause de réexamen : incidence financière "
                 "cumulée maximale, en % (facultatif)", "decimal",
                 "Permet de faire évoluer le plan de progrès chaque année sans avenant, dans "
                 "cette limite ; vide : pas de clause de réexamen.", choix_juridique=True),
           Champ(_AD + "procedure", "Procédure de passation (facultatif)"),
           Champ(_AD + "tribunal_administratif", "Tribunal administratif compétent (facultatif)",
                 "zone")),
          possede=tuple(_AD + n for n in (
              "montant_maximum_ht", "montant_minimum_ht", "reconduction", "forme_prix",
              "variation_prix", "indice_revision", "avance_pourcentage", "delai_paiement_jours",
              "reexamen", "procedure", "tribunal_administratif"))),
    Etape("execution", "Exécution des prestations",
          "Ce que le CCAP complet stipule sur l'exécution : pénalités sur la prestation, niveaux "
          "de service, reprise du personnel, facturation, échanges ; et, si vous n'intégrez à "
          "votre CCAP que le chapitre social, sa numérotation. Tout est facultatif.",
          (Champ(_EX + "penalites_prestation.prestation_non_executee",
                 "Pénalité par prestation non exécutée (€ HT, facultatif)", "montant"),
           Champ(_EX + "penalites_prestation.non_conformite",
                 "Pénalité par non-conformité non corrigée (€ HT, facultatif)", "montant"),
           Champ(_EX + "penalites_prestation.retard_intervention",
                 "Pénalité par heure de retard d'intervention (€ HT, facultatif)", "montant"),
           Champ(_EX + "penalites_prestation.delai_intervention_heures",
                 "Délai d'intervention, en heures (avec la pénalité de retard d'intervention)",
                 "nombre"),
           Champ(_EX + "niveaux_service", "Niveaux de service (prestation informatique)", "liste",
                 "Chaque niveau : l'indicateur mesuré, le niveau attendu et la pénalité par "
                 "période de mesure où il n'est pas atteint.",
                 sous=(Champ(_EX + "niveaux_service.indicateur", "Indicateur mesuré"),
                       Champ(_EX + "niveaux_service.seuil", "Niveau attendu et période de mesure"),
                       Champ(_EX + "niveaux_service.penalite", "Pénalité par période manquée (€ HT)",
                             "montant"))),
           Champ(_EX + "reprise_personnel", "Reprise du personnel : stipulation conventionnelle "
                 "qui l'impose (facultatif)", "zone"),
           Champ(_EX + "facturation", "Périodicité des demandes de paiement", "choix"),
           Champ(_EX + "representant_acheteur", "Représentant de l'acheteur pour l'exécution "
                 "(facultatif)"),
           Champ(_EX + "profil_acheteur", "Adresse du profil d'acheteur (facultatif)"),
           Champ(_EX + "sous_traitance_donnees", "Le titulaire traite des données personnelles "
                 "pour le compte de l'acheteur", "oui_non",
                 vide="Selon le CCAG (oui sous CCAG-TIC, non sinon)"),
           Champ(_EX + "reversibilite", "Clause de réversibilité en fin de marché", "oui_non",
                 vide="Selon le CCAG (oui sous CCAG-TIC, non sinon)"),
           Champ(_EX + "propriete_intellectuelle", "Droits sur les résultats des prestations",
                 "choix", "La cession exclusive déroge au CCAG : le CCAP la liste à son dernier "
                 "article, avec son numéro d'article du CCAG « [à compléter] » tant qu'il n'est "
                 "pas vérifié.",
                 choix_juridique=True, vide="Selon le CCAG (régime du CCAG sous CCAG-TIC, sans "
                 "article sinon)"),
           Champ(_AD + "chapitre_premier_article", "Chapitre social seul : numéro de son premier "
                 "article (facultatif)", "nombre"),
           Champ(_AD + "chapitre_donnees_personnelles", "Chapitre social seul : il porte son "
                 "propre article sur les données personnelles", "case",
                 "Décochez si votre CCAP a déjà son article sur la protection des données "
                 "personnelles."),
           Champ(_AD + "ccag_articles", "Numéros d'articles du CCAG vérifiés (facultatif)",
                 "articles",
                 "Une ligne par stipulation : sa clé, deux-points, le numéro vérifié sur l'arrêté "
                 "du 30 mars 2021, par exemple « penalites_exoneration : 14.1.3 »."),
           Champ("bibliotheque", "Version de la bibliothèque de clauses à utiliser (facultatif)",
                 aide="Vide : la version en vigueur. Par exemple « 1.2.1 » pour épingler une "
                      "version publiée.")),
          possede=(_EX.rstrip("."), _AD + "chapitre_premier_article",
                   _AD + "chapitre_donnees_personnelles", _AD + "ccag_articles", "bibliotheque"),
          facultative=True),
    Etape("faisabilite", "Faisabilité et dispositif",
          "Le guide de l'Alliance Villes Emploi (§ 2.1) retient quatre critères : la récurrence de "
          "la prestation, l'invariabilité du titulaire, la durée (2 ans au moins sont préconisés) "
          "et le montant, qui n'est jamais bloquant à lui seul. Choisissez ici le dispositif : "
          "le plan de progrès, ou la clause d'insertion seule quand le marché ne se prête pas à "
          "un plan (travaux, marché ponctuel ou court).",
          (Champ("dispositif", "Dispositif social du marché", "dispositif"),
           Champ("reservation.article", "Marché réservé", "choix",
                 "Un marché (ou un lot) peut être réservé aux opérateurs qui emploient une part "
                 "minimale de travailleurs handicapés ou défavorisés ; il n'a pas alors de clause "
                 "d'insertion seule.", vide="Non, marché ouvert à tous les opérateurs"),
           Champ("reservation.precisions", "Précisions sur la réservation (facultatif)", "zone",
                 si_reponse=("reservation.article", ("L2113-12", "L2113-13")))),
          possede=("reservation", "clause_insertion_ou_plan")),
    Etape("marches_subsequents", "Les marchés subséquents",
          "Chaque marché subséquent de l'accord-cadre, une fois passé : son titulaire, sa date de "
          "notification et sa durée. Le suivi de chacun (plan, bilans) se conduit ensuite dans "
          "l'espace du facilitateur.",
          (Champ("marches_subsequents", "Marchés subséquents", "liste",
                 sous=(Champ(_MS + "numero", "Numéro", "nombre"),
                       Champ(_MS + "reference", "Référence propre (facultatif)"),
                       Champ(_MS + "objet", "Objet (facultatif)"),
                       Champ(_MS + "date_notification", "Date de notification", "date"),
                       Champ(_MS + "duree_mois", "Durée, en mois", "nombre"),
                       Champ(_MS + "titulaire.raison_sociale", "Titulaire : raison sociale"),
                       Champ(_MS + "titulaire.siret", "Titulaire : SIRET (facultatif)"),
                       Champ(_MS + "titulaire.adresse", "Titulaire : adresse"),
                       Champ(_MS + "titulaire.representant.civilite",
                             "Représentant du titulaire : civilité (facultatif)", "choix",
                             vide="Non précisée"),
                       Champ(_MS + "titulaire.representant.nom",
                             "Représentant du titulaire : prénom et nom (facultatif)"),
                       Champ(_MS + "titulaire.representant.qualite",
                             "Représentant du titulaire : qualité"),
                       Champ(_MS + "titulaire.representant.delegation",
                             "Représentant du titulaire : mention de délégation (facultatif)"),
                       Champ(_MS + "insertion.mode", "Engagement d'insertion propre : compté",
                             "choix", "Vide : celui de l'accord-cadre, appliqué à la durée du "
                             "marché subséquent.", choix_juridique=True,
                             vide="Celui de l'accord-cadre"),
                       Champ(_MS + "insertion.volume_heures", "Volume d'heures d'insertion",
                             "nombre"),
                       Champ(_MS + "insertion.actions_par_an", "Nombre d'actions par an", "nombre"),
                       Champ(_MS + "insertion.perimetre", "Prestations concernées", "zone"),
                       Champ(_MS + "insertion.globalisation", "Globalisation des heures autorisée",
                             "case", choix_juridique=True))),),
          si=_a_marches_subsequents),
    Etape("axes", "Les axes de progrès",
          "Choisissez les axes sur lesquels le titulaire s'engagera à progresser. Les deux premiers "
          "s'appuient sur une clause sociale d'insertion. Le périmètre du plan ne concerne que les "
          "salariés affectés à la prestation, jamais la politique générale de l'entreprise.",
          (Champ(_P + "engagement", "Nature de l'engagement du titulaire", "choix"),
           Champ(_P + "axes", "Axes de progrès retenus", "axes")),
          possede=(_P + "axes", _P + "engagement"), si=_plan),
    Etape("insertion", "La clause d'insertion",
          "L'axe « insertion » s'appuie sur une clause d'insertion (CCAG 2021, article 16.1) : "
          "le volume d'heures de travail réservées aux personnes éloignées de l'emploi, ou un "
          "nombre d'actions par an.",
          _champs_insertion(_I), possede=(_P + "insertion",), si=_axe_insertion),
    Etape("insertion_seule", "La clause d'insertion",
          "La clause d'insertion seule, condition d'exécution du marché (article L. 2112-2 du "
          "code de la commande publique) : le volume d'heures de travail réservées aux personnes "
          "éloignées de l'emploi, ou un nombre d'actions par an.",
          tuple(c for c in _champs_insertion(_CI)),
          possede=tuple(_CI + n for n in ("mode", "volume_heures", "actions_par_an", "perimetre",
                                          "globalisation")) + ("clause_insertion",),
          si=insertion_seule),
    Etape("penalites", "Suivi et pénalités",
          "Le plan est suivi par des relevés transmis au facilitateur et des comités ; les "
          "manquements sont sanctionnés par des pénalités plafonnées. Les valeurs proposées sont "
          "celles du modèle ; adaptez-les à votre marché.",
          _champs_suivi_penalites(_S, _PE, _au_plan_en_heures, None, _au_plan_en_heures),
          possede=(_P + "suivi", _P + "penalites"), si=_plan),
    Etape("penalites_seule", "Suivi et pénalités",
          "La clause d'insertion est suivie par des relevés transmis au facilitateur ; les "
          "manquements sont sanctionnés par des pénalités plafonnées. Les valeurs proposées sont "
          "celles du modèle ; adaptez-les à votre marché.",
          (*_champs_suivi_penalites(_CI + "suivi.", _CI + "penalites.", _mode(_CI, "heures"),
                                    _mode(_CI, "actions"), _jamais),
           Champ(_CI + "reception_travaux", "Date d'effet de la réception des travaux, une fois "
                 "prononcée (facultatif)", "date",
                 "Le dernier relevé est dû quinze jours après, le bilan final dans le mois qui "
                 "suit ; tant qu'elle n'est pas saisie, l'échéancier compte ces délais de la fin "
                 "contractuelle de l'exécution.", si=_travaux),
           Champ(_CI + "decompte_general_le", "Date de notification du décompte général, prévue "
                 "ou faite (facultatif)", "date",
                 "La décision sur les pénalités d'insertion, qui y sont portées, la précède.",
                 si=_travaux)),
          possede=(_CI + "suivi", _CI + "penalites"), si=insertion_seule),
    Etape("facilitateur", "Le facilitateur",
          "Le facilitateur de la clause sociale (PLIE, Maison de l'emploi…) prépare le plan avec "
          "vous et en suit l'exécution ; ses coordonnées figurent dans les pièces.",
          (Champ(_F + "nom", "Prénom et nom", autocomplete="name"),
           Champ(_F + "structure", "Structure", autocomplete="organization"),
           Champ(_F + "adresse", "Adresse de la structure (facultatif)",
                 autocomplete="street-address"),
           Champ(_F + "courriel", "Adresse électronique", "courriel", autocomplete="email"),
           Champ(_F + "telephone", "Téléphone", "tel", autocomplete="tel")),
          possede=("facilitateur",)),
)
"""The steps, in order: the one list the step navigation, the counter and the review page
read (a step whose ``si`` is false for the draft is skipped: :func:`etapes_de`)."""

SUIVI_SEULEMENT: tuple[str, ...] = (
    "titulaire", "plans", "bilans", "bilan_final", "marches_subsequents.plans",
    "marches_subsequents.bilans")
"""The dossier's parts the follow-up sets (the facilitator's attribution, yearly plans and
bilans): the buyer's interview keeps them as imported and never asks them."""


def etapes_de(brouillon: Mapping[str, Any]) -> tuple[Etape, ...]:
    """The steps asked for this draft, in order."""
    return tuple(etape for etape in ETAPES if etape.applicable(brouillon))


PAR_CODE = {etape.code: etape for etape in ETAPES}


# --- the model behind a path ---------------------------------------------------


def _sous_modele(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType, list):
        for argument in get_args(annotation):
            found = _sous_modele(argument)
            if found is not None:
                return found
    return None


def _info(chemin: str) -> Any:
    """The Pydantic FieldInfo of a dotted path of the dossier."""
    modele: type[BaseModel] | None = Dossier
    info: Any = None
    for partie in chemin.split("."):
        if modele is None:
            return None
        info = modele.model_fields.get(partie)
        if info is None:
            return None
        modele = _sous_modele(info.annotation)
    return info


def _simple(texte: str) -> str:
    return re.sub(r"[^a-zàâçéèêëîïôûùüÿœ]+", " ", texte.lower().split(" (")[0]).strip()


@functools.cache
def aide(champ: Champ) -> str:
    """The field's help: written for the interview, else the model's description (the text of
    ``clausegen schema``) unless it only repeats the label."""
    if champ.aide:
        return champ.aide
    info = _info(champ.chemin)
    description = str(info.description) if info is not None and info.description else ""
    return "" if _simple(description).startswith(_simple(champ.libelle)) else description


def _enum(chemin: str) -> type[StrEnum] | None:
    info = _info(chemin)
    if info is None:
        return None
    for candidat in (info.annotation, *get_args(info.annotation)):
        if isinstance(candidat, type) and issubclass(candidat, StrEnum):
            return candidat
    return None


LITTERAUX = {"lrar": "Lettre recommandée avec accusé de réception",
             "profil_acheteur": "Profil d'acheteur (plateforme de dématérialisation)",
             "M.": "M.", "Mme": "Mme"}


def _litteraux(chemin: str) -> tuple[str, ...]:
    """The values of a ``Literal[...]`` field (optional or not)."""
    info = _info(chemin)
    if info is None:
        return ()
    for candidat in (info.annotation, *get_args(info.annotation)):
        if get_origin(candidat) is Literal:
            return tuple(str(v) for v in get_args(candidat))
    return ()


@functools.cache
def choix(champ: Champ) -> tuple[tuple[str, str], ...]:
    """(value, French wording) of an enum or literal field, in the model's order."""
    vide = ((AUCUN, champ.vide),) if champ.vide else ()
    if champ.type == "dispositif":
        return DISPOSITIFS
    if champ.type == "oui_non":
        return (*vide, ("oui", "Oui"), ("non", "Non"))
    enum = CodeAxe if champ.type == "axes" else _enum(champ.chemin)
    if enum is None:
        return vide + tuple((v, LITTERAUX.get(v, f"« {v} »")) for v in _litteraux(champ.chemin))
    return vide + tuple((membre.value, _capitale(label(membre))) for membre in enum)


AUCUN = "aucun"
"""The value of a choice's « none » option (a value browsers send as written)."""

DISPOSITIFS = (
    ("plan_de_progres", "Plan de progrès en matière sociale (avec ou sans clause d'insertion)"),
    ("clause_insertion", "Clause d'insertion seule, sans plan de progrès (article L. 2112-2 du "
                         "code de la commande publique)"),
)


def _capitale(texte: str) -> str:
    return texte[:1].upper() + texte[1:]


@functools.cache
def defaut(chemin: str) -> Any:
    """The model's default value of a field (None when it has none)."""
    info = _info(chemin)
    if info is None or info.default is PydanticUndefined or info.default is None:
        return None
    valeur = info.default
    return valeur.value if isinstance(valeur, StrEnum) else valeur


# --- draft ↔ form --------------------------------------------------------------


def lire(brouillon: Mapping[str, Any], chemin: str) -> Any:
    """The draft's value at a dotted path (None when absent)."""
    valeur: Any = brouillon
    for partie in chemin.split("."):
        if not isinstance(valeur, Mapping):
            return None
        valeur = valeur.get(partie)
    return valeur


def _signifiant(champ: Champ, valeur: Any) -> bool:
    """Whether a value says something the model's default does not (a value that does not
    apply is only kept, and shown, when it does)."""
    if valeur is None or valeur in ({}, [], ""):
        return False
    par_defaut = defaut(champ.chemin)
    if par_defaut is None:
        return True
    try:
        return Decimal(str(valeur)) != Decimal(str(par_defaut))
    except (ArithmeticError, ValueError):
        return str(valeur) != str(par_defaut)


def demande(brouillon: Mapping[str, Any], champ: Champ) -> bool:
    """Whether the question is asked for this draft: it applies, or the draft holds a value
    for it other than the model's default (shown so that it can be removed)."""
    if champ.si is None or champ.si(brouillon):
        return True
    return _signifiant(champ, lire(brouillon, champ.chemin))


def _en_francais(champ: Champ, valeur: Any) -> Any:
    if champ.type in ("montant", "decimal", "nombre") and isinstance(valeur, (str, int, float, Decimal)):
        try:
            chiffre = Decimal(str(valeur))
            if not chiffre.is_finite():
                return valeur
            if champ.type == "montant" and chiffre != chiffre.to_integral_value():
                return montant(chiffre).removesuffix("\u00a0€")
            return nombre(chiffre)
        except (ArithmeticError, ValueError):
            return valeur  # not a number, or one too large to write: as typed
    return valeur


def _affichee(champ: Champ, valeur: Any) -> Any:
    if valeur is None and not champ.choix_juridique:
        valeur = defaut(champ.chemin)
    if champ.type == "oui_non":
        if isinstance(valeur, bool):
            return "oui" if valeur else "non"
        return valeur or AUCUN
    if champ.type == "choix" and champ.vide and valeur is None:
        return AUCUN
    return _en_francais(champ, valeur)


def valeur_affichee(brouillon: Mapping[str, Any], champ: Champ) -> Any:
    """What the form shows: the draft's value, else the model's default; a number written the
    French way (« 1 500 000 », « 85 000,50 », « 1,5 »), as the buyer would type it."""
    if champ.type == "dispositif":
        if insertion_seule(brouillon):
            return "clause_insertion"
        return "plan_de_progres" if "plan_de_progres" in brouillon else None
    valeur = lire(brouillon, champ.chemin)
    if champ.type == "section":
        return "oui" if isinstance(valeur, Mapping) else ""
    if champ.type == "articles":
        if isinstance(valeur, Mapping):
            return "\n".join(f"{cle} : {numero}" for cle, numero in valeur.items())
        return valeur or ""
    return _affichee(champ, valeur)


def lignes(brouillon: Mapping[str, Any], liste: Champ) -> list[dict[str, Any]]:
    """The rows of a list question, each as {row question's path: value shown}."""
    valeur = lire(brouillon, liste.chemin)
    rangs = valeur if isinstance(valeur, list) else []
    return [{sous.chemin: _affichee(sous, lire(rang, sous.relatif(liste)))
             for sous in liste.sous} for rang in rangs]


def nom_en_ligne(liste: Champ, index: int, sous: Champ) -> str:
    """The form name of a row question: ``marches_subsequents[0].titulaire.siret``."""
    return f"{liste.chemin}[{index}].{sous.relatif(liste)}"


def ident_en_ligne(liste: Champ, index: int, sous: Champ | None = None) -> str:
    """The HTML id of a row (or of one of its questions)."""
    base = f"{liste.ident}-{index}"
    return base if sous is None else f"{base}-{sous.relatif(liste).replace('.', '-')}"


def _ecrire(brouillon: dict[str, Any], chemin: str, valeur: Any) -> None:
    *parents, dernier = chemin.split(".")
    noeud = brouillon
    for partie in parents:
        suivant = noeud.get(partie)
        if not isinstance(suivant, dict):
            if valeur is None:
                return
            suivant = {}
            noeud[partie] = suivant
        noeud = suivant
    if valeur is None:
        noeud.pop(dernier, None)
    else:
        noeud[dernier] = valeur


_ESPACES = re.compile(r"[\s\u00a0\u202f]")
_UNITES = re.compile(r"(?:€|euros?|eur|ht|ttc|%|h|heures?)+$", re.IGNORECASE)


def normaliser_montant(texte: str) -> str:
    """A number typed the French way, read as the model reads it: « 1 200 000,50 € HT » →
    « 1200000.50 », « 5 % » → « 5 » (ordinary, non-breaking and narrow non-breaking spaces);
    the text as typed when it is not a number (the model's message then says so)."""
    candidat = _UNITES.sub("", _ESPACES.sub("", texte)).replace(",", ".")
    try:
        Decimal(candidat)
    except InvalidOperation:
        return texte
    return candidat


def normaliser_entier(texte: str) -> str:
    """« 6 000 » or « 6 000 heures » → « 6000 »; the text as typed when it is not a whole
    number."""
    candidat = _UNITES.sub("", _ESPACES.sub("", texte))
    return candidat if candidat.isascii() and candidat.isdecimal() else texte


def _axes(formulaire: Any) -> list[dict[str, str]]:
    retenus = set(formulaire.getlist(_P + "axes"))
    axes = []
    for code in CodeAxe:
        if code.value in retenus:
            axe = {"code": code.value}
            precisions = formulaire.get(f"{_P}precisions.{code.value}", "").strip()
            if precisions:
                axe["precisions"] = precisions
            axes.append(axe)
    return axes


def _texte(champ: Champ, brut: Any) -> Any:
    """A scalar answer as the draft keeps it (None: removed)."""
    texte = str(brut if brut is not None else "").strip()[:20_000]
    if champ.vide and texte == AUCUN:
        return None
    if champ.type in ("montant", "decimal"):
        texte = normaliser_montant(texte)
    elif champ.type == "nombre":
        texte = normaliser_entier(texte)
    elif champ.type == "oui_non":
        return {"oui": True, "non": False}.get(texte)
    return texte or None


def _articles(texte: str) -> dict[str, str] | str | None:
    """« cle : 14.1.3 » lines → {cle: "14.1.3"}; a line without its colon is kept as a key
    without number (the model names it)."""
    articles: dict[str, str] = {}
    for ligne in texte.splitlines():
        if ligne.strip():
            cle, _, numero = ligne.partition(":")
            articles[cle.strip()] = numero.strip()
    return articles or None


def _case(noeud: dict[str, Any], chemin: str, coche: bool) -> None:
    """A checkbox's answer; unticked in a section that holds nothing else, nothing is written
    (the box does not create an optional section on its own)."""
    parent = chemin.rsplit(".", 1)[0] if "." in chemin else ""
    if not coche and parent and not isinstance(lire(noeud, parent), Mapping):
        return
    _ecrire(noeud, chemin, coche)


def _dispositif(brouillon: dict[str, Any], choisi: str) -> None:
    """Switch between the plan de progrès and the insertion clause alone, carrying the
    insertion clause, its follow-up and penalties over."""
    if choisi == "clause_insertion" and not insertion_seule(brouillon):
        ancien = brouillon.pop("plan_de_progres", None) or {}
        seule = dict(ancien.get("insertion") or {}) if isinstance(ancien, Mapping) else {}
        for partie in ("suivi", "penalites"):
            if isinstance(ancien, Mapping) and isinstance(ancien.get(partie), Mapping):
                seule[partie] = dict(ancien[partie])
        brouillon["clause_insertion"] = seule
    elif choisi == "plan_de_progres" and "plan_de_progres" not in brouillon:
        seule = brouillon.pop("clause_insertion", None) or {}
        plan: dict[str, Any] = {}
        if isinstance(seule, Mapping):
            insertion = {k: v for k, v in seule.items() if k not in ("suivi", "penalites")}
            if insertion:
                plan["insertion"] = insertion
            plan.update({k: seule[k] for k in ("suivi", "penalites") if k in seule})
        brouillon["plan_de_progres"] = plan


def _ligne(liste: Champ, ancienne: Any, index: int, formulaire: Any) -> dict[str, Any]:
    """One row of a list as typed; what the form does not ask (a subsequent contract's plans
    and bilans) kept from the draft's row at the same place."""
    ligne = copy.deepcopy(dict(ancienne)) if isinstance(ancienne, Mapping) else {}
    cases = []
    for sous in liste.sous:
        nom, relatif = nom_en_ligne(liste, index, sous), sous.relatif(liste)
        if sous.type == "case":
            cases.append((relatif, "oui" in formulaire.getlist(nom)))
        else:
            _ecrire(ligne, relatif, _texte(sous, formulaire.get(nom)))
    _elaguer(ligne, liste.chemin)
    for relatif, coche in cases:
        _case(ligne, relatif, coche)
    return ligne


def _liste(brouillon: dict[str, Any], liste: Champ, formulaire: Any) -> None:
    anciennes = lire(brouillon, liste.chemin)
    anciennes = anciennes if isinstance(anciennes, list) else []
    nombre_lignes = formulaire.get(f"{liste.chemin}.lignes", "")
    total = int(nombre_lignes) if nombre_lignes.isdecimal() else len(anciennes)
    total = min(total, 200)
    rangs = [_ligne(liste, anciennes[i] if i < len(anciennes) else None, i, formulaire)
             for i in range(total)]
    action = str(formulaire.get("aller", ""))
    if action == f"ajouter:{liste.chemin}":
        rangs.append({})
    elif action.startswith(f"retirer:{liste.chemin}:"):
        index = action.rsplit(":", 1)[1]
        if index.isdecimal() and int(index) < len(rangs):
            del rangs[int(index)]
    _ecrire(brouillon, liste.chemin, rangs or None)


def _elaguer(noeud: dict[str, Any], chemin: str) -> None:
    """Remove the optional sections left empty (a blank « clause de réexamen » removes the
    clause); required ones stay, so that their missing fields are named."""
    for cle in list(noeud):
        valeur = noeud[cle]
        sous_chemin = f"{chemin}.{cle}" if chemin else cle
        if isinstance(valeur, dict):
            _elaguer(valeur, sous_chemin)
            info = _info(sous_chemin)
            if not valeur and sous_chemin not in ("plan_de_progres", "clause_insertion") and (
                    info is not None and info.default is None):
                del noeud[cle]


def appliquer(brouillon: Mapping[str, Any], etape: Etape, formulaire: Any) -> dict[str, Any]:
    """The draft with the step's answers as typed (a blank answer removes the value); a
    question not asked keeps its value, or loses it when it is the model's default; a list's
    « ajouter » and « retirer » buttons (``aller``) add or remove one row."""
    nouveau = copy.deepcopy(dict(brouillon))
    avant_axe_insertion = _axe_insertion(brouillon)
    cases, sections = [], []
    for champ in etape.champs:
        if not demande(brouillon, champ):
            if lire(nouveau, champ.chemin) is not None and champ.type not in ("liste", "section"):
                _ecrire(nouveau, champ.chemin, None)
            continue
        if champ.type == "axes":
            _ecrire(nouveau, champ.chemin, _axes(formulaire))
            if avant_axe_insertion and not any(a["code"] == "insertion" for a in _axes(formulaire)):
                _ecrire(nouveau, _P + "insertion", None)
        elif champ.type == "case":
            cases.append(champ)
        elif champ.type == "section":
            sections.append(champ)
        elif champ.type == "dispositif":
            if formulaire.get(champ.chemin) in ("plan_de_progres", "clause_insertion"):
                _dispositif(nouveau, formulaire.get(champ.chemin))
        elif champ.type == "liste":
            _liste(nouveau, champ, formulaire)
        elif champ.type == "articles":
            texte = str(formulaire.get(champ.chemin, ""))[:20_000]
            _ecrire(nouveau, champ.chemin, _articles(texte))
        else:
            _ecrire(nouveau, champ.chemin, _texte(champ, formulaire.get(champ.chemin)))
    _elaguer(nouveau, "")
    for champ in cases:
        _case(nouveau, champ.chemin, "oui" in formulaire.getlist(champ.chemin))
    for champ in sections:
        if "oui" in formulaire.getlist(champ.chemin):
            if not isinstance(lire(nouveau, champ.chemin), Mapping):
                _ecrire(nouveau, champ.chemin, {})
        else:
            _ecrire(nouveau, champ.chemin, None)
    return nouveau


def completer_facilitateur(brouillon: dict[str, Any], nom: str, courriel: str) -> dict[str, Any]:
    """The facilitator's name and e-mail address, when left blank, from the account chosen to
    follow the market."""
    facilitateur = brouillon.get("facilitateur")
    facilitateur = dict(facilitateur) if isinstance(facilitateur, Mapping) else {}
    for cle, valeur in (("nom", nom), ("courriel", courriel)):
        if not facilitateur.get(cle) and valeur:
            facilitateur[cle] = valeur
    return {**brouillon, "facilitateur": facilitateur}


def action_de_liste(formulaire: Any) -> bool:
    """Whether the form was sent by a list's « ajouter » or « retirer » button."""
    return str(formulaire.get("aller", "")).startswith(("ajouter:", "retirer:"))


def precisions(brouillon: Mapping[str, Any]) -> dict[str, str]:
    """Axis code → its « précisions » in the draft."""
    axes = lire(brouillon, _P + "axes") or []
    return {a["code"]: a.get("precisions", "") for a in axes if isinstance(a, Mapping) and "code" in a}


# --- problems on the step that owns them ---------------------------------------


@dataclass(frozen=True)
class Probleme:
    """A problem as the page shows it: field path (anchor), label, message."""

    path: str
    libelle: str
    expected: str
    ancre: str


def _champ_du_probleme(etape: Etape, chemin: str, message: str) -> Champ | None:
    for champ in etape.champs:
        if chemin == champ.chemin or chemin.startswith((champ.chemin + ".", champ.chemin + "[")):
            return champ
    nommes = [(message.find(c.chemin.rsplit(".", 1)[-1]), c) for c in etape.champs]
    nommes = [(i, c) for i, c in nommes if i >= 0]
    return min(nommes, key=lambda paire: paire[0])[1] if nommes else None


LIGNES = {"marches_subsequents": "Marché subséquent", _EX + "niveaux_service": "Niveau de service"}
"""How a row of each list is named in messages (« Marché subséquent 2 : … »)."""


def _probleme_en_ligne(liste: Champ, chemin: str, message: str) -> Probleme | None:
    trouve = re.match(rf"{re.escape(liste.chemin)}\[(\d+)\]\.?(.*)$", chemin)
    if trouve is None:
        return None
    index, reste = int(trouve.group(1)), trouve.group(2)
    nom_ligne = f"{LIGNES.get(liste.chemin, liste.libelle)} {index + 1}"
    for sous in liste.sous:
        relatif = sous.relatif(liste)
        if reste == relatif or reste.startswith(relatif + "."):
            return Probleme(nom_en_ligne(liste, index, sous), f"{nom_ligne} : {sous.libelle}",
                            _en_mots_de(liste.sous, message, sous), ident_en_ligne(liste, index, sous))
    nommes = [(message.find(s.relatif(liste).rsplit(".", 1)[-1]), s) for s in liste.sous
              if s.relatif(liste).startswith(reste)]
    nommes = [(i, s) for i, s in nommes if i >= 0]
    if nommes:
        sous = min(nommes, key=lambda paire: paire[0])[1]
        return Probleme(nom_en_ligne(liste, index, sous), f"{nom_ligne} : {sous.libelle}",
                        _en_mots_de(liste.sous, message, sous), ident_en_ligne(liste, index, sous))
    return Probleme(chemin, nom_ligne, _en_mots_de(liste.sous, message, None),
                    ident_en_ligne(liste, index))


def problemes_de(etape: Etape, problemes: Sequence[FieldProblem]) -> list[Probleme]:
    """The step's problems, each attached to one of its fields when possible."""
    resultat = []
    for probleme in problemes:
        if not etape.montre(probleme.path, probleme.expected):
            continue
        champ = _champ_du_probleme(etape, probleme.path, probleme.expected)
        if champ is not None and champ.type == "liste":
            en_ligne = _probleme_en_ligne(champ, probleme.path, probleme.expected)
            if en_ligne is not None:
                resultat.append(en_ligne)
                continue
        message = _en_mots(etape, probleme.expected, champ)
        if champ is not None and champ.type == "articles" and probleme.path.startswith(champ.chemin + "."):
            cle = probleme.path.removeprefix(champ.chemin + ".").removesuffix(".[key]")
            message = f"« {cle} » : {message}"
        if champ is None:
            resultat.append(Probleme(probleme.path, etape.titre, message, "formulaire"))
        else:
            resultat.append(Probleme(champ.chemin, champ.libelle, message, champ.ident))
    return resultat


_ATTENDU = {
    "montant": "montant en euros attendu, par exemple « 85 000,50 » ou « 1 200 000 »",
    "decimal": "nombre attendu, par exemple « 1,5 » ou « 5 »",
    "nombre": "nombre entier attendu, par exemple « 6 000 »",
}
_MESSAGES_DE_TYPE = ("montant attendu (ex. 1200000.00)", "nombre entier attendu (sans décimales)",
                     "nombre entier attendu", "nombre attendu")


def _en_mots(etape: Etape, message: str, champ: Champ | None) -> str:
    """The model's message as the form says it: what a number field expects in the field's
    own unit and French writing, and the fields a rule names by their labels, not their keys
    (« volume_heures est obligatoire… » → « « Volume d'heures… » est obligatoire… »)."""
    return _en_mots_de(etape.champs, message, champ)


def _en_mots_de(champs: Sequence[Champ], message: str, champ: Champ | None) -> str:
    if champ is not None and champ.type in _ATTENDU:
        for generique in _MESSAGES_DE_TYPE:
            if message.startswith(generique):
                message = _ATTENDU[champ.type] + message[len(generique):]
                break
    for autre in champs:
        cle = autre.chemin.rsplit(".", 1)[-1]
        if "_" in cle:
            message = re.sub(rf"\b{re.escape(cle)}\b", f"« {autre.libelle} »", message)
    return message


def bloquants(problemes: Sequence[FieldProblem],
              brouillon: Mapping[str, Any] | None = None) -> list[tuple[Etape | None, Probleme]]:
    """Every problem with the step that shows it, in the interview's order (the review page
    lists them, each with a « modifier » link to its field); one no step shows comes last,
    without a step."""
    etapes = ETAPES if brouillon is None else etapes_de(brouillon)
    resultat: list[tuple[Etape | None, Probleme]] = []
    for etape in etapes:
        resultat += [(etape, p) for p in problemes_de(etape, problemes)]
    resultat += [(None, Probleme(p.path, "Dossier", p.expected, "")) for p in problemes
                 if not any(etape.montre(p.path, p.expected) for etape in etapes)]
    return resultat


def verdict_du_dispositif(brouillon: Mapping[str, Any], faisabilite: Any) -> str | None:
    """The code of the verdict that governs the draft's pieces: the plan's, or the insertion
    clause's when the draft carries the insertion clause alone (None while unknown)."""
    if faisabilite is None:
        return None
    avis = faisabilite.insertion if insertion_seule(brouillon) else faisabilite.plan
    return str(avis.verdict.value)


def etats(brouillon: Mapping[str, Any], problemes: Sequence[FieldProblem],
          verdict_code: str | None) -> dict[str, bool]:
    """Step code → complete: answered (at least one answer in the draft) and without problem;
    the feasibility step also needs the verdict known and not « non adapté »."""
    resultat = {}
    for etape in etapes_de(brouillon):
        sans_probleme = not problemes_de(etape, problemes)
        if etape.code == "faisabilite":
            resultat[etape.code] = verdict_code not in (None, "non_adapte") and sans_probleme
            continue
        repondu = ((etape.facultative and bool(brouillon.get("marche")))
                   or any(lire(brouillon, c.chemin) is not None for c in etape.champs))
        resultat[etape.code] = repondu and sans_probleme
    return resultat


def etape_suivante(etape: Etape, brouillon: Mapping[str, Any] | None = None) -> Etape | None:
    """The next step asked for the draft, or None after the last."""
    suivantes = ETAPES[ETAPES.index(etape) + 1:]
    return next((e for e in suivantes if brouillon is None or e.applicable(brouillon)), None)


def etape_precedente(etape: Etape, brouillon: Mapping[str, Any] | None = None) -> Etape | None:
    """The previous step asked for the draft, or None before the first."""
    precedentes = reversed(ETAPES[:ETAPES.index(etape)])
    return next((e for e in precedentes if brouillon is None or e.applicable(brouillon)), None)


def titre_du_dossier(brouillon: Mapping[str, Any]) -> str:
    """« 2026-0142 – Nettoyage… » as soon as the market is named."""
    reference = lire(brouillon, _M + "reference")
    objet = lire(brouillon, _M + "objet")
    parties = [str(p) for p in (reference, objet) if p]
    return " \u2013 ".join(parties)[:300] or "Nouveau dossier"
