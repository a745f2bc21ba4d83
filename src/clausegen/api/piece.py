"""What every facade returns: a generated document held in memory, and its downloads.

A :class:`RenderedPiece` is a Word document that was not written anywhere, with the fragment
versions that went into it and the library release they came from. The command line writes
its bytes to a file (:func:`clausegen.output.write_atomic`); the web application stores them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from clausegen.render.writers.package import rezip

if TYPE_CHECKING:
    from clausegen.render.converters.converter import Converter, converter_available

__all__ = ["Converter", "RenderedPiece", "converter_available", "download_name", "file_name_part",
           "pdf_available", "start_converter", "to_pdf", "zip_archive"]


def __getattr__(name: str) -> Any:
    """``Converter`` and ``converter_available``, imported on first use: the converter and
    LibreOffice's helpers (subprocess, threads, signals) are for PDF only, which a command
    writing Word documents never loads."""
    if name in ("Converter", "converter_available"):
        from clausegen.render.converters import converter

        return getattr(converter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class RenderedPiece:
    """A generated Word document in memory.

    ``piece`` names it (``ccap``, ``plan-2``, ``lettre-bilan-1``…); ``fragments`` maps each
    fragment id to ``"<version> sha256:<hash> <statut>"`` as recorded in its provenance;
    ``bibliotheque`` is the library release it was assembled from."""

    piece: str
    docx: bytes
    fragments: dict[str, str] = field(default_factory=dict)
    bibliotheque: str = ""

    @property
    def sha256(self) -> str:
        """Hash of the .docx bytes."""
        return hashlib.sha256(self.docx).hexdigest()


def zip_archive(files: Iterable[tuple[str, bytes]], dated: datetime | None = None) -> bytes:
    """A zip of named files, every entry dated ``dated`` (a date recorded with the files, never
    the clock: the same files and date give the same bytes); 1 January 1980 without one. The
    files are stored as given: a .docx inside is byte for byte the one downloaded alone."""
    if dated is None:
        return rezip(files)
    return rezip(files, (dated.year, dated.month, dated.day, dated.hour, dated.minute, dated.second))


ACRONYMS = {"ccap": "CCAP", "cctp": "CCTP"}
"""Pieces whose name people write in capitals (« le CCAP »)."""
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|%;,\s«»“”„‘’`]+')
MAX_PART = 80


def file_name_part(text: str) -> str:
    """``text`` made safe inside a file name on every system: NFC, path separators, reserved
    and control characters, quotes, spaces and the like replaced by « - » (runs collapsed), no leading
    or trailing dot or dash, 80 characters at most. Letters with accents are kept (the
    download header carries them, RFC 6266). Empty when nothing is left."""
    cleaned = _UNSAFE.sub("-", unicodedata.normalize("NFC", text))
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-. ")
    return cleaned[:MAX_PART].rstrip("-. ")


def download_name(piece: str, reference: str | None, extension: str, fallback: str) -> str:
    """The name a downloaded piece is saved under: the piece (« CCAP », « CCTP », or as the
    command line names it: ``plan-1``, ``lettre-bilan-1``…), then the market's reference made
    safe (:func:`file_name_part`), then the extension: ``CCAP-2027-AC-017.docx``. Without a
    usable reference, ``fallback`` takes its place (``dossier-12``)."""
    name = ACRONYMS.get(piece, file_name_part(piece) or "piece")
    suffix = file_name_part(reference or "") or file_name_part(fallback)
    return f"{name}-{suffix}.{extension}" if suffix else f"{name}.{extension}"


def pdf_available() -> bool:
    """Whether LibreOffice is installed (PDF downloads)."""
    from clausegen.render.converters.pdf import find_soffice

    return find_soffice() is not None


def to_pdf(docx: bytes, name: str, converter: Converter | None = None) -> bytes:
    """The PDF of a .docx, converted by LibreOffice (tagged PDF, see :mod:`clausegen.render.converters.pdf`):
    by ``converter`` when given (a LibreOffice kept running, :func:`start_converter`), else by a
    LibreOffice started for this document.

    Raises :class:`~clausegen.errors.PdfError`; :class:`~clausegen.errors.ConversionBusyError`
    when too many conversions wait, :class:`~clausegen.errors.ConversionTimeoutError` when
    LibreOffice took too long (nothing is returned for a document that did not convert)."""
    from clausegen.render.converters.pdf import convert_bytes

    if converter is not None:
        return converter.convert_bytes(docx, name, "pdf")
    return convert_bytes(docx, name, "pdf")


def start_converter() -> Converter | None:
    """A LibreOffice kept running for :func:`to_pdf`, being started (its owner calls
    ``stop()``); ``None`` when LibreOffice or its Python bridge (``python3-uno``) is missing."""
    from clausegen.render.converters.converter import Converter, converter_available

    if not converter_available():
        return None
    converter = Converter()
    converter.start()
    return converter
