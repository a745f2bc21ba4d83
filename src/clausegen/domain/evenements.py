"""The events a facilitator records in a year of the market (documents received, mise en
demeure, invitation to present observations, the titulaire's observations, the buyer's
decision), read as the dossier's ``bilans`` records them.

Each failing is its own procedure (issue 20): every event but a document received names the
failing it concerns (``manquement``), as a key of :func:`cle_manquement`:

- ``insertion``: the insertion hours (or actions) short, ``procedure_insertion``;
- ``objectif:<id>``, ``action:<id>``: an objective not reached, a titulaire action not done;
- ``document:<libelle>``: a late document, named as its reception event names it. Its days
  of delay are never typed: the domain counts them from the expiry of its mise en demeure to
  its reception (:mod:`clausegen.domain.retards`), and without a mise en demeure there is no
  penalty.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from clausegen.errors import FieldProblem
from clausegen.text.french import date_longue

INSERTION = "insertion"
DECISIONS = {"decision_appliquee": "appliquee", "decision_reduite": "reduite",
             "decision_ecartee": "ecartee"}
"""Event genre of a decision → :class:`clausegen.models.suivi.Decision`."""
GENRES_DE_PROCEDURE = ("mise_en_demeure", "mise_en_demeure_recue", "invitation_observations", "observation",
                       *DECISIONS)


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
    @property
    def manquement(self) -> str | None: ...  # noqa: D102
    @property
    def montant(self) -> Decimal | None: ...  # noqa: D102


def cle_manquement(genre: str, identifiant: str) -> str:
    """The key of a failing: ``insertion``, ``objectif:<id>``, ``action:<id>``, ``document:<libelle>``."""
    return INSERTION if genre == INSERTION else f"{genre}:{identifiant}"


def manquement_de(evenement: Evenement) -> str | None:
    """The failing an event concerns (a document received is its own failing when late)."""
    if evenement.genre == "document_recu":
        return cle_manquement("document", evenement.libelle)
    return evenement.manquement or None


def est_en_retard(evenement: Evenement) -> bool:
    """Whether a document received came after the date it was due."""
    return (evenement.genre == "document_recu" and evenement.attendu_le is not None
            and evenement.le > evenement.attendu_le)


def retards(evenements: Sequence[Evenement]) -> list[dict[str, Any]]:
    """The late documents of a year (received after the date they were due), by name."""
    return [{"document": e.libelle, "echeance": e.attendu_le, "recu_le": e.le}
            for e in evenements if est_en_retard(e)]


def _etapes(evenements: Sequence[Evenement]) -> dict[str, Any]:
    """The dated steps of one failing's procedure from its events (after the mise en demeure,
    which a late document records itself)."""
    etapes: dict[str, Any] = {}
    ordonnes = sorted(evenements, key=lambda e: e.le)
    for e in ordonnes:
        if e.genre == "mise_en_demeure":
            etapes.setdefault("mise_en_demeure", e.le.isoformat())
        elif e.genre == "mise_en_demeure_recue":  # its délai runs from the day after (CCAP)
            etapes.setdefault("mise_en_demeure_recue_le", e.le.isoformat())
        elif e.genre == "invitation_observations":
            etapes.setdefault("invitation_observations", e.le.isoformat())
        elif e.genre == "observation":
            etapes["observations_recues_le"] = etapes.get("observations_recues_le", e.le.isoformat())
            etapes["observations_titulaire"] = " ; ".join(
                filter(None, [etapes.get("observations_titulaire"), e.libelle]))[:2000]
    decisions = [e for e in ordonnes if e.genre in DECISIONS]
    if decisions:
        derniere = decisions[-1]
        etapes |= {"date_decision": derniere.le.isoformat(), "decision": DECISIONS[derniere.genre],
                   "motifs": derniere.libelle[:2000]}
        montant = getattr(derniere, "montant", None)
        if derniere.genre == "decision_reduite" and montant is not None:
            etapes["montant_retenu"] = str(montant)
    return etapes


def _probleme(evenement: Evenement, attendu: str) -> FieldProblem:
    return FieldProblem(f"evenements ({evenement.libelle}, {date_longue(evenement.le)})", attendu)


def bilan_de_l_annee(resultats: dict[str, Any], evenements: Sequence[Evenement],
                     reunion: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[FieldProblem]]:
    """A year's accepted results (the dictionary of a ``bilans`` entry) with the bilan meeting
    ``reunion``, the late documents and each failing's procedure from that year's events; and
    the events that name no failing, or one the year does not have."""
    resultats = dict(resultats)
    if reunion:
        resultats["reunion"] = reunion
    problemes: list[FieldProblem] = []
    par_manquement: dict[str, list[Evenement]] = {}
    for e in evenements:
        cle = manquement_de(e)
        if cle is None:
            problemes.append(_probleme(e, "manquement concerné attendu : chaque manquement a sa "
                                          "propre procédure"))
            continue
        par_manquement.setdefault(cle, []).append(e)
    documents = []
    for cle, liste in par_manquement.items():
        genre, _, identifiant = cle.partition(":")
        etapes = _etapes([e for e in liste if e.genre in GENRES_DE_PROCEDURE])
        if genre == "document":
            recu = next((e for e in liste if e.genre == "document_recu"), None)
            if recu is not None and not est_en_retard(recu):
                if etapes:
                    problemes.append(_probleme(recu, "document reçu à temps : aucune procédure n'est due"))
                continue
            med = etapes.pop("mise_en_demeure", None)
            recue_med = etapes.pop("mise_en_demeure_recue_le", None)
            if recu is None and med is None:
                continue  # only later steps: refused by the model, which names what is missing
            retard: dict[str, Any] = {"document": identifiant}
            echeance = recu.attendu_le if recu is not None else next(
                (e.attendu_le for e in liste if e.attendu_le is not None), None)
            retard |= {k: v for k, v in (("echeance", echeance and echeance.isoformat()),
                                         ("recu_le", recu and recu.le.isoformat()),
                                         ("mise_en_demeure", med),
                                         ("mise_en_demeure_recue_le", recue_med)) if v}
            if etapes:
                retard["procedure"] = etapes
            documents.append(retard)
        elif genre == INSERTION:
            resultats["procedure_insertion"] = etapes
        elif genre in ("objectif", "action"):
            lignes = [dict(x) for x in resultats.get(f"{genre}s", [])]
            cible = next((x for x in lignes if x.get(genre) == identifiant), None)
            if cible is None:
                problemes.append(_probleme(liste[0], f"{genre} « {identifiant} » des résultats de l'année "
                                                     "attendu"))
                continue
            cible["procedure"] = etapes
            resultats[f"{genre}s"] = lignes
        else:
            problemes.append(_probleme(liste[0], f"manquement connu attendu (reçu : « {cle} »)"))
    resultats["retards"] = [*resultats.get("retards", []), *documents]
    return resultats, problemes
