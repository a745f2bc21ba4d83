"""Each kind-of-market example runs through every command it supports (issue 10), and is
refused, with its reason, by the commands it does not."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from tests.conftest import EXAMPLES, sans_pagination

AC = "accord-cadre-marches-subsequents.yml"
RESERVE = "marche-reserve.yml"
TRAVAUX = "travaux-clause-insertion.yml"

TENDER = [["faisabilite"], ["ccap", "-o", "{out}/ccap.docx"], ["cctp", "-o", "{out}/cctp.docx"]]
POST_AWARD = [["echeancier", "--ics", "{out}/e.ics"], ["convocation", "-o", "{out}/c.docx"],
              ["plan", "--annee", "1", "-o", "{out}/p.docx"],
              ["lettre", "--annee", "1", "-o", "{out}/l.docx"],
              ["bilan", "--annee", "1", "-o", "{out}/b.docx"], ["tableau-de-bord", "-o", "{out}/t.xlsx"]]

CASES = (
    [(AC, c, (), 0) for c in TENDER]
    + [(AC, c, ("--marche-subsequent", "1"), 0) for c in POST_AWARD]
    + [(AC, POST_AWARD[1], ("--marche-subsequent", "2"), 1)]  # 10 months: refused
    + [(RESERVE, c, (), 0) for c in TENDER + POST_AWARD]
    + [(TRAVAUX, c, (), 0) for c in TENDER]
    # no plan de progrès: the plan's pieces do not apply; the insertion clause's follow-up does
    # (issue 20): deadlines, final bilan (after the last year, here year 2), dashboard
    + [(TRAVAUX, c, (), 0 if c[0] in ("echeancier", "tableau-de-bord") else 2) for c in POST_AWARD]
    + [(TRAVAUX, ["bilan", "--annee", "2", "-o", "{out}/b.docx"], (), 0)]
)


@pytest.mark.parametrize(("example", "command", "extra", "code"), CASES,
                         ids=[f"{c[0].split('.')[0]}-{c[1][0]}{'-' + c[2][1] if c[2] else ''}"
                              for c in CASES])
def test_example_command(runner: CliRunner, tmp_path: Path, example: str, command: list[str],
                         extra: tuple[str, ...], code: int) -> None:
    args = [a.format(out=tmp_path) for a in command]
    result = runner.invoke(cli, sans_pagination([args[0], str(EXAMPLES / example), *args[1:], *extra]))
    assert result.exit_code == code, result.output
    written = [p for p in tmp_path.iterdir() if p.suffix in {".docx", ".xlsx", ".ics"}]
    assert len(written) == (len([a for a in args if a.startswith(str(tmp_path))]) if code == 0 else 0)
    if code:
        assert "Erreur" in result.output


def test_readme_shows_every_example() -> None:
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    for example in sorted(EXAMPLES.glob("*.yml")):
        assert f"examples/{example.name}" in readme, example.name
