"""What every command shares: error handling, common options, output messages."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

DOSSIER = click.argument(
    "dossier", type=click.Path(dir_okay=False, path_type=Path), metavar="DOSSIER"
)

OVERLAYS = click.option(
    "--bibliotheque", "surcouches", multiple=True, type=click.Path(file_okay=False, path_type=Path),
    help="Bibliothèque de l'organisation ajoutée à la bibliothèque fournie (en plus de .clausegen.yml).")
"""``--bibliotheque DIR`` (repeatable): the organisation's library on top of the bundled one."""


def handle_errors(func: F) -> F:
    """Turn a ClausegenError into a French message on stderr and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from clausegen.errors import ClausegenError
        from clausegen.output import protecting_inputs

        try:
            with protecting_inputs():  # no output replaces a file the command read
                return func(*args, **kwargs)
        except ClausegenError as exc:
            click.secho(f"Erreur : {exc}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrompu.", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def output_option(default_name: str) -> Callable[[F], F]:
    """``-o FICHIER``: where to write the generated document (``-`` for standard output).

    A default name containing ``{annee}`` is completed with the command's ``--annee``, so
    year 2 does not overwrite year 1 (``plan-{annee}.docx``).
    """
    if "{annee}" not in default_name:
        return click.option(
            "-o", "--sortie", "sortie", type=click.Path(path_type=Path), default=Path(default_name),
            show_default=True, help="Fichier à écrire (« - » : sortie standard).",
        )
    option = click.option(
        "-o", "--sortie", "sortie", type=click.Path(path_type=Path), default=None,
        show_default=default_name.replace("{annee}", "N"),
        help="Fichier à écrire (« - » : sortie standard).",
    )

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, sortie: Path | None = None, **kwargs: Any) -> Any:
            if sortie is None:
                sortie = Path(default_name.format(annee=kwargs["annee"]))
            return func(*args, sortie=sortie, **kwargs)

        return option(wrapper)  # type: ignore[return-value]

    return decorate


def warn(messages: list[str]) -> None:
    """Print warnings on stderr (the command goes on)."""
    for message in messages:
        click.secho(f"Avertissement : {message}.", fg="yellow", err=True)


def a_completer_warning(sigle: str, count: int) -> list[str]:
    """The warning for CCAG article numbers a piece leaves « [à compléter] » (none if zero)."""
    if not count:
        return []
    what = ("un numéro d'article du CCAG" if count == 1
            else f"{count} numéros d'article du CCAG")
    return [f"le {sigle} laisse {what} « [à compléter] » (dérogations dont le numéro n'est pas "
            "vérifié) : reportez-les d'après l'arrêté du 30 mars 2021 avant de publier"]


def success(message: str) -> None:
    """Report a file written (on stderr when the document itself went to standard output)."""
    from clausegen.output import stdout_used

    click.secho(message, fg="green", err=stdout_used())


SANS_PAGINATION = click.option(
    "--sans-pagination", "sans_pagination", is_flag=True,
    help="N'écrit pas les numéros de page du sommaire (plus rapide, sans LibreOffice) : Word "
         "propose de mettre la table à jour à l'ouverture.")
"""``--sans-pagination``: the sommaire without its page numbers (they come from LibreOffice
by default, :func:`clausegen.api.marche.paginate_pieces`)."""


def conversion_options(func: F) -> F:
    """``--pdf`` and ``--odt``: also convert the documents the command writes, through LibreOffice
    (Word documents to PDF or ODT, workbooks to ODS).

    LibreOffice is looked for before the command runs, so a missing installation is
    reported (with the command that installs it) before anything is written. All the
    documents of the command are converted in one LibreOffice call per format. ``--paginer``
    is still accepted (hidden): the sommaire's page numbers are now written by default.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, pdf: bool = False, odt: bool = False, paginer: bool = False,
                **kwargs: Any) -> Any:
        formats = [fmt for fmt, wanted in (("pdf", pdf), ("odt", odt)) if wanted]
        if not formats:
            return func(*args, **kwargs)
        from clausegen.output import record_writes
        from clausegen.render.converters.pdf import LABELS, convert_documents, require_soffice

        require_soffice(target=LABELS[formats[0]])
        with record_writes() as written:
            result = func(*args, **kwargs)
        for fmt in formats:
            for path in convert_documents(written, fmt):
                success(f"{path.suffix[1:].upper()} écrit : {path}")
        return result

    pdf_flag = click.option("--pdf", "pdf", is_flag=True,
                            help="Écrit aussi chaque document en PDF/A balisé (LibreOffice requis).")
    odt_flag = click.option("--odt", "odt", is_flag=True,
                            help="Écrit aussi chaque document en OpenDocument (.odt ; classeur en .ods ; "
                                 "LibreOffice requis).")
    paginer_flag = click.option("--paginer", "paginer", is_flag=True, hidden=True,
                                help="Sans effet : le sommaire est paginé par défaut.")
    return pdf_flag(odt_flag(paginer_flag(handle_errors(wrapper))))  # type: ignore[return-value]
