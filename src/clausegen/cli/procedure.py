"""The penalty procedure's letters: mise en demeure, invitation to present observations,
reasoned decision (issue 20). Each letter is dated on the day the dossier records its step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from clausegen.cli.common import DOSSIER, conversion_options, success
from clausegen.cli.facilitateur import DATE_LETTRE, FORCER, MARCHE_SUBSEQUENT, _day, _open

ANNEE = click.option("--annee", type=click.IntRange(min=1),
                     help="Année d'exécution (1 pour la première) ; inutile pour la clause "
                          "d'insertion seule, dont les procédures suivent le bilan final.")

SORTIE = click.option("-o", "--sortie", "sortie", type=click.Path(path_type=Path), default=None,
                      show_default="ETAPE-N-AAAA-MM-JJ.docx",
                      help="Fichier à écrire (« - » : sortie standard).")


def _write(dossier: Path, annee: int | None, etape: str, date_lettre: Any, sortie: Path | None,
           numero: int | None, forcer: bool) -> None:
    from clausegen.api.suivi import EtapeProcedure, render_procedure_letter
    from clausegen.output import write_atomic
    from clausegen.text.french import date_longue

    suivi = _open(dossier, numero, forcer)
    if suivi.insertion_seule:
        annee = annee or 1
    elif annee is None:
        raise click.UsageError("--annee N attendu (année d'exécution dont relève le manquement)")
    piece, jour = render_procedure_letter(suivi, annee, EtapeProcedure(etape), _day(date_lettre))
    path = write_atomic(sortie or Path(f"{piece.piece}.docx"), piece.docx)
    success(f"Lettre écrite : {path} (datée du {date_longue(jour)})")


def _command(name: str, etape: str, doc: str) -> click.Command:
    @click.command(name, help=doc)
    @DOSSIER
    @ANNEE
    @DATE_LETTRE
    @SORTIE
    @MARCHE_SUBSEQUENT
    @FORCER
    @conversion_options
    def command(dossier: Path, annee: int | None, date_lettre: Any, sortie: Path | None, numero: int | None,
                forcer: bool) -> None:
        _write(dossier, annee, etape, date_lettre, sortie, numero, forcer)

    return command


COMMANDES = (
    ("mise-en-demeure", "mise_en_demeure",
     "Génère la mise en demeure de l'année N datée du jour enregistré au dossier (--date si "
     "plusieurs) : retards de transmission et actions que le CCAP ne sanctionne qu'après une "
     "mise en demeure restée sans effet."),
    ("invitation-observations", "invitation_observations",
     "Génère l'invitation à présenter des observations sous quinze jours sur les pénalités "
     "envisagées, datée du jour enregistré au dossier (--date si plusieurs)."),
    ("decision-penalites", "decision_penalites",
     "Génère la décision motivée qui applique, réduit ou écarte chaque pénalité, datée du jour "
     "enregistré au dossier (--date si plusieurs)."),
)


def register(group: click.Group) -> None:
    """Add the procedure letters' commands to the CLI group."""
    for name, etape, doc in COMMANDES:
        group.add_command(_command(name, etape, doc))
