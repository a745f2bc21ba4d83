"""Tables of the web application (SQLAlchemy 2 typed declarative models).

Column names are French like the domain; the schema itself is created by the Alembic
migrations in ``db/migrations`` (never by ``create_all``), so SQLite and PostgreSQL get
the same tables.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def now() -> datetime:
    """The current time in UTC, naive and without microseconds: SQLite keeps no time zone,
    so both databases store the same value."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class Role(StrEnum):
    """What an account may do within its organisation (see ``web/droits.py``)."""

    acheteur = "acheteur"
    juriste = "juriste"
    facilitateur = "facilitateur"
    administrateur = "administrateur"
    titulaire = "titulaire"
    """The contractor's account: sees only the market it is linked to (``Suivi.titulaire_id``)."""


class Base(DeclarativeBase):
    """Base of every table."""

    type_annotation_map = {dict[str, Any]: JSON}


class Organisation(Base):
    """A public body (or a facilitator's structure) whose accounts share dossiers."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    nom: Mapped[str] = mapped_column(String(200), unique=True)
    cree_le: Mapped[datetime] = mapped_column(DateTime(), default=now)
    second_juriste: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    """A fragment version is validated by a lawyer other than those who wrote it (default)."""


class Compte(Base):
    """A person's account."""

    __tablename__ = "comptes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    courriel: Mapped[str] = mapped_column(String(254), unique=True)
    nom: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    mot_de_passe: Mapped[str] = mapped_column(String(200))
    actif: Mapped[bool] = mapped_column(Boolean, default=True)
    numero_session: Mapped[int] = mapped_column(Integer, default=0)
    """Raised on logout and password change: every cookie carrying the old number is void."""
    mot_de_passe_provisoire: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Given by an administrator or the command line: to be changed before any other page
    (migration 0008)."""
    cree_le: Mapped[datetime] = mapped_column(DateTime(), default=now)

    organisation: Mapped[Organisation] = relationship()


class DossierWeb(Base):
    """A dossier being built in the browser: the draft as typed, same shape as the YAML."""

    __tablename__ = "dossiers"
    __table_args__ = (
        # The list: an organisation's dossiers, most recently changed first, a page at a time,
        # read in this index's order without reading (and sorting) every draft (migration 0004).
        Index("ix_dossiers_organisation_modifie", "organisation_id", "modifie_le", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    cree_par_id: Mapped[int] = mapped_column(ForeignKey("comptes.id"))
    facilitateur_id: Mapped[int | None] = mapped_column(ForeignKey("comptes.id"), index=True)
    """The facilitator's account that follows this market (sees it in the application)."""
    titre: Mapped[str] = mapped_column(String(300))
    brouillon: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cree_le: Mapped[datetime] = mapped_column(DateTime(), default=now)
    modifie_le: Mapped[datetime] = mapped_column(DateTime(), default=now, onupdate=now)
    archive_le: Mapped[datetime | None] = mapped_column(DateTime())
    """Archived by a buyer: hidden from the list unless asked for (migration 0008)."""
    supprime_le: Mapped[datetime | None] = mapped_column(DateTime())
    """In the recycle bin (« Corbeille »): read-only, restorable, never purged (migration 0008)."""


class Generation(Base):
    """One generation of the pieces of a dossier: who, when, from what."""

    __tablename__ = "generations"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    compte_id: Mapped[int] = mapped_column(ForeignKey("comptes.id"))
    cree_le: Mapped[datetime] = mapped_column(DateTime(), default=now)
    dossier_yaml: Mapped[str] = mapped_column(Text, deferred=True)
    """The exact dossier text the pieces were generated from (its hash is ``dossier_sha256``)."""
    dossier_sha256: Mapped[str] = mapped_column(String(64))
    bibliotheque: Mapped[str] = mapped_column(String(40))
    version_outil: Mapped[str] = mapped_column(String(40))
    brouillon_sha256: Mapped[str | None] = mapped_column(String(64))
    """The draft's digest (:func:`clausegen.api.marche.brouillon_sha256`) at generation: whether the
    dossier is still the one the pieces came from, without writing its YAML again (migration
    0008; None before)."""

    compte: Mapped[Compte] = relationship()
    pieces: Mapped[list[PieceGeneree]] = relationship(order_by="PieceGeneree.id")


class PieceGeneree(Base):
    """One document of a generation, kept byte for byte."""

    __tablename__ = "pieces_generees"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation_id: Mapped[int] = mapped_column(ForeignKey("generations.id"), index=True)
    piece: Mapped[str] = mapped_column(String(60))
    fragments: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Fragment id → « version sha256:… statut », as in the document's provenance."""
    docx_sha256: Mapped[str] = mapped_column(String(64))
    docx: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    apercu_html: Mapped[str] = mapped_column(Text, deferred=True)
    brouillon: Mapped[bool] = mapped_column(Boolean, default=False)


class TentativeConnexion(Base):
    """A failed login, kept a while for throttling (shared by every instance)."""

    __tablename__ = "tentatives_connexion"

    id: Mapped[int] = mapped_column(primary_key=True)
    courriel: Mapped[str] = mapped_column(String(254), index=True)
    adresse_ip: Mapped[str] = mapped_column(String(64), index=True)
    le: Mapped[datetime] = mapped_column(DateTime(), default=now, index=True)


class Parametre(Base):
    """Settings shared by every instance (the session signing key)."""

    __tablename__ = "parametres"

    cle: Mapped[str] = mapped_column(String(50), primary_key=True)
    valeur: Mapped[str] = mapped_column(Text)


class EntreeJournal(Base):
    """One entry of the audit trail: who did what, when, on what.

    Append-only (database triggers refuse UPDATE and DELETE) and chained: ``empreinte`` is
    the HMAC-SHA256 (key outside the database) of ``precedent`` and of this entry's content,
    ``precedent`` the previous entry's ``empreinte`` (unique, so the chain cannot fork).
    See :mod:`clausegen.db.journal`.
    """

    __tablename__ = "journal"

    id: Mapped[int] = mapped_column(primary_key=True)
    rang: Mapped[int | None] = mapped_column(Integer, index=True, unique=True)
    """Position in the chain, from 1 (covered by the hash; migration 0005)."""
    le: Mapped[datetime] = mapped_column(DateTime(), default=now)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    compte_id: Mapped[int | None] = mapped_column(ForeignKey("comptes.id"))
    acteur: Mapped[str] = mapped_column(String(460))
    """« Nom <courriel> » at the time of the act (an account renamed later does not rewrite it)."""
    action: Mapped[str] = mapped_column(String(60))
    objet: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    precedent: Mapped[str] = mapped_column(String(64), unique=True)
    empreinte: Mapped[str] = mapped_column(String(64), unique=True)


class Suivi(Base):
    """The post-award follow-up of one market: award data, accepted plans and results.

    Only what the facilitator accepted is here: these dictionaries (same shape as the
    dossier's ``titulaire``, ``plans`` and ``bilans``) are what documents are made from.
    """

    __tablename__ = "suivis"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    titulaire: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    date_notification: Mapped[date | None] = mapped_column(Date())
    plans: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Year (as text) → accepted plan of that year."""
    resultats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Year (as text) → accepted results of that year."""
    reunions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Year (as text) → its bilan meeting (date_reunion, lieu, participants)."""
    titulaire_id: Mapped[int | None] = mapped_column(ForeignKey("comptes.id"), index=True)
    """The titulaire's account that contributes to this market (and sees only it)."""
    modifie_le: Mapped[datetime] = mapped_column(DateTime(), default=now, onupdate=now)


class Evenement(Base):
    """Something that happened in a year of the market: a document received (with the date
    it was due), a formal notice (mise en demeure), an observation."""

    __tablename__ = "evenements"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    annee: Mapped[int] = mapped_column(Integer)
    genre: Mapped[str] = mapped_column(String(30))
    le: Mapped[date] = mapped_column(Date())
    attendu_le: Mapped[date | None] = mapped_column(Date())
    libelle: Mapped[str] = mapped_column(Text)
    manquement: Mapped[str | None] = mapped_column(String(300))
    """The failing a procedure step concerns (:func:`clausegen.domain.evenements.cle_manquement`):
    each failing is its own procedure; None for a document received (its own failing)."""
    montant: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    """The amount HT a decision that reduces the penalty retains (revision 0008); None otherwise."""
    compte_id: Mapped[int] = mapped_column(ForeignKey("comptes.id"))
    cree_le: Mapped[datetime] = mapped_column(DateTime(), default=now)

    compte: Mapped[Compte] = relationship()


class Soumission(Base):
    """A titulaire's contribution (draft plan or yearly results with proofs) and its review.

    Nothing here reaches a document until ``etat`` is ``acceptee``: then its content is
    copied into :class:`Suivi` by the facilitator's acceptance."""

    __tablename__ = "soumissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    annee: Mapped[int] = mapped_column(Integer)
    genre: Mapped[str] = mapped_column(String(20))
    contenu: Mapped[dict[str, Any]] = mapped_column(JSON)
    preuve_nom: Mapped[str | None] = mapped_column(String(200))
    preuve: Mapped[bytes | None] = mapped_column(LargeBinary)
    etat: Mapped[str] = mapped_column(String(20), default="soumise")
    soumis_par_id: Mapped[int] = mapped_column(ForeignKey("comptes.id"))
    soumis_le: Mapped[datetime] = mapped_column(DateTime(), default=now)
    revu_par_id: Mapped[int | None] = mapped_column(ForeignKey("comptes.id"))
    revu_le: Mapped[datetime | None] = mapped_column(DateTime())
    commentaire: Mapped[str | None] = mapped_column(Text)

    soumis_par: Mapped[Compte] = relationship(foreign_keys=[soumis_par_id])
    revu_par: Mapped[Compte | None] = relationship(foreign_keys=[revu_par_id])


class JetonCalendrier(Base):
    """A facilitator's calendar feed secret (only its SHA-256 is kept; revocable)."""

    __tablename__ = "jetons_calendrier"

    compte_id: Mapped[int] = mapped_column(ForeignKey("comptes.id"), primary_key=True)
    empreinte: Mapped[str] = mapped_column(String(64), unique=True)
    cree_le: Mapped[datetime] = mapped_column(DateTime(), default=now)
