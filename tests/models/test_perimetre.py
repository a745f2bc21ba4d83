"""Issue 10, item 7: only staff assigned to the contract count (CE, 25 mai 2018, Nantes Métropole).
Refused in the dossier, in ``plan`` and in ``lettre`` (a --plan file), with the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.models.perimetre import hors_perimetre
from tests.conftest import NETTOYAGE, example_data

COMPANY_WIDE = [
    "Index de l'égalité professionnelle de l'entreprise supérieur à 85",
    "Note du rapport RSE du groupe",
    "Part des femmes dans l'ensemble des salariés",
    "Taux de fréquence des accidents sur tous les salariés",
    "Heures d'insertion réalisées sur ses autres marchés",
    "Déclaration de performance extra-financière publiée",
]
ASSIGNED = [
    "Heures de travail réalisées par des personnes éligibles, affectées au marché",
    "Encadrants affectés au marché ayant suivi une session de 3 heures",
    "Part des femmes dans l'ensemble des salariés affectés au marché",
    "Tous les salariés du marché formés aux gestes et postures",
    "Réhabilitation du groupe scolaire Jules-Ferry",
]


@pytest.mark.parametrize("text", COMPANY_WIDE)
def test_company_wide_wording_is_detected(text: str) -> None:
    assert hors_perimetre(text)


@pytest.mark.parametrize("text", ASSIGNED)
def test_contract_scoped_wording_passes(text: str) -> None:
    assert hors_perimetre(text) is None


def _objectif(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    objectif: dict[str, Any] = data["plans"][0]["axes"][2]["objectifs"][0]  # the equality axis
    objectif.update(changes)
    return data


def test_dossier_refuses_a_company_wide_indicator(runner: CliRunner, write_dossier: Any) -> None:
    data = _objectif(example_data(), indicateur="Index de l'égalité professionnelle de l'entreprise")
    result = runner.invoke(cli, ["faisabilite", str(write_dossier(data))])
    assert result.exit_code == 2
    assert "plans[0].axes[2].objectifs[0].indicateur" in result.output
    assert "porte sur l'entreprise dans son ensemble (« index de l'égalité »)" in result.output
    assert "Nantes Métropole, n° 417580" in result.output.replace("\u00a0", " ")


def test_dossier_refuses_a_company_wide_perimeter(runner: CliRunner, write_dossier: Any) -> None:
    data = _objectif(example_data(), perimetre="groupe")
    result = runner.invoke(cli, ["faisabilite", str(write_dossier(data))])
    assert result.exit_code == 2
    assert "périmètre « le groupe » refusé" in result.output


def test_axis_precision_is_guarded_too(runner: CliRunner, write_dossier: Any) -> None:
    data = example_data()
    data["plan_de_progres"]["axes"][2]["precisions"] = "suivi de la politique RSE du groupe"
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(write_dossier(data)), "-o", "/dev/null"])
    assert result.exit_code == 2
    assert "plan_de_progres.axes[2].precisions" in result.output


@pytest.mark.parametrize("command", ["plan", "lettre"])
def test_plan_and_letter_refuse_a_plan_file_about_the_company(runner: CliRunner, tmp_path: Path,
                                                              command: str) -> None:
    plan = yaml.safe_load(NETTOYAGE.read_text(encoding="utf-8"))["plans"][0]
    plan["axes"][0]["objectifs"][1]["libelle"] = ("Porter à 3 % la part de travailleurs handicapés "
                                                  "de toute l'entreprise")
    plan_file = tmp_path / "plan-1.yml"
    plan_file.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    out = tmp_path / f"{command}.docx"
    result = runner.invoke(cli, [command, str(NETTOYAGE), "--annee", "1", "--plan", str(plan_file),
                                 "-o", str(out)])
    assert result.exit_code == 2
    assert str(plan_file) in result.output
    assert "« toute l'entreprise »" in result.output
    assert not out.exists()


def test_hosted_publics_perimeter_is_accepted(runner: CliRunner, write_dossier: Any) -> None:
    data = example_data()
    data["plans"][0]["axes"][1]["objectifs"][0]["perimetre"] = "publics_accueillis"  # PMSMP
    assert runner.invoke(cli, ["faisabilite", str(write_dossier(data))]).exit_code == 0
