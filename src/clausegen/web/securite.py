"""Passwords (argon2), login throttling and the shared session key, all on the database."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter

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


MAX_ECHECS_PAIRE = 5
"""Failures, in :data:`FENETRE`, of one address (or one known browser) on one account."""
MAX_ECHECS_COMPTE = 50
"""Failures on one account from every address together: past it, only a browser that has
signed in to the account before (:func:`appareil_connu`) may still try."""


def tentative(db: Session, courriel: str, origine: str, *, adresse_ip: str) -> bool:
    """Record an attempt *before* checking the password, commit it, then count: whether the
    attempt may go on. Counting after recording closes the race of parallel attempts (each
    sees every attempt recorded before its own: at most :data:`MAX_ECHECS_PAIRE` get checked).

    ``origine`` is what a lockout is keyed on: the client's address, or a known browser
    (``appareil:…``), or a signed-in session (``session:…``, the password-change form): an
    attacker's failures lock the attacker's own pair (account, origin), never the account's
    owner on another address or browser. The address alone is limited too
    (:data:`MAX_ECHECS_ADRESSE`), and the account from unknown browsers
    (:data:`MAX_ECHECS_COMPTE`)."""
    maintenant = now()
    db.execute(delete(TentativeConnexion).where(TentativeConnexion.le < maintenant - FENETRE))
    db.add(TentativeConnexion(courriel=courriel, adresse_ip=origine[:64], le=maintenant))
    db.commit()
    recentes = select(func.count()).select_from(TentativeConnexion).where(
        TentativeConnexion.le >= maintenant - FENETRE)
    paire = db.scalar(recentes.where(TentativeConnexion.courriel == courriel,
                                     TentativeConnexion.adresse_ip == origine[:64])) or 0
    if paire > MAX_ECHECS_PAIRE:
        return False
    if origine.startswith(("appareil:", "session:")):
        return True
    adresse = db.scalar(recentes.where(TentativeConnexion.adresse_ip == adresse_ip[:64])) or 0
    compte = db.scalar(recentes.where(TentativeConnexion.courriel == courriel)) or 0
    return adresse <= MAX_ECHECS_ADRESSE and compte <= MAX_ECHECS_COMPTE


def reussite(db: Session, courriel: str, origine: str) -> None:
    """A successful check forgets the attempts of its pair (account, origin) — not the
    others (not the commit: the caller's)."""
    db.execute(delete(TentativeConnexion).where(TentativeConnexion.courriel == courriel,
                                                TentativeConnexion.adresse_ip == origine[:64]))


def appareil(cle: str | bytes, courriel: str) -> str:
    """The value of the « known browser » cookie of an account (signed with the session key)."""
    return hmac.new(cle.encode() if isinstance(cle, str) else cle,
                    f"appareil:{courriel}".encode(), hashlib.sha256).hexdigest()


def appareil_connu(cle: str | bytes, courriel: str, cookie: str | None) -> bool:
    """Whether the browser's cookie shows it signed in to this account before."""
    return bool(cookie) and hmac.compare_digest(appareil(cle, courriel), str(cookie))


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


MAX_IDENTIFIANT = 2**31 - 1
"""Largest id a route accepts: PostgreSQL's ``integer`` (SQLite's go further, but no row has
such an id). A larger number in a URL is a page that does not exist (404), never a 500."""


class IdentifiantConverter(IntegerConverter):
    """Werkzeug's ``int`` converter, bounded to ids a database column can hold: every
    ``<int:…>`` route answers 404 to ``/dossiers/2147483648`` or ``/generations/1e30``."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = None, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=MAX_IDENTIFIANT if max is None else max, signed=signed)


EN_TETES_DE_PROXY = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


class ProxyDeConfiance:
    """WSGI middleware: the forwarded headers of a request are used (one proxy hop, Werkzeug's
    ``ProxyFix``) only when the connection comes from a configured proxy address; from
    anywhere else they are removed, so a client reaching the server directly cannot choose
    its address (login throttling), scheme or host."""

    def __init__(self, application: Any, proxys: tuple[str, ...]) -> None:
        from werkzeug.middleware.proxy_fix import ProxyFix

        self.direct = application
        self.par_proxy = ProxyFix(application, x_for=1, x_proto=1, x_host=1, x_port=1)
        self.proxys = frozenset(proxys)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REMOTE_ADDR") in self.proxys:
            return self.par_proxy(environ, start_response)
        for nom in EN_TETES_DE_PROXY:
            environ.pop(nom, None)
        return self.direct(environ, start_response)


class HotesAutorises:
    """WSGI middleware: a request for a host name that is not the site's (``Host`` header, or
    the trusted proxy's ``X-Forwarded-Host``) gets a plain 400 before the application builds
    any link with it (password-reset style poisoning, cache poisoning)."""

    def __init__(self, application: Any, hotes: tuple[str, ...]) -> None:
        self.application = application
        self.hotes = list(hotes)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from werkzeug.exceptions import SecurityError
        from werkzeug.wsgi import get_host

        try:
            get_host(environ, trusted_hosts=self.hotes)
        except SecurityError:
            corps = "Requête refusée : nom d'hôte inconnu de ce site.\n".encode()
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8"),
                                               ("Content-Length", str(len(corps)))])
            return [corps]
        return self.application(environ, start_response)
