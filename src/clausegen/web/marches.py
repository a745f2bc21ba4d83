"""Shared by the follow-up pages: load a market the account may see, compose its dossier, open
it for the post-award documents (:mod:`clausegen.api.suivi`), and record them
(:mod:`clausegen.db.store.suivi`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import abort, make_response

from clausegen import __version__
from clausegen.api.bibliotheque import ensure_bibliotheque
from clausegen.api.piece import RenderedPiece
from clausegen.api.suivi import ComposedDossier, Suivi, compose_dossier, open_suivi
from clausegen.db import DossierWeb, Evenement, Generation
from clausegen.db import Suivi as SuiviWeb
from clausegen.db.store import suivi as store
from clausegen.web import droits
from clausegen.web.base import db
from clausegen.web.bibliotheques import bibliotheque_de
from clausegen.web.erreurs import page_erreur
from clausegen.web.session import compte_courant


@dataclass(frozen=True)
class Marche:
    """A market as the follow-up pages see it."""

    dossier: DossierWeb
    suivi: SuiviWeb
    evenements: list[Evenement]

    @property
    def date_notification(self) -> dt.date | None:
        """The notification date: the facilitator's attribution, else the one the buyer entered
        in the interview (carried over, issue 22 item 4)."""
        if self.suivi.date_notification is not None:
            return self.suivi.date_notification
        marche = self.dossier.brouillon.get("marche")
        texte = marche.get("date_notification") if isinstance(marche, Mapping) else None
        try:
            return dt.date.fromisoformat(str(texte)) if texte else None
        except ValueError:
            return None

    @property
    def titulaire(self) -> Mapping[str, Any]:
        """The titulaire: the facilitator's attribution, else the dossier's (an imported dossier
        that names it)."""
        if self.suivi.titulaire:
            return self.suivi.titulaire
        titulaire = self.dossier.brouillon.get("titulaire")
        return titulaire if isinstance(titulaire, Mapping) else {}

    @property
    def total_annees(self) -> int:
        """Years of execution (a last incomplete year counts); 1 while the duration is unknown."""
        try:
            duree = int(self.dossier.brouillon.get("marche", {}).get("duree_mois") or 12)
        except (TypeError, ValueError):
            duree = 12
        return max(1, -(-duree // 12))

    def annee(self, annee: int) -> int:
        """``annee`` if it is a year of the market (404 otherwise)."""
        if not 1 <= annee <= self.total_annees:
            abort(404)
        return annee

    def compose(self, jusqu_a: int | None = None, resultats: Mapping[str, Any] | None = None,
                evenements: Sequence[Any] | None = None) -> ComposedDossier:
        """The dossier the post-award documents are made from (``resultats``, ``evenements``: in
        place of the accepted ones, to check them before recording them)."""
        return compose_dossier(self.dossier.brouillon, f"dossier-{self.dossier.id}.yml",
                               titulaire=self.titulaire,
                               date_notification=self.date_notification,
                               plans=self.suivi.plans,
                               resultats=self.suivi.resultats if resultats is None else resultats,
                               evenements=self.evenements if evenements is None else evenements,
                               reunions=self.suivi.reunions or {},
                               jusqu_a=jusqu_a)

    def complete(self, jusqu_a: int | None = None) -> ComposedDossier:
        """:meth:`compose`, or the request ends on a page saying what is missing (409)."""
        compose = self.compose(jusqu_a)
        if compose.loaded is None:
            abort(make_response(page_erreur(409, "Le dossier n'est pas complet : " + " ; ".join(
                f"{p.path} : {p.expected}" for p in compose.problems))))
        return compose

    def open(self, compose: ComposedDossier, *, organisation: bool = True) -> Suivi:
        """The composed dossier opened for its post-award documents; with ``organisation``,
        they use the organisation's library on top of the bundled one (the same directory as
        the legal desk and ``clausegen … --bibliotheque``)."""
        assert compose.loaded is not None  # see complete()
        racine = bibliotheque_de(self.dossier.organisation_id)
        overlays = [ensure_bibliotheque(racine)] if organisation else []
        return open_suivi(compose.loaded, overlays=overlays)


def marche_visible(dossier_id: int) -> Marche:
    """The market if the account may see its follow-up (404 otherwise, existence hidden)."""
    dossier = store.find_dossier(db(), dossier_id)
    if dossier is None:
        abort(404)
    suivi = store.find_suivi(db(), dossier.id)
    if not droits.peut_voir_suivi(compte_courant(), dossier, suivi):
        abort(404)
    return Marche(dossier, suivi or store.get_suivi(db(), dossier), store.list_evenements(db(), dossier.id))


def marche_suivi(dossier_id: int) -> Marche:
    """The market if the account is its facilitator (404 if unseen, 403 if read-only)."""
    marche = marche_visible(dossier_id)
    if not droits.suit_le_marche(compte_courant(), marche.dossier):
        abort(403)
    return marche


def enregistrer(marche: Marche, compose: ComposedDossier, piece: RenderedPiece, *, action: str,
                objet: str, details: Mapping[str, object] | None = None) -> Generation:
    """Record a post-award document byte for byte, as the buyer's pieces, and journal it."""
    assert compose.loaded is not None  # documents are made from a complete dossier
    return store.record_piece(db(), marche.dossier, piece, compte=compte_courant(),
                              dossier_yaml=compose.text, dossier_sha256=compose.loaded.sha256,
                              version_outil=__version__, action=action, objet=objet, details=details)
