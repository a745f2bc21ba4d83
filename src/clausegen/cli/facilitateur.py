"""The facilitator's commands: echeancier, convocation, plan, lettre, bilan, tableau-de-bord.

Each command reads the dossier (and the ``--plan``/``--resultats`` files), calls
:mod:`clausegen.api.suivi` in memory, and writes what it returns with
:func:`clausegen.output.write_atomic`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from clausegen.cli import click_fr
from clausegen.cli.common import DOSSIER, conversion_options, handle_errors, output_option, success, warn

ANNEE = click.option("--annee", type=click.IntRange(min=1), required=True,
                     help="Année d'exécution du marché (1 pour la première).")
PLAN = click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path),
                    help="Plan de l'année dans un fichier YAML (sinon : section plans du dossier).")
MARCHE_SUBSEQUENT = click.option(
    "--marche-subsequent", "numero", type=click.IntRange(min=1),
    help="Numéro du marché subséquent suivi (accord-cadre multi-attributaire à marchés subséquents).")
FORCER = click.option("--forcer", is_flag=True,
                      help="Produit la pièce même pour un marché jugé non adapté ; la pièce porte "
                           "alors la mention du verdict.")
DATE_LETTRE = click.option("--date", "date_lettre", type=click_fr.Date(formats=["%Y-%m-%d"]),
                           help="Date de la lettre (AAAA-MM-JJ) ; par défaut, tirée du dossier.")


def _day(value: Any) -> date | None:
    return value.date() if value is not None else None


if TYPE_CHECKING:
    from pydantic import BaseModel

    from clausegen.api.suivi import Suivi, Supplied
    from clausegen.models.suivi import PlanAnnuel, ResultatsAnnuels

M = TypeVar("M", bound="BaseModel")


def _open(dossier: Path, numero: int | None, forcer: bool) -> Suivi:
    """The dossier file read and opened for its post-award pieces."""
    from clausegen.api.marche import read_dossier
    from clausegen.api.suivi import Cible, open_suivi

    return open_suivi(read_dossier(dossier), Cible(marche_subsequent=numero, forcer=forcer))


def _read(path: Path, model: type[M], what: str) -> M:
    from clausegen.models.validation import read_validated
    from clausegen.output import note_input

    note_input(path)  # never replaced by an output of the same command
    return read_validated(path, model, what=what)


def _plan(path: Path | None) -> Supplied[PlanAnnuel] | None:
    """A ``--plan`` file, read and validated (messages name the file)."""
    from clausegen.models.suivi import PlanAnnuel

    return None if path is None else _supplied(path, _read(path, PlanAnnuel, "plan annuel"))


def _resultats(path: Path | None) -> Supplied[ResultatsAnnuels] | None:
    """A ``--resultats`` file, read and validated (messages name the file)."""
    from clausegen.models.suivi import ResultatsAnnuels

    return None if path is None else _supplied(path, _read(path, ResultatsAnnuels, "résultats annuels"))


def _supplied(path: Path, value: M) -> Supplied[M]:
    from clausegen.api.suivi import Supplied

    return Supplied(value, path, hashlib.sha256(path.read_bytes()).hexdigest())


def write_suivi_pieces(suivi: Suivi, directory: Path) -> list[Path]:
    """Every post-award piece the dossier has data for, written in ``directory``
    (inside the caller's :func:`clausegen.output.transaction`: all of them, or none)."""
    from clausegen.api.suivi import render_suivi_pieces
    from clausegen.output import write_atomic

    return [write_atomic(directory / name, data) for name, data in render_suivi_pieces(suivi)]


def _table(echeances: list[Any]) -> None:
    from clausegen.text.french import date_courte

    click.echo(f"{'Échéance':<48} {'Nominale':<11} {'À retenir':<11} Observation")
    for e in echeances:
        note = f"prorogée ({e.motif})" if e.prorogee else ""
        click.echo(f"{e.libelle:<48} {date_courte(e.nominale):<11} {date_courte(e.date):<11} {note}")


def _json(echeances: list[Any]) -> str:
    return json.dumps([{"cle": e.cle, "libelle": e.libelle, "annee": e.annee,
                        "date_nominale": e.nominale.isoformat(), "date": e.date.isoformat(),
                        "motif_report": e.motif or None} for e in echeances],
                      ensure_ascii=False, indent=2)


@click.command("echeancier")
@DOSSIER
@click.option("--format", "fmt", type=click.Choice(["texte", "json"]), default="texte",
              show_default=True, help="Présentation des échéances.")
@click.option("--ics", type=click.Path(dir_okay=False, path_type=Path),
              help="Écrit aussi les échéances dans un fichier iCalendar (.ics) avec rappels.")
@MARCHE_SUBSEQUENT
@FORCER
@handle_errors
def echeancier_command(dossier: Path, fmt: str, ics: Path | None, numero: int | None,
                       forcer: bool) -> None:
    """Affiche les échéances du plan de progrès à partir de la notification."""
    from clausegen.api.suivi import list_echeances, render_calendrier
    from clausegen.output import write_atomic

    suivi = _open(dossier, numero, forcer)
    echeances = list_echeances(suivi)
    if suivi.mention:
        warn([suivi.mention.rstrip(".")])
    if ics:
        write_atomic(ics, render_calendrier(suivi))
    if fmt == "json":
        click.echo(_json(echeances))
    else:
        _table(echeances)
    if ics:
        success(f"Calendrier écrit : {ics} ({len(echeances)} échéances)")


@click.command("convocation")
@DOSSIER
@output_option("convocation.docx")
@click.option("--reunion", type=click_fr.Date(formats=["%Y-%m-%d"]),
              help="Date de la réunion de lancement (AAAA-MM-JJ), dans les deux mois de la notification.")
@click.option("--heure", default="10 h 00", show_default=True, help="Heure de la réunion.")
@click.option("--lieu", help="Lieu de la réunion (par défaut : l'adresse de l'acheteur).")
@DATE_LETTRE
@MARCHE_SUBSEQUENT
@FORCER
@conversion_options
@handle_errors
def convocation_command(dossier: Path, sortie: Path, reunion: Any, heure: str, lieu: str | None,
                        date_lettre: Any, numero: int | None, forcer: bool) -> None:
    """Génère la lettre qui fixe la réunion de lancement (date dans le délai, participants, ordre du jour)."""
    from clausegen.api.suivi import list_avertissements_lettre, render_convocation
    from clausegen.output import write_atomic
    from clausegen.text.french import date_longue

    suivi = _open(dossier, numero, forcer)
    warn(list_avertissements_lettre(suivi))
    piece, jour = render_convocation(suivi, reunion=_day(reunion), heure=heure,
                                     lieu=lieu, date_lettre=_day(date_lettre))
    path = write_atomic(sortie, piece.docx)
    success(f"Convocation écrite : {path} (réunion le {date_longue(jour)})")


@click.command("plan")
@DOSSIER
@ANNEE
@PLAN
@output_option("plan-{annee}.docx")
@MARCHE_SUBSEQUENT
@FORCER
@conversion_options
@handle_errors
def plan_command(dossier: Path, annee: int, plan_file: Path | None, sortie: Path, numero: int | None,
                 forcer: bool) -> None:
    """Génère le plan de progrès annuel de l'année N (sept points par axe, en tableaux)."""
    from clausegen.api.suivi import list_avertissements, render_plan
    from clausegen.output import write_atomic

    suivi, plan = _open(dossier, numero, forcer), _plan(plan_file)
    warn(list_avertissements(suivi, annee, plan))
    path = write_atomic(sortie, render_plan(suivi, annee, plan).docx)
    success(f"Plan de l'année {annee} écrit : {path}")


@click.command("lettre")
@DOSSIER
@ANNEE
@PLAN
@DATE_LETTRE
@output_option("lettre-{annee}.docx")
@MARCHE_SUBSEQUENT
@FORCER
@conversion_options
@handle_errors
def lettre_command(dossier: Path, annee: int, plan_file: Path | None, date_lettre: Any,
                   sortie: Path, numero: int | None, forcer: bool) -> None:
    """Génère l'échange de lettres formalisant le plan de l'année N (refusé s'il faut un avenant)."""
    from clausegen.api.suivi import list_avertissements, render_lettre
    from clausegen.output import write_atomic

    suivi, plan = _open(dossier, numero, forcer), _plan(plan_file)
    warn(list_avertissements(suivi, annee, plan))
    path = write_atomic(sortie, render_lettre(suivi, annee, plan, date_lettre=_day(date_lettre)).docx)
    success(f"Lettre de l'année {annee} écrite : {path}")


RESULTATS = click.option(
    "--resultats", "resultats_file", type=click.Path(dir_okay=False, path_type=Path),
    help="Résultats de l'année dans un fichier YAML (sinon : section bilans du dossier).")


@click.command("bilan")
@DOSSIER
@ANNEE
@PLAN
@RESULTATS
@output_option("bilan-{annee}.docx")
@MARCHE_SUBSEQUENT
@FORCER
@conversion_options
@handle_errors
def bilan_command(dossier: Path, annee: int, plan_file: Path | None, resultats_file: Path | None,
                  sortie: Path, numero: int | None, forcer: bool) -> None:
    """Génère le bilan de l'année N : réunion, résultats, actions, pénalités, visas."""
    from clausegen.api.suivi import render_bilan
    from clausegen.output import write_atomic
    from clausegen.text.french import montant

    piece, bilan = render_bilan(_open(dossier, numero, forcer), annee, _plan(plan_file),
                                _resultats(resultats_file))
    write_atomic(sortie, piece.docx)
    success(f"Bilan de l'année {annee} écrit : {sortie} "
            f"(pénalités applicables : {montant(bilan.du, ht=True)} ; "
            f"constatées : {montant(bilan.total(), ht=True)})")


@click.command("lettre-bilan")
@DOSSIER
@ANNEE
@PLAN
@RESULTATS
@DATE_LETTRE
@output_option("lettre-bilan-{annee}.docx")
@MARCHE_SUBSEQUENT
@FORCER
@conversion_options
@handle_errors
def lettre_bilan_command(dossier: Path, annee: int, plan_file: Path | None,
                         resultats_file: Path | None, date_lettre: Any, sortie: Path,
                         numero: int | None, forcer: bool) -> None:
    """Génère la lettre qui transmet le bilan de l'année N (observations, renouvellement)."""
    from clausegen.api.suivi import list_avertissements_lettre, render_lettre_bilan
    from clausegen.output import write_atomic
    from clausegen.text.french import date_longue

    suivi = _open(dossier, numero, forcer)
    warn(list_avertissements_lettre(suivi))
    piece, jour = render_lettre_bilan(suivi, annee, _plan(plan_file),
                                      _resultats(resultats_file), date_lettre=_day(date_lettre))
    path = write_atomic(sortie, piece.docx)
    success(f"Lettre de transmission du bilan de l'année {annee} écrite : {path} "
            f"(datée du {date_longue(jour)})")


@click.command("tableau-de-bord")
@DOSSIER
@click.option("--plan", "plan_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Plan d'une année dans un fichier YAML (répétable ; remplace celui du dossier).")
@click.option("--resultats", "resultats_files", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Résultats d'une année dans un fichier YAML (répétable).")
@output_option("tableau-de-bord.xlsx")
@MARCHE_SUBSEQUENT
@FORCER
@conversion_options
@handle_errors
def tableau_de_bord_command(dossier: Path, plan_files: tuple[Path, ...],
                            resultats_files: tuple[Path, ...], sortie: Path, numero: int | None,
                            forcer: bool) -> None:
    """Exporte le suivi pluriannuel dans un classeur .xlsx (une feuille par année + synthèse)."""
    from clausegen.api.suivi import render_tableau_de_bord
    from clausegen.models.suivi import PlanAnnuel, ResultatsAnnuels
    from clausegen.output import write_atomic

    suivi = _open(dossier, numero, forcer)
    data = render_tableau_de_bord(
        suivi, plans=[_read(f, PlanAnnuel, "plan annuel") for f in plan_files],
        resultats=[_read(f, ResultatsAnnuels, "résultats annuels") for f in resultats_files])
    path = write_atomic(sortie, data)
    success(f"Tableau de bord écrit : {path}")


def register(group: click.Group) -> None:
    """Add the facilitator's commands to the CLI group."""
    for command in (echeancier_command, convocation_command, plan_command, lettre_command,
                    bilan_command, lettre_bilan_command, tableau_de_bord_command):
        group.add_command(command)
