"""Passwords (argon2), login throttling and the shared session key, all on the database."""

from __future__ import annotations

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clausegen.db import Compte, Parametre, TentativeConnexion
from clausegen.db.models import now

MAX_ECHECS_COURRIEL = 5
MAX_ECHECS_ADRESSE = 20
FENETRE = timedelta(minutes=15)
LONGUEUR_MIN_MOT_DE_PASSE = 12

_hasher = PasswordHasher()
_HASH_FACTICE = _hasher.hash("mot de passe factice pour un temps constant")


def hacher(mot_de_passe: str) -> str:
    """The argon2id hash of a password."""
    return _hasher.hash(mot_de_passe)


def verifier(compte: Compte | None, mot_de_passe: str) -> bool:
    """Whether ``mot_de_passe`` is the account's (same time whether the account exists or not)."""
    try:
        _hasher.verify(compte.mot_de_passe if compte else _HASH_FACTICE, mot_de_passe)
    except (VerificationError, InvalidHashError):
        return False
    return compte is not None


def rehacher_si_besoin(compte: Compte, mot_de_passe: str) -> None:
    """Re-hash with the current parameters after a successful login, if they changed."""
    if _hasher.check_needs_rehash(compte.mot_de_passe):
        compte.mot_de_passe = hacher(mot_de_passe)


def trop_de_tentatives(db: Session, courriel: str, adresse_ip: str) -> bool:
    """Whether the address or the account has failed too often in the last minutes."""
    depuis = now() - FENETRE
    recentes = select(TentativeConnexion).where(TentativeConnexion.le >= depuis)
    par_courriel = db.scalar(select(func.count()).select_from(
        recentes.where(TentativeConnexion.courriel == courriel).subquery()))
    par_adresse = db.scalar(select(func.count()).select_from(
        recentes.where(TentativeConnexion.adresse_ip == adresse_ip).subquery()))
    return (par_courriel or 0) >= MAX_ECHECS_COURRIEL or (par_adresse or 0) >= MAX_ECHECS_ADRESSE


def noter_echec(db: Session, courriel: str, adresse_ip: str) -> None:
    """Record a failed login and forget the ones older than the window."""
    db.execute(delete(TentativeConnexion).where(TentativeConnexion.le < now() - FENETRE))
    db.add(TentativeConnexion(courriel=courriel, adresse_ip=adresse_ip, le=now()))


def oublier_echecs(db: Session, courriel: str) -> None:
    """A successful login clears the account's failures (not the address's)."""
    db.execute(delete(TentativeConnexion).where(TentativeConnexion.courriel == courriel))


def cle_de_session(db: Session) -> str:
    """The session signing key shared by every instance: read, or created once."""
    existante = db.get(Parametre, "cle_session")
    if existante is not None:
        return existante.valeur
    db.add(Parametre(cle="cle_session", valeur=secrets.token_urlsafe(48)))
    try:
        db.commit()
    except IntegrityError:  # another instance created it at the same moment
        db.rollback()
    cle = db.get(Parametre, "cle_session")
    assert cle is not None
    return cle.valeur
