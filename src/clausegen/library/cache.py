"""A cache of parsed fragment front matter, keyed by path and the SHA-256 of that text.

Parsing the YAML front matter of thousands of fragment versions dominates the loading of a
large library; published versions never change. The cache remembers, for each file, the
digest of its front-matter text and the metadata parsing it gave (in JSON form). The file is
still read on every load: the body always comes from the file, the content hash is always
computed again, and cached metadata is used only when the front-matter text is byte for
byte the one parsed (no size or clock heuristic: an edit that keeps the size and the time
is seen). The metadata is validated again from the cache, so an entry can never bypass the
model; an entry edited by hand can at worst change metadata the digest still matches, which
``bibliotheque verifier`` and ``verifier-document`` do not rely on (they never use the cache).

The cache lives in ``$CLAUSEGEN_CACHE`` (``off`` disables it), else
``$XDG_CACHE_HOME/clausegen`` or ``~/.cache/clausegen``. It is an optimisation only: an
unreadable, corrupt or unwritable cache is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clausegen import __version__
from clausegen.signed_cache import cache_directory

FORMAT = 2


@dataclass(frozen=True)
class CachedFile:
    """What parsing one file's front matter gave, with the digest of that text."""

    head_sha256: str
    meta: dict[str, Any]


def _cache_file(root: Path) -> Path | None:
    directory = cache_directory()
    if directory is None:
        return None
    key = hashlib.sha256(f"{root.resolve()}|{__version__}|{FORMAT}".encode()).hexdigest()[:20]
    return directory / f"bibliotheque-{key}.json"


@dataclass
class FragmentCache:
    """The cache of one library root, read once and written back if anything changed."""

    path: Path | None
    entries: dict[str, CachedFile] = field(default_factory=dict)
    changed: bool = False

    def lookup(self, file: Path, head_sha256: str) -> CachedFile | None:
        """The cached parse of ``file`` if its front matter is the one parsed."""
        entry = self.entries.get(str(file))
        return entry if entry and entry.head_sha256 == head_sha256 else None

    def store(self, file: Path, entry: CachedFile) -> None:
        """Remember a fresh parse."""
        self.entries[str(file)] = entry
        self.changed = True

    def keep_only(self, files: set[str]) -> None:
        """Forget files that no longer exist."""
        gone = set(self.entries) - files
        for name in gone:
            del self.entries[name]
        self.changed = self.changed or bool(gone)

    def save(self) -> None:
        """Write the cache atomically; any failure is ignored."""
        if self.path is None or not self.changed:
            return
        payload = {"format": FORMAT, "entries": {k: vars(v) for k, v in self.entries.items()}}
        with contextlib.suppress(OSError, TypeError, ValueError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.path.parent,
                                             delete=False, suffix=".tmp") as handle:
                json.dump(payload, handle, ensure_ascii=False)
            os.replace(handle.name, self.path)


def open_cache(root: Path) -> FragmentCache:
    """Read the cache of a library root (empty when absent, disabled or unreadable)."""
    path = _cache_file(root)
    cache = FragmentCache(path=path)
    if path is None:
        return cache
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        payload = json.loads(path.read_text(encoding="utf-8"))
        if payload.get("format") == FORMAT:
            cache.entries = {k: CachedFile(**v) for k, v in payload["entries"].items()}
    return cache

