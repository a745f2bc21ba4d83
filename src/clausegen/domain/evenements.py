"""The events a facilitator records in a year of the market (documents received, mise en
demeure, invitation to present observations, the titulaire's observations, the buyer's
decision), read as the dossier's ``bilans`` records them: late documents and the penalty
procedure of the year.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol


class Evenement(Protocol):
    """One recorded event (the web application's database rows have these attributes)."""

    @property
    def annee(self) -> int: ...  # noqa: D102
    @property
    def genre(self) -> str: ...  # noqa: D102
    @property
    def le(self) -> date: ...  # noqa: D102
    @property
    def attendu_le(self) -> date | None: ...  # noqa: D102
    @property
    def libelle(self) -> str: ...  # noqa: D102


def retards(evenements: Sequence[Evenement]) -> list[dict[str, Any]]:
    """The late documents of a year: received after the date they were due."""
    return [{"document": e.libelle, "jours": (e.le - e.attendu_le).days}
            for e in evenements if e.genre == "document_recu" and e.attendu_le and e.le > e.attendu_le]


def procedure(evenements: Sequence[Evenement]) -> dict[str, Any] | None:
    """The penalty procedure of a year from its events (CCAP « Mise en demeure, procédure
    contradictoire »): the first mise en demeure and invitation to present observations, the
    titulaire's observations, and the buyer's last notified decision. None when nothing was
    recorded: the failings are then only *constatés* and nothing is due."""
    def premiere(genre: str) -> Evenement | None:
        return next((e for e in sorted(evenements, key=lambda e: e.le) if e.genre == genre), None)

    etapes: dict[str, Any] = {}
    for genre, champ in (("mise_en_demeure", "mise_en_demeure"),
                         ("invitation_observations", "invitation_observations")):
        trouve = premiere(genre)
        if trouve is not None:
            etapes[champ] = trouve.le.isoformat()
    observations = [e.libelle for e in sorted(evenements, key=lambda e: e.le) if e.genre == "observation"]
    if observations:
        etapes["observations_titulaire"] = " ; ".join(observations)[:2000]
    decisions = sorted((e for e in evenements if e.genre in ("decision_appliquee", "decision_ecartee")),
                       key=lambda e: e.le)
    if decisions:
        etapes["date_decision"] = decisions[-1].le.isoformat()
        etapes["penalite_appliquee"] = decisions[-1].genre == "decision_appliquee"
    return etapes or None


def bilan_de_l_annee(resultats: dict[str, Any], evenements: Sequence[Evenement]) -> dict[str, Any]:
    """A year's accepted results (the dictionary of a ``bilans`` entry) with the late documents
    and the procedure of that year's events; the year's procedure covers every failing of
    the year."""
    resultats = dict(resultats)
    etapes = procedure(evenements)
    resultats["retards"] = [dict(r, procedure=etapes) if etapes else r for r in retards(evenements)]
    if etapes:
        resultats.setdefault("procedure_insertion", etapes)
        for cle in ("objectifs", "actions"):
            resultats[cle] = [dict(ligne, procedure=ligne.get("procedure") or etapes)
                              if isinstance(ligne, dict) else ligne
                              for ligne in resultats.get(cle, [])]
    return resultats
