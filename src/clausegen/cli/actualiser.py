"""``clausegen actualiser``: a generated CCAP or CCTP brought up to date, with tracked changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from clausegen.cli import click_fr
from clausegen.cli.common import OVERLAYS, conversion_options, handle_errors, success, warn
from clausegen.text.french import date_longue


@click.command("actualiser")
@click.argument("ancien", type=click.Path(dir_okay=False, path_type=Path), metavar="ANCIEN.docx")
@click.argument("dossier", type=click.Path(dir_okay=False, path_type=Path), metavar="[DOSSIER]",
                required=False)
@click.option("-o", "--sortie", "sortie", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Nouveau document (.docx) avec les changements en révisions Word.")
@click.option("--auteur", default="Service juridique", show_default=True,
              help="Auteur des révisions et des commentaires de la bibliothèque (l'équipe juridique).")
@click.option("--le", "le", type=click_fr.Date(formats=["%Y-%m-%d"]),
              help="Date des révisions (AAAA-MM-JJ ; défaut : aujourd'hui). Donnée, le document "
                   "produit est identique octet pour octet d'une exécution à l'autre.")
@click.option("--publication", help="Version publiée de la bibliothèque à utiliser "
                                    "(défaut : dernières versions validées).")
@click.option("--modele", type=click.Path(dir_okay=False, path_type=Path),
              help="Squelette Word utilisé pour l'ancien document, s'il n'était pas celui fourni.")
@OVERLAYS
@conversion_options
@handle_errors
def actualiser_command(ancien: Path, dossier: Path | None, sortie: Path, auteur: str,
                       le: dt.datetime | None, publication: str | None, modele: Path | None,
                       surcouches: tuple[Path, ...]) -> None:
    """Met à jour un CCAP ou un CCTP produit par clausegen, tel que l'acheteur l'a retouché,
    avec les clauses validées les plus récentes.

    Seuls les changements de la bibliothèque depuis la génération deviennent des révisions Word
    (auteur : --auteur) ; les modifications de l'acheteur restent telles quelles. Si l'acheteur
    et la bibliothèque ont changé le même paragraphe, le texte de l'acheteur est gardé et celui
    de la bibliothèque proposé en révision, avec un commentaire. « Accepter tout » donne le
    document de l'acheteur avec les changements de la bibliothèque, « Refuser tout » le document
    de l'acheteur inchangé. Le dossier est, par défaut, celui nommé dans la provenance, à côté
    de l'ancien document, s'il est bien celui de la génération."""
    from clausegen.api.actualisation import SOMMAIRE_A_METTRE_A_JOUR, update_document
    from clausegen.render.revisions.actualisation import APPLIED, CONFLICT, KEPT

    date = le.date() if le is not None else dt.date.today()
    if le is None:
        click.echo(f"Révisions datées d'aujourd'hui, {date_longue(date)} (--le AAAA-MM-JJ pour "
                   "une autre date et un document reproductible).")
    update = update_document(ancien, dossier, sortie, author=auteur, date=date,
                             release=publication, modele=modele, overlays=surcouches)
    if update.dossier_changed and update.dossier_carried:
        warn(["le dossier fourni n'est plus celui de la génération : ses changements apparaissent "
              "aussi en révisions"])
    elif update.dossier_changed:
        warn(["le dossier fourni n'est plus celui de la génération et le document ne porte pas "
              "le sien (généré par une version antérieure de clausegen) : ses changements ne sont "
              "pas reportés en révisions"])
    if not update.changes:
        click.echo("Aucun fragment n'a changé de version.")
    for change in update.changes:
        versions = f"{change.before or '(absent)'} \u2192 {change.after or '(retiré)'}"
        click.echo(f"{change.id} : {versions}")
        for line in change.journal or ("(aucune ligne du journal pour cette version)",):
            click.echo(f"    {line}")
    titles = {APPLIED: "Appliqué (révision de la bibliothèque)",
              CONFLICT: "En conflit (votre texte gardé, celui de la bibliothèque proposé, commentaire)",
              KEPT: "Conservé (vos modifications, telles quelles)"}
    for status in (APPLIED, CONFLICT, KEPT):
        found = [p for p in update.paragraphs if p.status == status]
        click.echo(f"{titles[status]} : {len(found)}")
        for paragraph in found:
            where = f" [{paragraph.fragment}]" if paragraph.fragment else ""
            click.echo(f"  - {paragraph.kind}{where} : « {paragraph.text} »")
    if update.sommaire_a_mettre_a_jour:
        click.echo(SOMMAIRE_A_METTRE_A_JOUR)
    success(f"{update.piece.upper()} actualisé écrit : {update.path}")


def register(group: click.Group) -> None:
    """Add ``actualiser`` to the CLI group."""
    group.add_command(actualiser_command)
