"""The multi-year follow-up as an .xlsx workbook (openpyxl) a facilitator can keep working in.

One sheet per year with a plan (objectives, target, value reached, rate as a formula) and a
summary sheet. Deterministic: fixed document dates and zip timestamps.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from clausegen.render.writers.classeur_ooxml import corrected_parts
from clausegen.render.writers.package import DESCRIPTION, LANGUAGE, rezip

HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
EUROS = '#,##0.00\\ "€"'
PERCENT = "0.0%"
CORE_PART = "docProps/core.xml"


@dataclass(frozen=True)
class LigneSuivi:
    """One objective of one year (value reached is None while unknown)."""

    axe: str
    objectif: str
    indicateur: str
    unite: str
    cible: Decimal
    atteinte: Decimal | None
    echeance: datetime
    actions: str = ""
    ecarts: str = ""


@dataclass(frozen=True)
class AnneeSuivi:
    """One year of the follow-up: its objectives and, once the bilan is made, its penalties."""

    annee: int
    periode: str
    lignes: tuple[LigneSuivi, ...]
    penalites: Decimal | None


COLUMNS = ("Axe", "Objectif", "Indicateur", "Unité", "Valeur cible", "Valeur atteinte",
           "Taux de réalisation", "Échéance", "Actions", "Écarts et retards")
WIDTHS = (28, 48, 48, 12, 14, 16, 20, 14, 48, 40)
WRAPPED = (0, 1, 2, 8, 9)
"""Columns whose text wraps (the others hold numbers and dates)."""
ROW_HEIGHT = 13.5


def _header(sheet: Worksheet, names: Sequence[str], widths: Sequence[int]) -> None:
    sheet.append(list(names))
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"
    # Printed, each sheet fits the width of a landscape page, its header row repeated.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = "1:1"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP « CSV injection »)."""


def _as_text(sheet: Worksheet, row: int, columns: Sequence[int]) -> None:
    """Keep user text as text: a cell starting like a formula is stored as a string with
    Excel's quote prefix, so neither opening nor editing the cell evaluates it."""
    for column in columns:
        cell = sheet.cell(row=row, column=column)
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True


def _year_sheet(book: Workbook, year: AnneeSuivi) -> None:
    sheet = book.create_sheet(f"Année {year.annee}")
    _header(sheet, COLUMNS, WIDTHS)
    for row, line in enumerate(year.lignes, start=2):
        sheet.append([line.axe, line.objectif, line.indicateur, line.unite, line.cible,
                      line.atteinte, f'=IF(F{row}="","",F{row}/E{row})', line.echeance.date(),
                      line.actions, line.ecarts])
        _as_text(sheet, row, (1, 2, 3, 4, 9, 10))
        sheet.cell(row=row, column=7).number_format = PERCENT
        sheet.cell(row=row, column=8).number_format = "DD/MM/YYYY"
        for column in range(1, len(COLUMNS) + 1):
            sheet.cell(row=row, column=column).alignment = Alignment(
                wrap_text=column - 1 in WRAPPED, vertical="top")
        sheet.row_dimensions[row].height = ROW_HEIGHT * _wrapped_lines(line)


def _wrapped_lines(line: LigneSuivi) -> int:
    """Lines the wrapped text columns need (spreadsheets do not size rows of a file they open)."""
    texts = (line.axe, line.objectif, line.indicateur, line.actions, line.ecarts)
    return max(1, *(math.ceil(len(text) / (WIDTHS[column] * 0.95))
                    for column, text in zip(WRAPPED, texts, strict=True)))


def _summary(book: Workbook, years: Sequence[AnneeSuivi]) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.title = "Synthèse"
    _header(sheet, ("Année", "Période", "Objectifs", "Taux moyen de réalisation",
                    "Pénalités applicables (€ HT)"), (10, 40, 12, 24, 26))
    for row, year in enumerate(years, start=2):
        ref = f"'Année {year.annee}'!G2:G{len(year.lignes) + 1}"
        sheet.append([year.annee, year.periode, len(year.lignes),
                      f'=IFERROR(AVERAGE({ref}),"")', year.penalites])
        _as_text(sheet, row, (2,))
        sheet.cell(row=row, column=4).number_format = PERCENT
        sheet.cell(row=row, column=5).number_format = EUROS


def tableau_de_bord_xlsx(years: Sequence[AnneeSuivi], title: str, created: datetime,
                         provenance: dict[str, str], mention: str | None = None) -> bytes:
    """The workbook's bytes (same input, same bytes); ``mention`` (a forced verdict) is written
    in bold under the summary table."""
    book = Workbook()
    _summary(book, years)
    if mention:
        sheet = book.active
        assert sheet is not None
        row = len(years) + 3
        sheet.cell(row=row, column=1, value=mention).font = Font(bold=True, color="C00000")
    for year in years:
        _year_sheet(book, year)
    book.properties.title = title[:255]
    book.properties.creator = "clausegen"
    book.properties.language = LANGUAGE
    book.properties.description = DESCRIPTION
    book.properties.created = created
    book.properties.modified = created
    for name, value in provenance.items():
        book.custom_doc_props.append(StringProperty(name=f"clausegen.{name}", value=value))
    buffer = io.BytesIO()
    book.save(buffer)
    # openpyxl stamps « modified » with the clock when saving: write the fixed date back.
    book.properties.modified = created
    core = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + tostring(
        book.properties.to_tree())
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    return rezip(corrected_parts(
        (item.filename, core if item.filename == CORE_PART else source.read(item.filename))
        for item in source.infolist()))
