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
    src = Path(__file__).resolve().parents[2] / "src"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(src)})
    loaded = run.stdout.strip().splitlines()[-1]
    assert loaded == "['clausegen.cli.click_fr']"


def _click_strings() -> tuple[set[str], set[tuple[str, str]]]:
    """Every string Click passes to ``_`` and ``ngettext`` (read from its source)."""
    import ast

    singular, plural = set(), set()
    for module in click_fr.CLICK_MODULES:
        tree = ast.parse(Path(click.__file__).with_name(f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id == "_" and texts:
                singular.add(texts[0])
            elif node.func.id == "ngettext" and len(texts) >= 2:
                plural.add((texts[0], texts[1]))
    return singular, plural


def test_catalogue_keys_are_click_strings() -> None:
    singular, plural = _click_strings()
    extra = {"integer", "float", "boolean", "required"}  # type names and a value passed to _()
    assert set(click_fr.SINGULAR) - singular - extra == set()
    assert set(click_fr.PLURAL) - plural == set()


def test_every_click_string_has_a_french_wording() -> None:
    """The other direction: an upgrade of Click that adds a message is noticed here."""
    singular, plural = _click_strings()
    assert singular - set(click_fr.SINGULAR) == set()
    assert plural - set(click_fr.PLURAL) == set()


def _all_commands() -> list[list[str]]:
    from clausegen.cli import COMMANDS

    paths = []
    for name in sorted(COMMANDS):
        command = cli.get_command(click.Context(cli), name)
        assert command is not None
        paths.append([name])
        if isinstance(command, click.Group):
            paths += [[name, sub] for sub in sorted(command.commands)]
    return paths


def test_every_help_is_french_with_an_example(runner) -> None:  # type: ignore[no-untyped-def]
    english = re.compile(r"\b(Usage|Show this|TEXT|INTEGER|RANGE|required|COMMAND|ARGS)\b|\[%Y")
    for path in _all_commands():
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Exemple\u00a0:" in result.output, path
        assert f"clausegen {' '.join(path)}" in result.output.split("Exemple\u00a0:")[1], path
        assert not english.search(result.output), (path, english.search(result.output))
        assert "...\n" not in result.output.replace("[ARGUMENTS]...", ""), path


def test_no_color_turns_colours_off(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import clausegen.cli as cli_module

    seen: dict[str, object] = {}
    monkeypatch.setattr(cli_module, "cli", lambda **kwargs: seen.update(kwargs))
    monkeypatch.setenv("NO_COLOR", "1")
    cli_module.main()
    assert seen["color"] is False
    monkeypatch.delenv("NO_COLOR")
    cli_module.main()
    assert seen["color"] is None
