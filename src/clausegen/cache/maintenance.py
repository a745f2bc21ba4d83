"""Keeping the caches of :mod:`clausegen.cache` in bounds: what they hold, pruning,
emptying. Only files clausegen writes are ever removed (:func:`_ours`): a
``$CLAUSEGEN_CACHE`` pointing at a folder of other files loses none of them.

Imported only when the caches are pruned (once a day) or shown and emptied
(``clausegen cache etat|vider``), not by every run.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from clausegen.cache.location import KEY, STAMP, cache_directory

MAX_AGE = 30 * 24 * 3600.0
"""Seconds after which an entry not written again, or a namespace not opened again, is removed."""
_ENTRY = re.compile(r"[0-9a-f]{64}\.[a-z]+|\..+\.[0-9a-f]{8}\.tmp")
"""Names of a namespace's entries (``<sha256>.<suffix>``) and of their temporary files."""
_TOP_FILE = re.compile(r"bibliotheque-[0-9a-f]{20}\.json|tmp[a-z0-9_]{8}\.tmp|\.elagage")
"""Names of the files kept at the top of the cache directory: the pruning stamp, and the
front-matter caches (and their temporary files) that earlier versions wrote there, so that
``clausegen cache vider`` removes them."""


@dataclass(frozen=True)
class CacheState:
    """What the cache directory holds (clausegen's files only)."""

    directory: Path | None
    """None when caches are disabled (``CLAUSEGEN_CACHE=off``)."""
    namespaces: int
    files: int
    size: int
    """Bytes."""


def _is_namespace(path: Path) -> bool:
    """A directory of signed entries: it holds the 32-byte key :class:`SignedCache` writes."""
    try:
        return path.is_dir() and not path.is_symlink() and (path / KEY).stat().st_size == 32
    except OSError:
        return False


def _ours(directory: Path) -> Iterator[tuple[Path, bool]]:
    """clausegen's files and namespaces in the cache directory: (path, is a namespace)."""
    try:
        children = sorted(directory.iterdir())
    except OSError:
        return
    for child in children:
        if _is_namespace(child):
            yield child, True
        elif _TOP_FILE.fullmatch(child.name) and child.is_file() and not child.is_symlink():
            yield child, False


def _entries(namespace: Path) -> Iterator[Path]:
    """The entries of a namespace (its key excluded)."""
    with contextlib.suppress(OSError):
        for child in sorted(namespace.iterdir()):
            if _ENTRY.fullmatch(child.name) and child.is_file() and not child.is_symlink():
                yield child


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def cache_state() -> CacheState:
    """How many namespaces, files and bytes the caches take."""
    directory = cache_directory()
    if directory is None:
        return CacheState(directory=None, namespaces=0, files=0, size=0)
    namespaces = files = size = 0
    for path, is_namespace in _ours(directory):
        if is_namespace:
            namespaces += 1
            for entry in _entries(path):
                files += 1
                size += _size(entry)
        elif path.name != STAMP:
            files += 1
            size += _size(path)
    return CacheState(directory=directory, namespaces=namespaces, files=files, size=size)


def _older(path: Path, limit: float) -> bool:
    try:
        return path.stat().st_mtime < limit
    except OSError:
        return False


def prune_cache(directory: Path, max_age: float = MAX_AGE, now: float | None = None) -> int:
    """Remove the entries written, and the namespaces opened, more than ``max_age`` seconds
    before ``now``; the number of files removed."""
    limit = (time.time() if now is None else now) - max_age
    removed = 0
    for path, is_namespace in _ours(directory):
        if not is_namespace:
            if path.name != STAMP and _older(path, limit):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
        elif _older(path, limit):
            removed += sum(1 for _ in _entries(path))
            shutil.rmtree(path, ignore_errors=True)
        else:
            for entry in _entries(path):
                if _older(entry, limit):
                    with contextlib.suppress(OSError):
                        entry.unlink()
                        removed += 1
    return removed


def clear_cache() -> int:
    """Remove every cache entry and namespace clausegen wrote; the number of files removed."""
    directory = cache_directory()
    if directory is None:
        return 0
    return prune_cache(directory, max_age=-1.0, now=float("inf"))
