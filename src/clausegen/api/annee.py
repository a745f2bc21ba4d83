"""The facilitator's year in memory (web application): the same functions as the commands
``convocation``, ``plan``, ``lettre``, ``bilan``, ``echeancier`` and ``tableau-de-bord``,
on a dossier given as text instead of a file.

Each call writes the dossier text into a private temporary directory, calls
:mod:`clausegen.api.suivi` (same checks, same refusals, same documents as the command
line), and returns the bytes. File names in messages are the dossier's name, never the
temporary directory.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from icalendar import Calendar

from clausegen.api import suivi
from clausegen.api.piece import RenderedPiece
from clausegen.domain.bilan import Bilan
from clausegen.domain.echeancier import Echeance
from clausegen.errors import ClausegenError
from clausegen.render.inspect import read_provenance

__all__ = ["Bilan", "Echeance", "PieceSuivi", "SuiviRefuse"]


@dataclass(frozen=True)
class PieceSuivi(RenderedPiece):
    """One post-award document (``convocation``, ``plan-2``, ``lettre-2``, ``bilan-2``…)
    generated in memory, with the library release it came from."""


class SuiviRefuse(ClausegenError):
    """A post-award document refused (message of the command line, file names cleaned)."""

    def __init__(self, message: str, *, refus: bool) -> None:
        super().__init__(message)
        self.refus = refus
        """True for a refusal on the merits (avenant needed…), False for missing data."""


@contextmanager
def _dossier(texte: str, nom: str) -> Iterator[tuple[Path, Path]]:
    with tempfile.TemporaryDirectory(prefix="clausegen-suivi-") as travail:
        repertoire = Path(travail)
        chemin = repertoire / nom
        chemin.write_text(texte, encoding="utf-8")
        try:
            yield chemin, repertoire
        except ClausegenError as exc:
            message = str(exc).replace(f"{repertoire}/", "")
            raise SuiviRefuse(message, refus=exc.exit_code == 1) from None


def _piece(chemin: Path, piece: str, produire: Callable[[Path], object]) -> PieceSuivi:
    sortie = chemin.parent / f"{piece}.docx"
    produire(sortie)
    data = sortie.read_bytes()
    provenance = read_provenance(data)
    fragments = {k.removeprefix("fragment."): v for k, v in provenance.items()
                 if k.startswith("fragment.")}
    return PieceSuivi(piece=piece, docx=data, fragments=fragments,
                      bibliotheque=provenance.get("bibliotheque", ""))


def empreinte(texte: str) -> str:
    """The SHA-256 of a dossier text (as recorded in the documents' provenance)."""
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()


def echeances(texte: str, nom: str) -> list[Echeance]:
    """Every deadline of the market (notification and titulaire needed)."""
    with _dossier(texte, nom) as (chemin, _):
        return suivi.deadlines(chemin)


def a_tenir(echeance: Echeance) -> bool:
    """Whether a deadline calls for an act (meeting and plan, bilan, final bilan)."""
    return echeance.cle == "lancement" or echeance.cle.startswith("bilan_")


def convocation(texte: str, nom: str, *, reunion: date | None, heure: str,
                lieu: str | None) -> tuple[PieceSuivi, date]:
    """The letter fixing the launch meeting, and the meeting's date."""
    with _dossier(texte, nom) as (chemin, _):
        jour: list[date] = []

        def produire(sortie: Path) -> None:
            jour.append(suivi.generate_convocation(chemin, sortie, reunion=reunion, heure=heure,
                                                   lieu=lieu)[1])

        return _piece(chemin, "convocation", produire), jour[0]


def plan(texte: str, nom: str, annee: int) -> tuple[PieceSuivi, list[str]]:
    """The annual plan of year N and what a person should know about it."""
    with _dossier(texte, nom) as (chemin, _):
        avertissements = suivi.plan_warnings(chemin, annee)
        return (_piece(chemin, f"plan-{annee}", lambda s: suivi.generate_plan(chemin, annee, s)),
                avertissements)


def lettre(texte: str, nom: str, annee: int, *, date_lettre: date | None = None) -> PieceSuivi:
    """The exchange of letters of year N, dated ``date_lettre`` or the day the plan was
    settled (refused as ``clausegen lettre`` refuses)."""
    with _dossier(texte, nom) as (chemin, _):
        return _piece(chemin, f"lettre-{annee}",
                      lambda s: suivi.generate_lettre(chemin, annee, s, date_lettre=date_lettre))


def lettre_bilan(texte: str, nom: str, annee: int, *, date_lettre: date | None = None) -> PieceSuivi:
    """The letter transmitting the bilan of year N (as ``clausegen lettre-bilan``): dated
    ``date_lettre``, else the day of the bilan meeting."""
    with _dossier(texte, nom) as (chemin, _):
        return _piece(chemin, f"lettre-bilan-{annee}",
                      lambda s: suivi.generate_lettre_bilan(chemin, annee, s, date_lettre=date_lettre)[0])


def calcul_bilan(texte: str, nom: str, annee: int) -> Bilan:
    """The bilan of year N computed (results, penalties), without a document."""
    with _dossier(texte, nom) as (chemin, _):
        return suivi.compute_year(chemin, annee)[1]


def bilan(texte: str, nom: str, annee: int) -> tuple[PieceSuivi, Bilan]:
    """The bilan document of year N and its figures."""
    with _dossier(texte, nom) as (chemin, _):
        resultat: list[Bilan] = []

        def produire(sortie: Path) -> None:
            resultat.append(suivi.generate_bilan(chemin, annee, sortie))

        return _piece(chemin, f"bilan-{annee}", produire), resultat[0]


def tableau_de_bord(texte: str, nom: str) -> bytes:
    """The multi-year follow-up workbook (.xlsx)."""
    with _dossier(texte, nom) as (chemin, repertoire):
        return suivi.generate_tableau_de_bord(chemin, repertoire / "tableau.xlsx").read_bytes()


def calendrier(dossiers: Sequence[tuple[str, str]], nom_du_flux: str) -> bytes:
    """One iCalendar feed for many markets (``(texte, nom)`` each): every deadline with its
    reminders, as ``clausegen echeancier --ics`` writes them market by market."""
    flux = Calendar()
    flux.add("prodid", "-//clausegen//plan de progres en matiere sociale//FR")
    flux.add("version", "2.0")
    flux.add("x-wr-calname", nom_du_flux)
    for texte, nom in dossiers:
        with _dossier(texte, nom) as (chemin, repertoire):
            ics = repertoire / "echeancier.ics"
            suivi.write_ics(chemin, ics)
            for evenement in Calendar.from_ical(ics.read_bytes()).walk("VEVENT"):
                flux.add_component(evenement)
    return bytes(flux.to_ical())


def aujourdhui() -> date:
    """Today in UTC (the portfolio's « late » and « this week » are relative to it)."""
    return datetime.now(UTC).date()
