"""The facilitator's commands: echeancier, convocation, plan, lettre, bilan, tableau-de-bord."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

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


def _cible(numero: int | None, forcer: bool) -> Any:
    from clausegen.api.suivi import Cible

    return Cible(marche_subsequent=numero, forcer=forcer)


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
    from clausegen.api.suivi import deadlines_and_mention, write_ics

    echeances, mention = deadlines_and_mention(dossier, _cible(numero, forcer))
    if mention:
        warn([mention.rstrip(".")])
    if ics:
        write_ics(dossier, ics, _cible(numero, forcer))
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
    from clausegen.api.suivi import generate_convocation, letter_warnings
    from clausegen.text.french import date_longue

    warn(letter_warnings(dossier, _cible(numero, forcer)))
    path, jour = generate_convocation(dossier, sortie, reunion=_day(reunion), heure=heure, lieu=lieu,
                                      date_lettre=_day(date_lettre), cible=_cible(numero, forcer))
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
    from clausegen.api.suivi import generate_plan, plan_warnings

    cible = _cible(numero, forcer)
    warn(plan_warnings(dossier, annee, plan_file, cible))
    path = generate_plan(dossier, annee, sortie, plan_file=plan_file, cible=cible)
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
    from clausegen.api.suivi import generate_lettre, plan_warnings

    cible = _cible(numero, forcer)
    warn(plan_warnings(dossier, annee, plan_file, cible))
    path = generate_lettre(dossier, annee, sortie, plan_file=plan_file, date_lettre=_day(date_lettre),
                           cible=cible)
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
    from clausegen.api.suivi import generate_bilan
    from clausegen.text.french import montant

    bilan = generate_bilan(dossier, annee, sortie, plan_file=plan_file, resultats_file=resultats_file,
                           cible=_cible(numero, forcer))
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
    from clausegen.api.suivi import generate_lettre_bilan, letter_warnings
    from clausegen.text.french import date_longue

    warn(letter_warnings(dossier, _cible(numero, forcer)))
    path, jour = generate_lettre_bilan(dossier, annee, sortie, plan_file=plan_file,
                                       resultats_file=resultats_file, date_lettre=_day(date_lettre),
                                       cible=_cible(numero, forcer))
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
    from clausegen.api.suivi import generate_tableau_de_bord

    path = generate_tableau_de_bord(dossier, sortie, _cible(numero, forcer), plan_files=plan_files,
                                    resultats_files=resultats_files)
    success(f"Tableau de bord écrit : {path}")


def register(group: click.Group) -> None:
    """Add the facilitator's commands to the CLI group."""
    for command in (echeancier_command, convocation_command, plan_command, lettre_command,
                    bilan_command, lettre_bilan_command, tableau_de_bord_command):
        group.add_command(command)
