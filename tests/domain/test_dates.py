"""Issue 10, item 9: one date convention (docs/dates.md) in the calendar, the pieces and the
dashboard. Example: notification 14 December 2026, 48 months — computed by hand."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from clausegen.cli import cli
from clausegen.domain.echeancier import periode
from clausegen.render.readers.inspect import dump_text
from tests.conftest import NETTOYAGE

NOTIFICATION = date(2026, 12, 14)


@pytest.mark.parametrize(("annee", "debut", "fin"), [
    (1, date(2026, 12, 15), date(2027, 12, 14)),  # from the day after notification (m1, 7 Dec. review)
    (2, date(2027, 12, 15), date(2028, 12, 14)),  # from the day after anniversary 1
    (4, date(2029, 12, 15), date(2030, 12, 14)),  # the last year ends with the execution
])
def test_yearly_periods(annee: int, debut: date, fin: date) -> None:
    assert periode(NOTIFICATION, 48, annee) == (debut, fin)


def test_incomplete_last_year_ends_with_the_execution() -> None:
    # 30 months from 31 August 2027: end 29 February 2030? No: 2030 is not a leap year,
    # 31 August 2027 + 30 months = 28 February 2030 (last day of the month).
    assert periode(date(2027, 8, 31), 30, 3) == (date(2029, 9, 1), date(2030, 2, 28))


def test_calendar_letter_and_dashboard_state_the_same_dates(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["echeancier", str(NETTOYAGE), "--format", "json"])
    echeances = {e["cle"]: e for e in json.loads(result.output)}
    assert echeances["anniversaire_1"]["date"] == "2027-12-14"
    assert echeances["fin"]["date"] == "2030-12-14"
    lettre = tmp_path / "lettre.docx"
    assert runner.invoke(cli, ["lettre", str(NETTOYAGE), "--annee", "2", "-o", str(lettre)]).exit_code == 0
    text = dump_text(lettre.read_bytes())
    assert "pour la période du 15\u00a0décembre 2027 au 14\u00a0décembre 2028" in text
    premiere = tmp_path / "lettre-1.docx"
    assert runner.invoke(cli, ["lettre", str(NETTOYAGE), "--annee", "1", "-o", str(premiere)]).exit_code == 0
    assert "pour la période du 15\u00a0décembre 2026 au 14\u00a0décembre 2027" in dump_text(
        premiere.read_bytes())
    classeur = tmp_path / "t.xlsx"
    assert runner.invoke(cli, ["tableau-de-bord", str(NETTOYAGE), "-o", str(classeur)]).exit_code == 0
    periodes = [row[1] for row in load_workbook(classeur)["Synthèse"].iter_rows(min_row=2, values_only=True)
                if row[0]]
    assert periodes[0] == "du 15\u00a0décembre 2026 au 14\u00a0décembre 2027"
    assert periodes[1] == "du 15\u00a0décembre 2027 au 14\u00a0décembre 2028"
