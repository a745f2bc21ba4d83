"""The PDF converter of a server process: a LibreOffice kept running for PDF downloads.

Each server process (each gunicorn worker, or the single waitress process) starts its own
when it starts and stops it when it stops (:mod:`clausegen.web.serveur`); the application
keeps it in ``app.extensions``, where the PDF route finds it. A test client's application
has none: its conversions start LibreOffice each time.
"""

from __future__ import annotations

from flask import Flask

from clausegen.api.piece import Converter, start_converter

CONVERTER = "clausegen.converter"
"""Key of the process's PDF converter in ``app.extensions``."""


def converter_of(app: Flask) -> Converter | None:
    """The LibreOffice this server process keeps running for PDF downloads, if any."""
    converter: Converter | None = app.extensions.get(CONVERTER)
    return converter


def start_pdf_converter(app: Flask) -> None:
    """Start this process's PDF converter (one per server process: each worker, or the single
    waitress process), if LibreOffice and its Python bridge are installed."""
    converter = start_converter()
    if converter is not None:
        app.extensions[CONVERTER] = converter


def stop_pdf_converter(app: Flask) -> None:
    """Stop this process's PDF converter, LibreOffice with it."""
    converter = app.extensions.pop(CONVERTER, None)
    if converter is not None:
        converter.stop()
