"""``clausegen lot``: every piece of every dossier of a directory, in parallel."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from clausegen.cli.common import OVERLAYS, SANS_PAGINATION, handle_errors

if TYPE_CHECKING:
    from clausegen.api.lot import BatchInterrupted, BatchSummary, JobResult


def _report_failures(failed: list[JobResult]) -> None:
    for result in sorted(failed, key=lambda r: r.dossier.name):
        click.secho(f"Échec : {result.dossier}", fg="red", err=True)
        for line in str(result.error).splitlines():
            click.echo(f"  {line}", err=True)


def _names(results: list[JobResult]) -> str:
    return ", ".join(sorted(r.dossier.name for r in results))


def _report_verdicts(summary: BatchSummary) -> None:
    """The summary lines on unsuited markets: refused ones, and forced ones (marked pieces)."""
    if summary.refused:
        click.secho(f"Non adaptés, refusés (sans --forcer) : {len(summary.refused)} "
                    f"({_names(summary.refused)})", fg="yellow", err=True)
    if summary.forced:
        click.secho(f"Non adaptés, générés avec --forcer (mention du verdict dans chaque pièce) : "
                    f"{len(summary.forced)} ({_names(summary.forced)})", fg="yellow", err=True)
    for result in sorted(summary.results, key=lambda r: r.dossier.name):
        for note in result.notes:  # follow-ups skipped (a subsequent contract non adapté…)
            click.secho(f"{result.dossier.name} : {note}", fg="yellow", err=True)
SHOWN_WRITTEN = 20


def _report_interruption(stopped: BatchInterrupted, total: int, sortie: Path) -> NoReturn:
    """What was written before Ctrl-C or SIGTERM, then exit 130 (or 143)."""
    import signal
    import sys

    summary = stopped.summary
    done = [r for r in summary.results if r.ok]
    click.secho(f"\nInterrompu : {len(done)} dossier(s) sur {total} entièrement générés "
                f"({summary.documents} document(s) dans {sortie}) ; les autres n'ont rien écrit.",
                fg="yellow", err=True)
    for result in sorted(done, key=lambda r: r.dossier.name)[:SHOWN_WRITTEN]:
        click.echo(f"  {result.dossier.name} \u2192 {result.written[0].parent}", err=True)
    if len(done) > SHOWN_WRITTEN:
        click.echo(f"  … et {len(done) - SHOWN_WRITTEN} autre(s)", err=True)
    _report_failures(summary.failed)
    sys.exit(130 if stopped.signal_number == signal.SIGINT else 143)


@click.command("lot")
@click.argument("dossiers", type=click.Path(file_okay=False, path_type=Path), metavar="DOSSIERS/")
@click.option("-o", "--sortie", "sortie", type=click.Path(file_okay=False, path_type=Path),
              default=Path("sortie"), show_default=True,
              help="Répertoire de sortie : les pièces de chaque dossier vont dans SORTIE/<nom du dossier>/.")
@click.option("-j", "--jobs", "jobs", type=click.IntRange(min=1), default=None,
              help="Nombre de processus en parallèle (par défaut : un par cœur).")
@click.option("--forcer", is_flag=True, help="Génère même pour les marchés jugés non adaptés.")
@click.option("--brouillon", is_flag=True, help="Autorise les clauses non validées (mention PROJET).")
@OVERLAYS
@click.option("--suivi", is_flag=True,
              help="Ajoute les pièces du suivi de chaque dossier (comme « pieces --suivi »).")
@click.option("--pdf", is_flag=True, help="Écrit aussi chaque document en PDF/A balisé (LibreOffice requis).")
@click.option("--odt", is_flag=True,
              help="Écrit aussi chaque document en OpenDocument (.odt, LibreOffice requis).")
@SANS_PAGINATION
@handle_errors
def lot_command(dossiers: Path, sortie: Path, jobs: int | None, forcer: bool, brouillon: bool,
                surcouches: tuple[Path, ...], suivi: bool, pdf: bool, odt: bool,
                sans_pagination: bool) -> None:
    """Génère toutes les pièces de chaque dossier .yml d'un répertoire, en parallèle.

    Un dossier invalide est signalé (fichier, champ, message) et ignoré sans arrêter les
    autres ; le code de sortie est 1 si au moins un dossier a échoué.
    """
    import sys

    from clausegen.api.lot import (
        BatchInterrupted,
        BatchOptions,
        default_jobs,
        find_dossiers,
        run_batch,
    )

    if pdf or odt:
        from clausegen.render.converters.pdf import require_soffice

        require_soffice(target="PDF" if pdf else "ODT")
    paths = find_dossiers(dossiers)
    options = BatchOptions(output=sortie, forcer=forcer, brouillon=brouillon,
                           overlays=tuple(p.resolve() for p in surcouches), pdf=pdf, odt=odt,
                           suivi=suivi, paginer=not sans_pagination)
    try:
        with click.progressbar(length=len(paths), label="Génération", file=sys.stderr,
                               show_pos=True) as bar:
            summary = run_batch(paths, options, jobs or default_jobs(),
                                on_result=lambda _: bar.update(1))
    except BatchInterrupted as stopped:
        _report_interruption(stopped, len(paths), sortie)
    _report_failures(summary.failed)
    ok = len(paths) - len(summary.failed)
    message = (f"{ok} dossier(s) sur {len(paths)} générés, {summary.documents} document(s) "
               f"écrits dans {sortie}")
    _report_verdicts(summary)
    if summary.failed:
        click.secho(f"{message} ; {len(summary.failed)} en échec.", fg="yellow", err=True)
        sys.exit(1)
    click.secho(message + ".", fg="green")


def register(group: click.Group) -> None:
    """Add the batch command to the CLI group."""
    group.add_command(lot_command)
