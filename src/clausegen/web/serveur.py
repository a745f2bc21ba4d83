"""Serving the application: several worker processes (gunicorn) or one (waitress).

Generation is pure computation held by Python's global lock, so one process uses one core
whatever its threads. On POSIX systems ``clausegen serveur`` therefore forks worker processes
(gunicorn, each with ``fils`` threads); with one process, or where gunicorn cannot run
(Windows), waitress serves in one process as before. See docs/web.md (« Serveur HTTP »).

The application is built once in the parent (database migrated, session key read) and
inherited by every worker; the database engine's pooled connections are never shared across
``fork``: the parent closes them before forking and each worker forgets the inherited pool
(``Engine.dispose(close=False)``, as SQLAlchemy documents for multiprocessing).
"""

from __future__ import annotations

import errno
import gc
import os
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask

from clausegen.errors import ServerAddressError
from clausegen.web.app import moteur_de
from clausegen.web.converter import start_pdf_converter, stop_pdf_converter

MAX_DEFAULT_PROCESSES = 8
"""The default number of processes never exceeds this (memory: each worker holds its caches)."""


KEEPALIVE_SECONDS = 0
"""Every response closes its connection (``Connection: close``). A persistent connection ties
a browser to the worker that accepted it, and requests are CPU-bound: with 10 clients, the
clients whose connections piled up on one worker waited far longer per generation than the
others (docs/performance-web.md). A new connection per request can go to the
worker that is free (see :data:`FILS_PAR_PROCESSUS`). A reverse proxy opens upstream
connections per request by default anyway; on loopback or a LAN a TCP handshake costs well
under a millisecond."""

FILS_PAR_PROCESSUS = 2
"""Requests one worker process takes at once (its threads, and the connections it accepts).
A worker that has as many as it can take stops accepting: the next connections wait in the
system's queue and go to the first worker that finishes one — requests are dispatched to free
workers in arrival order, instead of piling up behind a busy one (the generation p95 at 10
clients with and without this limit: docs/performance-web.md). Two rather than one: a slow
request (PDF conversion by LibreOffice) leaves its worker one slot for the others."""
FILS_UN_PROCESSUS = 8
"""Threads of the single waitress process (``--processus 1``, Windows)."""


@dataclass(frozen=True)
class Ecoute:
    """Where and how the server listens."""

    hote: str
    port: int
    processus: int
    fils: int | None = None
    """Requests handled at once by each process; default :data:`FILS_PAR_PROCESSUS` with
    several processes, :data:`FILS_UN_PROCESSUS` with one."""


def processus_par_defaut() -> int:
    """One worker per usable processor (at most :data:`MAX_DEFAULT_PROCESSES`) where gunicorn
    runs; 1 elsewhere."""
    if not multiprocessus_possible():
        return 1
    try:
        coeurs = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS has no affinity call
        coeurs = os.cpu_count() or 1
    return max(1, min(coeurs, MAX_DEFAULT_PROCESSES))


def multiprocessus_possible() -> bool:
    """Whether gunicorn can run here (it needs ``fork`` and ``fcntl``: not on Windows)."""
    try:
        import gunicorn.app.base  # noqa: F401
    except ImportError:
        return False
    return hasattr(os, "fork")


def verifier_adresse(hote: str, port: int) -> None:
    """Refuse, in French, an address the server could not listen on (before anything starts:
    gunicorn would retry for five seconds and log in English, waitress would end in a
    traceback)."""
    adresse = f"[{hote}]:{port}" if ":" in hote else f"{hote}:{port}"
    try:
        famille, genre, protocole, _, cible = socket.getaddrinfo(
            hote, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror:
        raise ServerAddressError(address=adresse, reason="hôte inconnu (--hote)") from None
    with socket.socket(famille, genre, protocole) as essai:
        if sys.platform != "win32":  # as the servers do; on Windows it would allow a taken port
            essai.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            essai.bind(cible)
        except PermissionError:
            raise ServerAddressError(address=adresse, reason="port réservé (en dessous de 1024, il "
                                     "faut les droits d'administrateur ; choisissez un autre --port)"
                                     ) from None
        except OSError as exc:
            raison = {
                errno.EADDRINUSE: "port déjà utilisé par un autre programme (choisissez un autre --port)",
                errno.EADDRNOTAVAIL: "cette machine n'a pas cette adresse (--hote)",
            }.get(exc.errno or 0, f"ouverture impossible (erreur système "
                                  f"{errno.errorcode.get(exc.errno or 0, exc.errno)})")
            raise ServerAddressError(address=adresse, reason=raison) from None


def _interrompre(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def servir(app: Flask, ecoute: Ecoute, *, derriere_proxy: bool) -> None:
    """Serve until interrupted (Ctrl+C or SIGTERM stops the workers too); each server process
    keeps a LibreOffice for PDF downloads, stopped with it."""
    if ecoute.processus > 1 and multiprocessus_possible():
        _servir_gunicorn(app, ecoute)
        return
    import waitress

    if threading.current_thread() is threading.main_thread():  # SIGTERM ends serve() as Ctrl+C does
        signal.signal(signal.SIGTERM, _interrompre)
    start_pdf_converter(app)
    try:
        waitress.serve(app, host=ecoute.hote, port=ecoute.port, threads=ecoute.fils or FILS_UN_PROCESSUS,
                       ident="clausegen", channel_request_lookahead=1,
                       clear_untrusted_proxy_headers=not derriere_proxy, _quiet=True)
    finally:
        stop_pdf_converter(app)


def options_gunicorn(app: Flask, ecoute: Ecoute) -> dict[str, Any]:
    """gunicorn's settings: gthread workers taking ``fils`` requests at once each, one
    connection per request (:data:`KEEPALIVE_SECONDS`); forwarded headers are never interpreted
    by gunicorn itself — behind a proxy the application's ``ProxyFix`` does it
    (``--derriere-proxy``), exactly as with waitress."""
    hote = f"[{ecoute.hote}]" if ":" in ecoute.hote else ecoute.hote
    fils = ecoute.fils or FILS_PAR_PROCESSUS

    def apres_fork(_arbiter: Any, _worker: Any) -> None:
        moteur_de(app).dispose(close=False)  # the parent's connections stay the parent's
        # Once, after fork: what the worker inherited (modules, the library, the application)
        # lives as long as the worker; full collections need not scan it again.
        gc.freeze()
        start_pdf_converter(app)

    def fin_du_worker(_arbiter: Any, _worker: Any) -> None:
        stop_pdf_converter(app)

    return {
        "bind": [f"{hote}:{ecoute.port}"],
        "workers": ecoute.processus,
        "worker_class": "gthread",
        "threads": fils,
        "worker_connections": fils,
        "keepalive": KEEPALIVE_SECONDS,
        "preload_app": True,
        "proc_name": "clausegen",
        "loglevel": "warning",
        "accesslog": None,
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "post_fork": apres_fork,
        "worker_exit": fin_du_worker,
    }


def _servir_gunicorn(app: Flask, ecoute: Ecoute) -> None:
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
        """gunicorn's embedding API: settings given here, no configuration file read."""

        def load_config(self) -> None:
            for cle, valeur in options_gunicorn(app, ecoute).items():
                self.cfg.set(cle, valeur)

        def load(self) -> Flask:
            return app

    moteur_de(app).dispose()  # no connection opened before the fork survives in the parent
    Application().run()
