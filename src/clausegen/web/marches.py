"""Shared by the follow-up pages: load a market the account may see, compose its dossier,
record a post-award document like the buyer's pieces, and compute the deadlines' state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort
from sqlalchemy import select

from clausegen import __version__
from clausegen.api import annee as annee_api
from clausegen.db import Compte, DossierWeb, Evenement, Generation, PieceGeneree, Suivi
from clausegen.db.journal import consigner
from clausegen.web import droits
from clausegen.web.base import db
from clausegen.web.session import compte_courant
from clausegen.web.suivi_formulaires import DossierDeSuivi, dossier_de_suivi


@dataclass(frozen=True)
class Marche:
    """A market as the follow-up pages see it."""

    dossier: DossierWeb
    suivi: Suivi
    evenements: list[Evenement]

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

    def compose(self, jusqu_a: int | None = None) -> DossierDeSuivi:
        """The dossier text the post-award commands would read."""
        return dossier_de_suivi(self.dossier, self.suivi, self.evenements, jusqu_a=jusqu_a)


def suivi_de(dossier: DossierWeb) -> Suivi:
    """The market's follow-up record (created empty on first use, not yet saved)."""
    suivi = db().scalar(select(Suivi).where(Suivi.dossier_id == dossier.id))
    if suivi is None:
        suivi = Suivi(dossier_id=dossier.id, titulaire={}, plans={}, resultats={})
        db().add(suivi)
    return suivi


def marche_visible(dossier_id: int) -> Marche:
    """The market if the account may see its follow-up (404 otherwise, existence hidden)."""
    dossier = db().get(DossierWeb, dossier_id)
    if dossier is None:
        abort(404)
    suivi = db().scalar(select(Suivi).where(Suivi.dossier_id == dossier.id))
    if not droits.peut_voir_suivi(compte_courant(), dossier, suivi):
        abort(404)
    evenements = list(db().scalars(select(Evenement).where(Evenement.dossier_id == dossier.id)
                                   .order_by(Evenement.le, Evenement.id)))
    return Marche(dossier, suivi or suivi_de(dossier), evenements)


def marche_suivi(dossier_id: int) -> Marche:
    """The market if the account is its facilitator (404 if unseen, 403 if read-only)."""
    marche = marche_visible(dossier_id)
    if not droits.suit_le_marche(compte_courant(), marche.dossier):
        abort(403)
    return marche


def enregistrer(marche: Marche, texte: str, piece: annee_api.PieceSuivi, *, action: str,
                objet: str, details: Mapping[str, object] | None = None) -> Generation:
    """Record a post-award document byte for byte, as the buyer's pieces, and journal it."""
    moi = compte_courant()
    generation = Generation(dossier_id=marche.dossier.id, compte_id=moi.id, dossier_yaml=texte,
                            dossier_sha256=annee_api.empreinte(texte),
                            bibliotheque=piece.bibliotheque, version_outil=__version__)
    db().add(generation)
    db().flush()
    db().add(PieceGeneree(generation_id=generation.id, piece=piece.piece, fragments=piece.fragments,
                          docx_sha256=piece.sha256, docx=piece.docx, apercu_html="",
                          brouillon=False))
    consigner(db(), action=action, objet=objet, compte=moi,
              details={"generation": generation.id, "piece": piece.piece, "docx_sha256": piece.sha256,
                       **(details or {})})
    return generation


def pieces_emises(dossier_id: int) -> list[tuple[Generation, PieceGeneree]]:
    """Every post-award document recorded for the market, newest first."""
    rows = db().execute(select(Generation, PieceGeneree).join(PieceGeneree)
                        .where(Generation.dossier_id == dossier_id,
                               PieceGeneree.piece.not_in(("ccap", "cctp")))
                        .order_by(Generation.id.desc())).all()
    return [(g, p) for g, p in rows]


@dataclass(frozen=True)
class EtatEcheance:
    """A deadline and where it stands."""

    echeance: annee_api.Echeance
    faite: bool
    """Done (an act's document recorded), or past for a date that calls for no act."""
    en_retard: bool
    cette_semaine: bool

    @property
    def a_tenir(self) -> bool:
        """Whether the deadline calls for an act (not a mere date such as an anniversary)."""
        return annee_api.a_tenir(self.echeance)


def etats(echeances: list[annee_api.Echeance], emises: set[str], aujourdhui: date) -> list[EtatEcheance]:
    """Done when its document is recorded (the year-1 letter for the launch, the year's
    bilan for a bilan), late when past and not done, this week when due within 7 days."""
    resultat = []
    for e in echeances:
        if not annee_api.a_tenir(e):
            faite = e.date < aujourdhui
        elif e.cle == "lancement":
            faite = "lettre-1" in emises
        else:
            faite = f"bilan-{e.annee}" in emises
        resultat.append(EtatEcheance(e, faite, not faite and annee_api.a_tenir(e) and e.date < aujourdhui,
                                     not faite and aujourdhui <= e.date <= aujourdhui + timedelta(days=7)))
    return resultat


def comptes_titulaires(dossier: DossierWeb) -> list[Compte]:
    """The organisation's titulaire accounts (to link one to the market)."""
    return list(db().scalars(select(Compte).where(Compte.organisation_id == dossier.organisation_id,
                                                  Compte.role == "titulaire", Compte.actif)
                             .order_by(Compte.nom)))
