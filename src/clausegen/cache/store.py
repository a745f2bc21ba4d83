"""Signed cache entries that a copy or a hand edit cannot alter.

The caches are an optimisation only: an unreadable, corrupt or unwritable entry is ignored.
They do not grow without bound: once a day, the first cache a process opens removes the
entries written more than thirty days ago and the namespaces no process has opened for as
long (:mod:`clausegen.cache.maintenance`, imported only then).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import marshal
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clausegen.cache.location import KEY, STAMP, cache_directory


class SignedCache:
    """Values kept between runs, one file per SHA-256 of the text they were computed from.

    Each entry is signed with HMAC-SHA256 under a random key kept with the entries (mode
    0600), in a directory under :func:`cache_directory` named by ``namespace``, which must name
    everything the values depend on besides their text (library and code versions). An entry
    that is unsigned, signed otherwise, or in a directory others may write to is ignored, so a
    cache copied from elsewhere or edited by hand is never used; anyone able to write to the
    user's cache directory with the user's rights could equally edit the installed package.
    Failures are ignored: a cache is an optimisation only.
    """

    def __init__(self, namespace: Callable[[], str], suffix: str) -> None:
        self._namespace = namespace
        self._suffix = suffix
        self._directory: Path | None = None
        self._key: bytes | None = None
        self._ready = False

    def _open(self) -> bool:
        if self._ready:
            return self._key is not None
        self._ready = True
        base = cache_directory()
        if base is None:
            return False
        directory = base / self._namespace()
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            if directory.stat().st_mode & 0o022 or directory.stat().st_uid != os.getuid():
                return False
            key_file = directory / KEY
            if not key_file.exists():
                descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(secrets.token_bytes(32))
            key = key_file.read_bytes()
        except (OSError, AttributeError):
            return False
        if len(key) != 32:
            return False
        self._directory, self._key = directory, key
        with contextlib.suppress(OSError):
            os.utime(directory)  # the namespace is in use: pruning keeps it
        prune_now_and_then(base)
        return True

    def _path(self, text: str) -> Path:
        """Where the entry of ``text`` is kept."""
        return Path(self._entry(text)[0])

    def _entry(self, text: str) -> tuple[str, bytes]:
        """The entry's file name and the SHA-256 of ``text`` (computed once per access: a
        run reads a hundred entries)."""
        assert self._directory is not None
        digest = hashlib.sha256(text.encode("utf-8")).digest()
        return os.path.join(self._directory, digest.hex() + self._suffix), digest

    def _signature(self, text_digest: bytes, value: bytes) -> bytes:
        assert self._key is not None
        return hmac.digest(self._key, text_digest + value, "sha256").hex().encode("ascii")

    def load(self, text: str) -> bytes | None:
        """The value kept for ``text``, when present and signed with this cache's key."""
        if not self._open():
            return None
        path, digest = self._entry(text)
        try:
            with open(path, "rb") as handle:
                signature, _, value = handle.read().partition(b"\n")
        except OSError:
            return None
        return value if hmac.compare_digest(signature, self._signature(digest, value)) else None

    def store(self, text: str, value: bytes) -> None:
        """Keep the value computed from ``text``."""
        if not self._open():
            return
        path, digest = self._entry(text)
        with contextlib.suppress(OSError):
            folder, name = os.path.split(path)
            temp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
            descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(self._signature(digest, value) + b"\n" + value)
            os.replace(temp, path)

    def load_data(self, text: str) -> Any:
        """The plain data (dicts, tuples, bytes, strings, numbers) kept for ``text``, read
        with ``marshal`` (which builds no object but those), or None."""
        stored = self.load(text)
        if stored is None:
            return None
        try:
            return marshal.loads(stored)
        except (EOFError, ValueError, TypeError):
            return None

    def store_data(self, text: str, value: Any) -> None:
        """Keep plain data computed from ``text`` (``marshal``)."""
        with contextlib.suppress(ValueError):
            self.store(text, marshal.dumps(value))


PRUNE_EVERY = 24 * 3600.0
"""Seconds between two automatic prunings (a stamp file in the cache directory keeps the time)."""


_pruned = False


def prune_now_and_then(directory: Path) -> None:
    """Prune the cache directory when the last pruning is more than :data:`PRUNE_EVERY` old
    (one ``stat`` otherwise, once per process)."""
    global _pruned  # noqa: PLW0603 - once per process
    if _pruned:
        return
    _pruned = True
    stamp = directory / STAMP
    try:
        if time.time() - stamp.stat().st_mtime < PRUNE_EVERY:
            return
    except FileNotFoundError:
        pass
    except OSError:
        return
    with contextlib.suppress(OSError):
        stamp.touch()
        from clausegen.cache.maintenance import prune_cache

        prune_cache(directory)
