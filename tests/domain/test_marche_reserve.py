"""Issue 10, item 2: reserved contracts (articles L. 2113-12 and L. 2113-13 of the code de la
commande publique)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.render.readers.inspect import dump_text
from tests.conftest import EXAMPLES, example_data

RESERVE = EXAMPLES / "marche-reserve.yml"


def _payload(runner: CliRunner, path: Path) -> Any:
    result = runner.invoke(cli, ["faisabilite", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_feasibility_explains_what_changes(runner: CliRunner) -> None:
    payload = _payload(runner, RESERVE)
    reserve = next(r for r in payload["raisons"] if r["critere"] == "marché réservé")
    assert reserve["niveau"] == "favorable"
    for axe in ("parcours et formation", "tutorat", "PMSMP et découverte des métiers",
                "santé et sécurité au travail", "lutte contre l'illettrisme",
                "sorties vers l'emploi durable"):
        assert axe in reserve["message"]
    assert payload["clause_insertion"]["verdict"] == "non_adapte"


def test_insertion_hours_in_the_plan_are_warned_against(runner: CliRunner, write_dossier: Any) -> None:
    data = example_data()  # the cleaning plan counts insertion in hours
    data["reservation"] = {"article": "L2113-12"}
    payload = _payload(runner, write_dossier(data))
    reserve = next(r for r in payload["raisons"] if r["critere"] == "marché réservé")
    assert reserve["niveau"] == "reserve"
    assert "heures d'insertion" in reserve["message"]
    assert payload["verdict"] == "adapte_avec_reserves"
    result = runner.invoke(cli, ["plan", str(write_dossier(data)), "--annee", "1",
                                 "-o", str(Path(write_dossier(data)).with_suffix(".docx"))])
    assert result.exit_code == 0, result.output
    assert "marché réservé : l'objectif « heures_insertion » se compte en heures" in result.output


def test_insertion_clause_alone_is_refused_for_a_reserved_contract(runner: CliRunner,
                                                                   write_dossier: Any) -> None:
    data = yaml.safe_load((EXAMPLES / "travaux-clause-insertion.yml").read_text(encoding="utf-8"))
    data["reservation"] = {"article": "L2113-13"}
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(write_dossier(data)), "-o", "/dev/null"])
    assert result.exit_code == 2
    assert "une clause d'insertion en heures n'y a pas de sens" in result.output


@pytest.mark.parametrize(("article", "expected"), [
    ("L2113-13", "structures d’insertion par l’activité économique mentionnées à l’article L. 5132-4"),
    ("L2113-12", "entreprises adaptées mentionnées à l’article L. 5213-13"),
])
def test_ccap_states_the_reservation(runner: CliRunner, write_dossier: Any, tmp_path: Path,
                                     article: str, expected: str) -> None:
    data = yaml.safe_load(RESERVE.read_text(encoding="utf-8"))
    data["reservation"]["article"] = article
    out = tmp_path / "ccap.docx"
    assert runner.invoke(cli, ["ccap", "--sans-pagination",
                               str(write_dossier(data)), "-o", str(out)]).exit_code == 0
    text = dump_text(out.read_bytes()).replace("\u00a0", " ")
    assert f"article {article[:1]}. {article[1:]} du code de la commande publique" in text
    assert expected in text
    assert "proportion minimale de 50 %" in text
    assert "ne fixe pas d’objectif en heures d’insertion" in text


def test_ccap_of_an_ordinary_contract_says_nothing_of_reservation(runner: CliRunner,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "ccap.docx"
    assert runner.invoke(cli, ["ccap", "--sans-pagination",
                               str(EXAMPLES / "nettoyage-4-ans.yml"), "-o", str(out)]).exit_code == 0
    assert "L. 2113-1" not in dump_text(out.read_bytes()).replace("\u00a0", " ")


def test_reserved_bilan_penalty_computed_by_hand(runner: CliRunner, tmp_path: Path) -> None:
    # Obligation de moyens: missed objectives are not penalised; 4 days late × 50 € = 200 €;
    # cap 10 % × 141 000 € = 14 100 €. The example records the buyer's decision: due.
    out = tmp_path / "b.docx"
    result = runner.invoke(cli, ["bilan", str(RESERVE), "--annee", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert ("pénalités applicables : 200,00\u00a0€\u00a0HT ; constatées : 200,00\u00a0€\u00a0HT"
            in result.output)
    text = dump_text(out.read_bytes()).replace("\u00a0", " ")
    assert "| 4 jours × 50,00 € | 200,00 € | applicable (décision du 6 décembre 2027) |" in text
    assert "Plafond annuel |  | 14 100,00 € |" in text.replace("\u202f", " ")
