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

import os
from dataclasses import dataclass
from typing import Any

from flask import Flask

from clausegen.web.app import moteur_de

MAX_DEFAULT_PROCESSES = 8
"""The default number of processes never exceeds this (memory: each worker holds its caches)."""


KEEPALIVE_SECONDS = 0
"""Every response closes its connection (``Connection: close``). A persistent connection ties
a browser to the worker that accepted it, and requests are CPU-bound: with 10 clients, a 7/3
split of connections between two workers was measured at 150 ms per generation on one
worker's clients against 60 ms on the other's. A new connection per request goes to whichever
worker calls ``accept`` first — usually the one that is not computing — so both cores share
the load (page p95 at 10 clients: 98–115 ms with 30 s keep-alive, 44–48 ms without; see
docs/performance-web.md). A reverse proxy opens upstream connections per request by default
anyway; on loopback or a LAN a TCP handshake costs well under a millisecond."""


@dataclass(frozen=True)
class Ecoute:
    """Where and how the server listens."""

    hote: str
    port: int
    processus: int
    fils: int


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


def servir(app: Flask, ecoute: Ecoute, *, derriere_proxy: bool) -> None:
    """Serve until interrupted (Ctrl+C or SIGTERM stops the workers too)."""
    if ecoute.processus > 1 and multiprocessus_possible():
        _servir_gunicorn(app, ecoute)
        return
    import waitress

    waitress.serve(app, host=ecoute.hote, port=ecoute.port, threads=ecoute.fils, ident="clausegen",
                   clear_untrusted_proxy_headers=not derriere_proxy, _quiet=True)


def options_gunicorn(app: Flask, ecoute: Ecoute) -> dict[str, Any]:
    """gunicorn's settings: gthread workers (keep-alive connections wait without holding a
    thread); forwarded headers are never interpreted by gunicorn itself — behind a proxy the
    application's ``ProxyFix`` does it (``--derriere-proxy``), exactly as with waitress."""
    hote = f"[{ecoute.hote}]" if ":" in ecoute.hote else ecoute.hote

    def apres_fork(_arbiter: Any, _worker: Any) -> None:
        moteur_de(app).dispose(close=False)  # the parent's connections stay the parent's

    return {
        "bind": [f"{hote}:{ecoute.port}"],
        "workers": ecoute.processus,
        "worker_class": "gthread",
        "threads": ecoute.fils,
        "keepalive": KEEPALIVE_SECONDS,
        "preload_app": True,
        "proc_name": "clausegen",
        "loglevel": "warning",
        "accesslog": None,
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "post_fork": apres_fork,
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
