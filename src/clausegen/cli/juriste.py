"""The legal team's commands: ``clausegen bibliotheque …`` and ``clausegen verifier-document``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from clausegen.cli import click_fr
from clausegen.cli.common import OVERLAYS, conversion_options, handle_errors, success

DATE = click_fr.Date(formats=["%Y-%m-%d"])


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


@click.group("bibliotheque", subcommand_metavar="COMMANDE [ARGUMENTS]...")
def bibliotheque() -> None:
    """Bibliothèque de clauses : versions, statuts, comparaisons, publications."""


@bibliotheque.command("lister")
@click.option("--categorie", help="Ne garder qu'une catégorie (axe, suivi, penalite…).")
@click.option("--statut", type=click.Choice(["brouillon", "en_revue", "valide", "retire"]))
@click.option("--piece", help="Ne garder que les clauses d'une pièce (ccap, cctp…).")
@OVERLAYS
@handle_errors
def lister(categorie: str | None, statut: str | None, piece: str | None,
           surcouches: tuple[Path, ...]) -> None:
    """Liste les versions des fragments, avec leur statut et leur couche."""
    from clausegen.api.bibliotheque import list_fragments

    for f in list_fragments(surcouches, categorie=categorie, statut=statut, piece=piece):
        click.echo(f"{f.ref:<45} {f.meta.statut.value:<10} {f.meta.categorie.value:<10} "
                   f"{','.join(f.meta.pieces):<10} {f.layer}")


@bibliotheque.command("afficher")
@click.argument("ref", metavar="ID[@VERSION]")
@OVERLAYS
@handle_errors
def afficher(ref: str, surcouches: tuple[Path, ...]) -> None:
    """Affiche une version d'un fragment (la dernière par défaut) : en-tête et texte."""
    from clausegen.api import open_library
    from clausegen.api.bibliotheque import parse_ref

    fragment = parse_ref(open_library(surcouches), ref)
    meta = fragment.meta
    click.secho(f"{fragment.ref} \u2014 {meta.titre}", bold=True)
    click.echo(f"Statut : {meta.statut.value} ; catégorie : {meta.categorie.value} ; "
               f"pièces : {', '.join(meta.pieces)} ; couche : {fragment.layer}")
    if meta.revue:
        click.echo(f"Revue : {meta.revue.par}, le {meta.revue.le.isoformat()}")
    for reference in meta.references:
        click.echo(f"Référence : {reference}")
    for reference in meta.references_non_verifiees:
        click.secho(f"Non vérifié : {reference}", fg="yellow")
    click.echo(f"Empreinte : {fragment.sha256}\nFichier : {fragment.path}\n")
    click.echo(fragment.body)


@bibliotheque.command("historique")
@click.argument("fragment_id", metavar="ID")
@OVERLAYS
@handle_errors
def historique(fragment_id: str, surcouches: tuple[Path, ...]) -> None:
    """Les versions d'un fragment : statut, revue, publications qui les contiennent."""
    from clausegen.api.bibliotheque import list_versions

    for fragment, published in list_versions(fragment_id, surcouches):
        meta = fragment.meta
        revue = f"revue par {meta.revue.par} le {meta.revue.le.isoformat()}" if meta.revue else "—"
        releases = ", ".join(published) or "aucune"
        click.echo(f"{meta.version:<10} {meta.statut.value:<10} {revue} ; publications : {releases}"
                   f" ; {fragment.layer}")


@bibliotheque.command("comparer")
@click.argument("ancien", metavar="ANCIEN")
@click.argument("nouveau", metavar="NOUVEAU")
@click.option("-o", "--sortie", type=click.Path(dir_okay=False, path_type=Path),
              help="Écrit aussi un .docx où chaque changement est une révision Word.")
@click.option("--auteur", help="Auteur des révisions (défaut : relecteur de la nouvelle version).")
@click.option("--le", "le", type=DATE, help="Date des révisions (défaut : revue ou publication).")
@OVERLAYS
@conversion_options
@handle_errors
def comparer(ancien: str, nouveau: str, sortie: Path | None, auteur: str | None,
             le: dt.datetime | None, surcouches: tuple[Path, ...]) -> None:
    """Compare ID@V1 et ID@V2, ou deux publications (ex. 1.0.0 1.1.0)."""
    from clausegen.api.bibliotheque import compare_versions, render_redline
    from clausegen.output import write_atomic

    comparison = compare_versions(ancien, nouveau, surcouches)
    click.echo(comparison.terminal or "Aucune différence de rédaction.", nl=False)
    if not comparison.terminal:
        click.echo()
    if sortie:
        write_atomic(sortie, render_redline(comparison, author=auteur, date=_date(le)))
        success(f"Comparaison avec révisions Word écrite : {sortie}")


@bibliotheque.command("verifier")
@click.option("--strict", is_flag=True, help="Les avertissements comptent comme des erreurs.")
@OVERLAYS
@handle_errors
def verifier(strict: bool, surcouches: tuple[Path, ...]) -> None:
    """Vérifie champs, variables, renvois, références, typographie et immuabilité."""
    from clausegen.api.bibliotheque import verify_library
    from clausegen.errors import LibraryCheckError
    from clausegen.verification import summary

    problems = verify_library(surcouches)
    for problem in problems:
        click.secho(str(problem), fg="red" if problem.niveau == "erreur" else "yellow")
    errors, warnings = summary(problems)
    if errors or (strict and warnings):
        raise LibraryCheckError(count=errors + (warnings if strict else 0))
    success(f"Bibliothèque vérifiée : aucune erreur, {warnings} avertissement(s).")


@bibliotheque.command("publier")
@click.argument("version")
@click.option("--le", "le", type=DATE, help="Date de publication (défaut : aujourd'hui).")
@click.option("--remplacer", is_flag=True, help="Republie une version déjà publiée.")
@OVERLAYS
@handle_errors
def publier(version: str, le: dt.datetime | None, remplacer: bool,
            surcouches: tuple[Path, ...]) -> None:
    """Publie la bibliothèque : manifeste, entrée du CHANGELOG, fichier VERSION."""
    from clausegen.api.bibliotheque import publish_release

    prepared = publish_release(version, _date(le) or dt.date.today(), replace=remplacer,
                       overlays=surcouches)
    success(f"Publication {version} : {len(prepared.manifest.fragments)} fragments, "
            f"manifeste {next(iter(prepared.files))}")


@bibliotheque.command("statut")
@click.argument("ref", metavar="ID@VERSION")
@click.argument("statut", type=click.Choice(["brouillon", "en_revue", "valide", "retire"]))
@click.option("--par", help="Relecteur (exigé pour valide).")
@click.option("--le", "le", type=DATE, help="Date de la revue (exigée pour valide).")
@OVERLAYS
@handle_errors
def statut(ref: str, statut: str, par: str | None, le: dt.datetime | None,
           surcouches: tuple[Path, ...]) -> None:
    """Fait avancer une version dans le circuit brouillon → en_revue → valide → retire."""
    from clausegen.api.bibliotheque import set_statut
    from clausegen.models.fragment import Statut

    fragment = set_statut(ref, Statut(statut), par=par, le=_date(le), overlays=surcouches)
    success(f"{fragment.ref} : statut « {fragment.meta.statut.value} » enregistré.")


@bibliotheque.command("init")
@click.argument("repertoire", type=click.Path(file_okay=False, path_type=Path), metavar="RÉPERTOIRE")
@click.option("--sans-configuration", is_flag=True,
              help="N'écrit pas .clausegen.yml dans le répertoire courant.")
@handle_errors
def init(repertoire: Path, sans_configuration: bool) -> None:
    """Crée la bibliothèque de clauses de l'organisation (là où écrivent les juristes).

    La bibliothèque fournie avec clausegen est en lecture seule : les nouvelles versions, les
    changements de statut et les publications vont dans celle-ci. Sauf --sans-configuration,
    un fichier .clausegen.yml qui la désigne est écrit dans le répertoire courant s'il n'existe
    pas déjà.

    Exemple : clausegen bibliotheque init bibliotheque-orga
    """
    from clausegen.api.bibliotheque import init_library

    config = None if sans_configuration else Path(".clausegen.yml")
    written = init_library(repertoire, config=config)
    success(f"Bibliothèque de l'organisation créée : {repertoire}")
    if config is not None and config in written:
        success(f"Configuration écrite : {config} (bibliothèque ajoutée à chaque commande)")


@bibliotheque.command("nouvelle-version")
@click.argument("fragment_id", metavar="ID")
@click.option("--version", "version", required=True, help="Numéro de la nouvelle version (X.Y.Z).")
@OVERLAYS
@handle_errors
def nouvelle_version(fragment_id: str, version: str, surcouches: tuple[Path, ...]) -> None:
    """Copie la dernière version d'un fragment dans une nouvelle version en brouillon."""
    from clausegen.api.bibliotheque import create_version

    success(f"Brouillon créé : {create_version(fragment_id, version, surcouches).path}")


@bibliotheque.command("importer")
@click.argument("document", type=click.Path(dir_okay=False, path_type=Path), metavar="CLAUSES.docx")
@click.option("--bibliotheque", "repertoire", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Bibliothèque de l'organisation où écrire les fragments (jamais la bibliothèque fournie).")
@click.option("--prefixe", default="import", show_default=True,
              help="Début des identifiants créés (ex. « ville.ccap »).")
@click.option("--categorie", default="general", show_default=True,
              type=click.Choice(["general", "axe", "suivi", "penalite", "insertion", "lettre", "plan",
                                 "bilan"]), help="Catégorie des fragments créés.")
@click.option("--piece", "pieces", multiple=True, default=("ccap",), show_default=True,
              help="Pièce où les clauses peuvent figurer (option répétable).")
@handle_errors
def importer(document: Path, repertoire: Path, prefixe: str, categorie: str,
             pieces: tuple[str, ...]) -> None:
    """Importe un document Word de clauses (une par titre) en fragments brouillon : titres,
    paragraphes, gras, italique, listes et tableaux ; chiffres, montants et dates signalés comme
    variables candidates ; ce qui ne peut être repris est signalé avec sa place."""
    from clausegen.api.importation import import_clauses

    report = import_clauses(document, repertoire, prefixe=prefixe, categorie=categorie, pieces=pieces)
    for loss in report.outside:
        click.secho(f"Non repris — {loss}", fg="yellow", err=True)
    for fragment in report.fragments:
        success(f"Brouillon créé : {fragment.path} ({fragment.id}, « {fragment.title} »)")
        if fragment.candidates:
            click.echo("    Variables candidates : " + ", ".join(str(c) for c in fragment.candidates))
        for loss in fragment.losses:
            click.secho(f"    Non repris — {loss}", fg="yellow", err=True)


@click.command("verifier-document")
@click.argument("fichier", type=click.Path(dir_okay=False, path_type=Path), metavar="FICHIER.docx")
@click.option("--dossier", "dossier", type=click.Path(dir_okay=False, path_type=Path),
              help="Dossier dont le document a été généré : montre chaque paragraphe ajouté, "
                   "supprimé ou modifié depuis (CCAP, CCTP).")
@OVERLAYS
@handle_errors
def verifier_document(fichier: Path, dossier: Path | None, surcouches: tuple[Path, ...]) -> None:
    """Vérifie un document généré : son texte, sa provenance, ses clauses.

    Le texte est comparé à l'empreinte enregistrée à la génération : toute rédaction ajoutée,
    supprimée ou modifiée depuis est signalée. Chaque clause est comparée à la bibliothèque
    installée. Code de sortie 0 si le document est intact et à jour, 1 sinon.

    Exemple : clausegen verifier-document sortie/ccap.docx
    """
    import sys

    from clausegen.api.bibliotheque import verify_document

    report = verify_document(fichier, surcouches)
    record = report.record
    for key in ("piece", "version", "bibliotheque", "bibliotheque_epinglee", "dossier_sha256"):
        if key in record:
            click.echo(f"{key} : {record[key]}")
    for item in report.used:
        notes = ([f"version validée plus récente : {item.newer}"] if item.newer else []) + (
            ["texte modifié ou absent dans la bibliothèque installée"] if item.changed else [])
        line = f"  {item.id}@{item.version} ({item.statut})" + (f" \u2014 {' ; '.join(notes)}"
                                                                if notes else "")
        click.secho(line, fg="yellow" if notes else None)
    for problem in report.problems:
        click.secho(f"Alerte : {problem}.", fg="red", err=True)
    if dossier is not None:
        from clausegen.api.bibliotheque import compare_document_text

        diff = compare_document_text(report, fichier, dossier, surcouches)
        if diff:
            click.echo("Modifications du texte depuis la génération (- généré, + document) :")
            click.echo(diff, nl=False)
    if not report.intact:
        click.secho("Document à examiner (voir ci-dessus).", fg="yellow", err=True)
        sys.exit(1)
    success("Document intact : texte conforme à la génération, clauses à jour.")


def register(group: click.Group) -> None:
    """Add the legal team's commands to the CLI group."""
    group.add_command(bibliotheque)
    group.add_command(verifier_document)
