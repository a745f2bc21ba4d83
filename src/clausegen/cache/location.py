"""Where the caches live, and the names of the files kept beside their entries."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

KEY = "cle"
"""A namespace's HMAC key (32 random bytes, mode 0600)."""
STAMP = ".elagage"
"""The pruning stamp at the top of the cache directory."""


def cache_directory() -> Path | None:
    """Where caches are kept: ``$CLAUSEGEN_CACHE`` (``off`` disables them), else
    ``$XDG_CACHE_HOME/clausegen`` or ``~/.cache/clausegen``; None when disabled."""
    configured = os.environ.get("CLAUSEGEN_CACHE")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clausegen"


def sources_digest(*files: str | Path, extra: str = "") -> str:
    """A digest of the files' bytes (source files) and of ``extra`` (library versions), for a
    namespace that changes whenever the code the cached values were computed by changes."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(_file_digest(str(file)))
    digest.update(extra.encode("utf-8"))
    return digest.hexdigest()[:32]


@lru_cache(maxsize=64)
def _file_digest(path: str) -> bytes:
    """SHA-256 of a source file, read once per process."""
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).digest()
