"""``clausegen actualiser``: a generated CCAP or CCTP brought up to date, with tracked changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from clausegen.cli import click_fr
from clausegen.cli.common import OVERLAYS, conversion_options, handle_errors, success, warn


@click.command("actualiser")
@click.argument("ancien", type=click.Path(dir_okay=False, path_type=Path), metavar="ANCIEN.docx")
@click.argument("dossier", type=click.Path(dir_okay=False, path_type=Path), metavar="[DOSSIER]",
                required=False)
@click.option("-o", "--sortie", "sortie", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Nouveau document (.docx) avec les changements en révisions Word.")
@click.option("--auteur", default="clausegen", show_default=True, help="Auteur des révisions.")
@click.option("--le", "le", type=click_fr.Date(formats=["%Y-%m-%d"]), required=True,
              help="Date des révisions (AAAA-MM-JJ).")
@click.option("--publication", help="Version publiée de la bibliothèque à utiliser "
                                    "(défaut : dernières versions validées).")
@click.option("--modele", type=click.Path(dir_okay=False, path_type=Path),
              help="Squelette Word utilisé pour l'ancien document, s'il n'était pas celui fourni.")
@OVERLAYS
@conversion_options
@handle_errors
def actualiser_command(ancien: Path, dossier: Path | None, sortie: Path, auteur: str, le: dt.datetime,
                       publication: str | None, modele: Path | None,
                       surcouches: tuple[Path, ...]) -> None:
    """Régénère un CCAP ou un CCTP produit par clausegen avec les clauses validées les plus
    récentes et écrit le nouveau document avec les changements en révisions Word (accepter
    tout donne le nouveau texte, refuser tout redonne l'ancien). Le dossier est, par défaut,
    celui nommé dans la provenance, à côté de l'ancien document."""
    from clausegen.api.actualisation import update_document

    update = update_document(ancien, dossier, sortie, author=auteur, date=le.date(),
                             release=publication, modele=modele, overlays=surcouches)
    if update.dossier_changed:
        warn(["le dossier n'est plus celui de l'ancien document : ses changements apparaissent "
              "aussi en révisions"])
    if not update.changes:
        click.echo("Aucun fragment n'a changé de version.")
    for change in update.changes:
        versions = f"{change.before or '(absent)'} \u2192 {change.after or '(retiré)'}"
        click.echo(f"{change.id} : {versions}")
        for line in change.journal or ("(aucune ligne du journal de la bibliothèque)",):
            click.echo(f"    {line}")
    success(f"{update.piece.upper()} actualisé écrit : {update.path}")


def register(group: click.Group) -> None:
    """Add ``actualiser`` to the CLI group."""
    group.add_command(actualiser_command)
