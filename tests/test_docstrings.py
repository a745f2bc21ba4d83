"""Docstrings and comments say what the code does; measured figures live in
``docs/performance*.md`` (issue 24, item 5), where they are dated and can be measured again."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "clausegen"

MEASURED = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:ms|µs|ns)\b"  # a timing: « 40 ms », « 67 µs »
    r"|\d+[.,]\d+\s*s\b"  # seconds with decimals: « 0.4 s »
    r"|\d+(?:[.,]\d+)?\s*×"  # a ratio: « 2.5× », « 1,38 × »
    r"|\d+\s*(?:times|fois)\s+(?:faster|slower|plus\s+(?:rapide|lent))"  # « 10 times faster »
    r"|\d+(?:[.,]\d+)?\s*(?:kB|ko)\b",  # a measured size: « 19 kB »
    re.IGNORECASE,
)
"""What a measured result looks like. Limits and settings written as code (``5.0`` seconds,
« 5 Mo au plus » in a message) are not docstrings or comments, and are not matched."""


def prose(source: str) -> list[tuple[int, str]]:
    """Every docstring (module, class, function, and the string under an assignment) and
    every comment of a module, with its first line number."""
    found = [(token.start[0], token.string)
             for token in tokenize.generate_tokens(io.StringIO(source).readline)
             if token.type == tokenize.COMMENT]
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            found.append((node.lineno, node.value.value))
    return sorted(found)


def measured_figures(root: Path) -> list[str]:
    """``path:line: figure`` for each measured figure in the docstrings and comments under ``root``."""
    hits = []
    for path in sorted(root.rglob("*.py")):
        for line, text in prose(path.read_text(encoding="utf-8")):
            hits += [f"{path.relative_to(root)}:{line}: {m.group(0)}" for m in MEASURED.finditer(text)]
    return hits


def test_no_docstring_or_comment_under_src_states_a_measured_figure() -> None:
    assert measured_figures(SRC) == []


def test_the_check_finds_figures_as_they_were_written(tmp_path: Path) -> None:
    """Figures as they stood in the code before they moved to docs/performance*.md."""
    (tmp_path / "module.py").write_text(
        '"""Parsing is most of a first rendering (about 100 ms for\n'
        'the 37 templates of a CCAP and a CCTP)."""\n'
        "import yaml\n"
        'DUMPER = yaml.SafeDumper  # libyaml: ~10 times faster\n'
        "LEVEL = 1\n"
        '"""Measured on the CCAP body (76 kB of XML): 0.32 ms and 19 kB, against 1.14 ms."""\n'
        "def f() -> None:\n"
        '    """Again and again, about 40 ms of a 0.4 s run; p95 224–263 ms, 119–153\n'
        '    ms with 1 or 2 per worker; × 1.38 then 2.46×."""\n'
        '    message = "fichier de 5 Mo au plus, délai 30 s, 2 ms"  # a message, not prose\n',
        encoding="utf-8")
    figures = [hit.split(": ", 1)[1] for hit in measured_figures(tmp_path)]
    assert figures == ["100 ms", "10 times faster", "76 kB", "0.32 ms", "19 kB", "1.14 ms",
                       "40 ms", "0.4 s", "263 ms", "153\n    ms", "2.46×"]
