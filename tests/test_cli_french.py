"""The command line speaks French, Click's own messages included, and loads lazily."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from clausegen.cli import COMMANDS, cli, click_fr


def test_help_is_entirely_french(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, ["--help"], prog_name="clausegen")
    assert result.exit_code == 0
    assert "Utilisation\u00a0: clausegen [OPTIONS] COMMANDE [ARGUMENTS]..." in result.output
    assert "Affiche cette aide et quitte." in result.output
    assert "Commandes\u00a0:" in result.output
    for english in ("Usage:", "Show this message", "Show the version", "Commands:"):
        assert english not in result.output


@pytest.mark.parametrize(("args", "expected"), [
    (["ccap", "--inconnue"], "Option inconnue\u00a0: '--inconnue'."),
    (["ccpa"], "Commande inconnue\u00a0: 'ccpa'."),
    (["ccap"], "Argument manquant"),
    (["faisabilite", "x.yml", "--format", "pdf"], "n'est pas l'une des valeurs"),
], ids=["option-inconnue", "commande-inconnue", "argument-manquant", "choix-invalide"])
def test_usage_errors_are_french(runner, args: list[str], expected: str) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert expected in result.output
    assert "Erreur\u00a0:" in result.output


def test_every_listed_command_exists_and_every_command_is_listed() -> None:
    group = click.Group()
    for module_name in sorted({module for module, _ in COMMANDS.values()}):
        importlib.import_module(f"clausegen.cli.{module_name}").register(group)
    assert set(group.commands) == set(COMMANDS)
    for name, (module_name, _) in COMMANDS.items():
        other = click.Group()
        importlib.import_module(f"clausegen.cli.{module_name}").register(other)
        assert name in other.commands, f"{name} n'est pas enregistrée par {module_name}"


def test_help_does_not_import_command_modules() -> None:
    code = ("import sys; from clausegen.cli import cli\n"
            "try:\n    cli(['--help'], prog_name='clausegen')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('clausegen.cli.')))")
    src = Path(__file__).resolve().parents[1] / "src"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(src)})
    loaded = run.stdout.strip().splitlines()[-1]
    assert loaded == "['clausegen.cli.click_fr']"


def test_catalogue_keys_are_click_strings() -> None:
    source = "".join(Path(click.__file__).with_name(f"{m}.py").read_text(encoding="utf-8")
                     for m in click_fr.CLICK_MODULES)
    def in_source(text: str) -> bool:
        return text in source or text.encode("unicode_escape").decode() in source

    unknown = [key for key in click_fr.SINGULAR
               if not in_source(key) and key not in ("integer", "float", "boolean")]
    assert unknown == []
    assert all(re.search(re.escape(s), source) for pair in click_fr.PLURAL for s in pair)
