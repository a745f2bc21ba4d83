"""The buyer's commands: schema, init, faisabilite, ccap, cctp."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from clausegen.cli.common import DOSSIER, handle_errors, output_option, pdf_option, success

SYMBOLS = {"favorable": "✔", "reserve": "!", "bloquant": "✘"}


@click.command("schema")
@handle_errors
def schema_command() -> None:
    """Affiche le schéma JSON du dossier (complétion dans l'éditeur)."""
    from clausegen.models.dossier import Dossier

    click.echo(json.dumps(Dossier.model_json_schema(), ensure_ascii=False, indent=2))


@click.command("init")
@click.argument("fichier", type=click.Path(dir_okay=False, path_type=Path),
                default=Path("dossier.yml"))
@click.option("--ecraser", is_flag=True, help="Remplace le fichier s'il existe déjà.")
@handle_errors
def init_command(fichier: Path, ecraser: bool) -> None:
    """Écrit un dossier de départ commenté, à compléter."""
    from clausegen.errors import OutputError
    from clausegen.output import write_atomic
    from clausegen.resources import templates_dir

    if fichier.exists() and not ecraser:
        raise OutputError(path=fichier, reason="le fichier existe déjà (utilisez --ecraser)")
    write_atomic(fichier, (templates_dir() / "dossier.yml").read_bytes())
    success(f"Dossier de départ écrit : {fichier}")


def _verdict_json(result: Any) -> str:
    from clausegen.models import label

    return json.dumps(
        {
            "verdict": result.verdict.value,
            "libelle": label(result.verdict),
            "raisons": [
                {"critere": r.critere, "niveau": r.niveau.value, "message": r.message}
                for r in result.raisons
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


def echo_verdict(result: Any, *, err: bool = False) -> None:
    """Print a feasibility verdict for a person."""
    from clausegen.models import label

    colour = {"adapte": "green", "adapte_avec_reserves": "yellow", "non_adapte": "red"}
    click.secho(f"Verdict : {label(result.verdict)}", fg=colour[result.verdict.value], bold=True,
                err=err)
    for reason in result.raisons:
        click.echo(f"  {SYMBOLS[reason.niveau.value]} {reason.critere} : {reason.message}", err=err)


@click.command("faisabilite")
@DOSSIER
@click.option("--format", "fmt", type=click.Choice(["texte", "json"]), default="texte",
              show_default=True, help="Présentation du résultat.")
@handle_errors
def faisabilite_command(dossier: Path, fmt: str) -> None:
    """Dit si le marché se prête à un plan de progrès en matière sociale, et pourquoi."""
    from clausegen.api import check_faisabilite

    result = check_faisabilite(dossier)
    if fmt == "json":
        click.echo(_verdict_json(result))
    else:
        echo_verdict(result)


def _piece_command(piece: str, sigle: str) -> click.Command:
    @click.command(piece, help=f"Génère le {sigle} du marché (document Word).")
    @DOSSIER
    @output_option(f"{piece}.docx")
    @click.option("--modele", type=click.Path(dir_okay=False, path_type=Path),
                  help="Squelette Word de l'acheteur (champs et emplacement {{p corps }}).")
    @click.option("--forcer", is_flag=True,
                  help="Génère même si le marché est jugé non adapté (avertissement affiché).")
    @click.option("--brouillon", is_flag=True,
                  help="Autorise les clauses non validées ; chaque page porte la mention PROJET.")
    @click.option("--bibliotheque", "surcouches", multiple=True,
                  type=click.Path(file_okay=False, path_type=Path),
                  help="Bibliothèque de l'organisation ajoutée à la bibliothèque fournie.")
    @click.option("--chapitre", is_flag=True,
                  help=f"Seul le chapitre relatif au plan de progrès, à insérer dans le {sigle} "
                       "de l'acheteur (sans page de garde).")
    @click.option("--premier-article", "premier_article", type=click.IntRange(1, 999),
                  default=None,
                  help="Numéro du premier article du chapitre (avec --chapitre ; par défaut "
                       "administratif.chapitre_premier_article du dossier, sinon 1).")
    @pdf_option
    @handle_errors
    def command(dossier: Path, sortie: Path, modele: Path | None, forcer: bool, brouillon: bool,
                surcouches: tuple[Path, ...], chapitre: bool, premier_article: int | None) -> None:
        from clausegen.api import generate_piece

        if premier_article is not None and not chapitre:
            raise click.UsageError("l'option --premier-article ne vaut qu'avec --chapitre.")
        result = generate_piece(dossier, piece, sortie, modele=modele, forcer=forcer,
                                brouillon=brouillon, overlays=surcouches, chapitre=chapitre,
                                premier_article=premier_article)
        if result.faisabilite.verdict.value == "non_adapte":
            click.secho("Avertissement : marché jugé non adapté, génération forcée.", fg="yellow",
                        err=True)
            echo_verdict(result.faisabilite, err=True)
        if result.is_draft:
            click.secho("Avertissement : document PROJET (clauses non validées).", fg="yellow",
                        err=True)
        success(f"{sigle} écrit : {result.path} ({len(result.fragments)} fragments)")

    return command


@click.command("pieces")
@DOSSIER
@click.option("-o", "--sortie", "sortie", type=click.Path(file_okay=False, path_type=Path),
              default=Path("sortie"), show_default=True, help="Répertoire où écrire les pièces.")
@click.option("--forcer", is_flag=True, help="Génère même si le marché est jugé non adapté.")
@click.option("--brouillon", is_flag=True, help="Autorise les clauses non validées (mention PROJET).")
@click.option("--suivi", is_flag=True,
              help="Ajoute les pièces du suivi (convocation, échéancier, plans, lettres, bilans, "
                   "tableau de bord) : le marché doit être notifié et attribué.")
@pdf_option
@handle_errors
def pieces_command(dossier: Path, sortie: Path, forcer: bool, brouillon: bool, suivi: bool) -> None:
    """Génère toutes les pièces du dossier dans un répertoire."""
    from clausegen.api import check_faisabilite, generate_pieces

    echo_verdict(check_faisabilite(dossier))
    if suivi:  # award data checked before anything is written
        from clausegen.api.suivi import generate_suivi_pieces, open_suivi

        open_suivi(dossier)
    for result in generate_pieces(dossier, sortie, forcer=forcer, brouillon=brouillon):
        success(f"{result.piece.upper()} écrit : {result.path}")
    if suivi:
        from clausegen.api.suivi import suivi_warnings
        from clausegen.cli.common import warn

        warn(suivi_warnings(dossier))
        for path in generate_suivi_pieces(dossier, sortie):
            success(f"Pièce du suivi écrite : {path}")


def register(group: click.Group) -> None:
    """Add the buyer's commands to the CLI group."""
    for command in (schema_command, init_command, faisabilite_command, pieces_command,
                    _piece_command("ccap", "CCAP"), _piece_command("cctp", "CCTP")):
        group.add_command(command)
