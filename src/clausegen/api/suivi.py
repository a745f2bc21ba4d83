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
from pathlib import Path
from typing import Any, Generic, TypeVar

from icalendar import Calendar
from pydantic import BaseModel

from clausegen import __version__
from clausegen.api.marche import (
    LoadedDossier,
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
from clausegen.documents._blocks import heading, paragraph
from clausegen.documents.calendrier import calendrier_ics
from clausegen.documents.plan import plan_blocks
from clausegen.domain import bilan as bilan_domain
from clausegen.domain.avenant import axes_absents, stipulations_modifiees
from clausegen.domain.bilan import Bilan, EtatProcedure, check_resultats
from clausegen.domain.coherence_plan import avertissements_plan
from clausegen.domain.echeancier import Echeance, annees, echeancier, jour_ouvre, periode
from clausegen.domain.evenements import Evenement, bilan_de_l_annee, retards
from clausegen.domain.lettre_bilan import date_limite_lettre, dates_renouvellement
from clausegen.domain.signature import signature_warnings
from clausegen.errors import (
    AvenantRequisError,
    CrossReferenceError,
    FieldProblem,
    SuiviInputError,
    ValidationFailed,
)
from clausegen.library import Library
from clausegen.library.releases import pin
from clausegen.models._base import label
from clausegen.models.dispositifs import MarcheSubsequent
from clausegen.models.dossier import CodeAxe, Forme, ModeInsertion
from clausegen.models.suivi import Objectif, PlanAnnuel, ResultatsAnnuels
from clausegen.render.tableur import AnneeSuivi, LigneSuivi, tableau_de_bord_xlsx
from clausegen.templating import Raw
from clausegen.text.french import date_courte, date_longue, fonction, nombre, unite

__all__ = ["Bilan", "Cible", "ComposedDossier", "Echeance", "EtatEcheance", "Suivi", "Supplied",
           "compose_dossier", "compute_bilan", "list_avertissements", "list_echeances",
           "list_etats_echeances", "list_retards", "open_suivi", "render_bilan", "render_calendrier",
           "render_convocation", "render_flux_calendrier", "render_lettre", "render_lettre_bilan",
           "render_plan", "render_suivi_pieces", "render_tableau_de_bord", "requires_act",
           "select_plan", "select_resultats", "today"]

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
        """Every deadline of the plan."""
        marche = self.loaded.dossier.marche
        return echeancier(self.notification, marche.duree_mois,
                          self.loaded.dossier.plan.suivi.delai_bilan_final_mois)

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
                                      "plans": ms.plans, "bilans": ms.bilans})
    return replace(loaded, dossier=seen), ms


def open_suivi(loaded: LoadedDossier, cible: Cible | None = None,
               overlays: Sequence[Path] = ()) -> Suivi:
    """A validated dossier whose market (or subsequent contract) is notified, awarded and
    suited to a plan de progrès — or forced, in which case every piece carries the verdict.
    Messages name the dossier ``loaded.path`` (the file read, or the name the caller gives)."""
    cible = cible or Cible()
    seen, ms = _seen_through(loaded, cible.marche_subsequent)
    faisabilite = suited_or_forced(loaded.dossier, forcer=cible.forcer,
                                   numero=cible.marche_subsequent)
    mention = forced_mention(loaded.dossier, faisabilite)
    marche = seen.dossier.marche
    if marche.date_notification is None:
        raise SuiviInputError(what=f"Fichier « {loaded.path} », marche.date_notification",
                              hint="date de notification attendue (AAAA-MM-JJ) pour les pièces du suivi")
    if seen.dossier.titulaire is None:
        raise SuiviInputError(what=f"Fichier « {loaded.path} », titulaire",
                              hint="le titulaire doit être renseigné pour les pièces du suivi")
    library = open_library(overlays)
    if seen.dossier.bibliotheque:  # the CCAP numbers cited must be those of the pinned release
        library = pin(library, seen.dossier.bibliotheque)
    return Suivi(seen, library, marche.date_notification, mention, ms)


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
    canevas = suivi.library.canevas("ccap_chapitre" if premier else "ccap")
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
    dossier's), or, without ``annee``, for every plan of the dossier."""
    signature = signature_warnings(suivi.loaded.dossier)
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
    return year, bilan_domain.compute_bilan(suivi.loaded.dossier, found, year, _precedents(suivi, annee))


def compute_bilan(suivi: Suivi, annee: int, plan: Supplied[PlanAnnuel] | None = None,
                  resultats: Supplied[ResultatsAnnuels] | None = None) -> Bilan:
    """The bilan of year N computed (results, penalties by procedure state), without a document."""
    return _year(suivi, annee, plan, resultats)[1]


def render_bilan(suivi: Suivi, annee: int, plan: Supplied[PlanAnnuel] | None = None,
                 resultats: Supplied[ResultatsAnnuels] | None = None) -> tuple[RenderedPiece, Bilan]:
    """The bilan of year N: meeting, results, chart, actions of both parties, difficulties,
    penalties by procedure state, the titulaire's observations, visas; and its figures. The
    letter that transmits it is its own piece (:func:`render_lettre_bilan`)."""
    year, bilan = _year(suivi, annee, plan, resultats)
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
    year, bilan = _year(suivi, annee, plan, resultats)
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
    plan_suivant = suivante is not None and any(p.annee == suivante for p in dossier.plans)
    echeance = suivi.echeance(f"bilan_{annee}" if suivante else "bilan_final").date
    extra: dict[str, Any] = {"annee_suivante": suivante, "plan_suivant": plan_suivant,
                             "echeance_bilan": echeance, "bilan_reunion": reunion,
                             "a_instruire": bilan.total(EtatProcedure.constatee),
                             "reunion_renouvellement": None, "projet_avant": None}
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
        penalites = bilan_domain.compute_bilan(dossier, plan, resultats, _precedents(suivi, plan.annee)).du
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
    ``plans`` and ``resultats`` replace or add to the dossier's years."""
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
    letter when the bilan meeting is recorded; the follow-up workbook when there is at least
    one plan. Nothing is returned unless every piece could be made.
    """
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
    if dossier.plans:
        files.append(("tableau-de-bord.xlsx", render_tableau_de_bord(suivi)))
    return files


def list_retards(evenements: Sequence[Evenement], annee: int) -> list[dict[str, Any]]:
    """The late documents of year ``annee`` among ``evenements`` (received after the date they
    were due), as the dossier's ``bilans[].retards`` records them."""
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
                    jusqu_a: int | None = None) -> ComposedDossier:
    """The buyer's draft ``brouillon`` with the award data, the accepted ``plans`` and
    ``resultats`` (by year as text), the late documents and penalty procedure of each year's
    ``evenements``; ``jusqu_a``: only years up to N. Validated once; ``nom`` names it in
    messages and provenance."""
    data = dict(brouillon)
    if titulaire:
        data["titulaire"] = titulaire
    if date_notification:
        data["marche"] = {**data.get("marche", {}), "date_notification": date_notification.isoformat()}
    garder = sorted(int(a) for a in plans if jusqu_a is None or int(a) <= jusqu_a)
    data["plans"] = [plans[str(a)] for a in garder]
    data["bilans"] = [bilan_de_l_annee(resultats[str(a)], [e for e in evenements if e.annee == a])
                      for a in sorted(int(a) for a in resultats if jusqu_a is None or int(a) <= jusqu_a)]
    dossier, problems = validate_dossier(data)
    if dossier is None:
        return ComposedDossier(None, "", problems)
    text = dump_dossier(dossier, nom)
    loaded = LoadedDossier(dossier=dossier, path=Path(nom),
                           sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    return ComposedDossier(loaded, text, [])
