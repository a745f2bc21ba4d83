"""The ``clausegen`` command line: thin commands over :mod:`clausegen.api`.

Commands import the API lazily, so ``clausegen --help`` does not load Word or Jinja.
Errors are mapped to exit codes in one place (:func:`clausegen.cli.common.handle_errors`).
"""

from __future__ import annotations

import click

from clausegen import __version__
from clausegen.cli import acheteur, facilitateur, juriste, lot


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", message="clausegen %(version)s")
def cli() -> None:
    """Pièces d'un plan de progrès en matière sociale : faisabilité, CCAP, CCTP, suivi."""


acheteur.register(cli)
juriste.register(cli)
facilitateur.register(cli)
lot.register(cli)


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="clausegen")
