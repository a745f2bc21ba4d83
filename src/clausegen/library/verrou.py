"""One writer at a time in a library directory (web legal desk and command line alike).

An exclusive lock on ``<root>/.verrou`` (:mod:`filelock`: across processes and instances
sharing the file system); writes inside it are atomic file replacements.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from clausegen.errors import OrganisationLibraryError

VERROU = ".verrou"
ATTENTE = 10.0
"""Seconds a write waits for another one to finish before giving up."""


def racine_de(fragment_path: Path) -> Path:
    """The library root of a version file (``<root>/fragments/<id>/<version>.md``)."""
    return fragment_path.parents[2]


@contextmanager
def verrou(racine: Path, ref: str) -> Iterator[None]:
    """Hold the library's write lock (French error after :data:`ATTENTE` seconds)."""
    racine.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(racine / VERROU), timeout=ATTENTE):
            yield
    except Timeout:
        raise OrganisationLibraryError(ref=ref, reason="la bibliothèque est en cours de "
                                       "modification par ailleurs ; réessayez dans un instant.") from None
