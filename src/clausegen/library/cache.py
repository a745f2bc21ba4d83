"""A cache of parsed fragment files, keyed by path, size and modification time.

Reading the YAML front matter of thousands of fragment versions dominates the loading of a
large library; published versions never change. Like git's index, the cache remembers, for
each file, its size and modification time and what parsing it gave (the validated metadata
in JSON form, the body, the content hash). A file whose size or time changed is parsed
again. The metadata is validated again from the cache, so a cached entry can never
bypass the model. Files modified less than two seconds before the cache was written are not
cached (a later edit within the same clock tick could otherwise go unseen).

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
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clausegen import __version__

FORMAT = 1
RACY_SECONDS = 2.0


@dataclass(frozen=True)
class CachedFile:
    """What parsing one file gave, with the stat values it was valid for."""

    mtime_ns: int
    size: int
    meta: dict[str, Any]
    body: str
    body_line: int
    sha256: str


def cache_directory() -> Path | None:
    """Where caches are kept, or None when disabled."""
    configured = os.environ.get("CLAUSEGEN_CACHE")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clausegen"


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

    def lookup(self, file: Path, stat: os.stat_result) -> CachedFile | None:
        """The cached parse of ``file`` if its size and time are unchanged."""
        entry = self.entries.get(str(file))
        if entry and entry.mtime_ns == stat.st_mtime_ns and entry.size == stat.st_size:
            return entry
        return None

    def store(self, file: Path, stat: os.stat_result, entry: CachedFile) -> None:
        """Remember a fresh parse (not for files modified within the last seconds)."""
        if time.time() - stat.st_mtime_ns / 1e9 < RACY_SECONDS:
            self.entries.pop(str(file), None)
        else:
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
