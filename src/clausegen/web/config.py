"""How one instance of the web application is configured."""

from __future__ import annotations

from dataclasses import dataclass

MAX_UPLOAD_BYTES = 1024 * 1024
"""Largest request body accepted (a dossier file is a few kilobytes)."""
MAX_PREUVE_BYTES = 5 * 1024 * 1024
"""Largest proof file a titulaire may join to its results (the form says « 5 Mo au plus »)."""
MARGE_FORMULAIRE = 256 * 1024
"""The rest of a form sent with a file (fields, multipart boundaries)."""
LIMITES_PAR_ROUTE = {"titulaire.soumettre_resultats": MAX_PREUVE_BYTES + MARGE_FORMULAIRE}
"""Routes that take more than :data:`MAX_UPLOAD_BYTES`: the limit their page states, plus
the form around the file (``request.max_content_length``, set before anything reads it)."""


def limite_de_la_route() -> None:
    """Before each request (and before the CSRF check reads the form): the body limit of
    the route, where it differs from the application's."""
    from flask import request

    limite = LIMITES_PAR_ROUTE.get(request.endpoint or "")
    if limite is not None:
        request.max_content_length = limite


@dataclass(frozen=True)
class WebConfig:
    """Settings of one instance; every instance sharing ``base`` shares all data."""

    base: str
    """SQLAlchemy URL (``sqlite:///…`` or ``postgresql://…``)."""
    https: bool = False
    """Served through HTTPS (directly or behind a reverse proxy): cookies get ``Secure``."""
    derriere_proxy: bool = False
    """Behind a reverse proxy: its ``X-Forwarded-For``, ``-Proto``, ``-Host`` headers are
    used — only on connections coming from one of :attr:`proxys` (anyone else's are dropped)."""
    proxys: tuple[str, ...] = ("127.0.0.1", "::1")
    """Addresses of the reverse proxies whose forwarded headers are trusted."""
    hotes: tuple[str, ...] = ()
    """Host names the application answers to (``Host`` or the proxy's ``X-Forwarded-Host``;
    any other gets 400); empty: any host."""
    cle_secrete: str | None = None
    """Session signing key; default: one created in the database at first start."""
    taille_max: int = MAX_UPLOAD_BYTES
    contact_accessibilite: str | None = None
    """Where people report an accessibility problem (address, web page or text), shown by the
    accessibility statement; none: the statement says to ask the organisation that opened
    the account."""
    bibliotheques: str | None = None
    """Directory holding one library directory per organisation (``organisation-<id>``);
    default: ``bibliotheques`` in the user's data directory. See docs/web.md."""
    pagination: bool = True
    """The CCAP's sommaire gets its page numbers from LibreOffice at generation (the server
    process's converter, else a LibreOffice started for the generation); ``False``
    (``serveur --sans-pagination``): not, Word offers to update it on opening."""
