"""The buyer's commands: schema, init, faisabilite, ccap, cctp."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from clausegen.cli.common import (
    DOSSIER,
    OVERLAYS,
    SANS_PAGINATION,
    a_completer_warning,
    conversion_options,
    handle_errors,
    output_option,
    success,
    warn,
)

if TYPE_CHECKING:
    from clausegen.api.piece import RenderedPiece
    from clausegen.api.suivi import Suivi

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
    text = (templates_dir() / "dossier.yml").read_text(encoding="utf-8")
    write_atomic(fichier, text.replace(" dossier.yml", f" {fichier.name}", 2).encode("utf-8"))
    success(f"Dossier de départ écrit : {fichier}")


def _avis_json(avis: Any) -> dict[str, Any]:
    from clausegen.models import label

    return {
        "verdict": avis.verdict.value,
        "libelle": label(avis.verdict),
        "raisons": [{"critere": r.critere, "niveau": r.niveau.value, "message": r.message,
                     "source": r.source} for r in avis.raisons],
    }


def verdict_payload(result: Any) -> dict[str, Any]:
    """A feasibility verdict as JSON-ready data: the plan, the insertion clause, the levers."""
    return {
        **_avis_json(result.plan),
        "dispositif": "clause_insertion" if result.insertion_seule else "plan_de_progres",
        "marche_subsequent": result.marche_subsequent,
        "clause_insertion": _avis_json(result.insertion),
        "leviers": [{"code": lv.code, "libelle": lv.libelle, "base_legale": lv.base_legale,
                     "message": lv.message} for lv in result.leviers],
    }


def _echo_avis(titre: str, avis: Any, err: bool) -> None:
    from clausegen.models import label

    colour = {"adapte": "green", "adapte_avec_reserves": "yellow", "non_adapte": "red"}
    click.secho(f"{titre} : {label(avis.verdict)}", fg=colour[avis.verdict.value], bold=True,
                err=err)
    for reason in avis.raisons:
        click.echo(f"  {SYMBOLS[reason.niveau.value]} {reason.critere} : {reason.message}", err=err)


def echo_verdict(result: Any, *, err: bool = False) -> None:
    """Print a feasibility verdict for a person: the plan, the insertion clause, the levers."""
    where = f" (marché subséquent n° {result.marche_subsequent})" if result.marche_subsequent else ""
    if result.insertion_seule:  # the dossier's device first
        _echo_avis(f"Verdict{where} (clause d'insertion seule, retenue au dossier)", result.insertion, err)
        _echo_avis("Plan de progrès (non retenu au dossier)", result.plan, err)
    else:
        _echo_avis(f"Verdict{where}", result.plan, err)
        _echo_avis("Clause d'insertion seule", result.insertion, err)
    if result.leviers:
        click.echo("Autres leviers sociaux adaptés à ce marché :", err=err)
        for levier in result.leviers:
            click.echo(f"  \u2192 {levier.libelle} : {levier.message}", err=err)
            click.echo(f"    fondement : {levier.base_legale}", err=err)


@click.command("faisabilite")
@DOSSIER
@click.option("--format", "fmt", type=click.Choice(["texte", "json"]), default="texte",
              show_default=True, help="Présentation du résultat.")
@click.option("--marche-subsequent", "numero", type=click.IntRange(min=1),
              help="Numéro du marché subséquent à juger (sinon : l'accord-cadre et chacun de ses "
                   "marchés subséquents listés).")
@handle_errors
def faisabilite_command(dossier: Path, fmt: str, numero: int | None) -> None:
    """Dit si le marché se prête à un plan de progrès en matière sociale, et pourquoi."""
    from clausegen.api import check_faisabilite, read_dossier

    loaded = read_dossier(dossier)
    result = check_faisabilite(loaded, numero)
    subsequents = ([] if numero is not None else
                   [check_faisabilite(loaded, m.numero) for m in loaded.dossier.marches_subsequents])
    if fmt == "json":
        payload = verdict_payload(result)
        if subsequents:
            payload["marches_subsequents"] = [verdict_payload(r) for r in subsequents]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    echo_verdict(result)
    for sub in subsequents:
        click.echo("")
        echo_verdict(sub)


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
    @OVERLAYS
    @click.option("--chapitre", is_flag=True,
                  help=f"Seul le chapitre relatif au plan de progrès, à insérer dans le {sigle} "
                       "de l'acheteur (sans page de garde).")
    @click.option("--premier-article", "premier_article", type=click.IntRange(1, 999),
                  default=None,
                  help="Numéro du premier article du chapitre (avec --chapitre ; par défaut "
                       "administratif.chapitre_premier_article du dossier, sinon 1).")
    @SANS_PAGINATION
    @conversion_options
    @handle_errors
    def command(dossier: Path, sortie: Path, modele: Path | None, forcer: bool, brouillon: bool,
                surcouches: tuple[Path, ...], chapitre: bool, premier_article: int | None,
                sans_pagination: bool) -> None:
        from clausegen.api import open_library, read_dossier, render_pieces
        from clausegen.output import write_atomic

        loaded = read_dossier(dossier)
        if premier_article is not None and not chapitre and loaded.dossier.clause_insertion is None:
            raise click.UsageError("l'option --premier-article ne vaut qu'avec --chapitre (ou pour "
                                   "le chapitre de la clause d'insertion seule).")
        result = render_pieces(loaded, open_library(surcouches), (piece,), forcer=forcer,
                               brouillon=brouillon, modele=modele, chapitre=chapitre,
                               premier_article=premier_article, paginer=not sans_pagination)
        (rendered,) = result.pieces
        write_atomic(sortie, rendered.docx)
        if result.forced:
            click.secho("Avertissement : marché jugé non adapté, génération forcée (mention "
                        "portée dans le document).", fg="yellow", err=True)
            echo_verdict(result.faisabilite, err=True)
        if rendered.is_draft:
            click.secho("Avertissement : document PROJET (clauses non validées).", fg="yellow",
                        err=True)
        warn(a_completer_warning(sigle, rendered.a_completer))
        warn(list(result.avertissements))
        success(f"{sigle} écrit : {sortie} ({len(rendered.fragments)} fragments)")

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
@click.option("--marche-subsequent", "numero", type=click.IntRange(min=1),
              help="Avec --suivi : le seul marché subséquent n° N (accord-cadre à marchés subséquents).")
@click.option("--modele", type=click.Path(dir_okay=False, path_type=Path),
              help="Squelette Word de l'acheteur pour le CCAP et le CCTP (emplacement {{p corps }}).")
@OVERLAYS
@SANS_PAGINATION
@conversion_options
@handle_errors
def pieces_command(dossier: Path, sortie: Path, forcer: bool, brouillon: bool, suivi: bool,
                   numero: int | None, modele: Path | None, surcouches: tuple[Path, ...],
                   sans_pagination: bool) -> None:
    """Génère toutes les pièces du dossier dans un répertoire."""
    from clausegen.api import check_faisabilite, open_library, read_dossier, render_pieces
    from clausegen.api.marche import using_overlays
    from clausegen.output import transaction

    loaded = read_dossier(dossier)
    echo_verdict(check_faisabilite(loaded))
    targets: tuple[tuple[Suivi, str], ...] = ()
    ignorees: tuple[str, ...] = ()
    written: list[Path] = []
    if numero is not None and not suivi:
        raise click.UsageError("--marche-subsequent ne vaut qu'avec --suivi")
    with using_overlays(surcouches), transaction():  # every piece, or none
        if suivi:  # award data checked before anything is written
            # imported here: the post-award pieces pull openpyxl, icalendar and holidays
            from clausegen.api.suivi import suivi_targets
            from clausegen.cli.facilitateur import write_suivi_pieces

            cibles = suivi_targets(loaded, forcer=forcer, numero=numero)
            targets, ignorees = cibles.ecrites, cibles.ignorees
        rendered = render_pieces(loaded, open_library(), forcer=forcer, brouillon=brouillon,
                                 modele=modele, paginer=not sans_pagination)
        tender = rendered.pieces
        pieces = write_pieces(tender, sortie)
        for opened, sub in targets:
            written += write_suivi_pieces(opened, sortie / sub)
    for piece, path in zip(tender, pieces, strict=True):
        warn(a_completer_warning(piece.piece.upper(), piece.a_completer))
        success(f"{piece.piece.upper()} écrit : {path}")
    warn(list(rendered.avertissements))
    if suivi:
        from clausegen.api.suivi import list_avertissements

        for opened, _ in targets:
            warn(list_avertissements(opened))
        warn([message.rstrip(".") for message in ignorees])
    for path in written:
        success(f"Pièce du suivi écrite : {path}")


def write_pieces(pieces: Sequence[RenderedPiece], directory: Path) -> list[Path]:
    """Write each piece as ``<directory>/<piece>.docx``, every one or none (one transaction)."""
    from clausegen.output import transaction, write_atomic

    with transaction():
        return [write_atomic(directory / f"{piece.piece}.docx", piece.docx) for piece in pieces]


def register(group: click.Group) -> None:
    """Add the buyer's commands to the CLI group."""
    for command in (schema_command, init_command, faisabilite_command, pieces_command,
                    _piece_command("ccap", "CCAP"), _piece_command("cctp", "CCTP")):
        group.add_command(command)
