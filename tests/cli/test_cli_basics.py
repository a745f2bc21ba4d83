"""Small commands: init, schema, --help, --version."""

from __future__ import annotations

import json
from pathlib import Path

from clausegen.cli import cli


def test_init_writes_placeholders_that_cannot_pass(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "mon-dossier.yml"
    result = runner.invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Dossier clausegen")
    assert "clausegen faisabilite mon-dossier.yml" in text
    refused = runner.invoke(cli, ["faisabilite", str(target)])
    assert refused.exit_code == 2
    assert "acheteur.nom : valeur d'exemple à remplacer" in refused.output
    filled = tmp_path / "rempli.yml"
    filled.write_text(text.replace("À COMPLÉTER", "Valeur saisie"), encoding="utf-8")
    verdict = runner.invoke(cli, ["faisabilite", str(filled), "--format", "json"])
    assert verdict.exit_code == 0, verdict.output
    assert json.loads(verdict.output)["verdict"] == "adapte"


def test_init_refuses_to_overwrite(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "dossier.yml"
    target.write_text("mien", encoding="utf-8")
    result = runner.invoke(cli, ["init", str(target)])
    assert result.exit_code == 1
    assert "existe déjà" in result.output
    assert target.read_text(encoding="utf-8") == "mien"


def test_schema_describes_every_field(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert set(schema["properties"]) >= {"acheteur", "marche", "facilitateur", "plan_de_progres"}

    def undocumented(node: object, path: str = "") -> list[str]:
        missing: list[str] = []
        if isinstance(node, dict):
            for name, prop in (node.get("properties") or {}).items():
                if "description" not in prop:
                    missing.append(f"{path}.{name}")
            for key, value in node.items():
                missing += undocumented(value, f"{path}.{key}")
        return missing

    assert undocumented(schema) == []


def test_help_is_in_french(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "Génère le CCAP" in result.output
    assert "faisabilite" in result.output
