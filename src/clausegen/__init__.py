"""clausegen: the pieces of a social plan de progrès, from a dossier and a clause library.

The public API lives in :mod:`clausegen.api`; it is re-exported here lazily so that
importing the package (and ``clausegen --help``) stays fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "check_faisabilite", "open_library", "read_dossier", "render_piece",
           "render_pieces"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from clausegen import api

        return getattr(api, name)
    raise AttributeError(f"module 'clausegen' has no attribute {name!r}")
