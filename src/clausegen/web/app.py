"""The application factory: database, security, routes.

``create_app(WebConfig(base=…))`` gives a WSGI application; ``clausegen serveur`` serves it
with gunicorn worker processes or waitress (:mod:`clausegen.web.serveur`). Nothing is kept
in the process between requests (see docs/web.md).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, Response, g
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from clausegen import __version__
from clausegen.api import marche
from clausegen.db.engine import connect
from clausegen.db.store import generations
from clausegen.web import annulation, base, erreurs, session
from clausegen.web.config import WebConfig, limite_de_la_route
from clausegen.web.filtres import installer_filtres
from clausegen.web.routes import (
    admin,
    bibliotheque,
    compte,
    dossiers,
    entretien,
    journal,
    pages,
    pieces,
    suivi,
    titulaire,
)
from clausegen.web.securite import HotesAutorises, IdentifiantConverter, ProxyDeConfiance, cle_de_session

ICI = Path(__file__).parent
MOTEUR = "clausegen.moteur"


def create_app(config: WebConfig) -> Flask:
    """A configured application on a migrated database."""
    engine = connect(config.base)
    factory = sessionmaker(engine, expire_on_commit=False)
    app = Flask("clausegen.web", template_folder=str(ICI / "templates"),
                static_folder=str(ICI / "static"))
    app.url_map.converters["int"] = IdentifiantConverter  # ids beyond the database: 404, not 500
    with factory() as db:
        cle = config.cle_secrete or cle_de_session(db)
        completer_empreintes_des_brouillons(db)
    app.config.update(
        SECRET_KEY=cle,
        SESSION_COOKIE_NAME="clausegen_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.https,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=10),
        MAX_CONTENT_LENGTH=config.taille_max,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        WTF_CSRF_SSL_STRICT=config.https,
        PREFERRED_URL_SCHEME="https" if config.https else "http",
    )
    app.extensions[base.EXTENSION] = factory
    app.extensions[MOTEUR] = engine
    app.extensions["clausegen.config"] = config
    if config.hotes:
        app.wsgi_app = HotesAutorises(app.wsgi_app, config.hotes)  # type: ignore[method-assign]
    if config.derriere_proxy:
        app.wsgi_app = ProxyDeConfiance(app.wsgi_app, config.proxys)  # type: ignore[method-assign]
    app.before_request(limite_de_la_route)  # before the CSRF check reads the form
    CSRFProtect(app)
    app.before_request(session.charger_compte)
    app.before_request(session.exiger_mot_de_passe_choisi)
    annulation.installer(app, factory)
    app.teardown_appcontext(base.fermer)
    app.after_request(_entetes_de_securite)
    app.context_processor(lambda: {"compte": g.get("compte"), "version": __version__})
    installer_filtres(app)
    erreurs.installer(app)
    for module in (compte, admin, dossiers, entretien, pieces, journal, bibliotheque, suivi,
                   titulaire, pages):
        app.register_blueprint(module.bp)
    return app


def completer_empreintes_des_brouillons(db: Session) -> None:
    """Generations recorded before revision 0008 carry no digest of the draft they came from:
    each gets its dossier's current draft's digest if that draft still writes the dossier text
    it was generated from, ``""`` otherwise (the list of dossiers then reads « pièces générées »
    from the digests alone, without writing each dossier's YAML). Once per generation: the
    next start finds none left."""
    anciennes = generations.list_generations_without_brouillon(db)
    if anciennes:
        generations.set_brouillon_sha256(db, {
            generation_id: marche.brouillon_sha256_if_generated(
                dossier.brouillon or {}, f"dossier-{dossier.id}.yml", dossier_sha256)
            for generation_id, dossier_sha256, dossier in anciennes})


def _entetes_de_securite(reponse: Response) -> Response:
    reponse.headers.setdefault("Content-Security-Policy",
                               "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'")
    reponse.headers.setdefault("X-Content-Type-Options", "nosniff")
    reponse.headers.setdefault("Referrer-Policy", "same-origin")
    if reponse.mimetype == "text/html":
        reponse.headers.setdefault("Cache-Control", "no-store")
    return reponse


def sessions_de(app: Flask) -> sessionmaker[Session]:
    """The session factory of an application (tests, commands)."""
    factory: sessionmaker[Session] = app.extensions[base.EXTENSION]
    return factory


def moteur_de(app: Flask) -> Engine:
    """The database engine of an application (its pool is reset in each server process)."""
    engine: Engine = app.extensions[MOTEUR]
    return engine
