"""Atomic writing of output files: a reader never sees a partial file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from clausegen.errors import OutputError

_RECORDER: ContextVar[list[Path] | None] = ContextVar("clausegen_written", default=None)
_DEFER_SYNC: ContextVar[bool] = ContextVar("clausegen_defer_sync", default=False)


@contextlib.contextmanager
def deferred_sync() -> Iterator[None]:
    """Skip the per-file ``fsync`` inside the block; the caller syncs once at the end.

    Files are still renamed into place atomically (never partial); a batch calls
    :func:`sync_all` before reporting success, so every file is on disk by then.
    """
    token = _DEFER_SYNC.set(True)
    try:
        yield
    finally:
        _DEFER_SYNC.reset(token)


def sync_all() -> None:
    """Flush every written file to disk (one ``sync`` for a whole batch)."""
    os.sync()


@contextlib.contextmanager
def record_writes() -> Iterator[list[Path]]:
    """Collect every path :func:`write_atomic` writes inside the block (for ``--pdf``)."""
    written: list[Path] = []
    token = _RECORDER.set(written)
    try:
        yield written
    finally:
        _RECORDER.reset(token)


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        is_directory = path.is_dir()
    except OSError as exc:
        raise OutputError(path=path, reason=_reason(exc)) from None
    if is_directory:
        raise OutputError(path=path, reason="c'est un répertoire ; indiquez un nom de fichier")
    temp_name = ""
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                         delete=False) as handle:
            temp_name = handle.name
            handle.write(data)
            handle.flush()
            if not _DEFER_SYNC.get():
                os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, path)
    except OSError as exc:
        if temp_name:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
        raise OutputError(path=path, reason=_reason(exc)) from None
    recorder = _RECORDER.get()
    if recorder is not None:
        recorder.append(path)
    return path


def _reason(exc: OSError) -> str:
    import errno

    messages = {
        errno.ENOSPC: "plus d'espace disque",
        errno.EACCES: "permission refusée",
        errno.EPERM: "opération non permise",
        errno.EROFS: "système de fichiers en lecture seule",
        errno.ENAMETOOLONG: "nom de fichier trop long",
        errno.ENOTDIR: "un élément du chemin n'est pas un répertoire",
        errno.ENOENT: "répertoire introuvable",
        errno.EEXIST: "un élément du chemin n'est pas un répertoire",
        errno.EISDIR: "c'est un répertoire ; indiquez un nom de fichier",
        errno.EDQUOT: "quota disque dépassé",
        errno.EIO: "erreur d'entrée-sortie du disque",
        errno.EMFILE: "trop de fichiers ouverts",
    }
    return messages.get(exc.errno or 0, exc.strerror or str(exc))
