"""The facade of the facilitator and the titulaire: deadlines, convocation, plan, letters,
bilan, dashboard, and the dossier a follow-up record composes.

In memory: each function takes an opened :class:`Suivi` (a validated dossier and its library)
and plans or results as objects, and returns a :class:`~clausegen.api.piece.RenderedPiece`, a
:class:`Bilan`, deadlines or bytes (.ics, .xlsx). Reading and writing files is the command
line's business (:mod:`clausegen.cli.facilitateur`), the database the web application's. Dates
come from the dossier or explicit arguments, never from the clock (except :func:`today`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar

from icalendar import Calendar
from pydantic import BaseModel

from clausegen import __version__
from clausegen.api.marche import (
    LoadedDossier,
    canevas_name,
    dump_dossier,
    forced_mention,
    open_library,
    provenance,
    render_piece,
    subsequent_or_error,
    suited_or_forced,
    validate_dossier,
)
from clausegen.api.piece import RenderedPiece
from clausegen.assembly import article_numbers
from clausegen.blocks import Block, PageBreak
from clausegen.context import ccag_functions, dossier_ccag_table, dossier_context
from clausegen.documents import bilan as bilan_doc
from clausegen.documents import lettre as lettre_doc
from clausegen.documents import procedure as procedure_doc
from clausegen.documents._blocks import bullets, heading, paragraph, table
from clausegen.documents.calendrier import calendrier_ics
from clausegen.documents.plan import plan_blocks
from clausegen.domain import bilan as bilan_domain
from clausegen.domain import insertion_seule as insertion_domain
from clausegen.domain.avenant import axes_absents, stipulations_modifiees
from clausegen.domain.bilan import (
    Bilan,
    LignePenalite,
    check_resultats,
    lignes_en_cours_d_annee,
    problemes_montants,
    problemes_procedures,
)
from clausegen.domain.coherence_plan import avertissements_plan
from clausegen.domain.echeancier import Echeance, annees, echeancier, jour_ouvre, periode
from clausegen.domain.evenements import Evenement, bilan_de_l_annee, retards
from clausegen.domain.insertion_seule import echeancier_insertion
from clausegen.domain.insertion_seule import problemes as problemes_bilan_final
from clausegen.domain.lettre_bilan import (
    classement,
    date_limite_lettre,
    dates_renouvellement,
    plan_convenu_le,
)
from clausegen.domain.procedure import Nature
from clausegen.domain.retards import problemes as problemes_retards
from clausegen.domain.signature import signature_warnings
from clausegen.errors import (
    AvenantRequisError,
    CrossReferenceError,
    FieldProblem,
    NotSuitedError,
    SuiviInputError,
    ValidationFailed,
)
from clausegen.library import Library
from clausegen.library.diff import DiffParagraph, compare_paragraphs
from clausegen.library.releases import pin
from clausegen.models._base import label
from clausegen.models.commun import Nature as NatureMarche
from clausegen.models.dispositifs import ClauseInsertionSeule, MarcheSubsequent
from clausegen.models.dossier import BaseHeures, CodeAxe, Forme, ModeInsertion, PlanDeProgres
from clausegen.models.suivi import Decision, Objectif, PlanAnnuel, Procedure, ResultatsAnnuels
from clausegen.render.writers.tableur import AnneeSuivi, LigneSuivi, tableau_de_bord_xlsx
from clausegen.templating import Raw
from clausegen.text.french import date_courte, date_longue, fonction, nombre, unite

__all__ = ["Bilan", "Cible", "CiblesSuivi", "ComposedDossier", "Echeance", "EtapeProcedure",
           "EtatEcheance", "Suivi", "Supplied", "bilan_au", "compose_dossier", "compute_bilan",
           "compute_bilan_final", "lettre_bilan_faits", "list_avertissements", "list_echeances",
           "list_etats_echeances", "list_manquements", "list_retards", "open_suivi", "procedure_dates",
           "render_bilan", "render_bilan_final", "render_calendrier", "render_convocation",
           "render_flux_calendrier", "render_lettre", "render_lettre_bilan", "render_plan",
           "render_procedure_letter", "render_procedure_letters", "render_suivi_pieces",
           "render_tableau_de_bord", "requires_act", "select_plan", "select_resultats", "suivi_targets",
           "today"]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Cible:
    """Which contract the post-award pieces follow, and whether an unsuited verdict is forced.

    ``marche_subsequent``: the number of a subsequent contract of a multi-attributaire
    accord-cadre (required for such an accord-cadre); ``forcer``: write the pieces of a market
    judged non adapté, each then carrying the verdict as a visible mention.
    """

    marche_subsequent: int | None = None
    forcer: bool = False


@dataclass(frozen=True)
class Suivi:
    """A dossier ready for post-award pieces: notification known, library open.

    For a subsequent contract, ``loaded.dossier`` is the accord-cadre's dossier seen through
    that contract: its titulaire, notification date, duration, plans and bilans.
    """

    loaded: LoadedDossier
    library: Library
    notification: date
    mention: str | None = None
    marche_subsequent: MarcheSubsequent | None = None

    @property
    def echeances(self) -> list[Echeance]:
        """Every deadline of the plan (of the insertion clause, when the dossier carries it alone)."""
        dossier = self.loaded.dossier
        duree = dossier.marche.duree_mois
        if dossier.clause_insertion is not None:
            return echeancier_insertion(self.notification, duree, dossier.clause_insertion,
                                        travaux=bilan_final_a_la_reception(self))
        return echeancier(self.notification, duree, dossier.plan.suivi.delai_bilan_final_mois)

    @property
    def insertion_seule(self) -> bool:
        """Whether the dossier carries the insertion clause alone (no plan de progrès)."""
        return self.loaded.dossier.clause_insertion is not None

    def echeance(self, cle: str) -> Echeance:
        """One deadline by key (``lancement``, ``bilan_2``…)."""
        return next(e for e in self.echeances if e.cle == cle)


def _seen_through(loaded: LoadedDossier, numero: int | None) -> tuple[LoadedDossier, MarcheSubsequent | None]:
    """The dossier as its post-award pieces see it: itself, or through subsequent contract N."""
    dossier = loaded.dossier
    path = loaded.path
    if dossier.plan_de_progres is None:
        raise SuiviInputError(what=f"Fichier « {path} », plan_de_progres",
                              hint="ce dossier porte la clause d'insertion seule : les pièces du "
                                   "plan de progrès (échéancier, convocation, plans, lettres, bilans, "
                                   "tableau de bord) ne s'y appliquent pas")
    is_ms = dossier.marche.forme is Forme.accord_cadre_multi_attributaire_marches_subsequents
    if numero is None:
        if is_ms:
            known = ", ".join(str(m.numero) for m in dossier.marches_subsequents)
            raise SuiviInputError(
                what=f"Fichier « {path} »",
                hint="accord-cadre à marchés subséquents : le suivi s'attache à un marché subséquent "
                     "et à son titulaire ; précisez --marche-subsequent N "
                     + (f"(numéros listés : {known})" if known
                        else "après l'avoir décrit dans la section marches_subsequents"))
        return loaded, None
    if not is_ms:
        raise SuiviInputError(what=f"--marche-subsequent {numero}",
                              hint="option réservée aux accords-cadres multi-attributaires à "
                                   "marchés subséquents")
    ms = subsequent_or_error(dossier, numero, path)
    marche = dossier.marche.model_copy(update={
        "reference": ms.reference or f"{dossier.marche.reference}-MS{ms.numero}",
        "objet": ms.objet or dossier.marche.objet,
        "date_notification": ms.date_notification,
        "duree_mois": ms.duree_mois,
    })
    seen = dossier.model_copy(update={"marche": marche, "titulaire": ms.titulaire,
                                      "plans": ms.plans, "bilans": ms.bilans,
                                      "plan_de_progres": _engagement_du_marche_subsequent(loaded, ms)})
    return replace(loaded, dossier=seen), ms


def open_suivi(loaded: LoadedDossier, cible: Cible | None = None,
               overlays: Sequence[Path] = ()) -> Suivi:
    """A validated dossier whose market (or subsequent contract) is notified, awarded and
    suited to a plan de progrès — or forced, in which case every piece carries the verdict.
    A dossier carrying the insertion clause alone (a works market) has its own follow-up:
    deadlines, final bilan, procedure letters, dashboard (issue 20, item 4); the pieces of the
    plan de progrès refuse it. Messages name the dossier ``loaded.path`` (the file read, or the
    name the caller gives)."""
    cible = cible or Cible()
    if loaded.dossier.clause_insertion is not None and loaded.dossier.plan_de_progres is None:
        return _notified_and_awarded(loaded, loaded, overlays)
    if loaded.dossier.plan_de_progres is not None and cible.marche_subsequent is not None \
            and loaded.dossier.marche.forme is Forme.accord_cadre_multi_attributaire_marches_subsequents:
        subsequent_or_error(loaded.dossier, cible.marche_subsequent, loaded.path)
        # first: why the subsequent contract is not suited, before what its follow-up lacks
        suited_or_forced(loaded.dossier, forcer=cible.forcer, numero=cible.marche_subsequent)
    seen, ms = _seen_through(loaded, cible.marche_subsequent)
    faisabilite = suited_or_forced(loaded.dossier, forcer=cible.forcer,
                                   numero=cible.marche_subsequent)
    mention = forced_mention(loaded.dossier, faisabilite)
    return replace(_notified_and_awarded(loaded, seen, overlays), mention=mention, marche_subsequent=ms)


def _notified_and_awarded(loaded: LoadedDossier, seen: LoadedDossier, overlays: Sequence[Path]) -> Suivi:
    """The follow-up of ``seen`` (``loaded`` itself or seen through a subsequent contract) when
    its market is notified and awarded, with its library (the pinned release when the dossier
    names one: the CCAP numbers cited must be its own)."""
    marche = seen.dossier.marche
    if marche.date_notification is None:
        raise SuiviInputError(what=f"Fichier « {loaded.path} », marche.date_notification",
                              hint="date de notification attendue (AAAA-MM-JJ) pour les pièces du suivi")
    if seen.dossier.titulaire is None:
        raise SuiviInputError(what=f"Fichier « {loaded.path} », titulaire",
                              hint="le titulaire doit être renseigné pour les pièces du suivi")
    library = open_library(overlays)
    if seen.dossier.bibliotheque:
        library = pin(library, seen.dossier.bibliotheque)
    return Suivi(seen, library, marche.date_notification)


def _version_au_moins(suivi: Suivi, fragment_id: str, version: tuple[int, int, int]) -> bool:
    """Whether the dossier's library (its pinned release, if any) resolves ``fragment_id`` to
    ``version`` or later: documents compute what the dossier's own CCAP says."""
    found = str(suivi.library.resolve(fragment_id).meta.version)
    return tuple(int(x) for x in found.split(".")[:3] if x.isdigit()) >= version


def bilan_final_a_la_reception(suivi: Suivi) -> bool:
    """Whether the insertion clause's follow-up of this works market ends on the réception and
    the décompte général (``insertion_seule.bilan_final`` 1.1.0 and later, NM10)."""
    dossier = suivi.loaded.dossier
    return (dossier.clause_insertion is not None and dossier.marche.nature is NatureMarche.travaux
            and _version_au_moins(suivi, "insertion_seule.bilan_final", (1, 1, 0)))


BONS_DE_COMMANDE = frozenset({Forme.accord_cadre_mono_attributaire,
                              Forme.accord_cadre_multi_attributaire_bons_de_commande})


def volume_au_montant(suivi: Suivi) -> bool:
    """Whether the dossier's CCAP makes the insertion hours due follow the amount executed under
    bons de commande (``insertion.volume`` 1.1.0 and later, for an accord-cadre executed by bons
    de commande, NM4), rather than the duration elapsed: the bilan computes what the CCAP of the
    dossier's library (its pinned release, if any) says."""
    dossier = suivi.loaded.dossier
    if dossier.plan_de_progres is None or dossier.marche.forme not in BONS_DE_COMMANDE:
        return False
    if dossier.plan.penalites.base_heures is not BaseHeures.prorata:
        return False
    return _version_au_moins(suivi, "insertion.volume", (1, 1, 0))


def insertion_au_montant(suivi: Suivi) -> bool:
    """The insertion clause alone in an accord-cadre executed by bons de commande: the hours due
    follow the amount executed (``insertion_seule.volume`` 1.1.0 and later, NM4)."""
    dossier = suivi.loaded.dossier
    clause = dossier.clause_insertion
    return (clause is not None and clause.mode is ModeInsertion.heures
            and dossier.marche.forme in BONS_DE_COMMANDE
            and _version_au_moins(suivi, "insertion_seule.volume", (1, 1, 0)))


def _plan_de_progres_requis(suivi: Suivi) -> None:
    """Refuse a piece of the plan de progrès for a dossier carrying the insertion clause alone."""
    if suivi.insertion_seule:
        raise SuiviInputError(what=f"Fichier « {suivi.loaded.path} », plan_de_progres",
                              hint="ce dossier porte la clause d'insertion seule : les pièces du "
                                   "plan de progrès (convocation, plans, lettres, bilans annuels) ne "
                                   "s'y appliquent pas ; son suivi : échéancier, bilan final, lettres "
                                   "de procédure, tableau de bord")


@dataclass(frozen=True)
class Supplied(Generic[M]):
    """A plan or results given apart from the dossier (a ``--plan`` or ``--resultats`` file):
    the validated object, the name messages give it, and the SHA-256 of its text (recorded in
    the provenance of the pieces made from it)."""

    value: M
    name: Path
    sha256: str


def _check_year(suivi: Suivi, annee: int) -> None:
    total = annees(suivi.loaded.dossier.marche.duree_mois)
    if not 1 <= annee <= total:
        raise SuiviInputError(what=f"--annee {annee}",
                              hint=f"année d'exécution entre 1 et {total} attendue")


def select_plan(suivi: Suivi, annee: int, plan: Supplied[PlanAnnuel] | None = None) -> PlanAnnuel:
    """The plan of year N, ``plan`` or the dossier's, checked against the CCAP's axes."""
    _plan_de_progres_requis(suivi)
    _check_year(suivi, annee)
    source = plan.name if plan is not None else suivi.loaded.path
    if plan is not None:
        found = plan.value
    else:
        listed = [p for p in suivi.loaded.dossier.plans if p.annee == annee]
        if not listed:
            raise SuiviInputError(what=f"Fichier « {source} », plans",
                                  hint=f"aucun plan pour l'année {annee} (ajoutez-le ou utilisez --plan)")
        found = listed[0]
    problems = ([FieldProblem("annee", f"{annee} attendu (reçu : {found.annee})")]
                if found.annee != annee else [])
    pdp = suivi.loaded.dossier.plan
    problems += [FieldProblem(f"axes[{i}].axe", f"axe retenu au CCAP attendu (reçu : « {a.axe.value} ») ; un "
                             "axe nouveau modifierait le marché et demanderait un avenant")
                 for i, a in enumerate(found.axes) if not pdp.has_axe(a.axe)]
    if problems:
        raise ValidationFailed(path=source, what="plan annuel", problems=problems)
    return found


def select_resultats(suivi: Suivi, plan: PlanAnnuel,
                     resultats: Supplied[ResultatsAnnuels] | None = None) -> ResultatsAnnuels:
    """The results of the plan's year, ``resultats`` or the dossier's, checked against the plan."""
    source = resultats.name if resultats is not None else suivi.loaded.path
    if resultats is not None:
        found = resultats.value
    else:
        listed = [b for b in suivi.loaded.dossier.bilans if b.annee == plan.annee]
        if not listed:
            raise SuiviInputError(what=f"Fichier « {source} », bilans", hint=f"aucun résultat pour "
                                  f"l'année {plan.annee} (ajoutez-les ou utilisez --resultats)")
        found = listed[0]
    problems = check_resultats(suivi.loaded.dossier, plan, found)
    if problems:
        raise ValidationFailed(path=source, what="résultats annuels", problems=problems)
    return found


def _context(suivi: Suivi, annee: int | None, **extra: Any) -> dict[str, Any]:
    dossier = suivi.loaded.dossier
    base = {**dossier_context(dossier),
            **ccag_functions(dossier_ccag_table(suivi.library.ccag, dossier), dossier.marche.ccag)}
    premier = dossier.administratif.chapitre_premier_article
    canevas = suivi.library.canevas(canevas_name(dossier, "ccap_chapitre" if premier else "ccap"))
    numbers = article_numbers(canevas, suivi.library, base, premier_article=premier or 1)

    def ccap_article(key: str) -> Raw:
        if key not in numbers:
            raise CrossReferenceError(key=key, fragment_id="ccap_article", known=list(numbers))
        return Raw(numbers[key])

    context: dict[str, Any] = {"ccap_article": ccap_article,
                               "marche_subsequent": suivi.marche_subsequent, **extra}
    if annee is not None:
        debut, fin = periode(suivi.notification, dossier.marche.duree_mois, annee)
        context |= {"annee": annee, "periode": {"debut": debut, "fin": fin}}
    return context


def _sources(annee: int, **supplied: Supplied[Any] | None) -> dict[str, str]:
    """Provenance of a yearly piece: the year and the hash of each file supplied."""
    record = {"annee": str(annee)}
    for name, given in supplied.items():
        if given is not None:
            record[f"{name}_sha256"] = given.sha256
    return record


def _render(suivi: Suivi, name: str, piece: str, context: Mapping[str, Any],
            inserts: Mapping[str, Sequence[Block]], titre: str | None = None,
            sources: Mapping[str, str] | None = None) -> RenderedPiece:
    """Piece ``piece`` (its canevas) rendered in memory, named ``name`` (``plan-2``…), with the
    fragments recorded in its provenance, taken from the assembled document."""
    data, document = render_piece(suivi.loaded, piece, library=suivi.library, extra_context=context,
                                  inserts=inserts, titre=titre, extra_provenance=sources,
                                  mention=suivi.mention)
    record = provenance(document, suivi.library, suivi.loaded.sha256)
    fragments = {k.removeprefix("fragment."): v for k, v in record.items() if k.startswith("fragment.")}
    return RenderedPiece(piece=name, docx=data, fragments=fragments, bibliotheque=record["bibliotheque"])


def render_convocation(suivi: Suivi, *, reunion: date | None = None, heure: str = "10 h 00",
                       lieu: str | None = None,
                       date_lettre: date | None = None) -> tuple[RenderedPiece, date]:
    """The letter proposing the launch meeting (organised by the titulaire under the CCAP): a date
    within the deadline, the participants, an agenda built from the retained axes. Returns the
    letter and the meeting's date."""
    _plan_de_progres_requis(suivi)
    limite = suivi.echeance("lancement")
    jour = date_lettre or jour_ouvre(suivi.notification)[0]
    reunion = reunion or jour_ouvre(jour + (limite.date - jour) / 2)[0]
    if not jour < reunion <= limite.date:
        raise SuiviInputError(what=f"--reunion {reunion.isoformat()}",
                              hint=f"date après la lettre ({jour.isoformat()}) et au plus tard le "
                                   f"{limite.date.isoformat()} (deux mois après la notification) attendue")
    dossier = suivi.loaded.dossier
    context = _context(suivi, 1, echeance_lancement=limite.date,
                       reunion={"date": reunion, "heure": heure, "lieu": lieu or dossier.acheteur.adresse})
    inserts = {"entete": lettre_doc.en_tete(dossier, jour, "Rappel \u2013 réunion de lancement du plan de "
                                            "progrès en matière sociale", date_certaine=False),
               "signature": lettre_doc.signature(dossier)}
    return _render(suivi, "convocation", "convocation", context, inserts), reunion


def list_avertissements(suivi: Suivi, annee: int | None = None,
                        plan: Supplied[PlanAnnuel] | None = None) -> list[str]:
    """What a person should know before formalising a plan (French sentences): the letters'
    signature (:mod:`clausegen.domain.signature`), then what in the plan contradicts the CCAP
    (:mod:`clausegen.domain.coherence_plan`). For year ``annee``'s plan (``plan`` or the
    dossier's), or, without ``annee``, for every plan of the dossier (none for the insertion
    clause alone)."""
    signature = signature_warnings(suivi.loaded.dossier)
    if annee is None and suivi.insertion_seule:
        return signature
    if annee is not None:
        return signature + _avertissements(suivi, select_plan(suivi, annee, plan))
    return signature + [w for p in sorted(suivi.loaded.dossier.plans, key=lambda p: p.annee)
                        for w in _avertissements(suivi, select_plan(suivi, p.annee))]


def list_avertissements_lettre(suivi: Suivi) -> list[str]:
    """What is wrong with the signature of the letters (delegation naming the authority itself)."""
    return signature_warnings(suivi.loaded.dossier)


def _avertissements(suivi: Suivi, plan: PlanAnnuel) -> list[str]:
    dossier = suivi.loaded.dossier
    warnings = avertissements_plan(dossier, plan)
    if dossier.reservation is not None:
        warnings += [f"marché réservé : l'objectif « {o.id} » se compte en heures d'insertion, alors que "
                     "les salariés sont déjà en parcours d'insertion ou en emploi adapté ; préférez un "
                     "objectif de parcours (formation, tutorat, sorties vers l'emploi durable)"
                     for axe, o in plan.objectifs()
                     if axe is CodeAxe.insertion and "heure" in o.unite.lower()]
    return warnings


def _couverture(suivi: Suivi, plan: PlanAnnuel) -> dict[str, Any]:
    """Whether the plan covers every axis of the CCAP, and the axes it covers (for its text)."""
    return {"plan_complet": not axes_absents(suivi.loaded.dossier, plan),
            "axes_du_plan": [label(a.axe) for a in plan.axes]}


def render_plan(suivi: Suivi, annee: int, plan: Supplied[PlanAnnuel] | None = None) -> RenderedPiece:
    """The annual plan of year N, as tables."""
    found = select_plan(suivi, annee, plan)
    context = _context(suivi, annee, date_validation=found.date_validation, **_couverture(suivi, found))
    return _render(suivi, f"plan-{annee}", "plan", context, {"plan_axes": plan_blocks(found)},
                   titre=f"Plan de progrès en matière sociale \u2013 année {annee}",
                   sources=_sources(annee, plan=plan))


def render_lettre(suivi: Suivi, annee: int, plan: Supplied[PlanAnnuel] | None = None, *,
                  date_lettre: date | None = None) -> RenderedPiece:
    """The exchange of letters formalising year N's plan, dated ``date_lettre`` or the day the
    plan was settled; refused when an avenant is needed."""
    found = select_plan(suivi, annee, plan)
    changes = stipulations_modifiees(suivi.loaded.dossier, found)
    if changes:
        raise AvenantRequisError(annee=annee, changes=changes)
    dossier = suivi.loaded.dossier
    jour = date_lettre or found.date_validation
    if jour is None:
        raise SuiviInputError(what=f"Lettre de formalisation du plan de l'année {annee}",
                              hint="date attendue : --date AAAA-MM-JJ, ou la date de la réunion "
                                   f"où le plan a été convenu (plans[annee={annee}].date_validation)")
    objet = f"Formalisation du plan de progrès en matière sociale \u2013 année {annee}"
    inserts: dict[str, Sequence[Block]] = {
        "entete": lettre_doc.en_tete(dossier, jour, objet),
        "signature": [*lettre_doc.signature(dossier),
                      paragraph(f"Annexe : plan de progrès en matière sociale de l'année {annee}", "gauche"),
                      *lettre_doc.bon_pour_accord(dossier), PageBreak(),
                      heading(1, f"Annexe \u2013 Plan de progrès en matière sociale, année {annee}")],
        "annexe": plan_blocks(found),
    }
    context = _context(suivi, annee, date_validation=found.date_validation, **_couverture(suivi, found))
    return _render(suivi, f"lettre-{annee}", "lettre", context, inserts, sources=_sources(annee, plan=plan))


def _precedents(suivi: Suivi, annee: int) -> list[ResultatsAnnuels]:
    """The dossier's results of years 1 to N − 1 (insertion hours are cumulated since the start)."""
    dossier = suivi.loaded.dossier
    found = [b for b in dossier.bilans if b.annee < annee]
    missing = sorted(set(range(1, annee)) - {b.annee for b in found})
    insertion = dossier.plan.insertion
    if missing and insertion is not None and insertion.mode is ModeInsertion.heures:
        raise SuiviInputError(what=f"Fichier « {suivi.loaded.path} », bilans",
                              hint=f"résultats des années {', '.join(map(str, missing))} attendus : "
                                   "les heures d'insertion se cumulent depuis le début du marché (CCAP)")
    return found


def _year(suivi: Suivi, annee: int, plan: Supplied[PlanAnnuel] | None,
          resultats: Supplied[ResultatsAnnuels] | None) -> tuple[ResultatsAnnuels, Bilan]:
    found = select_plan(suivi, annee, plan)
    year = select_resultats(suivi, found, resultats)
    bilan = bilan_domain.compute_bilan(suivi.loaded.dossier, found, year, _precedents(suivi, annee),
                                       au_montant=volume_au_montant(suivi))
    _check_montants(suivi, bilan.penalites)
    return year, bilan


def _check_montants(suivi: Suivi, lignes: Iterable[LignePenalite]) -> None:
    """Refuse a decision that reduces a penalty to more than its computed amount."""
    problems = problemes_montants(lignes)
    if problems:
        raise ValidationFailed(path=suivi.loaded.path, what="décision sur les pénalités", problems=problems)


def compute_bilan(suivi: Suivi, annee: int, plan: Supplied[PlanAnnuel] | None = None,
                  resultats: Supplied[ResultatsAnnuels] | None = None) -> Bilan:
    """The bilan of year N computed (results, penalties by procedure state), without a document."""
    return _year(suivi, annee, plan, resultats)[1]


def render_bilan(suivi: Suivi, annee: int, plan: Supplied[PlanAnnuel] | None = None,
                 resultats: Supplied[ResultatsAnnuels] | None = None) -> tuple[RenderedPiece, Bilan]:
    """The bilan of year N: meeting, results, chart, actions of both parties, difficulties,
    penalties by procedure state, the titulaire's observations, visas; and its figures. The
    letter that transmits it is its own piece (:func:`render_lettre_bilan`). Each procedure is
    shown as it stood on the day of the bilan meeting. For the insertion clause alone, its one
    bilan, the final one (:func:`render_bilan_final`)."""
    if suivi.insertion_seule:
        derniere = annees(suivi.loaded.dossier.marche.duree_mois)
        if annee != derniere:
            raise SuiviInputError(what=f"--annee {annee}",
                                  hint=f"clause d'insertion seule : un seul bilan, le bilan final, après la "
                                       f"dernière année d'exécution (--annee {derniere})")
        return render_bilan_final(suivi)
    found = select_plan(suivi, annee, plan)
    year = select_resultats(suivi, found, resultats)
    bilan = bilan_au(suivi, found, year, year.reunion.date_reunion if year.reunion else None)
    dossier = suivi.loaded.dossier
    titulaire = dossier.titulaire
    representant = (f"{titulaire.representant.nom}, {fonction(titulaire.representant.qualite)}"
                    if titulaire and titulaire.representant else
                    titulaire.raison_sociale if titulaire else None)
    signataire = dossier.acheteur.signataire
    inserts: dict[str, Sequence[Block]] = {
        "bilan_reunion": bilan_doc.reunion_blocks(year.reunion),
        "bilan_resultats": bilan_doc.resultats_blocks(bilan),
        "bilan_actions": bilan_doc.actions_blocks(bilan),
        "bilan_difficultes": bilan_doc.difficultes_blocks(year),
        "bilan_penalites": bilan_doc.penalites_blocks(bilan),
        "bilan_observations": bilan_doc.observations_blocks(year),
        "bilan_visas": bilan_doc.visas_blocks(
            f"{signataire.nom}, {fonction(signataire.qualite)}",
            f"{dossier.facilitateur.nom}, {dossier.facilitateur.structure}", representant),
    }
    context = _context(suivi, annee, bilan=bilan)
    piece = _render(suivi, f"bilan-{annee}", "bilan", context, inserts,
                    titre=f"Bilan du plan de progrès en matière sociale \u2013 année {annee}",
                    sources=_sources(annee, plan=plan, resultats=resultats))
    return piece, bilan


def render_lettre_bilan(suivi: Suivi, annee: int, plan: Supplied[PlanAnnuel] | None = None,
                        resultats: Supplied[ResultatsAnnuels] | None = None, *,
                        date_lettre: date | None = None) -> tuple[RenderedPiece, date]:
    """The letter transmitting the bilan of year N (the bilan is joined): it opens the
    contradictory procedure on the penalties still to be decided and, when the plan of N+1 is
    not in the dossier yet, asks for its draft with dates that leave the promised time.

    Dated ``date_lettre``, else the day of the bilan meeting; never before that meeting.
    Returns the letter and its date.
    """
    found = select_plan(suivi, annee, plan)
    year = select_resultats(suivi, found, resultats)
    dossier = suivi.loaded.dossier
    reunion = year.reunion.date_reunion if year.reunion else None
    jour = date_lettre or reunion
    if jour is None:
        raise SuiviInputError(what=f"Lettre de transmission du bilan de l'année {annee}",
                              hint="date attendue : --date AAAA-MM-JJ, ou la date de la réunion "
                                   f"de bilan (bilans[annee={annee}].reunion.date_reunion)")
    if reunion is not None and jour < reunion:
        raise SuiviInputError(what=f"--date {jour.isoformat()}",
                              hint=f"date au plus tôt le jour de la réunion de bilan "
                                   f"({reunion.isoformat()}) attendue : la lettre transmet le bilan")
    suivante = annee + 1 if annee < annees(dossier.marche.duree_mois) else None
    echeance = suivi.echeance(f"bilan_{annee}" if suivante else "bilan_final").date
    extra: dict[str, Any] = {"annee_suivante": suivante, "echeance_bilan": echeance, "bilan_reunion": reunion,
                             "reunion_renouvellement": None, "projet_avant": None,
                             **lettre_bilan_faits(suivi, found, year, jour)}
    plan_suivant = extra["plan_suivant"] is not None
    if suivante is not None and not plan_suivant:
        dates = dates_renouvellement(jour, echeance)
        if dates is None:
            raise SuiviInputError(
                what=f"Lettre de renouvellement du {date_longue(jour)}",
                hint=f"date au plus tard le {date_longue(date_limite_lettre(echeance))} attendue : "
                     f"la réunion de renouvellement doit se tenir au plus tard le "
                     f"{date_longue(echeance)} et le titulaire doit disposer d'une semaine pour "
                     "préparer son projet, remis huit jours avant la réunion")
        extra |= {"reunion_renouvellement": dates.reunion, "projet_avant": dates.projet_avant}
    objet = f"Bilan du plan de progrès de l'année {annee}"
    if extra["a_instruire"]:
        objet += " – invitation à présenter vos observations"
    if suivante is not None and not plan_suivant:
        objet += f" – renouvellement du plan pour l'année {suivante}"
    inserts: dict[str, Sequence[Block]] = {
        "entete": lettre_doc.en_tete(dossier, jour, objet),
        "signature": [*lettre_doc.signature(dossier),
                      paragraph(f"Pièce jointe : bilan du plan de progrès de l'année {annee}",
                                "gauche")],
    }
    context = _context(suivi, annee, **extra)
    piece = _render(suivi, f"lettre-bilan-{annee}", "lettre_bilan", context, inserts,
                    titre=f"Transmission du bilan de l'année {annee}",
                    sources=_sources(annee, plan=plan, resultats=resultats))
    return piece, jour


def list_echeances(suivi: Suivi) -> list[Echeance]:
    """Every deadline of the plan (the forced-verdict mention, if any, is ``suivi.mention``)."""
    return suivi.echeances


def render_calendrier(suivi: Suivi) -> bytes:
    """The deadlines as an iCalendar file (.ics) with reminders."""
    return calendrier_ics(suivi.loaded.dossier, suivi.echeances, suivi.mention)


def render_flux_calendrier(suivis: Iterable[Suivi], nom: str) -> bytes:
    """One iCalendar feed for many markets, named ``nom``: every deadline with its reminders,
    as :func:`render_calendrier` gives them market by market."""
    flux = Calendar()
    flux.add("prodid", "-//clausegen//plan de progres en matiere sociale//FR")
    flux.add("version", "2.0")
    flux.add("x-wr-calname", nom)
    for suivi in suivis:
        for evenement in Calendar.from_ical(render_calendrier(suivi)).walk("VEVENT"):
            flux.add_component(evenement)
    return bytes(flux.to_ical())


def requires_act(echeance: Echeance) -> bool:
    """Whether a deadline calls for an act (meeting and plan, bilan, final bilan)."""
    return echeance.cle == "lancement" or echeance.cle.startswith("bilan_")


@dataclass(frozen=True)
class EtatEcheance:
    """A deadline and where it stands."""

    echeance: Echeance
    faite: bool
    """Done (an act's document recorded), or past for a date that calls for no act."""
    en_retard: bool
    cette_semaine: bool

    @property
    def a_tenir(self) -> bool:
        """Whether the deadline calls for an act (not a mere date such as an anniversary)."""
        return requires_act(self.echeance)


def list_etats_echeances(echeances: Sequence[Echeance], emises: set[str],
                         aujourdhui: date) -> list[EtatEcheance]:
    """Where each deadline stands: done when its document is recorded (``emises``: the pieces'
    names; the year-1 letter for the launch, the year's bilan for a bilan), late when past and
    not done, this week when due within 7 days."""
    resultat = []
    for e in echeances:
        if not requires_act(e):
            faite = e.date < aujourdhui
        elif e.cle == "lancement":
            faite = "lettre-1" in emises
        else:
            faite = f"bilan-{e.annee}" in emises
        resultat.append(EtatEcheance(e, faite, not faite and requires_act(e) and e.date < aujourdhui,
                                     not faite and aujourdhui <= e.date <= aujourdhui + timedelta(days=7)))
    return resultat


def today() -> date:
    """Today in UTC (a portfolio's « late » and « this week » are relative to it)."""
    return datetime.now(UTC).date()


def _annee_suivi(suivi: Suivi, plan: PlanAnnuel) -> AnneeSuivi:
    dossier = suivi.loaded.dossier
    resultats = next((b for b in dossier.bilans if b.annee == plan.annee), None)
    reached = {r.objectif: r.valeur_atteinte for r in resultats.objectifs} if resultats else {}
    penalites = None
    if resultats is not None and not check_resultats(dossier, plan, resultats):
        penalites = bilan_domain.compute_bilan(dossier, plan, resultats, _precedents(suivi, plan.annee),
                                               au_montant=volume_au_montant(suivi)).du
    debut, fin = periode(suivi.notification, dossier.marche.duree_mois, plan.annee)
    comments = {r.objectif: r.commentaire for r in resultats.objectifs} if resultats else {}
    actions = {a.axe: " ; ".join(f"{x.libelle} ({date_courte(x.echeance)})"
                                 for x in (*a.actions_titulaire, *a.actions_acheteur))
               for a in plan.axes}

    def ecart(o: Objectif) -> str:
        if comments.get(o.id):
            return comments[o.id] or ""
        atteinte = reached.get(o.id)
        if atteinte is None or atteinte >= o.valeur_cible:
            return ""
        manque = o.valeur_cible - atteinte
        return f"écart de {nombre(manque)}\u00a0{unite(manque, o.unite)}"

    lignes = tuple(LigneSuivi(label(axe), o.libelle, o.indicateur, o.unite, o.valeur_cible,
                              reached.get(o.id), datetime.combine(o.echeance, time()),
                              actions[axe], ecart(o))
                   for axe, o in plan.objectifs())
    return AnneeSuivi(plan.annee, f"du {date_longue(debut)} au {date_longue(fin)}", lignes, penalites)


def _with_years(suivi: Suivi, plans: Sequence[PlanAnnuel],
                resultats: Sequence[ResultatsAnnuels]) -> Suivi:
    """The follow-up with the given plans and results in place of, or in addition to, the
    dossier's ``plans`` and ``bilans`` (each names its ``annee``)."""
    if not plans and not resultats:
        return suivi
    dossier = suivi.loaded.dossier
    by_year = {p.annee: p for p in dossier.plans} | {p.annee: p for p in plans}
    bilans = {b.annee: b for b in dossier.bilans} | {b.annee: b for b in resultats}
    merged = dossier.model_copy(update={"plans": [by_year[a] for a in sorted(by_year)],
                                        "bilans": [bilans[a] for a in sorted(bilans)]})
    return replace(suivi, loaded=replace(suivi.loaded, dossier=merged))


def render_tableau_de_bord(suivi: Suivi, *, plans: Sequence[PlanAnnuel] = (),
                           resultats: Sequence[ResultatsAnnuels] = ()) -> bytes:
    """The multi-year follow-up workbook (.xlsx: one sheet per planned year, plus a summary);
    ``plans`` and ``resultats`` replace or add to the dossier's years. For the insertion clause
    alone, its engagement and penalties (:func:`_tableau_de_bord_insertion`)."""
    if suivi.insertion_seule:
        return _tableau_de_bord_insertion(suivi)
    suivi = _with_years(suivi, plans, resultats)
    dossier = suivi.loaded.dossier
    years = sorted((select_plan(suivi, p.annee) for p in dossier.plans), key=lambda p: p.annee)
    if not years:
        raise SuiviInputError(what=f"Fichier « {suivi.loaded.path} », plans",
                              hint="au moins un plan annuel attendu pour le tableau de bord")
    record = {"version": __version__, "bibliotheque": suivi.library.release,
              "piece": "tableau_de_bord", "dossier_sha256": suivi.loaded.sha256}
    return tableau_de_bord_xlsx([_annee_suivi(suivi, plan) for plan in years],
                                f"Tableau de bord \u2013 marché n° {dossier.marche.reference}",
                                datetime.combine(suivi.notification, time()), record, suivi.mention)


def render_suivi_pieces(suivi: Suivi) -> list[tuple[str, bytes]]:
    """Every post-award piece the dossier has data for, as (file name, bytes).

    The convocation and the calendar (``echeancier.ics``) always; for each year of ``plans``,
    the plan and the exchange of letters; for each year of ``bilans``, the bilan, and its
    letter when the bilan meeting is recorded, and the procedure letters of its failings; the
    follow-up workbook when there is at least one plan. For the insertion clause alone, its
    own pieces (:func:`_insertion_pieces`). Nothing is returned unless every piece could be made.
    """
    if suivi.insertion_seule:
        return _insertion_pieces(suivi)
    dossier = suivi.loaded.dossier
    pieces = [render_convocation(suivi)[0]]
    files: list[tuple[str, bytes]] = [("convocation.docx", pieces[0].docx),
                                      ("echeancier.ics", render_calendrier(suivi))]
    for plan in sorted(dossier.plans, key=lambda p: p.annee):
        pieces = [render_plan(suivi, plan.annee), render_lettre(suivi, plan.annee)]
        files += [(f"{p.piece}.docx", p.docx) for p in pieces]
    for year in sorted(dossier.bilans, key=lambda b: b.annee):
        pieces = [render_bilan(suivi, year.annee)[0]]
        if year.reunion is not None:
            pieces.append(render_lettre_bilan(suivi, year.annee)[0])
        files += [(f"{p.piece}.docx", p.docx) for p in pieces]
    files += [(f"{p.piece}.docx", p.docx) for p in render_procedure_letters(suivi)]
    if dossier.plans:
        files.append(("tableau-de-bord.xlsx", render_tableau_de_bord(suivi)))
    return files


def list_retards(evenements: Sequence[Evenement], annee: int) -> list[dict[str, Any]]:
    """The late documents of year ``annee`` among ``evenements`` (received after the date they
    were due): document, due date, reception."""
    return retards([e for e in evenements if e.annee == annee])


@dataclass(frozen=True)
class ComposedDossier:
    """A buyer's dossier completed with its follow-up record: validated, with its text (what
    documents' provenance hashes and what is stored with them), or what is missing."""

    loaded: LoadedDossier | None
    text: str
    problems: list[FieldProblem]


def compose_dossier(brouillon: Mapping[str, Any], nom: str, *, titulaire: Mapping[str, Any],
                    date_notification: date | None, plans: Mapping[str, Any],
                    resultats: Mapping[str, Any], evenements: Sequence[Evenement],
                    reunions: Mapping[str, Any] | None = None,
                    jusqu_a: int | None = None) -> ComposedDossier:
    """The buyer's draft ``brouillon`` with the award data, the accepted ``plans`` and
    ``resultats`` (by year as text), each year's bilan meeting (``reunions``: date_reunion,
    lieu, participants), the late documents and each failing's procedure from the year's
    ``evenements`` (:mod:`clausegen.domain.evenements`); ``jusqu_a``: only years up to N, year
    N with its events even before its results are accepted (for a procedure letter). Validated
    once; ``nom`` names it in messages and provenance."""
    data = dict(brouillon)
    if titulaire:
        data["titulaire"] = titulaire
    if date_notification:
        data["marche"] = {**data.get("marche", {}), "date_notification": date_notification.isoformat()}
    garder = sorted(int(a) for a in plans if jusqu_a is None or int(a) <= jusqu_a)
    data["plans"] = [plans[str(a)] for a in garder]
    data["bilans"], problems = [], []
    years = {int(a) for a in resultats if jusqu_a is None or int(a) <= jusqu_a}
    if jusqu_a is not None and any(e.annee == jusqu_a for e in evenements):
        years.add(jusqu_a)  # a year under way: its failings and procedures before its results
    for a in sorted(years):
        annee, found = bilan_de_l_annee(resultats.get(str(a), {"annee": a}),
                                        [e for e in evenements if e.annee == a],
                                        (reunions or {}).get(str(a)))
        data["bilans"].append(annee)
        problems += [replace(p, path=f"bilans[annee={a}].{p.path}") for p in found]
    dossier, invalid = validate_dossier(data)
    if dossier is None or problems:
        return ComposedDossier(None, "", problems + invalid)
    text = dump_dossier(dossier, nom)
    loaded = LoadedDossier(dossier=dossier, path=Path(nom),
                           sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    return ComposedDossier(loaded, text, [])


# --- the titulaire's contributions, read before they are accepted ----------------------------


def _date_lue(value: object) -> str:
    try:
        return date_longue(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _nombre_lu(value: object) -> str:
    try:
        return nombre(str(value))
    except (ArithmeticError, ValueError):
        return str(value)


def describe_plan(plan: Mapping[str, Any]) -> list[str]:
    """A stored plan (the dictionary of a :class:`PlanAnnuel`) as French lines, one per point:
    what a facilitator reads before accepting it and what two plans are compared on."""
    lines = []
    if plan.get("date_validation"):
        lines.append(f"Plan arrêté le {_date_lue(plan['date_validation'])}")
    for bloc in plan.get("axes", []):
        try:
            axe = label(CodeAxe(bloc.get("axe")))
        except ValueError:
            axe = str(bloc.get("axe"))
        for n, o in enumerate(bloc.get("objectifs", []), 1):
            lines.append(f"{axe} — objectif {n} : {o.get('libelle')} ; indicateur : "
                         f"{o.get('indicateur')} ; cible : {_nombre_lu(o.get('valeur_cible'))} "
                         f"{o.get('unite')} ; échéance : {_date_lue(o.get('echeance'))}"
                         + (f" ; justificatif : {o['justificatif']}" if o.get("justificatif") else ""))
        for cle, qui in (("actions_titulaire", "action du titulaire"),
                         ("actions_acheteur", "action de l'acheteur")):
            for n, a in enumerate(bloc.get(cle, []), 1):
                lines.append(f"{axe} — {qui} {n} : {a.get('libelle')} ; échéance : "
                             f"{_date_lue(a.get('echeance'))}")
        for cle, quoi in (("moyens_titulaire", "moyens du titulaire"),
                          ("moyens_acheteur", "moyens de l'acheteur"),
                          ("suivi_controle", "suivi et contrôle")):
            if bloc.get(cle):
                lines.append(f"{axe} — {quoi} : " + " ; ".join(str(m) for m in bloc[cle]))
    return lines


def describe_resultats(resultats: Mapping[str, Any], plan: Mapping[str, Any] | None) -> list[str]:
    """Stored results as French lines, objectives and actions named by the plan's wording."""
    libelles = {item.get("id"): item.get("libelle") for bloc in (plan or {}).get("axes", [])
                for cle in ("objectifs", "actions_titulaire", "actions_acheteur")
                for item in bloc.get(cle, [])}
    lines = [f"Objectif « {libelles.get(r.get('objectif'), r.get('objectif'))} » : valeur atteinte "
             f"{_nombre_lu(r.get('valeur_atteinte'))}"
             + (f" ({r['commentaire']})" if r.get("commentaire") else "")
             for r in resultats.get("objectifs", [])]
    lines += [f"Action « {libelles.get(a.get('action'), a.get('action'))} » : "
              + ("réalisée" if a.get("realisee") else "non réalisée")
              for a in resultats.get("actions", [])]
    for cle, quoi in (("heures_insertion_realisees", "Heures d'insertion réalisées"),
                      ("actions_insertion_realisees", "Actions d'insertion réalisées"),
                      ("montant_annuel_ht", "Montant annuel HT des prestations"),
                      ("smic_horaire_brut", "SMIC horaire brut")):
        if resultats.get(cle) is not None:
            lines.append(f"{quoi} : {_nombre_lu(resultats[cle])}")
    return lines


def compare_contribution(genre: str, actuel: Mapping[str, Any] | None, propose: Mapping[str, Any],
                         plan: Mapping[str, Any] | None = None) -> list[DiffParagraph]:
    """What a submitted plan or results (``genre``) change from the accepted ones of the year
    (``actuel``, None when there are none yet), point by point and word by word."""
    def text(contenu: Mapping[str, Any] | None) -> str:
        if contenu is None:
            return ""
        lines = describe_plan(contenu) if genre == "plan" else describe_resultats(contenu, plan)
        return "\n\n".join(lines)

    return compare_paragraphs(text(actuel), text(propose))


# Issue 20: each failing is its own procedure, and every document is true on its date. New
# functions in the facade's style: they take the opened Suivi and in-memory objects.


def bilan_au(suivi: Suivi, plan: PlanAnnuel, resultats: ResultatsAnnuels, au: date | None) -> Bilan:
    """The year's bilan as it stood on ``au``: each procedure's steps dated later are unknown."""
    bilan = bilan_domain.compute_bilan(suivi.loaded.dossier, plan, resultats,
                                       _precedents(suivi, plan.annee), au,
                                       au_montant=volume_au_montant(suivi))
    _check_montants(suivi, bilan.penalites)
    return bilan


def _item_observations(ligne: LignePenalite) -> str:
    return procedure_doc.objet_invitation(ligne)


def _item_etat(ligne: LignePenalite) -> str:
    return f"{ligne.manquement}\u00a0: {procedure_doc.etat_detaille(ligne)}"


def lettre_bilan_faits(suivi: Suivi, plan: PlanAnnuel, resultats: ResultatsAnnuels,
                       jour: date) -> dict[str, Any]:
    """What the bilan letter of ``jour`` may say: the penalties it puts to observations, those
    awaiting a mise en demeure, the others' stage, the late documents without penalty (each as
    of ``jour``), and the day next year's plan was agreed if that was on or before ``jour``."""
    dossier = suivi.loaded.dossier
    lignes = classement(bilan_au(suivi, plan, resultats, jour).penalites,
                        bilan_au(suivi, plan, resultats, None).penalites, jour)
    suivante = plan.annee + 1 if plan.annee < annees(dossier.marche.duree_mois) else None
    return {"observations": [_item_observations(x) for x in lignes.observations],
            "a_instruire": lignes.a_instruire,
            "attente_mise_en_demeure": [_item_etat(x) for x in lignes.attente_mise_en_demeure],
            "engagees": [_item_etat(x) for x in lignes.autres],
            "sans_penalite": [f"{x.manquement}\u00a0: {x.sans_penalite}" for x in lignes.sans_penalite],
            "plan_suivant": plan_convenu_le(dossier.plans, suivante, jour)}


class EtapeProcedure(StrEnum):
    """The procedure steps that have a letter."""

    mise_en_demeure = "mise_en_demeure"
    invitation = "invitation_observations"
    decision = "decision_penalites"


ETAPES = {
    EtapeProcedure.mise_en_demeure: ("mise_en_demeure", "la mise en demeure", "Mise en demeure"),
    EtapeProcedure.invitation: ("invitation_observations", "l'invitation à présenter des observations",
                                "Invitation à présenter vos observations sur des pénalités envisagées"),
    EtapeProcedure.decision: ("date_decision", "la décision", "Décision motivée relative aux pénalités"),
}
"""Step → (field of Procedure, how a message names it, letter subject)."""


def _jour_etape(procedure: Procedure | None, etape: EtapeProcedure) -> date | None:
    value = getattr(procedure, ETAPES[etape][0]) if procedure is not None else None
    return value if isinstance(value, date) else None


def _resultats_annee(suivi: Suivi, annee: int) -> ResultatsAnnuels:
    _check_year(suivi, annee)
    found = [b for b in suivi.loaded.dossier.bilans if b.annee == annee]
    if not found:
        raise SuiviInputError(what=f"Fichier « {suivi.loaded.path} », bilans",
                              hint=f"aucune donnée de suivi pour l'année {annee} (bilans[annee={annee}] : "
                                   "retards, actions, procédures)")
    return found[0]


def _procedures(resultats: ResultatsAnnuels) -> list[Procedure | None]:
    return [resultats.procedure_insertion, *(r.procedure for r in resultats.actions),
            *(r.procedure for r in resultats.objectifs), *(r.procedure_engagee for r in resultats.retards)]


def procedure_dates(suivi: Suivi, annee: int, etape: EtapeProcedure) -> list[date]:
    """The days the dossier records this step on, for year ``annee`` (one letter each; for the
    insertion clause alone, ``annee`` is ignored: every procedure hangs on the final bilan)."""
    final = suivi.loaded.dossier.bilan_final
    if suivi.loaded.dossier.clause_insertion is not None:
        procedures = ([final.procedure_insertion, *(r.procedure_engagee for r in final.retards)]
                      if final is not None else [])
    else:
        procedures = _procedures(_resultats_annee(suivi, annee))
    return sorted({d for p in procedures if (d := _jour_etape(p, etape)) is not None})


def _lignes_du_jour(suivi: Suivi, annee: int, jour: date) -> tuple[list[LignePenalite], Bilan | None]:
    """Every failing of the year as it stood on ``jour``: the whole bilan when the year's results
    are complete, else the actions recorded as not done and the late documents; for the
    insertion clause alone, the final bilan's failings known on ``jour``."""
    dossier = suivi.loaded.dossier
    if dossier.clause_insertion is not None:
        bilan_insertion = compute_bilan_final(suivi, au=jour)
        _check_montants(suivi, bilan_insertion.penalites)
        return list(bilan_insertion.penalites), bilan_insertion
    resultats = _resultats_annee(suivi, annee)
    plan = next((p for p in dossier.plans if p.annee == annee), None)
    if plan is not None and not check_resultats(dossier, plan, resultats):
        bilan = bilan_au(suivi, plan, resultats, jour)
        return list(bilan.penalites), bilan
    problems = problemes_procedures(dossier, plan, resultats)
    problems += problemes_retards(resultats.retards, dossier.plan.suivi.jour_limite_reporting)
    if problems:
        raise ValidationFailed(path=suivi.loaded.path, what=f"suivi de l'année {annee}", problems=problems)
    bilan_requis = [p for p in (resultats.procedure_insertion, *(r.procedure for r in resultats.objectifs))
                    if p is not None and jour in (p.invitation_observations, p.date_decision)]
    if bilan_requis:
        missing = check_resultats(dossier, plan, resultats) if plan is not None else [
            FieldProblem("plans", f"plan de l'année {annee} attendu")]
        raise ValidationFailed(path=suivi.loaded.path, what=f"résultats de l'année {annee} (bilan requis "
                               f"par la procédure du {date_longue(jour)})", problems=missing)
    lignes = lignes_en_cours_d_annee(dossier, plan, resultats, jour)
    _check_montants(suivi, lignes)
    return lignes, None


def list_manquements(suivi: Suivi, annee: int, au: date) -> list[LignePenalite]:
    """Every failing of year ``annee`` as it stood on ``au``, each with its procedure's steps
    known that day (the bilan's lines once the year's results are complete)."""
    return _lignes_du_jour(suivi, annee, au)[0]


def render_procedure_letter(suivi: Suivi, annee: int, etape: EtapeProcedure,
                            jour: date | None = None) -> tuple[RenderedPiece, date]:
    """The letter of one procedure step (mise en demeure, invitation to present observations,
    reasoned decision) for every failing of year ``annee`` whose step the dossier records on
    ``jour`` (default: the only such day). Dated ``jour``; says only what was known that day."""
    champ, nom, objet = ETAPES[etape]
    dates = procedure_dates(suivi, annee, etape)
    if jour is None:
        if len(dates) != 1:
            raise SuiviInputError(
                what=f"{objet} de l'année {annee}",
                hint=("date attendue : --date AAAA-MM-JJ, l'un des jours où le dossier enregistre "
                      f"{nom} ({', '.join(d.isoformat() for d in dates)})") if dates else
                     (f"aucun manquement de l'année {annee} n'enregistre {nom} (procedure.{champ})"))
        jour = dates[0]
    elif jour not in dates:
        connues = ", ".join(date_longue(d) for d in dates) or "aucune"
        raise SuiviInputError(what=f"--date {jour.isoformat()}",
                              hint=f"aucun manquement de l'année {annee} n'enregistre {nom} le "
                                   f"{date_longue(jour)} (procedure.{champ}) ; dates enregistrées : "
                                   f"{connues}")
    lignes, bilan = _lignes_du_jour(suivi, annee, jour)
    concernees = [x for x in lignes if _jour_etape(x.procedure, etape) == jour]
    if not concernees:
        raise SuiviInputError(what=f"{objet} du {date_longue(jour)}",
                              hint="aucun manquement constaté à cette date ne porte cette étape")
    dossier = suivi.loaded.dossier
    insertion = dossier.clause_insertion is not None
    context = _context(suivi, annee, **_faits_de_l_etape(etape, concernees, bilan),
                       **_articles_des_penalites(suivi, annee))
    cadre = "clause d'insertion" if insertion else f"plan de progrès en matière sociale, année {annee}"
    inserts: dict[str, Sequence[Block]] = {
        "entete": lettre_doc.en_tete(dossier, jour, f"{objet} \u2013 {cadre}"),
        "signature": lettre_doc.signature(dossier)}
    name = f"{etape.value.replace('_', '-')}-{'' if insertion else f'{annee}-'}{jour.isoformat()}"
    titre = f"{objet} du {date_longue(jour)} \u2013 année {annee}"  # one letter per day: each its title
    return _render(suivi, name, etape.value, context, inserts, titre=titre,
                   sources={"annee": str(annee), "date": jour.isoformat()}), jour


def _articles_des_penalites(suivi: Suivi, annee: int) -> dict[str, Any]:
    """What the procedure letters cite: the CCAP articles of the penalties and of their
    procedure (one article for the insertion clause alone), the rates, what is executed."""
    dossier = suivi.loaded.dossier
    numbers = _context(suivi, None)["ccap_article"]
    if dossier.clause_insertion is not None:
        article = numbers("penalites")
        return {"article_penalites": article, "article_procedure": article,
                "tarifs": dossier.clause_insertion.penalites, "execution_de": "de l'action d'insertion",
                "plafond_annuel": False}
    return {"article_penalites": numbers("penalites.plan_progres"),
            "article_procedure": numbers("penalites.procedure"), "tarifs": dossier.plan.penalites,
            "execution_de": f"du plan de progrès en matière sociale de l'année {annee}",
            "plafond_annuel": True}


def _faits_de_l_etape(etape: EtapeProcedure, lignes: list[LignePenalite],
                      bilan: Bilan | None) -> dict[str, Any]:
    """The letter's list, each line with the facts known on its day."""
    if etape is EtapeProcedure.mise_en_demeure:
        delais = {x.procedure.delai_mise_en_demeure_jours for x in lignes if x.procedure}
        items = [procedure_doc.objet_mise_en_demeure(x, len(delais) > 1) for x in lignes]
        return {"manquements": items, "delai_jours": max(delais),
                "retard": any(x.nature is Nature.retard for x in lignes),
                "action": any(x.nature is Nature.action for x in lignes)}
    if etape is EtapeProcedure.invitation:
        total = sum((x.montant for x in lignes), Decimal("0.00"))
        return {"manquements": [procedure_doc.objet_invitation(x) for x in lignes], "total": total,
                "plafond": bilan.plafond if bilan is not None else None}
    decisions = []
    for index, ligne in enumerate(lignes):
        procedure = ligne.procedure
        assert procedure is not None
        if procedure.issue is not Decision.appliquee and not procedure.motifs:
            raise SuiviInputError(what=f"Décision sur « {ligne.manquement} »",
                                  hint="motifs de la décision attendus (procedure.motifs) : une décision "
                                       "qui réduit ou écarte une pénalité est motivée")
        if not procedure.motifs and (procedure.observations_recues_le or procedure.observations_titulaire):
            raise SuiviInputError(what=f"Décision sur « {ligne.manquement} »",
                                  hint="motifs de la décision attendus (procedure.motifs) : le titulaire "
                                       "a présenté des observations, la décision motivée y répond")
        decisions.append(procedure_doc.objet_decision(ligne, index))
    total = sum((x.montant_du for x in lignes), Decimal("0.00"))
    if bilan is None or not bilan.plafonne:
        return {"decisions": decisions, "total": total, "plafonne": False, "du_annee": None}
    # the bilan on the decision's day counts this decision: what was due before it, under the cap
    du_avant = min(bilan.applicable - total, bilan.plafond)
    return {"decisions": decisions, "total": total, "plafonne": True, "plafond": bilan.plafond,
            "applicable_cumul": bilan.applicable, "du_annee": bilan.du, "retenu": bilan.du - du_avant}


def render_procedure_letters(suivi: Suivi) -> list[RenderedPiece]:
    """Every procedure letter the dossier records a step for, year by year, day by day; an
    invitation dated on the bilan meeting is the bilan letter itself (``lettre-bilan-N``)."""
    if suivi.loaded.dossier.clause_insertion is not None:
        derniere = annees(suivi.loaded.dossier.marche.duree_mois)
        return [render_procedure_letter(suivi, derniere, etape, jour)[0]
                for etape in EtapeProcedure for jour in procedure_dates(suivi, derniere, etape)]
    pieces = []
    for resultats in sorted(suivi.loaded.dossier.bilans, key=lambda b: b.annee):
        reunion = resultats.reunion.date_reunion if resultats.reunion else None
        for etape in EtapeProcedure:
            for jour in procedure_dates(suivi, resultats.annee, etape):
                if etape is EtapeProcedure.invitation and jour == reunion:
                    continue  # the letter that transmits the bilan, dated that day, is the invitation
                pieces.append(render_procedure_letter(suivi, resultats.annee, etape, jour)[0])
    return pieces


# Issue 20, item 5: the follow-ups ``pieces --suivi`` and ``lot --suivi`` write, each in its own
# folder, and those skipped with the reason.


@dataclass(frozen=True)
class CiblesSuivi:
    """The follow-ups to write, each opened with the folder it goes to (relative to the
    pieces' folder, ``""`` for the folder itself), and those skipped (a French sentence each)."""

    ecrites: tuple[tuple[Suivi, str], ...]
    ignorees: tuple[str, ...] = ()


def suivi_targets(loaded: LoadedDossier, *, forcer: bool = False, numero: int | None = None,
                  overlays: Sequence[Path] = ()) -> CiblesSuivi:
    """Which follow-ups the dossier has: the market's own, or for an accord-cadre with subsequent
    contracts, each suited subsequent contract's in ``marche-subsequent-N`` (only N with
    ``numero``); a subsequent contract judged non adapté is skipped, with the reasons. Every
    follow-up is opened here, so that a refusal comes before anything is written."""
    dossier = loaded.dossier
    if dossier.marche.forme is not Forme.accord_cadre_multi_attributaire_marches_subsequents:
        if numero is not None:
            raise SuiviInputError(what=f"--marche-subsequent {numero}",
                                  hint="option réservée aux accords-cadres multi-attributaires à "
                                       "marchés subséquents")
        return CiblesSuivi(((open_suivi(loaded, Cible(forcer=forcer), overlays), ""),))
    numeros = [m.numero for m in dossier.marches_subsequents]
    if numero is not None:
        subsequent_or_error(dossier, numero, loaded.path)
        numeros = [numero]
    if not numeros:
        return CiblesSuivi((), ("aucun marché subséquent n'est décrit (section marches_subsequents) : "
                                "pas de pièce du suivi",))
    ecrites, ignorees = [], []
    for n in numeros:
        try:
            opened = open_suivi(loaded, Cible(marche_subsequent=n, forcer=forcer), overlays)
        except NotSuitedError as exc:
            ignorees.append(f"marché subséquent n° {n} : pièces du suivi non écrites, marché jugé non "
                            f"adapté ({' ; '.join(exc.reasons)}) ; --forcer les écrit avec la mention "
                            "du verdict")
            continue
        except SuiviInputError as exc:
            if numero is not None:
                raise
            ignorees.append(f"marché subséquent n° {n} : pièces du suivi non écrites ({exc})")
            continue
        ecrites.append((opened, f"marche-subsequent-{n}"))
    return CiblesSuivi(tuple(ecrites), tuple(ignorees))


def _engagement_du_marche_subsequent(loaded: LoadedDossier, ms: MarcheSubsequent) -> PlanDeProgres | None:
    """The plan de progrès seen through subsequent contract ``ms``: its own insertion engagement
    (``marches_subsequents[].insertion``) when it sets one (issue 20, item 5); else the
    accord-cadre's, which the CCAP (``insertion.volume``) sets « pour un marché subséquent d'une
    durée de » ``duree_marches_subsequents_mois`` and, for a shorter one, « ramené au prorata de
    sa durée ; le marché subséquent mentionne le volume qui en résulte ». A prorated volume that
    is not a whole number of hours is the subsequent contract's to state: refused, naming it."""
    dossier = loaded.dossier
    pdp = dossier.plan_de_progres
    if pdp is None:
        return None
    if ms.insertion is not None:
        return pdp.model_copy(update={"insertion": ms.insertion})
    insertion = pdp.insertion
    prevue = dossier.marche.duree_marches_subsequents_mois
    if (insertion is None or insertion.mode is not ModeInsertion.heures or insertion.volume_heures is None
            or prevue is None or ms.duree_mois >= prevue):
        return pdp
    volume = Decimal(insertion.volume_heures * ms.duree_mois) / Decimal(prevue)
    index = next(i for i, m in enumerate(dossier.marches_subsequents) if m.numero == ms.numero)
    if volume != volume.to_integral_value():
        raise SuiviInputError(
            what=f"Fichier « {loaded.path} », marches_subsequents[{index}].insertion",
            hint=f"engagement d'insertion du marché subséquent n° {ms.numero} attendu (volume_heures) : "
                 f"le CCAP ramène le volume de l'accord-cadre au prorata de sa durée "
                 f"({nombre(insertion.volume_heures)} heures × {ms.duree_mois}/{prevue} mois = "
                 f"{nombre(volume.quantize(Decimal('0.01')))} heures) et le marché subséquent mentionne "
                 "le volume qui en résulte")
    return pdp.model_copy(update={"insertion": insertion.model_copy(update={"volume_heures": int(volume)})})


# Issue 20, item 4: the follow-up of the insertion clause alone (works market): deadlines,
# final bilan with its penalties, dashboard.


def _clause(suivi: Suivi) -> ClauseInsertionSeule:
    clause = suivi.loaded.dossier.clause_insertion
    assert clause is not None  # a dossier carrying the insertion clause alone
    return clause


def compute_bilan_final(suivi: Suivi, *, au_jour_du_bilan: bool = True, au: date | None = None) -> Bilan:
    """The final bilan's penalties, each procedure as it stood on the day the bilan is made
    (``au_jour_du_bilan`` False: with every decision recorded to date; ``au``: on that day, for
    a procedure letter)."""
    dossier = suivi.loaded.dossier
    if dossier.bilan_final is None:
        raise SuiviInputError(what=f"Fichier « {suivi.loaded.path} », bilan_final",
                              hint="bilan final attendu : date_bilan, heures_insertion_realisees, "
                                   "retards, procédure de pénalité")
    fin = next(e for e in suivi.echeances if e.cle == "fin").date
    problems = problemes_bilan_final(dossier, fin, dossier.bilan_final)
    if bilan_final_a_la_reception(suivi):
        problems += insertion_domain.problemes_decompte(_clause(suivi), dossier.bilan_final)
    au_montant = insertion_au_montant(suivi)
    if au_montant and dossier.bilan_final.montant_execute_ht is None:
        problems.append(FieldProblem("bilan_final.montant_execute_ht", "montant HT des prestations exécutées "
                                     "en vertu des bons de commande attendu : le volume d'heures dû le suit "
                                     "(CCAP)"))
    if problems:
        raise ValidationFailed(path=suivi.loaded.path, what="bilan final", problems=problems)
    jour = au or (dossier.bilan_final.date_bilan if au_jour_du_bilan else None)
    bilan = insertion_domain.compute_bilan_final(dossier, dossier.bilan_final,
                                                 annees(dossier.marche.duree_mois), jour,
                                                 au_montant=au_montant)
    _check_montants(suivi, bilan.penalites)
    return bilan


def render_bilan_final(suivi: Suivi) -> tuple[RenderedPiece, Bilan]:
    """The final bilan of the insertion action (établi by the facilitator)."""
    bilan = compute_bilan_final(suivi)
    dossier = suivi.loaded.dossier
    final = dossier.bilan_final
    assert final is not None
    clause = _clause(suivi)
    echeances = {e.cle: e for e in suivi.echeances}
    rows = []
    if clause.volume_heures is not None:
        realisees = final.heures_insertion_realisees or Decimal(0)
        rows.append(["Heures d'insertion", f"{nombre(clause.volume_heures)}\u00a0heures",
                     f"{nombre(realisees)}\u00a0heures",
                     f"{nombre((realisees * 100 / clause.volume_heures).quantize(Decimal('0.1')))}\u00a0%"])
    else:
        rows += [[f"Actions d'insertion, année {k}", str(clause.actions_par_an), str(faites), ""]
                 for k, faites in enumerate(final.actions_insertion_realisees, start=1)]
    resultats: list[Block] = [table(["Engagement", "Fixé", "Réalisé", "Taux de réalisation"], rows)]
    if final.personnes_concernees is not None:
        resultats.append(paragraph(f"Personnes en insertion sur le marché\u00a0: "
                                   f"{final.personnes_concernees}."))
    titulaire = dossier.titulaire
    representant = (f"{titulaire.representant.nom}, {titulaire.representant.qualite}"
                    if titulaire and titulaire.representant
                    else titulaire.raison_sociale if titulaire else None)
    signataire = dossier.acheteur.signataire
    inserts: dict[str, Sequence[Block]] = {
        "bilan_resultats": resultats,
        "bilan_difficultes": (bullets(final.difficultes) if final.difficultes
                              else [paragraph("Aucune difficulté n'a été signalée.")]),
        "bilan_penalites": [*bilan_doc.penalites_blocks(bilan, "jour où le bilan final est établi",
                                                        "du marché"), *_avant_le_decompte(suivi)],
        "bilan_observations": [paragraph(final.observations_titulaire
                                         or "Le titulaire n'a pas présenté d'observations.")],
        "bilan_visas": bilan_doc.visas_blocks(
            f"{signataire.nom}, {signataire.qualite}",
            f"{dossier.facilitateur.nom}, {dossier.facilitateur.structure}", representant),
    }
    reception = dossier.clause_insertion.reception_travaux if dossier.clause_insertion else None
    context = _context(suivi, None, bilan=bilan, date_bilan=final.date_bilan,
                       fin_execution=echeances["fin"].date,
                       echeance_bilan_final=echeances["bilan_final"].date,
                       # true on its date: a réception taking effect after the bilan is not stated
                       reception_travaux=reception if reception and reception <= final.date_bilan else None)
    return _render(suivi, "bilan-final", "bilan_final_insertion", context, inserts,
                   titre="Bilan final de l'action d'insertion",
                   sources={"date": final.date_bilan.isoformat()}), bilan


def _avant_le_decompte(suivi: Suivi) -> list[Block]:
    """Works market (NM10): what the CCAP says of the penalties and the décompte général, with
    the deadline when the dossier gives the décompte's date."""
    if not bilan_final_a_la_reception(suivi):
        return []
    article = _context(suivi, None)["ccap_article"]("insertion_seule.bilan_final")
    texte = (f"Conformément à l'article {article} du CCAP, l'acheteur notifie sa décision sur ces pénalités "
             "avant de notifier le décompte général du marché, dans lequel elles sont portées")
    decompte = _clause(suivi).decompte_general_le
    if decompte is not None:
        texte += (f"\u00a0: le décompte général devant être notifié le {date_longue(decompte)}, la décision "
                  f"doit être notifiée au plus tard le {date_longue(decompte - timedelta(days=1))}")
    return [paragraph(texte + ".")]


def _tableau_de_bord_insertion(suivi: Suivi) -> bytes:
    """The follow-up workbook of the insertion clause: the engagement, what was done, the
    penalties decided to date."""
    dossier = suivi.loaded.dossier
    clause = _clause(suivi)
    final = dossier.bilan_final
    fin = next(e for e in suivi.echeances if e.cle == "fin").date
    penalites = None
    if final is not None and not problemes_bilan_final(dossier, fin, final):
        penalites = compute_bilan_final(suivi, au_jour_du_bilan=False).du  # every decision recorded to date
    if clause.volume_heures is not None:
        atteinte = final.heures_insertion_realisees if final else None
        lignes = (LigneSuivi("Insertion", "Heures d'insertion sur la durée du marché",
                             "Heures de travail de personnes éligibles affectées au marché", "heures",
                             Decimal(clause.volume_heures), atteinte, datetime.combine(fin, time())),)
    else:
        cible = Decimal((clause.actions_par_an or 0) * annees(dossier.marche.duree_mois))
        atteinte = Decimal(sum(final.actions_insertion_realisees)) if final else None
        lignes = (LigneSuivi("Insertion", "Actions d'insertion sur la durée du marché",
                             "Actions d'insertion réalisées", "actions", cible, atteinte,
                             datetime.combine(fin, time())),)
    debut = suivi.notification
    year = AnneeSuivi(1, f"du {date_longue(debut)} au {date_longue(fin)}", lignes, penalites)
    provenance = {"version": __version__, "bibliotheque": suivi.library.release,
                  "piece": "tableau_de_bord", "dossier_sha256": suivi.loaded.sha256}
    return tableau_de_bord_xlsx([year], f"Tableau de bord \u2013 marché n° {dossier.marche.reference}",
                                datetime.combine(suivi.notification, time()), provenance)


def _insertion_pieces(suivi: Suivi) -> list[tuple[str, bytes]]:
    """Every follow-up piece of the insertion clause the dossier has data for (file name, bytes):
    the calendar, the final bilan once recorded, the dashboard."""
    pieces = [("echeancier.ics", calendrier_ics(suivi.loaded.dossier, suivi.echeances))]
    if suivi.loaded.dossier.bilan_final is not None:
        pieces.append(("bilan-final.docx", render_bilan_final(suivi)[0].docx))
        pieces += [(f"{piece.piece}.docx", piece.docx) for piece in render_procedure_letters(suivi)]
    pieces.append(("tableau-de-bord.xlsx", _tableau_de_bord_insertion(suivi)))
    return pieces

