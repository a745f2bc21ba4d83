"""Where the bundled clause library and Word skeletons are.

In an installed wheel they sit in ``clausegen/_data/``; in a source checkout (editable
install, tests) they are the repository's top-level ``clause_library/`` and ``templates/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parents[1]


def _locate(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _CHECKOUT / name


def library_dir() -> Path:
    """The bundled clause library."""
    return _locate("clause_library")


def templates_dir() -> Path:
    """The bundled Word skeletons."""
    return _locate("templates")


def examples_dir() -> Path:
    """The bundled example dossiers (the legal desk test-renders a draft against them)."""
    return _locate("examples")
