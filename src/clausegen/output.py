"""Writing output files: atomic, all-or-nothing, never onto what is not a plain file.

- Each file is written to a temporary file beside its target, then renamed into place: a
  reader never sees a partial file, and an interruption (even Ctrl-C) leaves no temporary.
- Inside :func:`transaction`, every file of a command is first written to its temporary;
  the renames happen only once all of them are written (``pieces --suivi`` writes ten files
  or none).
- A target that exists and is not a regular file (a device such as ``/dev/null``, a FIFO, a
  socket) is refused, as is a file the command read as input (the dossier), when the front
  end declares them with :func:`protecting_inputs`.
- A new file gets the mode the umask gives (``0o666 & ~umask``); a replaced file keeps its
  mode.
- ``-`` writes to standard output (one file only); the messages then go to stderr.
- The extension must match what is written (a Word document is not named ``.pdf``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import sys
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from clausegen.errors import OutputError

STDOUT = Path("-")
"""``-o -``: the document goes to standard output."""

_RECORDER: ContextVar[list[Path] | None] = ContextVar("clausegen_written", default=None)
_DEFERRED: ContextVar[list[Path] | None] = ContextVar("clausegen_defer_sync", default=None)
_TRANSACTION: ContextVar[_Transaction | None] = ContextVar("clausegen_transaction", default=None)
_INPUTS: ContextVar[list[os.stat_result] | None] = ContextVar("clausegen_inputs", default=None)
_STDOUT_USED: ContextVar[bool] = ContextVar("clausegen_stdout_used", default=False)


@dataclass
class _Transaction:
    staged: list[tuple[Path, str]] = field(default_factory=list)
    """(target, temporary file already written) in writing order."""
    created: list[Path] = field(default_factory=list)
    """Directories made for the outputs, removed again (when empty) if nothing is written."""


@contextlib.contextmanager
def transaction() -> Iterator[None]:
    """All the files written inside the block appear together, or none does.

    Nested blocks join the outer one. On any exception (including Ctrl-C), every
    temporary is removed and no target is touched.
    """
    if _TRANSACTION.get() is not None:
        yield
        return
    current = _Transaction()
    token = _TRANSACTION.set(current)
    try:
        yield
        _commit(current.staged)
    except BaseException:
        _discard(current.staged)
        for directory in reversed(current.created):
            with contextlib.suppress(OSError):
                directory.rmdir()
        raise
    finally:
        _TRANSACTION.reset(token)


def _commit(staged: list[tuple[Path, str]]) -> None:
    for index, (target, temp_name) in enumerate(staged):
        try:
            os.replace(temp_name, target)
        except BaseException as exc:
            _discard(staged[index:])
            if isinstance(exc, OSError):
                raise OutputError(path=target, reason=_reason(exc)) from None
            raise
        _record(target)


def _discard(staged: Iterable[tuple[Path, str]]) -> None:
    for _, temp_name in staged:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)


@contextlib.contextmanager
def protecting_inputs() -> Iterator[None]:
    """Inside the block, files noted with :func:`note_input` are never replaced by an output."""
    token = _INPUTS.set([])
    try:
        yield
    finally:
        _INPUTS.reset(token)


def note_input(path: Path) -> None:
    """Remember a file read as input, e.g. the dossier (see :func:`protecting_inputs`)."""
    inputs = _INPUTS.get()
    if inputs is not None:
        with contextlib.suppress(OSError):
            inputs.append(path.stat())


@contextlib.contextmanager
def deferred_sync() -> Iterator[None]:
    """Skip the per-file ``fsync`` inside the block; every file written in it (and its
    directory) is flushed once when the block ends.

    Files are still renamed into place atomically (never partial); a batch job flushes its
    own files, not the whole machine's (no global ``sync``).
    """
    written: list[Path] = []
    token = _DEFERRED.set(written)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
        _flush(written)


def _flush(paths: list[Path]) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    for path in [*paths, *dict.fromkeys(p.parent for p in paths)]:
        with contextlib.suppress(OSError):
            descriptor = os.open(path, flags if path.is_dir() else os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)


@contextlib.contextmanager
def record_writes() -> Iterator[list[Path]]:
    """Collect every path written inside the block (for ``--pdf``)."""
    written: list[Path] = []
    token = _RECORDER.set(written)
    try:
        yield written
    finally:
        _RECORDER.reset(token)


def stdout_used() -> bool:
    """Whether a document went to standard output (messages must then use stderr)."""
    return _STDOUT_USED.get()


def _record(path: Path) -> None:
    recorder = _RECORDER.get()
    if recorder is not None:
        recorder.append(path)
    deferred = _DEFERRED.get()
    if deferred is not None:
        deferred.append(path)


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see the module's docstring for the rules)."""
    if path == STDOUT:
        _STDOUT_USED.set(True)
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return path
    existing = _check_target(path)
    _check_extension(path, data)
    current = _TRANSACTION.get()
    try:
        if current is not None:
            missing = [d for d in (path.parent, *path.parent.parents) if not d.exists()]
            current.created.extend(reversed(missing))
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(path=path, reason=_reason(exc)) from None
    mode = stat.S_IMODE(existing.st_mode) if existing is not None else _default_mode()
    temp_name = ""
    try:
        # The name is known before the file exists: an interruption at any point removes it.
        temp_name = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
        descriptor = os.open(temp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                             | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            if _DEFERRED.get() is None:
                os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        if current is not None:
            current.staged.append((path, temp_name))
            return path
        os.replace(temp_name, path)
    except BaseException as exc:
        if temp_name:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise OutputError(path=path, reason=_reason(exc)) from None
        raise
    _record(path)
    return path


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _check_target(path: Path) -> os.stat_result | None:
    """The target's status when it is a regular file; refused when it is anything else."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(path=path, reason=_reason(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(path=path, reason="c'est un répertoire ; indiquez un nom de fichier")
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(path=path, reason="ce n'est pas un fichier ordinaire (périphérique, tube "
                          "ou socket) : il n'est pas remplacé ; indiquez un autre nom")
    for read in _INPUTS.get() or ():
        if (read.st_dev, read.st_ino) == (info.st_dev, info.st_ino):
            raise OutputError(path=path, reason="c'est un fichier lu par la commande (le dossier ?) "
                              "; il n'est pas remplacé : indiquez un autre nom")
    return info


_KINDS = ((b"PK", b"word/document.xml", (".docx",), "document Word"),
          (b"PK", b"xl/workbook.xml", (".xlsx",), "classeur"),
          (b"%PDF", b"", (".pdf",), "PDF"),
          (b"BEGIN:VCALENDAR", b"", (".ics",), "calendrier"))


def _check_extension(path: Path, data: bytes) -> None:
    """Refuse a name whose extension does not match the content (a .docx named .pdf)."""
    for start, member, suffixes, kind in _KINDS:
        if data.startswith(start) and (not member or member in data[-65536:] or member in data[:4096]):
            if path.suffix.lower() not in suffixes:
                suggestion = path.with_suffix(suffixes[0]).name
                raise OutputError(path=path, reason=f"l'extension ne correspond pas au contenu écrit "
                                  f"({kind} {suffixes[0]}) : nommez-le par exemple « {suggestion} »")
            return


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
