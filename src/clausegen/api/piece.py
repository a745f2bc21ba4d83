"""What every facade returns: a generated document held in memory, and its downloads.

A :class:`RenderedPiece` is a Word document that was not written anywhere, with the fragment
versions that went into it and the library release they came from. The command line writes
its bytes to a file (:func:`clausegen.output.write_atomic`); the web application stores them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from clausegen.render.converters.converter import Converter, converter_available
from clausegen.render.converters.pdf import convert_bytes, find_soffice
from clausegen.render.writers.package import rezip

__all__ = ["Converter", "RenderedPiece", "converter_available", "pdf_available", "start_converter", "to_pdf",
           "zip_archive"]


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


def zip_archive(files: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of named files, with fixed timestamps (same files, same bytes)."""
    return rezip(files)


def pdf_available() -> bool:
    """Whether LibreOffice is installed (PDF downloads)."""
    return find_soffice() is not None


def to_pdf(docx: bytes, name: str, converter: Converter | None = None) -> bytes:
    """The PDF of a .docx, converted by LibreOffice (tagged PDF, see :mod:`clausegen.render.converters.pdf`):
    by ``converter`` when given (a LibreOffice kept running, :func:`start_converter`), else by a
    LibreOffice started for this document.

    Raises :class:`~clausegen.errors.PdfError`; :class:`~clausegen.errors.ConversionBusyError`
    when too many conversions wait, :class:`~clausegen.errors.ConversionTimeoutError` when
    LibreOffice took too long (nothing is returned for a document that did not convert)."""
    if converter is not None:
        return converter.convert_bytes(docx, name, "pdf")
    return convert_bytes(docx, name, "pdf")


def start_converter() -> Converter | None:
    """A LibreOffice kept running for :func:`to_pdf`, being started (its owner calls
    ``stop()``); ``None`` when LibreOffice or its Python bridge (``python3-uno``) is missing."""
    if not converter_available():
        return None
    converter = Converter()
    converter.start()
    return converter
