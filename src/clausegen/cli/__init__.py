"""The ``clausegen`` command line: thin commands over :mod:`clausegen.api`.

Command modules are imported only when one of their commands runs (:class:`LazyGroup`), and
commands import the API lazily, so ``clausegen --help`` loads neither Word, Jinja nor the
command modules. Errors are mapped to exit codes in one place
(:func:`clausegen.cli.common.handle_errors`). Click's own messages are in French
(:mod:`clausegen.cli.click_fr`).
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys

import click

from clausegen import __version__
from clausegen.cli import click_fr

click_fr.install()

COMMANDS: dict[str, tuple[str, str]] = {
    # name: (module of clausegen.cli that registers it, short help shown by --help)
    "actualiser": ("actualiser", "Met un CCAP ou un CCTP à jour des clauses validées (révisions Word)."),
    "bibliotheque": ("juriste", "Bibliothèque de clauses\u00a0: versions, statuts, comparaison."),
    "bilan": ("facilitateur", "Génère le bilan de l'année N\u00a0: résultats, actions, pénalités, visas."),
    "cache": ("cache", "Caches gardés d'une exécution à l'autre\u00a0: état, vidage."),
    "ccap": ("acheteur", "Génère le CCAP du marché (document Word)."),
    "cctp": ("acheteur", "Génère le CCTP du marché (document Word)."),
    "comptes": ("serveur", "Comptes de l'application web (premier administrateur)."),
    "convocation": ("facilitateur", "Génère la lettre qui fixe la réunion de lancement."),
    "decision-penalites": ("procedure", "Génère la décision motivée sur les pénalités (appliquées, "
                                        "réduites, écartées)."),
    "echeancier": ("facilitateur", "Affiche les échéances du plan de progrès."),
    "faisabilite": ("acheteur", "Dit si le marché se prête à un plan de progrès, et pourquoi."),
    "init": ("acheteur", "Écrit un dossier de départ commenté, à compléter."),
    "journal": ("journal", "Journal d'audit de l'application web\u00a0: vérifie sa chaîne."),
    "lettre": ("facilitateur", "Génère l'échange de lettres formalisant le plan de l'année N."),
    "invitation-observations": ("procedure", "Génère l'invitation à présenter des observations sur "
                                             "des pénalités."),
    "lettre-bilan": ("facilitateur", "Génère la lettre qui transmet le bilan de l'année N."),
    "lot": ("lot", "Génère toutes les pièces de chaque dossier d'un répertoire."),
    "mise-en-demeure": ("procedure", "Génère la mise en demeure de remédier à un manquement."),
    "pieces": ("acheteur", "Génère toutes les pièces du dossier dans un répertoire."),
    "plan": ("facilitateur", "Génère le plan de progrès de l'année N."),
    "schema": ("acheteur", "Affiche le schéma JSON du dossier (complétion dans l'éditeur)."),
    "serveur": ("serveur", "Lance l'application web (navigateur)."),
    "tableau-de-bord": ("facilitateur", "Exporte le suivi pluriannuel dans un classeur .xlsx."),
    "verifier-document": ("juriste", "Lit la provenance d'un document généré."),
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, without importing any command module."""
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import the module that registers ``cmd_name``, then return the command."""
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module = importlib.import_module(f"clausegen.cli.{COMMANDS[cmd_name][0]}")
            module.register(self)
        command = self.commands.get(cmd_name)
        if command is not None and not command.epilog:
            from clausegen.cli.exemples import add_examples

            add_examples(command, cmd_name)
        return command

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[
            str | None, click.Command | None, list[str]]:
        """Click's resolution, with the closest command suggested for a typo (``cap``)."""
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            import difflib

            close = difflib.get_close_matches(args[0], self.list_commands(ctx), n=1) if args else []
            if not close:
                raise
            raise click.UsageError(f"{exc.message} Vouliez-vous dire « {close[0]} »\u00a0?",
                                   exc.ctx) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from the static short help texts."""
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        with formatter.section(click_fr.gettext("Commands")):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, subcommand_metavar="COMMANDE [ARGUMENTS]...",
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", message="clausegen %(version)s")
def cli() -> None:
    """Pièces d'un plan de progrès en matière sociale\u00a0: faisabilité, CCAP, CCTP, suivi."""
    _announce_overlays()


def _announce_overlays() -> None:
    """Say on stderr which organisation libraries the configuration adds: a `.clausegen.yml`
    found in the working directory changes the clauses, so it is never silent."""
    from pathlib import Path

    # Same names as clausegen.library.overlays, not imported: that would load the library
    # package (pydantic…) for every command, even those that read no clause.
    if not (Path(".clausegen.yml").is_file() or os.environ.get("CLAUSEGEN_BIBLIOTHEQUES")):
        return
    from clausegen.errors import ClausegenError
    from clausegen.library.overlays import configured_sources

    try:
        sources = configured_sources()
    except ClausegenError:
        return  # the command itself reports the broken configuration
    for origin, roots in sources:
        listed = ", ".join(str(r) for r in roots) or "aucune"
        click.secho(f"Bibliothèques de l'organisation ajoutées par {origin} : {listed}",
                    fg="cyan", err=True)


SHORT_LIVED = frozenset({"ccap", "cctp", "pieces", "faisabilite"})
"""Commands that write one dossier's tender pieces and exit: the console script runs them
without the cyclic garbage collector (see :func:`short_lived`)."""


def short_lived(argv: list[str]) -> bool:
    """Whether ``clausegen ARGV`` is a short-lived run: one of :data:`SHORT_LIVED`, without
    ``--suivi`` (charts, many pieces). Such a run builds a few hundred thousand long-lived
    objects (modules, Pydantic schemas, styles) that the collector would traverse again and
    again (its cost: docs/performance.md); the memory it could reclaim is
    freed when the process exits a moment later. ``lot``, the web server and anything else
    keep the collector."""
    return bool(argv) and argv[0] in SHORT_LIVED and "--suivi" not in argv


def main() -> None:
    """Entry point of the console script; ``NO_COLOR`` (any value) turns colours off."""
    if short_lived(sys.argv[1:]):
        gc.disable()
        # At exit the interpreter runs one last full collection whatever gc.disable() says:
        # traversing every object the run made (docs/performance.md) only to free
        # memory the exiting process gives back anyway. Frozen objects are skipped by it;
        # atexit handlers and module teardown still run (files are closed, streams flushed).
        atexit.register(gc.freeze)
    cli(prog_name="clausegen", color=False if os.environ.get("NO_COLOR") else None)
