"""Batch generation: every piece of every dossier of a directory, in parallel processes.

A bad dossier never stops the others: each job returns a :class:`JobResult` (written
files, or the French error message) instead of raising. Workers are plain module-level
functions, so the pool works with the ``spawn`` start method too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from clausegen.errors import ClausegenError, InputFileError, OutputError

DOSSIER_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class JobResult:
    """What one dossier gave: the files written, or why it failed."""

    dossier: Path
    written: tuple[Path, ...] = ()
    error: str | None = None

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
    odt: bool = False


@dataclass
class BatchSummary:
    """Every job's result, in the order they finished."""

    results: list[JobResult] = field(default_factory=list)

    @property
    def failed(self) -> list[JobResult]:
        """The dossiers that produced nothing."""
        return [r for r in self.results if not r.ok]

    @property
    def documents(self) -> int:
        """How many files were written."""
        return sum(len(r.written) for r in self.results)


def find_dossiers(directory: Path) -> list[Path]:
    """The dossier files directly inside ``directory``, sorted by name."""
    if not directory.is_dir():
        raise InputFileError(path=directory, reason="répertoire de dossiers introuvable")
    found = sorted(p for p in directory.iterdir()
                   if p.suffix.lower() in DOSSIER_SUFFIXES and p.is_file())
    if not found:
        raise InputFileError(path=directory, reason="aucun dossier .yml ou .yaml dans ce répertoire")
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
    from clausegen.api import generate_pieces

    try:
        results = generate_pieces(dossier, output_folder(options.output, dossier), forcer=options.forcer,
                                  brouillon=options.brouillon, overlays=options.overlays)
        written = tuple(r.path for r in results)
        if options.pdf or options.odt:
            from clausegen.render.pdf import convert_documents

            formats = [fmt for fmt, wanted in (("pdf", options.pdf), ("odt", options.odt)) if wanted]
            written += tuple(path for fmt in formats for path in convert_documents(list(written), fmt))
        return JobResult(dossier=dossier, written=written)
    except ClausegenError as exc:
        return JobResult(dossier=dossier, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one broken dossier must not stop the batch
        return JobResult(dossier=dossier, error=f"erreur inattendue ({type(exc).__name__} : {exc})")


def default_jobs() -> int:
    """One worker per available core."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


def _executor(jobs: int, options: BatchOptions) -> Executor:
    """Worker processes: forked from a warmed-up parent where the platform allows it
    (library and skeletons already loaded), spawned elsewhere (macOS, Windows)."""
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods():
        warm_up(options)
        return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))


def warm_up(options: BatchOptions) -> None:
    """Load what every job needs once: the library, the prepared skeletons."""
    from clausegen.api import open_library
    from clausegen.render import fast
    from clausegen.render.skeleton import check_skeleton
    from clausegen.render.word import skeleton_environment
    from clausegen.resources import templates_dir

    library = open_library(options.overlays)
    for name in sorted({library.canevas(piece).modele for piece in library.pieces}):
        fast.prepare(check_skeleton(templates_dir() / name), skeleton_environment())


def iter_batch(dossiers: Sequence[Path], options: BatchOptions, jobs: int) -> Iterator[JobResult]:
    """Run every dossier (in ``jobs`` processes, or in this one when ``jobs`` is 1)."""
    if jobs <= 1 or len(dossiers) <= 1:
        for dossier in dossiers:
            yield from _run_chunk((dossier,), options)
        return
    with _executor(jobs, options) as pool:
        chunk = max(1, min(16, len(dossiers) // (jobs * 4)))
        futures = [pool.submit(_run_chunk, tuple(dossiers[i:i + chunk]), options)
                   for i in range(0, len(dossiers), chunk)]
        for future in as_completed(futures):
            yield from future.result()


def _run_chunk(dossiers: tuple[Path, ...], options: BatchOptions) -> list[JobResult]:
    from clausegen.output import deferred_sync

    with deferred_sync():
        return [run_job(dossier, options) for dossier in dossiers]


def run_batch(dossiers: Sequence[Path], options: BatchOptions, jobs: int,
              on_result: Callable[[JobResult], None] | None = None) -> BatchSummary:
    """Run a batch and collect its summary; ``on_result`` is called as each dossier ends."""
    from clausegen.output import sync_all

    summary = BatchSummary()
    for result in iter_batch(dossiers, options, jobs):
        summary.results.append(result)
        if on_result is not None:
            on_result(result)
    sync_all()
    return summary
