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
from collections.abc import Mapping, Sequence
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


@dataclass(frozen=True)
class Champ:
    """One question: dotted path, label, kind (texte, zone, nombre, montant in euros, decimal,
    date, choix, case, courriel, tel, axes)."""

    chemin: str
    libelle: str
    type: str = "texte"
    aide: str = ""
    autocomplete: str = ""
    choix_juridique: bool = False
    """A legal choice the buyer makes: the model's default is not shown as already made."""

    @property
    def ident(self) -> str:
        """The HTML id (and anchor) of the field."""
        return self.chemin.replace(".", "-")


@dataclass(frozen=True)
class Etape:
    """One step of the interview."""

    code: str
    titre: str
    intro: str
    champs: tuple[Champ, ...]
    possede: tuple[str, ...] = field(default=())
    """Dotted paths whose problems this step shows (the fields' own paths besides)."""

    def montre(self, chemin: str, message: str = "") -> bool:
        """Whether a problem at ``chemin`` belongs to this step."""
        if chemin == "plan_de_progres":
            # The whole plan missing is the axes step's; a rule of the plan (the insertion
            # clause required by the insertion axis) is the insertion step's.
            manquant = message.startswith("champ obligatoire manquant")
            return self.code == ("axes" if manquant else "insertion")
        racines = self.possede or tuple(c.chemin for c in self.champs)
        return any(chemin == r or chemin.startswith((r + ".", r + "[")) for r in racines)


_A = "acheteur."
_M = "marche."
_P = "plan_de_progres."
_I = "plan_de_progres.insertion."
_S = "plan_de_progres.suivi."
_PE = "plan_de_progres.penalites."
_F = "facilitateur."
_AD = "administratif."

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
                 "figure seul."),
           Champ(_A + "affaire_suivie_par", "Affaire suivie par (facultatif)",
                 aide="Nom, téléphone et adresse électronique de l'agent, repris dans les "
                      "lettres au titulaire."),
           Champ(_A + "envoi", "Envoi des lettres qui doivent avoir date certaine", "choix"),
           Champ(_A + "signataire.civilite", "Signataire : civilité (facultatif)", "choix"),
           Champ(_A + "signataire.nom", "Signataire : prénom et nom", autocomplete="name"),
           Champ(_A + "signataire.qualite", "Signataire : qualité")),
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
                 "Durée des marchés subséquents, en mois (accord-cadre à marchés subséquents "
                 "seulement)", "nombre"),
           Champ(_M + "prestation", "Type de prestation", "choix",
                 "Une exécution continue ou récurrente (nettoyage, maintenance, restauration…) "
                 "permet l'amélioration continue ; un achat isolé ne le permet pas."),
           Champ(_M + "duree_mois", "Durée totale du marché, en mois", "nombre",
                 "2 ans au moins sont préconisés, et les accords-cadres de 4 ans s'y prêtent "
                 "particulièrement bien ; en dessous de 12 mois, aucun bilan annuel n'a lieu."),
           Champ(_M + "montant_estime_ht", "Montant estimé, en euros hors taxes", "montant",
                 "Par exemple 1 200 000 ou 85 000,50. Le montant n'est jamais bloquant : même un "
                 "marché modeste peut porter un plan de progrès si sa durée suffit."),
           Champ(_M + "ccag", "CCAG de référence", "choix",
                 "Le cahier des clauses administratives générales auquel le CCAP se réfère "
                 "(arrêtés du 30 mars 2021)."),
           Champ(_M + "date_notification", "Date de notification (facultatif, une fois connue)",
                 "date", "Elle fixe ensuite le calendrier du plan : réunion de lancement dans les "
                 "2 mois, bilan chaque année à la date anniversaire."),
           Champ(_M + "lieu_execution", "Lieu(x) d'exécution (facultatif)")),
          possede=("marche",)),
    Etape("administratif", "Prix, montants et règlement",
          "Ces stipulations administratives figurent dans le CCAP complet : montants de "
          "l'accord-cadre, forme et variation des prix, paiement, réexamen, tribunal compétent.",
          (Champ(_AD + "montant_maximum_ht", "Montant maximum de l'accord-cadre, en euros hors "
                 "taxes", "montant",
                 "Obligatoire pour le CCAP complet d'un accord-cadre : le montant maximum sur "
                 "toute sa durée, par exemple 1 500 000. Laissez vide pour un marché qui n'est "
                 "pas un accord-cadre."),
           Champ(_AD + "montant_minimum_ht", "Montant minimum de l'accord-cadre, en euros hors "
                 "taxes (facultatif)", "montant"),
           Champ(_AD + "forme_prix", "Forme des prix", "choix"),
           Champ(_AD + "variation_prix", "Variation des prix", "choix"),
           Champ(_AD + "indice_revision", "Indice de révision des prix (prix révisables)", "zone"),
           Champ(_AD + "avance_pourcentage", "Taux de l'avance, en % (facultatif)", "decimal"),
           Champ(_AD + "delai_paiement_jours", "Délai global de paiement, en jours", "nombre"),
           Champ(_AD + "reexamen.plafond_pourcentage", "Clause de réexamen : incidence financière "
                 "cumulée maximale, en % (facultatif)", "decimal",
                 "Permet de faire évoluer le plan de progrès chaque année sans avenant, dans "
                 "cette limite ; vide : pas de clause de réexamen."),
           Champ(_AD + "procedure", "Procédure de passation (facultatif)"),
           Champ(_AD + "tribunal_administratif", "Tribunal administratif compétent (facultatif)",
                 "zone")),
          possede=("administratif",)),
    Etape("faisabilite", "Faisabilité",
          "Le guide de l'Alliance Villes Emploi (§ 2.1) retient quatre critères : la récurrence de "
          "la prestation, l'invariabilité du titulaire, la durée (2 ans au moins sont préconisés) "
          "et le montant, qui n'est jamais bloquant à lui seul. Un marché jugé « non adapté » ne "
          "peut pas recevoir les pièces : revenez à l'étape « Le marché » pour le modifier.",
          (), possede=("__aucun__",)),
    Etape("axes", "Les axes de progrès",
          "Choisissez les axes sur lesquels le titulaire s'engagera à progresser. Les deux premiers "
          "s'appuient sur une clause sociale d'insertion. Le périmètre du plan ne concerne que les "
          "salariés affectés à la prestation, jamais la politique générale de l'entreprise.",
          (Champ(_P + "engagement", "Nature de l'engagement du titulaire", "choix"),
           Champ(_P + "axes", "Axes de progrès retenus", "axes")),
          possede=(_P + "axes", _P + "engagement")),
    Etape("insertion", "La clause d'insertion",
          "Si l'axe « insertion » est retenu, le plan s'appuie sur une clause d'insertion "
          "(CCAG 2021, article 16.1) : le volume d'heures de travail réservées aux personnes "
          "éloignées de l'emploi, ou un nombre d'actions par an.",
          (Champ(_I + "mode", "Engagement compté", "choix"),
           Champ(_I + "volume_heures", "Volume d'heures d'insertion sur la durée du marché",
                 "nombre"),
           Champ(_I + "actions_par_an", "Nombre d'actions par an", "nombre"),
           Champ(_I + "perimetre", "Prestations concernées par l'action d'insertion", "zone"),
           Champ(_I + "globalisation", "Globalisation des heures autorisée", "case",
                 "Cochez pour permettre au titulaire qui exécute plusieurs marchés comportant "
                 "une clause d'insertion sur le même bassin d'emploi de demander au facilitateur "
                 "de globaliser les heures (CCAG-FCS, TIC et PI, article 16.1.3). Case non "
                 "cochée par défaut : ce choix vous revient.", choix_juridique=True)),
          possede=(_P + "insertion",)),
    Etape("penalites", "Suivi et pénalités",
          "Le plan est suivi par des relevés transmis au facilitateur et des comités ; les "
          "manquements sont sanctionnés par des pénalités plafonnées. Les valeurs proposées sont "
          "celles du modèle ; adaptez-les à votre marché.",
          (Champ(_S + "frequence_reporting", "Fréquence des relevés", "choix"),
           Champ(_S + "jour_limite_reporting", "Jour limite de transmission du relevé", "nombre"),
           Champ(_S + "frequence_comites", "Fréquence des comités de suivi", "choix"),
           Champ(_S + "delai_bilan_final_mois", "Délai du bilan final, en mois", "nombre"),
           Champ(_PE + "formule_heure", "Pénalité par heure d'insertion non réalisée : formule",
                 "choix", "Un montant fixe par heure, ou un multiple du SMIC horaire brut en "
                 "vigueur à la date du constat."),
           Champ(_PE + "heure_non_realisee", "Montant par heure non réalisée (€ HT)", "montant"),
           Champ(_PE + "coefficient_smic", "Multiple du SMIC horaire brut", "decimal",
                 "Formule « SMIC » seulement, par exemple 2 ou 1,5."),
           Champ(_PE + "action_non_realisee", "Pénalité par action non réalisée (€ HT)", "montant"),
           Champ(_PE + "retard_par_jour", "Pénalité par jour de retard (€ HT)", "montant"),
           Champ(_PE + "plafond_pourcentage", "Plafond annuel, en % du montant de l'année",
                 "decimal"),
           Champ(_PE + "exoneration_ccag", "Appliquer l'exonération du CCAG (pénalités de "
                 "1 000 € HT au plus)", "case",
                 "Par défaut, non : le CCAP y déroge, et les pénalités de faible montant "
                 "s'appliquent.")),
          possede=(_P + "suivi", _P + "penalites")),
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

PAR_CODE = {etape.code: etape for etape in ETAPES}


# --- the model behind a path ---------------------------------------------------


def _sous_modele(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
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
             "profil_acheteur": "Profil d'acheteur (plateforme de dématérialisation)"}


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
    enum = CodeAxe if champ.type == "axes" else _enum(champ.chemin)
    if enum is None:
        return tuple((v, LITTERAUX.get(v, f"« {v} »")) for v in _litteraux(champ.chemin))
    return tuple((membre.value, _capitale(label(membre))) for membre in enum)


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


def valeur_affichee(brouillon: Mapping[str, Any], champ: Champ) -> Any:
    """What the form shows: the draft's value, else the model's default; a number written the
    French way (« 1 500 000 », « 85 000,50 », « 1,5 »), as the buyer would type it."""
    valeur = lire(brouillon, champ.chemin)
    if valeur is None and not champ.choix_juridique:
        valeur = defaut(champ.chemin)
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


def _ecrire(brouillon: dict[str, Any], chemin: str, valeur: Any) -> None:
    *parents, dernier = chemin.split(".")
    noeud = brouillon
    for partie in parents:
        suivant = noeud.get(partie)
        if not isinstance(suivant, dict):
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


def appliquer(brouillon: Mapping[str, Any], etape: Etape, formulaire: Any) -> dict[str, Any]:
    """The draft with the step's answers as typed (a blank answer removes the value)."""
    nouveau = copy.deepcopy(dict(brouillon))
    for champ in etape.champs:
        if champ.type == "axes":
            _ecrire(nouveau, champ.chemin, _axes(formulaire))
            continue
        if champ.type == "case":
            _ecrire(nouveau, champ.chemin, "oui" in formulaire.getlist(champ.chemin))
            continue
        texte = str(formulaire.get(champ.chemin, "")).strip()[:20_000]
        if champ.type in ("montant", "decimal"):
            texte = normaliser_montant(texte)
        elif champ.type == "nombre":
            texte = normaliser_entier(texte)
        _ecrire(nouveau, champ.chemin, texte or None)
    return nouveau


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


def problemes_de(etape: Etape, problemes: Sequence[FieldProblem]) -> list[Probleme]:
    """The step's problems, each attached to one of its fields when possible."""
    resultat = []
    for probleme in problemes:
        if not etape.montre(probleme.path, probleme.expected):
            continue
        champ = _champ_du_probleme(etape, probleme.path, probleme.expected)
        message = _en_mots(etape, probleme.expected, champ)
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
    if champ is not None and champ.type in _ATTENDU:
        for generique in _MESSAGES_DE_TYPE:
            if message.startswith(generique):
                message = _ATTENDU[champ.type] + message[len(generique):]
                break
    for autre in etape.champs:
        cle = autre.chemin.rsplit(".", 1)[-1]
        if "_" in cle:
            message = re.sub(rf"\b{re.escape(cle)}\b", f"« {autre.libelle} »", message)
    return message


def bloquants(problemes: Sequence[FieldProblem]) -> list[tuple[Etape | None, Probleme]]:
    """Every problem with the step that shows it, in the interview's order (the review page
    lists them, each with a « modifier » link to its field); one no step shows comes last,
    without a step."""
    resultat: list[tuple[Etape | None, Probleme]] = []
    for etape in ETAPES:
        resultat += [(etape, p) for p in problemes_de(etape, problemes)]
    resultat += [(None, Probleme(p.path, "Dossier", p.expected, "")) for p in problemes
                 if not any(etape.montre(p.path, p.expected) for etape in ETAPES)]
    return resultat


def etats(brouillon: Mapping[str, Any], problemes: Sequence[FieldProblem],
          verdict_code: str | None) -> dict[str, bool]:
    """Step code → complete: answered (at least one answer in the draft) and without problem;
    the feasibility step when the verdict is known and not « non adapté »."""
    resultat = {}
    for etape in ETAPES:
        if not etape.champs:
            resultat[etape.code] = verdict_code not in (None, "non_adapte")
            continue
        repondu = any(lire(brouillon, c.chemin) is not None for c in etape.champs)
        resultat[etape.code] = repondu and not problemes_de(etape, problemes)
    return resultat


def etape_suivante(etape: Etape) -> Etape | None:
    """The next step, or None after the last."""
    index = ETAPES.index(etape)
    return ETAPES[index + 1] if index + 1 < len(ETAPES) else None


def etape_precedente(etape: Etape) -> Etape | None:
    """The previous step, or None before the first."""
    index = ETAPES.index(etape)
    return ETAPES[index - 1] if index > 0 else None


def titre_du_dossier(brouillon: Mapping[str, Any]) -> str:
    """« 2026-0142 – Nettoyage… » as soon as the market is named."""
    reference = lire(brouillon, _M + "reference")
    objet = lire(brouillon, _M + "objet")
    parties = [str(p) for p in (reference, objet) if p]
    return " \u2013 ".join(parties)[:300] or "Nouveau dossier"
