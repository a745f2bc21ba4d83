"""Persistence of the follow-up: markets followed, their follow-up record (award data, accepted
plans and results), events, the titulaire's submissions, recorded documents, calendar feeds.

Every function takes the request's session; those that journal an act commit with it
(:func:`clausegen.db.journal.consigner`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from clausegen.db.journal import consigner
from clausegen.db.models import (
    Compte,
    DossierWeb,
    Evenement,
    Generation,
    JetonCalendrier,
    PieceGeneree,
    Soumission,
    Suivi,
    now,
)


class Piece(Protocol):
    """A generated document to record (:class:`clausegen.api.piece.RenderedPiece`)."""

    @property
    def piece(self) -> str: ...  # noqa: D102
    @property
    def docx(self) -> bytes: ...  # noqa: D102
    @property
    def fragments(self) -> dict[str, str]: ...  # noqa: D102
    @property
    def bibliotheque(self) -> str: ...  # noqa: D102
    @property
    def sha256(self) -> str: ...  # noqa: D102


# --- markets and their follow-up record -----------------------------------------------------


def find_dossier(session: Session, dossier_id: int) -> DossierWeb | None:
    """The dossier, or None."""
    return session.get(DossierWeb, dossier_id)


def find_suivi(session: Session, dossier_id: int) -> Suivi | None:
    """The market's follow-up record, or None while nothing was recorded."""
    return session.scalar(select(Suivi).where(Suivi.dossier_id == dossier_id))


def get_suivi(session: Session, dossier: DossierWeb) -> Suivi:
    """The market's follow-up record (created empty on first use, saved with the next commit)."""
    suivi = find_suivi(session, dossier.id)
    if suivi is None:
        suivi = Suivi(dossier_id=dossier.id, titulaire={}, plans={}, resultats={})
        session.add(suivi)
    return suivi


def list_evenements(session: Session, dossier_id: int) -> list[Evenement]:
    """The market's events, oldest first."""
    return list(session.scalars(select(Evenement).where(Evenement.dossier_id == dossier_id)
                                .order_by(Evenement.le, Evenement.id)))


def list_dossiers_suivis(session: Session, compte: Compte) -> list[DossierWeb]:
    """The dossiers the facilitator ``compte`` follows, by title."""
    return list(session.scalars(select(DossierWeb).where(
        DossierWeb.organisation_id == compte.organisation_id,
        DossierWeb.facilitateur_id == compte.id, DossierWeb.supprime_le.is_(None))
        .order_by(DossierWeb.titre)))


def list_dossiers_du_titulaire(session: Session, compte: Compte) -> list[DossierWeb]:
    """The dossiers whose market the titulaire ``compte`` is linked to."""
    return list(session.scalars(select(DossierWeb).join(Suivi, Suivi.dossier_id == DossierWeb.id)
                                .where(Suivi.titulaire_id == compte.id,
                                       DossierWeb.organisation_id == compte.organisation_id)))


def list_comptes_titulaires(session: Session, organisation_id: int) -> list[Compte]:
    """The organisation's active titulaire accounts, by name."""
    return list(session.scalars(select(Compte).where(Compte.organisation_id == organisation_id,
                                                     Compte.role == "titulaire", Compte.actif)
                                .order_by(Compte.nom)))


def save_attribution(session: Session, suivi: Suivi, *, titulaire: Mapping[str, str],
                     date_notification: date, titulaire_id: int | None) -> None:
    """Record the award data and the titulaire's account, and commit."""
    suivi.titulaire = dict(titulaire)
    suivi.date_notification = date_notification
    suivi.titulaire_id = titulaire_id
    session.commit()


def accept_plan(session: Session, suivi: Suivi, annee: int, plan: dict[str, Any], *,
                compte: Compte, titre: str, source: str) -> None:
    """Make ``plan`` the accepted plan of the year (journalled, committed)."""
    suivi.plans = {**suivi.plans, str(annee): plan}
    consigner(session, action="plan_accepte", objet=f"{titre} : plan de l'année {annee}",
              compte=compte, details={"annee": annee, "source": source})


def accept_resultats(session: Session, suivi: Suivi, annee: int, resultats: dict[str, Any], *,
                     compte: Compte, titre: str, source: str) -> None:
    """Make ``resultats`` the accepted results of the year (journalled, committed)."""
    suivi.resultats = {**suivi.resultats, str(annee): resultats}
    consigner(session, action="revue_soumission", objet=f"{titre} : résultats de "
              f"l'année {annee} acceptés", compte=compte,
              details={"annee": annee, "source": source})


def add_evenement(session: Session, dossier: DossierWeb, *, annee: int, genre: str, le: date,
                  libelle: str, attendu_le: date | None, compte: Compte, objet: str,
                  manquement: str | None = None, montant: Decimal | None = None) -> None:
    """Record an event of the year, attached to the failing it concerns, with the amount a
    decision that reduces the penalty retains (journalled as ``objet``, committed)."""
    session.add(Evenement(dossier_id=dossier.id, annee=annee, genre=genre, le=le, libelle=libelle[:2000],
                          attendu_le=attendu_le, manquement=manquement, montant=montant,
                          compte_id=compte.id))
    details: dict[str, Any] = {"annee": annee, "le": le.isoformat(), "libelle": libelle[:300],
                               "manquement": manquement}
    if montant is not None:
        details["montant"] = str(montant)
    consigner(session, action="evenement", objet=objet, compte=compte, details=details)


def attach_evenement(session: Session, evenement: Evenement, manquement: str, *, compte: Compte,
                     objet: str) -> None:
    """Attach an event recorded without its failing (before revision 0005) to the failing it
    concerns (journalled, committed)."""
    evenement.manquement = manquement
    consigner(session, action="evenement", objet=objet, compte=compte,
              details={"evenement": evenement.id, "manquement": manquement})


def save_reunion(session: Session, suivi: Suivi, annee: int, reunion: dict[str, Any], *,
                 compte: Compte, titre: str) -> None:
    """Record the year's bilan meeting (date, place, participants; journalled, committed)."""
    suivi.reunions = {**(suivi.reunions or {}), str(annee): reunion}
    consigner(session, action="evenement", objet=f"{titre} : réunion de bilan de l'année {annee}",
              compte=compte, details={"annee": annee, "date_reunion": reunion.get("date_reunion")})


# --- recorded documents ---------------------------------------------------------------------


def record_piece(session: Session, dossier: DossierWeb, piece: Piece, *, compte: Compte,
                 dossier_yaml: str, dossier_sha256: str, version_outil: str, action: str,
                 objet: str, details: Mapping[str, object] | None = None) -> Generation:
    """Record a post-award document byte for byte, as the buyer's pieces, and journal it
    (committed)."""
    generation = Generation(dossier_id=dossier.id, compte_id=compte.id, dossier_yaml=dossier_yaml,
                            dossier_sha256=dossier_sha256, bibliotheque=piece.bibliotheque,
                            version_outil=version_outil)
    session.add(generation)
    session.flush()
    session.add(PieceGeneree(generation_id=generation.id, piece=piece.piece, fragments=piece.fragments,
                             docx_sha256=piece.sha256, docx=piece.docx, apercu_html="",
                             brouillon=False))
    consigner(session, action=action, objet=objet, compte=compte,
              details={"generation": generation.id, "piece": piece.piece, "docx_sha256": piece.sha256,
                       **(details or {})})
    return generation


def list_pieces_emises(session: Session, dossier_id: int) -> list[tuple[Generation, PieceGeneree]]:
    """Every post-award document recorded for the market, newest first."""
    rows = session.execute(select(Generation, PieceGeneree).join(PieceGeneree)
                           .where(Generation.dossier_id == dossier_id,
                                  PieceGeneree.piece.not_in(("ccap", "cctp")))
                           .order_by(Generation.id.desc())).all()
    return [(g, p) for g, p in rows]


# --- the titulaire's submissions ------------------------------------------------------------


def list_soumissions(session: Session, dossier_id: int, annee: int, *,
                     soumis_par_id: int | None = None) -> list[Soumission]:
    """The submissions of a year, newest first (only those of account ``soumis_par_id``
    when given)."""
    query = select(Soumission).where(Soumission.dossier_id == dossier_id, Soumission.annee == annee)
    if soumis_par_id is not None:
        query = query.where(Soumission.soumis_par_id == soumis_par_id)
    return list(session.scalars(query.order_by(Soumission.id.desc())))


def list_soumissions_en_attente(session: Session, dossier_ids: list[int]) -> list[Soumission]:
    """The submissions awaiting review on these markets, oldest first."""
    if not dossier_ids:
        return []
    return list(session.scalars(select(Soumission).where(
        Soumission.dossier_id.in_(dossier_ids), Soumission.etat == "soumise").order_by(Soumission.id)))


def find_soumission(session: Session, dossier_id: int, soumission_id: int) -> Soumission | None:
    """A submission of the market, or None."""
    soumission = session.get(Soumission, soumission_id)
    return soumission if soumission is not None and soumission.dossier_id == dossier_id else None


def add_soumission(session: Session, dossier: DossierWeb, *, annee: int, genre: str,
                   contenu: dict[str, Any], compte: Compte,
                   preuve: tuple[str, bytes] | None = None) -> Soumission:
    """Record a titulaire's submission (journalled, committed)."""
    soumission = Soumission(dossier_id=dossier.id, annee=annee, genre=genre, contenu=contenu,
                            etat="soumise", soumis_par_id=compte.id,
                            preuve_nom=preuve[0] if preuve else None,
                            preuve=preuve[1] if preuve else None)
    session.add(soumission)
    session.flush()
    consigner(session, action="soumission", objet=f"{dossier.titre} : {genre} de l'année {annee} "
              "soumis par le titulaire", compte=compte,
              details={"soumission": soumission.id, "annee": annee, "genre": genre})
    return soumission


def review_soumission(session: Session, soumission: Soumission, suivi: Suivi, *, compte: Compte,
                      titre: str, accepte: bool, commentaire: str) -> None:
    """The facilitator's review: accepted, the submission becomes the year's plan or results;
    otherwise the titulaire is asked for changes (journalled, committed)."""
    soumission.etat = "acceptee" if accepte else "a_modifier"
    soumission.revu_par_id, soumission.revu_le = compte.id, now()
    soumission.commentaire = commentaire[:2000] or None
    if accepte:
        source = f"soumission n° {soumission.id} du titulaire"
        accept = accept_plan if soumission.genre == "plan" else accept_resultats
        accept(session, suivi, soumission.annee, soumission.contenu, compte=compte, titre=titre,
               source=source)
    else:
        consigner(session, action="revue_soumission", objet=f"{titre} : modifications "
                  f"demandées ({soumission.genre} de l'année {soumission.annee})", compte=compte,
                  details={"soumission": soumission.id, "commentaire": commentaire[:300]})


# --- calendar feeds -------------------------------------------------------------------------


def find_jeton(session: Session, compte: Compte) -> JetonCalendrier | None:
    """The account's calendar feed token, or None."""
    return session.get(JetonCalendrier, compte.id)


def renew_jeton(session: Session, compte: Compte, empreinte: str) -> None:
    """Replace the account's feed token by the one hashed ``empreinte`` (journalled, committed)."""
    existant = find_jeton(session, compte)
    if existant is not None:
        session.delete(existant)
        session.flush()
    session.add(JetonCalendrier(compte_id=compte.id, empreinte=empreinte))
    consigner(session, action="flux_calendrier", objet="lien d'agenda renouvelé", compte=compte)


def revoke_jeton(session: Session, compte: Compte) -> None:
    """Remove the account's feed token, if any (journalled, committed)."""
    existant = find_jeton(session, compte)
    if existant is not None:
        session.delete(existant)
        consigner(session, action="flux_calendrier", objet="lien d'agenda révoqué", compte=compte)


def find_compte_du_jeton(session: Session, empreinte: str) -> Compte | None:
    """The account whose feed token is hashed ``empreinte``, or None."""
    trouve = session.scalar(select(JetonCalendrier).where(JetonCalendrier.empreinte == empreinte))
    return session.get(Compte, trouve.compte_id) if trouve else None
