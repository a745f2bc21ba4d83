"""The facade of the facilitator's year: deadlines, convocation, plan, letter, bilan, dashboard.

Same contract as :mod:`clausegen.api`: read and check everything, build in memory, then
write atomically. Dates come from the dossier or explicit options, never from the clock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from clausegen import __version__
from clausegen.api import LoadedDossier, open_library, read_dossier, render_piece
from clausegen.api.marche import canevas_name, forced_mention, subsequent_or_error, suited_or_forced
from clausegen.api.piece import RenderedPiece
from clausegen.assembly import article_numbers
from clausegen.blocks import Block, PageBreak
from clausegen.context import ccag_functions, dossier_context
from clausegen.documents import bilan as bilan_doc
from clausegen.documents import lettre as lettre_doc
from clausegen.documents import procedure as procedure_doc
from clausegen.documents._blocks import bullets, heading, paragraph, table
from clausegen.documents.calendrier import calendrier_ics
from clausegen.documents.plan import plan_blocks
from clausegen.domain.avenant import axes_absents, stipulations_modifiees
from clausegen.domain.bilan import (
    Bilan,
    LignePenalite,
    check_resultats,
    compute_bilan,
    lignes_en_cours_d_annee,
    problemes_procedures,
)
from clausegen.domain.coherence_plan import avertissements_plan
from clausegen.domain.echeancier import Echeance, annees, echeancier, jour_ouvre, periode
from clausegen.domain.insertion_seule import compute_bilan_final, echeancier_insertion
from clausegen.domain.insertion_seule import problemes as problemes_bilan_final
from clausegen.domain.lettre_bilan import (
    classement,
    date_limite_lettre,
    dates_renouvellement,
    plan_convenu_le,
)
from clausegen.domain.procedure import Nature
from clausegen.domain.retards import problemes as problemes_retards
from clausegen.errors import (
    AvenantRequisError,
    CrossReferenceError,
    FieldProblem,
    NotSuitedError,
    SuiviInputError,
    ValidationFailed,
)
from clausegen.library import Library
from clausegen.library.releases import pin
from clausegen.models._base import label
from clausegen.models.dispositifs import ClauseInsertionSeule, MarcheSubsequent
from clausegen.models.dossier import CodeAxe, Dossier, Forme, ModeInsertion, PlanDeProgres
from clausegen.models.suivi import Decision, Objectif, PlanAnnuel, Procedure, ResultatsAnnuels
from clausegen.models.validation import read_validated
from clausegen.output import note_input, transaction, write_atomic
from clausegen.render.tableur import AnneeSuivi, LigneSuivi, tableau_de_bord_xlsx
from clausegen.templating import Raw
from clausegen.text.french import date_courte, date_longue, nombre

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
                                      "plans": ms.plans, "bilans": ms.bilans,
                                      "plan_de_progres": _engagement_du_marche_subsequent(dossier, ms)})
    return replace(loaded, dossier=seen), ms


def open_suivi(dossier_path: Path, overlays: Sequence[Path] = (), cible: Cible | None = None) -> Suivi:
    """Load a dossier whose market (or subsequent contract) is notified, awarded and suited to
    a plan de progrès — or forced, in which case every piece carries the verdict."""
    cible = cible or Cible()
    original = read_dossier(dossier_path)
    loaded, ms = _seen_through(original, cible.marche_subsequent)
    faisabilite = suited_or_forced(original.dossier, forcer=cible.forcer,
                                   numero=cible.marche_subsequent)
    mention = forced_mention(original.dossier, faisabilite)
    return replace(_notified_and_awarded(loaded, dossier_path, overlays), mention=mention,
                   marche_subsequent=ms)


def _from_file(path: Path, model: type[M], what: str) -> M:
    note_input(path)
    return read_validated(path, model, what=what)


def _check_year(suivi: Suivi, annee: int) -> None:
    total = annees(suivi.loaded.dossier.marche.duree_mois)
    if not 1 <= annee <= total:
        raise SuiviInputError(what=f"--annee {annee}",
                              hint=f"année d'exécution entre 1 et {total} attendue")


def load_plan(suivi: Suivi, annee: int, plan_file: Path | None = None) -> PlanAnnuel:
    """The plan of year N, from ``plan_file`` or from the dossier's ``plans``."""
    _check_year(suivi, annee)
    source: Path = plan_file or suivi.loaded.path
    if plan_file is not None:
        plan = _from_file(plan_file, PlanAnnuel, "plan annuel")
    else:
        found = [p for p in suivi.loaded.dossier.plans if p.annee == annee]
        if not found:
            raise SuiviInputError(what=f"Fichier « {source} », plans",
                                  hint=f"aucun plan pour l'année {annee} (ajoutez-le ou utilisez --plan)")
        plan = found[0]
    problems = ([FieldProblem("annee", f"{annee} attendu (reçu : {plan.annee})")]
                if plan.annee != annee else [])
    pdp = suivi.loaded.dossier.plan
    problems += [FieldProblem(f"axes[{i}].axe", f"axe retenu au CCAP attendu (reçu : « {a.axe.value} ») ; un "
                             "axe nouveau modifierait le marché et demanderait un avenant")
                 for i, a in enumerate(plan.axes) if not pdp.has_axe(a.axe)]
    if problems:
        raise ValidationFailed(path=source, what="plan annuel", problems=problems)
    return plan


def load_resultats(suivi: Suivi, plan: PlanAnnuel, resultats_file: Path | None = None) -> ResultatsAnnuels:
    """The results of the plan's year, checked against the plan."""
    source: Path = resultats_file or suivi.loaded.path
    if resultats_file is not None:
        resultats = _from_file(resultats_file, ResultatsAnnuels, "résultats annuels")
    else:
        found = [b for b in suivi.loaded.dossier.bilans if b.annee == plan.annee]
        if not found:
            raise SuiviInputError(what=f"Fichier « {source} », bilans", hint=f"aucun résultat pour "
                                  f"l'année {plan.annee} (ajoutez-les ou utilisez --resultats)")
        resultats = found[0]
    problems = check_resultats(suivi.loaded.dossier, plan, resultats)
    if problems:
        raise ValidationFailed(path=source, what="résultats annuels", problems=problems)
    return resultats


def _context(suivi: Suivi, annee: int | None, **extra: Any) -> dict[str, Any]:
    dossier = suivi.loaded.dossier
    base = {**dossier_context(dossier), **ccag_functions(suivi.library.ccag, dossier.marche.ccag)}
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


def _sources(annee: int, **files: Path | None) -> dict[str, str]:
    """Provenance of a yearly piece: the year and the hash of each input file given."""
    record = {"annee": str(annee)}
    for name, path in files.items():
        if path is not None:
            record[f"{name}_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return record


def _render(suivi: Suivi, piece: str, output: Path, context: Mapping[str, Any],
            inserts: Mapping[str, Sequence[Block]], titre: str | None = None,
            sources: Mapping[str, str] | None = None) -> Path:
    data, _ = render_piece(suivi.loaded, piece, library=suivi.library, extra_context=context,
                           inserts=inserts, titre=titre, extra_provenance=sources,
                           mention=suivi.mention)
    return write_atomic(output, data)


def generate_convocation(dossier_path: Path, output: Path, *, reunion: date | None = None,
                         heure: str = "10 h 00", lieu: str | None = None,
                         date_lettre: date | None = None, cible: Cible | None = None) -> tuple[Path, date]:
    """The letter proposing the launch meeting (organised by the titulaire under the CCAP): a date
    within the deadline, the participants, an agenda built from the retained axes."""
    suivi = open_suivi(dossier_path, cible=cible)
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
    inserts = {"entete": lettre_doc.en_tete(dossier, jour, "Réunion de lancement du plan de progrès "
                                            "en matière sociale", date_certaine=False),
               "signature": lettre_doc.signature(dossier)}
    return _render(suivi, "convocation", output, context, inserts), reunion


def plan_warnings(dossier_path: Path, annee: int, plan_file: Path | None = None,
                  cible: Cible | None = None) -> list[str]:
    """What a person should know before formalising year N's plan (French sentences): what in
    the plan contradicts the CCAP (:mod:`clausegen.domain.coherence_plan`)."""
    suivi = open_suivi(dossier_path, cible=cible)
    return _plan_warnings(suivi, load_plan(suivi, annee, plan_file))


def _plan_warnings(suivi: Suivi, plan: PlanAnnuel) -> list[str]:
    dossier = suivi.loaded.dossier
    warnings = avertissements_plan(dossier, plan)
    if dossier.reservation is not None:
        warnings += [f"marché réservé : l'objectif « {o.id} » se compte en heures d'insertion, alors que "
                     "les salariés sont déjà en parcours d'insertion ou en emploi adapté ; préférez un "
                     "objectif de parcours (formation, tutorat, sorties vers l'emploi durable)"
                     for axe, o in plan.objectifs()
                     if axe is CodeAxe.insertion and "heure" in o.unite.lower()]
    return warnings


def suivi_warnings(dossier_path: Path, cible: Cible | None = None) -> list[str]:
    """The warnings of every plan of the dossier (``pieces --suivi`` prints them all)."""
    if insertion_seule(dossier_path):
        return []
    suivi = open_suivi(dossier_path, cible=cible)
    dossier = suivi.loaded.dossier
    return [w for plan in sorted(dossier.plans, key=lambda p: p.annee)
            for w in _plan_warnings(suivi, load_plan(suivi, plan.annee))]


def _couverture(suivi: Suivi, plan: PlanAnnuel) -> dict[str, Any]:
    """Whether the plan covers every axis of the CCAP, and the axes it covers (for its text)."""
    return {"plan_complet": not axes_absents(suivi.loaded.dossier, plan),
            "axes_du_plan": [label(a.axe) for a in plan.axes]}


def generate_plan(dossier_path: Path, annee: int, output: Path, *, plan_file: Path | None = None,
                  cible: Cible | None = None) -> Path:
    """The annual plan of year N, as tables."""
    suivi = open_suivi(dossier_path, cible=cible)
    plan = load_plan(suivi, annee, plan_file)
    context = _context(suivi, annee, date_validation=plan.date_validation, **_couverture(suivi, plan))
    return _render(suivi, "plan", output, context, {"plan_axes": plan_blocks(plan)},
                   titre=f"Plan de progrès en matière sociale \u2013 année {annee}",
                   sources=_sources(annee, plan=plan_file))


def generate_lettre(dossier_path: Path, annee: int, output: Path, *, plan_file: Path | None = None,
                    date_lettre: date | None = None, cible: Cible | None = None) -> Path:
    """The exchange of letters formalising year N's plan; refused when an avenant is needed."""
    suivi = open_suivi(dossier_path, cible=cible)
    plan = load_plan(suivi, annee, plan_file)
    changes = stipulations_modifiees(suivi.loaded.dossier, plan)
    if changes:
        raise AvenantRequisError(annee=annee, changes=changes)
    dossier = suivi.loaded.dossier
    jour = date_lettre or plan.date_validation
    if jour is None:
        raise SuiviInputError(what=f"Lettre de formalisation du plan de l'année {annee}",
                              hint="date attendue : --date AAAA-MM-JJ, ou la date de la réunion "
                                   f"où le plan a été arrêté (plans[annee={annee}].date_validation)")
    objet = f"Formalisation du plan de progrès en matière sociale \u2013 année {annee}"
    inserts: dict[str, Sequence[Block]] = {
        "entete": lettre_doc.en_tete(dossier, jour, objet),
        "signature": [*lettre_doc.signature(dossier),
                      paragraph(f"Annexe : plan de progrès en matière sociale de l'année {annee}", "gauche"),
                      *lettre_doc.bon_pour_accord(dossier), PageBreak(),
                      heading(1, f"Annexe \u2013 Plan de progrès en matière sociale, année {annee}")],
        "annexe": plan_blocks(plan),
    }
    context = _context(suivi, annee, date_validation=plan.date_validation, **_couverture(suivi, plan))
    return _render(suivi, "lettre", output, context, inserts, sources=_sources(annee, plan=plan_file))


def precedents(suivi: Suivi, annee: int) -> list[ResultatsAnnuels]:
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


def compute_year(dossier_path: Path, annee: int, *, plan_file: Path | None = None,
                 resultats_file: Path | None = None, cible: Cible | None = None) -> tuple[Suivi, Bilan]:
    """Load plan and results of year N and compute its bilan."""
    suivi = open_suivi(dossier_path, cible=cible)
    plan = load_plan(suivi, annee, plan_file)
    resultats = load_resultats(suivi, plan, resultats_file)
    return suivi, compute_bilan(suivi.loaded.dossier, plan, resultats, precedents(suivi, annee))


def generate_bilan(dossier_path: Path, annee: int, output: Path, *, plan_file: Path | None = None,
                   resultats_file: Path | None = None, cible: Cible | None = None) -> Bilan:
    """The bilan of year N: meeting, results, chart, actions of both parties, difficulties,
    penalties by procedure state, the titulaire's observations, visas. The letter that
    transmits it is its own piece (:func:`generate_lettre_bilan`). For the insertion clause
    alone, the final bilan (:func:`render_bilan_final`)."""
    if insertion_seule(dossier_path):
        return _write_bilan_final(dossier_path, annee, output)
    suivi = open_suivi(dossier_path, cible=cible)
    plan = load_plan(suivi, annee, plan_file)
    resultats = load_resultats(suivi, plan, resultats_file)
    bilan = bilan_au(suivi, plan, resultats, resultats.reunion.date_reunion if resultats.reunion else None)
    dossier = suivi.loaded.dossier
    titulaire = dossier.titulaire
    representant = (f"{titulaire.representant.nom}, {titulaire.representant.qualite}"
                    if titulaire and titulaire.representant else
                    titulaire.raison_sociale if titulaire else None)
    signataire = dossier.acheteur.signataire
    inserts: dict[str, Sequence[Block]] = {
        "bilan_reunion": bilan_doc.reunion_blocks(resultats.reunion),
        "bilan_resultats": bilan_doc.resultats_blocks(bilan),
        "bilan_actions": bilan_doc.actions_blocks(bilan),
        "bilan_difficultes": bilan_doc.difficultes_blocks(resultats),
        "bilan_penalites": bilan_doc.penalites_blocks(bilan),
        "bilan_observations": bilan_doc.observations_blocks(resultats),
        "bilan_visas": bilan_doc.visas_blocks(
            f"{signataire.nom}, {signataire.qualite}",
            f"{dossier.facilitateur.nom}, {dossier.facilitateur.structure}", representant),
    }
    context = _context(suivi, annee, bilan=bilan)
    _render(suivi, "bilan", output, context, inserts,
            titre=f"Bilan du plan de progrès en matière sociale \u2013 année {annee}",
            sources=_sources(annee, plan=plan_file, resultats=resultats_file))
    return bilan


def generate_lettre_bilan(dossier_path: Path, annee: int, output: Path, *,
                          plan_file: Path | None = None, resultats_file: Path | None = None,
                          date_lettre: date | None = None,
                          cible: Cible | None = None) -> tuple[Path, date]:
    """The letter transmitting the bilan of year N (the bilan is joined): it opens the
    contradictory procedure on the penalties still to be decided and, when the plan of N+1 is
    not in the dossier yet, asks for its draft with dates that leave the promised time.

    Dated ``date_lettre``, else the day of the bilan meeting; never before that meeting.
    """
    suivi, bilan = compute_year(dossier_path, annee, plan_file=plan_file, resultats_file=resultats_file,
                                cible=cible)
    dossier = suivi.loaded.dossier
    resultats = load_resultats(suivi, load_plan(suivi, annee, plan_file), resultats_file)
    reunion = resultats.reunion.date_reunion if resultats.reunion else None
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
                             **lettre_bilan_faits(suivi, load_plan(suivi, annee, plan_file), resultats, jour)}
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
    path = _render(suivi, "lettre_bilan", output, context, inserts,
                   titre=f"Transmission du bilan de l'année {annee}",
                   sources=_sources(annee, plan=plan_file, resultats=resultats_file))
    return path, jour


def deadlines(dossier_path: Path, cible: Cible | None = None) -> list[Echeance]:
    """Every deadline of the plan for a notified market."""
    if insertion_seule(dossier_path):
        return echeances_insertion(open_suivi_insertion(dossier_path))
    return open_suivi(dossier_path, cible=cible).echeances


def deadlines_and_mention(dossier_path: Path,
                          cible: Cible | None = None) -> tuple[list[Echeance], str | None]:
    """Every deadline, and the forced-verdict mention (``None`` for a suited market)."""
    if insertion_seule(dossier_path):
        return echeances_insertion(open_suivi_insertion(dossier_path)), None
    suivi = open_suivi(dossier_path, cible=cible)
    return suivi.echeances, suivi.mention


def write_ics(dossier_path: Path, output: Path, cible: Cible | None = None) -> list[Echeance]:
    """Write the deadlines as an iCalendar file; return them."""
    if insertion_seule(dossier_path):
        suivi_insertion = open_suivi_insertion(dossier_path)
        found = echeances_insertion(suivi_insertion)
        write_atomic(output, calendrier_ics(suivi_insertion.loaded.dossier, found))
        return found
    suivi = open_suivi(dossier_path, cible=cible)
    echeances = suivi.echeances
    write_atomic(output, calendrier_ics(suivi.loaded.dossier, echeances, suivi.mention))
    return echeances


def _annee_suivi(suivi: Suivi, plan: PlanAnnuel) -> AnneeSuivi:
    dossier = suivi.loaded.dossier
    resultats = next((b for b in dossier.bilans if b.annee == plan.annee), None)
    reached = {r.objectif: r.valeur_atteinte for r in resultats.objectifs} if resultats else {}
    penalites = None
    if resultats is not None and not check_resultats(dossier, plan, resultats):
        penalites = compute_bilan(dossier, plan, resultats, precedents(suivi, plan.annee)).du
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
        return f"écart de {nombre(o.valeur_cible - atteinte)}\u00a0{o.unite}"

    lignes = tuple(LigneSuivi(label(axe), o.libelle, o.indicateur, o.unite, o.valeur_cible,
                              reached.get(o.id), datetime.combine(o.echeance, time()),
                              actions[axe], ecart(o))
                   for axe, o in plan.objectifs())
    return AnneeSuivi(plan.annee, f"du {date_longue(debut)} au {date_longue(fin)}", lignes, penalites)


def _with_year_files(suivi: Suivi, plan_files: Sequence[Path],
                     resultats_files: Sequence[Path]) -> Suivi:
    """The follow-up with per-year files (``--plan``, ``--resultats``) in place of, or in
    addition to, the dossier's ``plans`` and ``bilans`` (each file names its ``annee``)."""
    if not plan_files and not resultats_files:
        return suivi
    dossier = suivi.loaded.dossier
    plans = {p.annee: p for p in dossier.plans}
    plans |= {p.annee: p for p in (_from_file(f, PlanAnnuel, "plan annuel") for f in plan_files)}
    bilans = {b.annee: b for b in dossier.bilans}
    bilans |= {b.annee: b for b in (_from_file(f, ResultatsAnnuels, "résultats annuels")
                                    for f in resultats_files)}
    merged = dossier.model_copy(update={"plans": [plans[a] for a in sorted(plans)],
                                        "bilans": [bilans[a] for a in sorted(bilans)]})
    return replace(suivi, loaded=replace(suivi.loaded, dossier=merged))


def generate_tableau_de_bord(dossier_path: Path, output: Path, cible: Cible | None = None, *,
                             plan_files: Sequence[Path] = (),
                             resultats_files: Sequence[Path] = ()) -> Path:
    """The multi-year follow-up workbook (one sheet per planned year, plus a summary); for the
    insertion clause alone, its engagement and penalties (:func:`tableau_de_bord_insertion`)."""
    if insertion_seule(dossier_path):
        return write_atomic(output, tableau_de_bord_insertion(open_suivi_insertion(dossier_path)))
    suivi = _with_year_files(open_suivi(dossier_path, cible=cible), plan_files, resultats_files)
    dossier = suivi.loaded.dossier
    plans = sorted((load_plan(suivi, p.annee) for p in dossier.plans), key=lambda p: p.annee)
    if not plans:
        raise SuiviInputError(what=f"Fichier « {dossier_path} », plans",
                              hint="au moins un plan annuel attendu pour le tableau de bord")
    years = [_annee_suivi(suivi, plan) for plan in plans]
    provenance = {"version": __version__, "bibliotheque": suivi.library.release,
                  "piece": "tableau_de_bord", "dossier_sha256": suivi.loaded.sha256}
    data = tableau_de_bord_xlsx(years, f"Tableau de bord \u2013 marché n° {dossier.marche.reference}",
                                datetime.combine(suivi.notification, time()), provenance,
                                suivi.mention)
    return write_atomic(output, data)


def generate_suivi_pieces(dossier_path: Path, directory: Path, cible: Cible | None = None) -> list[Path]:
    """Every post-award piece the dossier has data for, written in ``directory``.

    The convocation and the calendar (``echeancier.ics``) always; for each year of
    ``plans``, the plan and the exchange of letters; for each year of ``bilans``, the bilan;
    the follow-up workbook when there is at least one plan. All the files are written, or
    none (:func:`clausegen.output.transaction`).
    """
    with transaction():
        return _suivi_pieces(dossier_path, directory, cible)


def _suivi_pieces(dossier_path: Path, directory: Path, cible: Cible | None) -> list[Path]:
    if insertion_seule(dossier_path):
        return [write_atomic(directory / name, data)
                for name, data in insertion_pieces(open_suivi_insertion(dossier_path))]
    suivi = open_suivi(dossier_path, cible=cible)
    dossier = suivi.loaded.dossier
    written = [generate_convocation(dossier_path, directory / "convocation.docx", cible=cible)[0]]
    write_ics(dossier_path, directory / "echeancier.ics", cible)
    written.append(directory / "echeancier.ics")
    for plan in sorted(dossier.plans, key=lambda p: p.annee):
        written.append(generate_plan(dossier_path, plan.annee, directory / f"plan-{plan.annee}.docx",
                                     cible=cible))
        written.append(generate_lettre(dossier_path, plan.annee,
                                       directory / f"lettre-{plan.annee}.docx", cible=cible))
    for resultats in sorted(dossier.bilans, key=lambda b: b.annee):
        path = directory / f"bilan-{resultats.annee}.docx"
        generate_bilan(dossier_path, resultats.annee, path, cible=cible)
        written.append(path)
        if resultats.reunion is not None:
            written.append(generate_lettre_bilan(
                dossier_path, resultats.annee, directory / f"lettre-bilan-{resultats.annee}.docx",
                cible=cible)[0])
    written += [write_atomic(directory / f"{piece.piece}.docx", piece.docx)
                for piece in procedure_letters(suivi)]
    if dossier.plans:
        written.append(generate_tableau_de_bord(dossier_path, directory / "tableau-de-bord.xlsx", cible))
    return written


# Issue 20: each failing is its own procedure, and every document is true on its date. New
# functions in the facade's style: they take the opened Suivi and in-memory objects.


def bilan_au(suivi: Suivi, plan: PlanAnnuel, resultats: ResultatsAnnuels, au: date | None) -> Bilan:
    """The year's bilan as it stood on ``au``: each procedure's steps dated later are unknown."""
    return compute_bilan(suivi.loaded.dossier, plan, resultats, precedents(suivi, plan.annee), au)


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
        bilan_insertion = bilan_final(suivi, au=jour)
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
    return lignes_en_cours_d_annee(dossier, plan, resultats, jour), None


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
    data, document = render_piece(suivi.loaded, etape.value, library=suivi.library, extra_context=context,
                                  inserts=inserts, titre=f"{objet} \u2013 année {annee}",
                                  extra_provenance={"annee": str(annee), "date": jour.isoformat()},
                                  mention=suivi.mention)
    fragments = {u.id: f"{u.version} sha256:{u.sha256} {u.statut}" for u in document.fragments}
    piece = f"{etape.value.replace('_', '-')}-{'' if insertion else f'{annee}-'}{jour.isoformat()}"
    return RenderedPiece(piece, data, fragments, suivi.library.release), jour


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
        decisions.append(procedure_doc.objet_decision(ligne, index))
    total = sum((x.montant_du for x in lignes), Decimal("0.00"))
    return {"decisions": decisions, "total": total,
            "plafonne": bilan.plafonne if bilan is not None else False,
            "du_annee": bilan.du if bilan is not None else None}


def procedure_letters(suivi: Suivi) -> list[RenderedPiece]:
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
    """The follow-ups to write (target, folder) and those skipped (a French sentence each)."""

    ecrites: tuple[tuple[Cible, Path], ...]
    ignorees: tuple[str, ...] = ()


def suivi_targets(dossier_path: Path, directory: Path, *, forcer: bool = False,
                  numero: int | None = None) -> CiblesSuivi:
    """Which follow-ups the dossier has: the market's own, or for an accord-cadre with subsequent
    contracts, each suited subsequent contract's in ``directory/marche-subsequent-N`` (only N
    with ``numero``); a subsequent contract judged non adapté is skipped, with the reasons."""
    loaded = read_dossier(dossier_path)
    dossier = loaded.dossier
    if dossier.marche.forme is not Forme.accord_cadre_multi_attributaire_marches_subsequents:
        if numero is not None:
            raise SuiviInputError(what=f"--marche-subsequent {numero}",
                                  hint="option réservée aux accords-cadres multi-attributaires à "
                                       "marchés subséquents")
        if dossier.clause_insertion is None:
            open_suivi(dossier_path, cible=Cible(forcer=forcer))  # refuses before anything is written
        return CiblesSuivi(((Cible(forcer=forcer), directory),))
    numeros = [m.numero for m in dossier.marches_subsequents]
    if numero is not None:
        subsequent_or_error(dossier, numero, loaded.path)
        numeros = [numero]
    if not numeros:
        return CiblesSuivi((), ("aucun marché subséquent n'est décrit (section marches_subsequents) : "
                                "pas de pièce du suivi",))
    ecrites, ignorees = [], []
    for n in numeros:
        cible = Cible(marche_subsequent=n, forcer=forcer)
        try:
            open_suivi(dossier_path, cible=cible)
        except NotSuitedError as exc:
            ignorees.append(f"marché subséquent n° {n} : pièces du suivi non écrites, marché jugé non "
                            f"adapté ({' ; '.join(exc.reasons)}) ; --forcer les écrit avec la mention "
                            "du verdict")
            continue
        ecrites.append((cible, directory / f"marche-subsequent-{n}"))
    return CiblesSuivi(tuple(ecrites), tuple(ignorees))


def _engagement_du_marche_subsequent(dossier: Dossier, ms: MarcheSubsequent) -> PlanDeProgres | None:
    """The plan de progrès seen through subsequent contract ``ms``: its own insertion engagement
    (``marches_subsequents[].insertion``) when it sets one (issue 20, item 5)."""
    if ms.insertion is None or dossier.plan_de_progres is None:
        return dossier.plan_de_progres
    return dossier.plan_de_progres.model_copy(update={"insertion": ms.insertion})


# Issue 20, item 4: the follow-up of the insertion clause alone (works market): deadlines,
# final bilan with its penalties, dashboard.


def insertion_seule(dossier_path: Path) -> bool:
    """Whether the dossier carries the insertion clause alone (no plan de progrès)."""
    return read_dossier(dossier_path).dossier.clause_insertion is not None


def open_suivi_insertion(dossier_path: Path, overlays: Sequence[Path] = ()) -> Suivi:
    """A notified, awarded market carrying the insertion clause alone, ready for its follow-up."""
    return _notified_and_awarded(read_dossier(dossier_path), dossier_path, overlays)


def _notified_and_awarded(loaded: LoadedDossier, dossier_path: Path, overlays: Sequence[Path]) -> Suivi:
    """The follow-up of a dossier whose market is notified and awarded, with its library (the
    pinned release when the dossier names one: the CCAP numbers cited must be its own)."""
    marche = loaded.dossier.marche
    if marche.date_notification is None:
        raise SuiviInputError(what=f"Fichier « {dossier_path} », marche.date_notification",
                              hint="date de notification attendue (AAAA-MM-JJ) pour les pièces du suivi")
    if loaded.dossier.titulaire is None:
        raise SuiviInputError(what=f"Fichier « {dossier_path} », titulaire",
                              hint="le titulaire doit être renseigné pour les pièces du suivi")
    library = open_library(overlays)
    if loaded.dossier.bibliotheque:
        library = pin(library, loaded.dossier.bibliotheque)
    return Suivi(loaded, library, marche.date_notification)


def _clause(suivi: Suivi) -> ClauseInsertionSeule:
    clause = suivi.loaded.dossier.clause_insertion
    assert clause is not None  # open_suivi_insertion's dossier
    return clause


def echeances_insertion(suivi: Suivi) -> list[Echeance]:
    """Every deadline of the insertion clause: start-up meeting, each statement, end of
    execution, last proofs, final bilan (working-day rule, docs/dates.md)."""
    return echeancier_insertion(suivi.notification, suivi.loaded.dossier.marche.duree_mois, _clause(suivi))


def bilan_final(suivi: Suivi, *, au_jour_du_bilan: bool = True, au: date | None = None) -> Bilan:
    """The final bilan's penalties, each procedure as it stood on the day the bilan is made
    (``au_jour_du_bilan`` False: with every decision recorded to date; ``au``: on that day, for
    a procedure letter)."""
    dossier = suivi.loaded.dossier
    if dossier.bilan_final is None:
        raise SuiviInputError(what=f"Fichier « {suivi.loaded.path} », bilan_final",
                              hint="bilan final attendu : date_bilan, heures_insertion_realisees, "
                                   "retards, procédure de pénalité")
    fin = next(e for e in echeances_insertion(suivi) if e.cle == "fin").date
    problems = problemes_bilan_final(dossier, fin, dossier.bilan_final)
    if problems:
        raise ValidationFailed(path=suivi.loaded.path, what="bilan final", problems=problems)
    jour = au or (dossier.bilan_final.date_bilan if au_jour_du_bilan else None)
    return compute_bilan_final(dossier, dossier.bilan_final, annees(dossier.marche.duree_mois), jour)


def render_bilan_final(suivi: Suivi) -> tuple[RenderedPiece, Bilan]:
    """The final bilan of the insertion action (établi by the facilitator)."""
    bilan = bilan_final(suivi)
    dossier = suivi.loaded.dossier
    final = dossier.bilan_final
    assert final is not None
    clause = _clause(suivi)
    echeances = {e.cle: e for e in echeances_insertion(suivi)}
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
        "bilan_penalites": bilan_doc.penalites_blocks(bilan, "jour où le bilan final est établi",
                                                      "du marché"),
        "bilan_observations": [paragraph(final.observations_titulaire
                                         or "Le titulaire n'a pas présenté d'observations.")],
        "bilan_visas": bilan_doc.visas_blocks(
            f"{signataire.nom}, {signataire.qualite}",
            f"{dossier.facilitateur.nom}, {dossier.facilitateur.structure}", representant),
    }
    context = _context(suivi, None, bilan=bilan, date_bilan=final.date_bilan,
                       fin_execution=echeances["fin"].date,
                       echeance_bilan_final=echeances["bilan_final"].date)
    data, document = render_piece(suivi.loaded, "bilan_final_insertion", library=suivi.library,
                                  extra_context=context, inserts=inserts,
                                  titre="Bilan final de l'action d'insertion",
                                  extra_provenance={"date": final.date_bilan.isoformat()})
    fragments = {u.id: f"{u.version} sha256:{u.sha256} {u.statut}" for u in document.fragments}
    return RenderedPiece("bilan-final", data, fragments, suivi.library.release), bilan


def tableau_de_bord_insertion(suivi: Suivi) -> bytes:
    """The follow-up workbook of the insertion clause: the engagement, what was done, the
    penalties decided to date."""
    dossier = suivi.loaded.dossier
    clause = _clause(suivi)
    final = dossier.bilan_final
    fin = next(e for e in echeances_insertion(suivi) if e.cle == "fin").date
    penalites = None
    if final is not None and not problemes_bilan_final(dossier, fin, final):
        penalites = bilan_final(suivi, au_jour_du_bilan=False).du  # every decision recorded to date
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


def insertion_pieces(suivi: Suivi) -> list[tuple[str, bytes]]:
    """Every follow-up piece of the insertion clause the dossier has data for (file name, bytes):
    the calendar, the final bilan once recorded, the dashboard."""
    pieces = [("echeancier.ics", calendrier_ics(suivi.loaded.dossier, echeances_insertion(suivi)))]
    if suivi.loaded.dossier.bilan_final is not None:
        pieces.append(("bilan-final.docx", render_bilan_final(suivi)[0].docx))
        pieces += [(f"{piece.piece}.docx", piece.docx) for piece in procedure_letters(suivi)]
    pieces.append(("tableau-de-bord.xlsx", tableau_de_bord_insertion(suivi)))
    return pieces


def _write_bilan_final(dossier_path: Path, annee: int, output: Path) -> Bilan:
    """``bilan --annee N`` for the insertion clause alone: its one bilan, the final one."""
    suivi = open_suivi_insertion(dossier_path)
    derniere = annees(suivi.loaded.dossier.marche.duree_mois)
    if annee != derniere:
        raise SuiviInputError(what=f"--annee {annee}",
                              hint=f"clause d'insertion seule : un seul bilan, le bilan final, après la "
                                   f"dernière année d'exécution (--annee {derniere})")
    piece, bilan = render_bilan_final(suivi)
    write_atomic(output, piece.docx)
    return bilan
