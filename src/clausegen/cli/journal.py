"""``clausegen journal verifier``: check the web application's audit trail chain."""

from __future__ import annotations

import click

from clausegen.cli.common import handle_errors, success
from clausegen.cli.serveur import BASE, _url


@click.group("journal", subcommand_metavar="COMMANDE [ARGUMENTS]...")
def journal() -> None:
    """Journal d'audit de l'application web (qui a fait quoi, quand)."""


@journal.command("verifier")
@BASE
@handle_errors
def verifier(base: str | None) -> None:
    """Vérifie que chaque entrée suit la précédente (empreintes SHA-256 chaînées)."""
    from sqlalchemy.orm import Session

    from clausegen.db.engine import connect
    from clausegen.db.journal import verifier as verifier_chaine
    from clausegen.errors import JournalAlteredError

    engine = connect(_url(base))
    try:
        with Session(engine) as db:
            resultat = verifier_chaine(db)
    finally:
        engine.dispose()
    if not resultat.intacte:
        raise JournalAlteredError(detail=str(resultat))
    success(str(resultat))


def register(group: click.Group) -> None:
    """Attach the commands to the main group."""
    group.add_command(journal)
