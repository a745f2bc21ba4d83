"""The signed-in account: loaded from the session cookie on each request.

The cookie (signed by Flask with the key shared by every instance) carries the account's id
and its session number; raising that number in the database voids every cookie at once
(logout, deactivation, new password).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import abort, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from clausegen.db import Compte, Role
from clausegen.web.base import db

P = ParamSpec("P")
R = TypeVar("R")


def charger_compte() -> None:
    """Before each request: the account of the cookie, if still valid."""
    g.compte = None
    if request.endpoint == "static":
        return  # stylesheet and scripts: no account needed, no query
    compte_id = session.get("compte")
    if compte_id is None:
        return
    compte = db().get(Compte, compte_id)
    if compte is None or not compte.actif or compte.numero_session != session.get("numero"):
        session.clear()
        return
    g.compte = compte


LIBRES_AVEC_MOT_DE_PASSE_PROVISOIRE = frozenset({
    "static", "compte.connexion", "compte.connecter_compte", "compte.deconnexion",
    "compte.mot_de_passe", "compte.changer_mot_de_passe"})
"""What an account whose password is provisional may reach: choosing its own, leaving."""


def exiger_mot_de_passe_choisi() -> Response | None:
    """Before each request, after :func:`charger_compte`: an account whose password was given
    by an administrator or the command line (provisional) is sent to the change-password page
    from any other page, GET or POST, until it has chosen its own (issue 22 item 7)."""
    compte = g.get("compte")
    if compte is None or not compte.mot_de_passe_provisoire \
            or request.endpoint in LIBRES_AVEC_MOT_DE_PASSE_PROVISOIRE:
        return None
    return redirect(url_for("compte.mot_de_passe"), code=303)


def compte_courant() -> Compte:
    """The signed-in account (routes behind :func:`connexion_requise` only)."""
    compte = g.get("compte")
    if compte is None:
        abort(401)
    assert isinstance(compte, Compte)
    return compte


def connecter(compte: Compte) -> None:
    """Start a new session for ``compte`` (a fresh cookie: no session fixation)."""
    session.clear()
    session["compte"] = compte.id
    session["numero"] = compte.numero_session
    session.permanent = True


def deconnecter(compte: Compte) -> None:
    """End every session of ``compte``."""
    compte.numero_session += 1
    session.clear()


def suite_sure(cible: str | None) -> str | None:
    """A local path to go back to after login, never another site: one leading ``/``, no
    backslash, no whitespace or control character anywhere (browsers and Werkzeug drop a tab
    or a newline, so ``/%09/evil.example`` would become ``//evil.example``), and still a bare
    path once split (no scheme, no host). Only its path and query are kept."""
    if not cible or len(cible) > 2000 or not cible.startswith("/") or cible.startswith("//"):
        return None
    if "\\" in cible or any(c.isspace() or unicodedata.category(c)[0] in "CZ" for c in cible):
        return None
    morceaux = urlsplit(cible)
    if morceaux.scheme or morceaux.netloc or not morceaux.path.startswith("/") \
            or morceaux.path.startswith("//"):
        return None
    return morceaux.path + (f"?{morceaux.query}" if morceaux.query else "")


def connexion_requise(vue: Callable[P, R]) -> Callable[P, R | Response]:
    """Send anonymous visitors to the login page, then back."""

    @functools.wraps(vue)
    def enveloppe(*args: P.args, **kwargs: P.kwargs) -> R | Response:
        if g.get("compte") is None:
            return redirect(url_for("compte.connexion", suite=request.full_path.rstrip("?")))
        return vue(*args, **kwargs)

    return enveloppe


def role_requis(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Signed in, and one of ``roles`` (403 otherwise)."""

    def decorateur(vue: Callable[P, R]) -> Callable[P, R | Response]:
        @functools.wraps(vue)
        def enveloppe(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            if compte_courant().role not in roles:
                abort(403)
            return vue(*args, **kwargs)

        return connexion_requise(enveloppe)

    return decorateur
