"""Work nobody waits for any more: a client that closes its connection cancels its generation.

Rendering checks, at every step of the sandbox (:func:`clausegen.templating.tick`), whether
the request's client is still connected; if it left, the rendering stops
(:class:`~clausegen.templating.RenderCancelled`). A generation whose client left after the
rendering is not recorded either: its commit is refused (``before_commit``), so its
transaction rolls back. Other requests (a saved step, a status change) still commit: their
author may well close the tab right after clicking.

How a departure is seen depends on the server: under gunicorn, a non-blocking peek at the
client's socket (``gunicorn.socket``) reads the end of the stream; under waitress, its own
``waitress.client_disconnected`` (the server reads ahead on the connection,
``channel_request_lookahead``). Elsewhere (the test client, another server) the client is
taken as present.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from clausegen.api.annulation import RenderCancelled, cancellation

ANNULABLES = frozenset({"pieces.generer"})
"""Endpoints whose work is not recorded once their client has gone."""


class ClientParti(RenderCancelled):
    """The client closed its connection before the work was recorded."""


def detecteur(environ: dict[str, Any]) -> Callable[[], bool] | None:
    """A function answering whether the request's client is still connected, or None when
    the server gives no way to know."""
    sock = environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        return lambda: _connecte(sock)
    parti = environ.get("waitress.client_disconnected")
    if callable(parti):
        return lambda: not parti()
    return None


def _connecte(sock: socket.socket) -> bool:
    """Whether the peer has not closed ``sock`` (end of stream or reset): peeks one byte
    without blocking and without consuming it."""
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
    except (BlockingIOError, InterruptedError):
        return True  # open, nothing sent: the client waits for the answer
    except OSError:
        return False


def installer(app: Flask, factory: sessionmaker[Session]) -> None:
    """Watch each request's client while it is served; refuse the commit of an
    :data:`ANNULABLES` request whose client has gone."""

    @app.before_request
    def surveiller() -> None:
        present = detecteur(request.environ)
        if present is not None:
            g.client_present = present
            contexte = cancellation(present)
            contexte.__enter__()
            g.annulation = contexte

    @app.teardown_request
    def fin(_exc: BaseException | None = None) -> None:
        contexte = g.pop("annulation", None)
        if contexte is not None:
            contexte.__exit__(None, None, None)

    app.register_error_handler(RenderCancelled, _abandon)

    @event.listens_for(factory, "before_commit")
    def avant_validation(_session: Session) -> None:
        if not has_request_context() or request.endpoint not in ANNULABLES:
            return
        present = g.get("client_present")
        if present is not None and not present():
            raise ClientParti("génération abandonnée : le client a fermé la connexion")


def _abandon(_exc: RenderCancelled) -> tuple[str, int]:
    """Nobody reads the answer: an empty one, status 499 (« client closed request »)."""
    return "", 499
