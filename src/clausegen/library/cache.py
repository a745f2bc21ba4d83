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
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clausegen import __version__

FORMAT = 2


@dataclass(frozen=True)
class CachedFile:
    """What parsing one file's front matter gave, with the digest of that text."""

    head_sha256: str
    meta: dict[str, Any]


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
            key_file = directory / "cle"
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
        return True

    def _path(self, text: str) -> Path:
        assert self._directory is not None
        return self._directory / (hashlib.sha256(text.encode("utf-8")).hexdigest() + self._suffix)

    def _signature(self, text: str, value: bytes) -> bytes:
        assert self._key is not None
        message = hashlib.sha256(text.encode("utf-8")).digest() + value
        return hmac.new(self._key, message, hashlib.sha256).hexdigest().encode("ascii")

    def load(self, text: str) -> bytes | None:
        """The value kept for ``text``, when present and signed with this cache's key."""
        if not self._open():
            return None
        try:
            signature, _, value = self._path(text).read_bytes().partition(b"\n")
        except OSError:
            return None
        return value if hmac.compare_digest(signature, self._signature(text, value)) else None

    def store(self, text: str, value: bytes) -> None:
        """Keep the value computed from ``text``."""
        if not self._open():
            return
        path = self._path(text)
        with contextlib.suppress(OSError):
            temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
            descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(self._signature(text, value) + b"\n" + value)
            os.replace(temp, path)
