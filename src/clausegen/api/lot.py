"""Batch generation: every piece of every dossier of a directory, in parallel processes.

A bad dossier never stops the others: each job returns a :class:`JobResult` (written
files, or the French error message) instead of raising. Workers are plain module-level
functions, so the pool works with the ``spawn`` start method too.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clausegen.errors import ClausegenError, InputFileError, NotSuitedError, OutputError

if TYPE_CHECKING:
    from clausegen.render.converters.converter import Converter

DOSSIER_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class JobResult:
    """What one dossier gave: the files written, or why it failed."""

    dossier: Path
    written: tuple[Path, ...] = ()
    error: str | None = None
    non_adapte: bool = False
    """The market was judged non adapté: refused (``error`` set) or forced (pieces written)."""
    notes: tuple[str, ...] = ()
    """Follow-ups skipped, and why (a subsequent contract judged non adapté…)."""

    @property
    def ok(self) -> bool:
        """True when every piece of the dossier was written."""
        return self.error is None


@dataclass(frozen=True)
class BatchOptions:
    """Options shared by every job of a batch (picklable)."""

    output: Path
    forcer: bool = False
    brouillon: bool = False
    overlays: tuple[Path, ...] = ()
    pdf: bool = False
    suivi: bool = False
    """Also the post-award pieces (``pieces --suivi``), all or nothing per dossier."""
    odt: bool = False
    paginer: bool = True
    """The sommaire's page numbers from LibreOffice (``--sans-pagination``: not), written by
    this process's converter once a dossier's pieces are written (:func:`paginate_job`)."""


@dataclass
class BatchSummary:
    """Every job's result, in the order they finished."""

    results: list[JobResult] = field(default_factory=list)

    @property
    def failed(self) -> list[JobResult]:
        """The dossiers that produced nothing."""
        return [r for r in self.results if not r.ok]

    @property
    def refused(self) -> list[JobResult]:
        """The dossiers refused as non adapté (no --forcer)."""
        return [r for r in self.results if r.non_adapte and not r.ok]

    @property
    def forced(self) -> list[JobResult]:
        """The dossiers judged non adapté whose pieces were written anyway (--forcer)."""
        return [r for r in self.results if r.non_adapte and r.ok]

    @property
    def documents(self) -> int:
        """How many files were written."""
        return sum(len(r.written) for r in self.results)


def find_dossiers(directory: Path) -> list[Path]:
    """The dossier files directly inside ``directory``, sorted by name.

    Two dossiers that would write into the same output folder (``m.yml`` and ``m.yaml``,
    or names differing only by case) are refused before anything is generated.
    """
    if not directory.is_dir():
        raise InputFileError(path=directory, reason="répertoire de dossiers introuvable")
    found = sorted(p for p in directory.iterdir()
                   if p.suffix.lower() in DOSSIER_SUFFIXES and p.is_file())
    if not found:
        raise InputFileError(path=directory, reason="aucun dossier .yml ou .yaml dans ce répertoire")
    by_folder: dict[str, list[Path]] = {}
    for path in found:
        by_folder.setdefault(path.stem.casefold(), []).append(path)
    clashes = [paths for paths in by_folder.values() if len(paths) > 1]
    if clashes:
        names = " ; ".join(" et ".join(p.name for p in paths) for paths in clashes)
        raise InputFileError(path=directory, reason=(
            f"dossiers qui écriraient dans le même répertoire de sortie : {names} "
            "(renommez l'un d'eux)"))
    return found


def output_folder(output: Path, dossier: Path) -> Path:
    """``<output>/<dossier stem>``, refusing a stem that would leave ``output`` (``...yml``)."""
    name = dossier.stem
    if name in ("", ".", "..") or "/" in name or "\\" in name:
        raise OutputError(path=output / name, reason="nom de dossier inutilisable comme répertoire "
                          "de sortie (renommez le fichier)")
    return output / name


def run_job(dossier: Path, options: BatchOptions) -> JobResult:
    """Generate every piece of one dossier into ``<output>/<dossier stem>/``; never raises."""
    from clausegen.api import open_library, read_dossier, render_pieces
    from clausegen.output import transaction, write_atomic

    try:
        folder = output_folder(options.output, dossier)
        with transaction():
            result = render_pieces(read_dossier(dossier), open_library(options.overlays),
                                   forcer=options.forcer, brouillon=options.brouillon,
                                   paginer=False)  # by the parent's converter (paginate_job)
            written = tuple(write_atomic(folder / f"{piece.piece}.docx", piece.docx)
                            for piece in result.pieces)
            notes: tuple[str, ...] = ()
            if options.suivi:
                from clausegen.api.suivi import render_suivi_pieces, suivi_targets

                cibles = suivi_targets(read_dossier(dossier), forcer=options.forcer,
                                       overlays=options.overlays)
                for suivi, sub in cibles.ecrites:
                    written += tuple(write_atomic(folder / sub / name, data)
                                     for name, data in render_suivi_pieces(suivi))
                notes = cibles.ignorees
        return JobResult(dossier=dossier, written=written, non_adapte=result.forced, notes=notes)
    except NotSuitedError as exc:
        return JobResult(dossier=dossier, error=str(exc), non_adapte=True)
    except ClausegenError as exc:
        return JobResult(dossier=dossier, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one broken dossier must not stop the batch
        return JobResult(dossier=dossier, error=f"erreur inattendue ({type(exc).__name__} : {exc})")


def paginate_job(result: JobResult, options: BatchOptions, converter: Converter | None) -> JobResult:
    """``result`` with the sommaire of its Word documents paginated by ``converter`` (as
    :func:`clausegen.api.marche.paginate_pieces` does: same bytes as ``pieces``); without
    LibreOffice, a note says the sommaire has no page numbers; a failure fails the dossier."""
    if not result.ok or not options.paginer:
        return result
    from clausegen.api.marche import sommaire_warning
    from clausegen.output import write_atomic
    from clausegen.render.converters.pagination import has_toc, paginate, sommaire_sans_pages, unavailable

    documents = [(path, path.read_bytes()) for path in result.written if path.suffix == ".docx"]
    documents = [(path, data) for path, data in documents if has_toc(data)]
    if not documents:
        return result
    if converter is None:
        reason = unavailable() or "LibreOffice indisponible"
        return replace(result, notes=result.notes + tuple(
            sommaire_warning(path.stem.upper(), reason) for path, _ in documents))
    try:
        paginated = paginate([(path.name, data) for path, data in documents], converter)
    except ClausegenError as exc:
        return JobResult(dossier=result.dossier, error=str(exc))
    notes = []
    for (path, data), new in zip(documents, paginated, strict=True):
        if new != data:
            write_atomic(path, new)
        if sommaire_sans_pages(new):
            notes.append(sommaire_warning(path.stem.upper(), "LibreOffice n\u2019a pas donné la page "
                                          "de chaque entrée"))
    return replace(result, notes=result.notes + tuple(notes))


def convert_job(result: JobResult, options: BatchOptions, converter: Converter | None) -> JobResult:
    """``result`` with its documents converted (``--pdf``, ``--odt``), by ``converter`` when
    given, else by one LibreOffice for the dossier; a failed conversion fails the dossier."""
    formats = [fmt for fmt, wanted in (("pdf", options.pdf), ("odt", options.odt)) if wanted]
    if not result.ok or not formats:
        return result
    from clausegen.render.converters.pdf import convert_documents

    convert = converter.convert_documents if converter is not None else convert_documents
    documents = [path for path in result.written if path.suffix in (".docx", ".xlsx")]
    try:
        converted = tuple(path for fmt in formats for path in convert(documents, fmt))
    except ClausegenError as exc:
        return JobResult(dossier=result.dossier, error=str(exc))
    return replace(result, written=result.written + converted)


def default_jobs() -> int:
    """One worker per available core."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


def _context() -> Any:
    """Fork from a warmed-up parent where the platform allows it (library and skeletons
    already loaded), spawn elsewhere (macOS, Windows)."""
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _executor(jobs: int, options: BatchOptions, context: Any, journal: Any) -> ProcessPoolExecutor:
    """Worker processes that note in ``journal`` each dossier they start and finish."""
    if context.get_start_method() == "fork":
        warm_up(options)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_setup,
                               initargs=(journal,))


_JOURNAL: Any = None


def _worker_setup(journal: Any) -> None:
    """In each worker: keep the journal; Ctrl-C is the parent's to handle (it stops the pool);
    on Linux the worker gets SIGTERM when its parent dies, so none is left orphaned."""
    global _JOURNAL
    _JOURNAL = journal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_stopped)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError, TypeError):  # not Linux: the parent stops the workers
        pass


def warm_up(options: BatchOptions) -> None:
    """Load what every job needs once: the library, the prepared skeletons."""
    from clausegen.api import open_library
    from clausegen.render.writers import fast
    from clausegen.render.writers.skeleton import check_skeleton
    from clausegen.resources import templates_dir
    from clausegen.templating import skeleton_environment

    library = open_library(options.overlays)
    for name in sorted({library.canevas(piece).modele for piece in library.pieces}):
        fast.prepare(check_skeleton(templates_dir() / name), skeleton_environment())


WORKER_KILLED = ("le processus qui générait ce dossier a été arrêté par le système "
                 "(mémoire insuffisante ?) ; le dossier n'a pas été généré")

Chunk = tuple[Path, ...]


def iter_batch(dossiers: Sequence[Path], options: BatchOptions, jobs: int) -> Iterator[JobResult]:
    """Run every dossier (in ``jobs`` processes, or in this one when ``jobs`` is 1).

    A worker killed by the system (OOM killer) breaks the pool. The dossiers that were not
    started are queued again in a fresh pool; those that were being generated at that moment
    (at most one per worker, known from the workers' journal) are each run again alone, so
    the one that kills its worker is reported as failed and the batch goes on. Leaving the
    generator early (Ctrl-C, SIGTERM) cancels what is queued and ends the workers at once.
    """
    if jobs <= 1 or len(dossiers) <= 1:
        for dossier in dossiers:
            yield from _run_chunk((dossier,), options)
        return
    size = max(1, min(16, len(dossiers) // (jobs * 4)))
    pending: deque[Chunk] = deque(tuple(dossiers[i:i + size]) for i in range(0, len(dossiers), size))
    context = _context()
    while pending:
        broken: list[Chunk] = []
        in_flight: set[Path] = set()
        yield from _run_pool(list(pending), options, jobs, context, broken, in_flight)
        pending.clear()
        unfinished = {path for paths in broken for path in paths}
        suspects = (in_flight & unfinished) or unfinished  # no journal entry: isolate them all
        pending.extend((path,) for path in sorted(unfinished - suspects))
        for suspect in sorted(suspects):
            alone: list[Chunk] = []
            yield from _run_pool([(suspect,)], options, 1, context, alone)
            if alone:
                yield JobResult(dossier=suspect, error=WORKER_KILLED)


def _run_pool(chunks: list[Chunk], options: BatchOptions, jobs: int, context: Any,
              broken: list[Chunk], in_flight: set[Path] | None = None) -> Iterator[JobResult]:
    """Run chunks in one pool. Chunks lost to a broken pool are appended to ``broken``, and
    the dossiers started but not finished to ``in_flight``."""
    in_flight = set() if in_flight is None else in_flight
    journal = context.SimpleQueue()
    pool = _executor(jobs, options, context, journal)
    finished = False
    try:
        futures: dict[Future[list[JobResult]], Chunk] = {
            pool.submit(_run_chunk, chunk, options): chunk for chunk in chunks}
        for future in as_completed(futures):
            _read_journal(journal, in_flight)
            try:
                results = future.result()
            except BrokenProcessPool:
                broken.append(futures[future])
                continue
            yield from results
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            _stop(pool)
    _read_journal(journal, in_flight)
    journal.close()


def _read_journal(journal: Any, in_flight: set[Path]) -> None:
    """Apply the workers' « start » and « end » notes written so far."""
    while not journal.empty():
        event, path = journal.get()
        if event == "start":
            in_flight.add(path)
        else:
            in_flight.discard(path)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel queued work and end the pool's workers without waiting for them."""
    import multiprocessing

    pool.shutdown(wait=False, cancel_futures=True)
    for child in multiprocessing.active_children():
        child.terminate()
    for child in multiprocessing.active_children():
        child.join(timeout=5)


class _WorkerStopped(BaseException):
    """SIGTERM in a worker: unwinds the dossier being written (its temporaries removed)."""


def _worker_stopped(signum: int, frame: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not cut the clean-up
    raise _WorkerStopped


def _run_chunk(dossiers: tuple[Path, ...], options: BatchOptions) -> list[JobResult]:
    from clausegen.output import deferred_sync

    results = []
    try:
        with deferred_sync():
            for dossier in dossiers:
                if _JOURNAL is not None:
                    _JOURNAL.put(("start", dossier))
                results.append(run_job(dossier, options))
                if _JOURNAL is not None:
                    _JOURNAL.put(("end", dossier))
    except _WorkerStopped:
        os._exit(143)  # the dossier in progress wrote nothing (transaction rolled back)
    return results


class BatchInterrupted(Exception):
    """The batch was stopped by a signal; ``summary`` holds what was written before."""

    def __init__(self, summary: BatchSummary, signal_number: int) -> None:
        super().__init__("lot interrompu")
        self.summary = summary
        self.signal_number = signal_number


class _Terminated(Exception):
    """SIGTERM received by the parent."""


def run_batch(dossiers: Sequence[Path], options: BatchOptions, jobs: int,
              on_result: Callable[[JobResult], None] | None = None) -> BatchSummary:
    """Run a batch and collect its summary; ``on_result`` is called as each dossier ends.

    Ctrl-C or SIGTERM stop it at once (workers ended, queued dossiers dropped) and raise
    :class:`BatchInterrupted` with the summary of what was already written.
    """
    summary = BatchSummary()
    previous = _on_sigterm()
    started = time.time()
    converter = _batch_converter(options)
    try:
        for result in iter_batch(dossiers, options, jobs):
            result = convert_job(paginate_job(result, options, converter), options, converter)
            summary.results.append(result)
            if on_result is not None:
                on_result(result)
    except KeyboardInterrupt:
        raise BatchInterrupted(_with_disk(summary, dossiers, options, started), signal.SIGINT) from None
    except _Terminated:
        raise BatchInterrupted(_with_disk(summary, dossiers, options, started), signal.SIGTERM) from None
    finally:
        if converter is not None:
            converter.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return summary


def _with_disk(summary: BatchSummary, dossiers: Sequence[Path], options: BatchOptions,
               started: float) -> BatchSummary:
    """The summary of an interrupted batch, completed from the disk: a worker may have
    written a dossier (each is written all or nothing) whose result never reached this
    process before the workers were ended (the rest of its chunk, or a result in transit).
    Only files written since ``started`` count, not those of an earlier run."""
    known = {r.dossier for r in summary.results}
    for dossier in dossiers:
        if dossier in known:
            continue
        try:
            folder = output_folder(options.output, dossier)
            files = tuple(sorted(p for p in folder.iterdir() if p.is_file()))
            fresh = files and all(p.stat().st_mtime >= started - 1 for p in files)
        except (OSError, ClausegenError):
            continue
        if fresh:
            summary.results.append(JobResult(dossier=dossier, written=files))
    return summary


def _batch_converter(options: BatchOptions) -> Converter | None:
    """One LibreOffice for every pagination and conversion of the batch, started at the first
    one (this process paginates and converts each dossier's documents as its generation ends),
    if it can run here."""
    if not (options.pdf or options.odt or options.paginer):
        return None
    from clausegen.render.converters.converter import Converter, converter_available

    return Converter(waiting=0) if converter_available() else None


def _on_sigterm() -> Any:
    """Turn SIGTERM into an exception in the main thread (so workers are ended too)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def terminated(signum: int, frame: Any) -> None:
        raise _Terminated

    return signal.signal(signal.SIGTERM, terminated)
