"""A LibreOffice kept running for PDF and ODT conversions: the web server's, and ``lot``'s.

Starting LibreOffice costs about a second, more than converting a CCAP. A :class:`Converter`
starts it once, through a helper run by the system Python (``office_uno.py --serve``, the
same UNO export as one-shot conversions: same filters, tables of contents updated), and
hands it one document at a time:

- **private**: its profile is a new temporary directory, removed when it stops; LibreOffice
  listens on a named pipe only this user can open, never on a network port; the helper
  takes requests on its standard input only;
- **bounded**: one conversion at a time, at most ``waiting`` more waiting their turn (one
  more is refused at once with :class:`~clausegen.errors.ConversionBusyError`); a turn that
  does not come within ``timeout`` seconds, or a conversion that takes longer, ends in
  :class:`~clausegen.errors.ConversionTimeoutError` (LibreOffice is then stopped, and started
  again for the next document). Nothing is written for a document that did not convert;
- **restarted**: a helper or LibreOffice found dead is started again (a document it was
  converting is tried once more);
- **stopped**: :meth:`Converter.stop` ends the helper and LibreOffice (their own process
  group); if the owner dies without stopping it, the helper sees its standard input close
  and quits LibreOffice.

The owner decides how many: the web server keeps one per worker process (started with the
worker, stopped with it), ``lot`` one for the whole batch. One-shot commands (``ccap --pdf``)
keep :func:`clausegen.render.converters.pdf.convert_documents`, one LibreOffice per command.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from clausegen.errors import ConversionBusyError, ConversionTimeoutError, PdfError
from clausegen.output import write_atomic
from clausegen.render.converters.pdf import (
    FILTERS,
    LABELS,
    PAGES,
    PAGES_LABEL,
    UNO_FILTERS,
    UNO_SCRIPT,
    convert_documents,
    convertible,
    find_soffice,
    finished,
    prepare_workdir,
    uno_python,
)

__all__ = ["Converter", "converter_available"]

WAITING = 4
"""Conversions that may wait for their turn, besides the one in progress."""
TIMEOUT_SECONDS = 60
"""Longest wait for a turn, and longest conversion of one document."""
STARTUP_SECONDS = 60
"""Longest LibreOffice start."""
STOP_SECONDS = 10
"""How long the helper has to quit LibreOffice before both are killed."""


class _HelperDied(Exception):
    """The helper closed its output: it or LibreOffice died."""


def _copy(document: Path, source: Path) -> Path:
    source.write_bytes(document.read_bytes())
    return source


def converter_available() -> bool:
    """Whether a converter can run here: LibreOffice and a Python with its ``uno`` module."""
    return find_soffice() is not None and shutil.which("soffice") is not None and uno_python() is not None


class Converter:
    """One LibreOffice kept running, converting one document at a time (see the module).

    ``command`` is the helper to run (default: the system Python with ``office_uno.py
    --serve``); the profile's URL is appended to it."""

    def __init__(self, *, waiting: int = WAITING, timeout: float = TIMEOUT_SECONDS,
                 startup: float = STARTUP_SECONDS, command: Sequence[str] | None = None) -> None:
        self.waiting = waiting
        self.timeout = timeout
        self.startup = startup
        self._command = list(command) if command is not None else None
        self._admitted = threading.BoundedSemaphore(waiting + 1)
        self._turn = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._buffer = b""
        self._ready = False
        self.office_pid: int | None = None
        """LibreOffice's process id once it is ready."""

    @property
    def pid(self) -> int | None:
        """The helper's process id (also its process group's), while it runs."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the helper and LibreOffice without waiting for them (the first conversion
        waits, at most ``startup`` seconds)."""
        with self._turn:
            if self._process is None or self._process.poll() is not None:
                self._kill()
                self._spawn()

    def stop(self) -> None:
        """Quit LibreOffice and the helper (killed after :data:`STOP_SECONDS`), remove the
        profile. A conversion in progress ends with an error."""
        process = self._process
        if self._ready and process is not None and process.stdin is not None:  # else: still starting
            with contextlib.suppress(OSError):
                process.stdin.close()  # the helper quits LibreOffice and exits
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(STOP_SECONDS)
        self._kill()

    def convert_bytes(self, docx: bytes, name: str, fmt: str = "pdf") -> bytes:
        """The ``fmt`` version of a .docx held in memory; ``name`` is what messages name."""
        with tempfile.TemporaryDirectory(prefix="clausegen-memoire-") as work:
            document = Path(work) / Path(name).name
            document.write_bytes(docx)
            (converted,) = self.convert_documents([document], fmt)
            return converted.read_bytes()

    def index_texts(self, docx: bytes, name: str) -> dict[str, object]:
        """The indexes of a .docx held in memory once LibreOffice updated them, and which
        LibreOffice did (office_uno.py's ``sommaire`` pseudo filter, for
        :mod:`clausegen.render.converters.pagination`); ``name`` is what messages name."""
        with tempfile.TemporaryDirectory(prefix="clausegen-pagination-") as work:
            source = Path(work) / "document.docx"
            source.write_bytes(docx)
            with self._in_turn(Path(name), PAGES_LABEL):
                result = self._export(source, Path(name), PAGES)
            reply = json.loads(result.read_text(encoding="utf-8"))
        return reply if isinstance(reply, dict) else {}

    def convert_documents(self, documents: Sequence[Path], fmt: str) -> list[Path]:
        """Convert ``documents`` as :func:`clausegen.render.converters.pdf.convert_documents` does (each
        result beside its document, in the same order, nothing written unless all converted):
        Word documents here, workbooks by a one-shot LibreOffice."""
        mine = [d for d in documents if (d.suffix.lower(), fmt) in UNO_FILTERS]
        written: dict[Path, Path] = {}
        if mine:
            label = LABELS[fmt]
            target, _ = FILTERS[(".docx", fmt)]
            with tempfile.TemporaryDirectory(prefix="clausegen-conversion-") as work:
                with self._in_turn(mine[0], label):
                    results = [self._export(_copy(d, Path(work) / f"document-{i}.docx"), d, fmt)
                               for i, d in enumerate(mine)]
                written.update((d, write_atomic(d.with_suffix(f".{target}"), finished(d, r, target)))
                               for d, r in zip(mine, results, strict=True))
        others = [d for d in documents if d not in written and convertible(d, fmt)]
        if others:
            written.update(zip(others, convert_documents(others, fmt), strict=True))
        return [written[d] for d in documents if d in written]

    @contextlib.contextmanager
    def _in_turn(self, path: Path, label: str) -> Iterator[None]:
        if not self._admitted.acquire(blocking=False):
            raise ConversionBusyError(path=path.name, target=label, reason=(
                f"trop de conversions en attente ({self.waiting + 1} en cours ou en attente) ; "
                "réessayez dans un instant"))
        try:
            if not self._turn.acquire(timeout=self.timeout):
                raise ConversionTimeoutError(path=path.name, target=label, reason=(
                    f"LibreOffice est occupé depuis plus de {self.timeout:g} s ; "
                    "réessayez dans un instant"))
            try:
                yield
            finally:
                self._turn.release()
        finally:
            self._admitted.release()

    def _export(self, source: Path, document: Path, fmt: str) -> Path:
        """Convert ``source`` (prepared) in its turn; ``document`` is what messages name;
        ``fmt`` « sommaire »: the updated indexes' text (JSON) instead of an export."""
        data: Mapping[str, object]
        if fmt == PAGES:
            label, target, filter_name, data = PAGES_LABEL, "json", fmt, {}
        else:
            label = LABELS[fmt]
            target, _ = FILTERS[(".docx", fmt)]
            filter_name, data = UNO_FILTERS[(".docx", fmt)]
        request = json.dumps({"source": str(source), "filter": filter_name, "data": data,
                              "extension": target}) + "\n"
        for attempt in (1, 2):
            try:
                self._ensure_ready(document, label)
                reply = self._ask(request.encode(), time.monotonic() + self.timeout)
            except TimeoutError:
                self._kill()
                raise ConversionTimeoutError(path=document, target=label, reason=(
                    f"LibreOffice n'a pas répondu en {self.timeout:g} s (il a été arrêté ; "
                    "réessayez)")) from None
            except _HelperDied:
                self._kill()
                if attempt == 1:
                    continue
                raise PdfError(path=document, target=label,
                               reason="LibreOffice s'est arrêté pendant la conversion") from None
            result = source.with_suffix(f".{target}")
            if reply.get("ok") and result.is_file():
                return result
            if reply.get("fatal"):
                self._kill()
                if attempt == 1:
                    continue
            raise PdfError(path=document, target=label,
                           reason=f"LibreOffice a échoué ({reply.get('error') or 'aucun fichier écrit'})")
        raise AssertionError("unreachable")  # pragma: no cover

    def _ensure_ready(self, document: Path, label: str) -> None:
        """Start the helper if it is not running, and wait until LibreOffice is ready."""
        if self._process is None or self._process.poll() is not None:
            self._kill()
            self._spawn()
        if self._ready:
            return
        try:
            ready = self._read(time.monotonic() + self.startup)
        except TimeoutError:
            self._kill()
            raise ConversionTimeoutError(path=document, target=label, reason=(
                f"LibreOffice n'a pas démarré en {self.startup:g} s")) from None
        except _HelperDied:
            self._kill()
            raise PdfError(path=document, target=label, reason="LibreOffice n'a pas pu démarrer") from None
        self._ready = True
        office = ready.get("office")
        self.office_pid = office if isinstance(office, int) else None

    def _spawn(self) -> None:
        self._workdir = tempfile.TemporaryDirectory(prefix="clausegen-convertisseur-")
        prepare_workdir(Path(self._workdir.name), [])
        profile = Path(self._workdir.name) / "profil"
        command = self._command or [uno_python() or "python3", str(UNO_SCRIPT), "--serve"]
        self._process = subprocess.Popen([*command, profile.as_uri()], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         bufsize=0, start_new_session=True)

    def _ask(self, request: bytes, deadline: float) -> dict[str, object]:
        process = self._process
        if process is None or process.stdin is None:  # stopped meanwhile
            raise _HelperDied
        try:
            process.stdin.write(request)
        except OSError:
            raise _HelperDied from None
        return self._read(deadline)

    def _read(self, deadline: float) -> dict[str, object]:
        """The helper's next line, by ``deadline``."""
        process = self._process
        if process is None or process.stdout is None:  # stopped meanwhile
            raise _HelperDied
        output = process.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            if select.select([output], [], [], left)[0]:
                chunk = os.read(output, 65536)
                if not chunk:
                    raise _HelperDied
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            reply = json.loads(line)
        except ValueError:
            raise _HelperDied from None
        return reply if isinstance(reply, dict) else {}

    def _kill(self) -> None:
        """Kill the helper's whole process group (LibreOffice with it) and forget them."""
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None
        self._buffer, self._ready, self.office_pid = b"", False, None
