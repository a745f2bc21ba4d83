"""Downloads: the file's name in the ``Content-Disposition`` header (RFC 6266)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from werkzeug.wrappers import Response


def piece_jointe(data: bytes | str, nom: str, mimetype: str, *, prive: bool = True) -> Response:
    """``data`` downloaded as ``nom``: ``filename`` in ASCII for old clients and, when the name
    has other characters (« Réf-n°-12 »), ``filename*`` in UTF-8 (RFC 5987), which browsers
    prefer. ``prive``: never kept by a shared cache."""
    reponse = Response(data, mimetype=mimetype)
    reponse.headers["Content-Disposition"] = disposition(nom)
    if prive:
        reponse.headers["Cache-Control"] = "private, no-store"
    return reponse


def disposition(nom: str) -> str:
    """The ``Content-Disposition`` value of an attachment named ``nom``."""
    simple = unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode("ascii")
    simple = "".join(c for c in simple if c.isprintable()).replace("\\", "_").replace('"', "_")
    simple = re.sub(r"-{2,}", "-", simple)  # « n° » loses its « ° »: no « n- » left doubled
    valeur = f'attachment; filename="{simple}"'
    if simple != nom:
        valeur += "; filename*=UTF-8''" + quote(nom, safe="!#$&+^`|~")
    return valeur
