"""Where an organisation's own library directories come from (overlay layers).

Lowest to highest: the ``bibliotheques:`` list of ``.clausegen.yml`` in the current
directory (paths relative to that file), then ``$CLAUSEGEN_BIBLIOTHEQUES`` (separated by
``os.pathsep``), then the ``--bibliotheque`` options of the command.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from clausegen.errors import FieldProblem, ValidationFailed
from clausegen.yaml_files import read_yaml

CONFIG_FILE = ".clausegen.yml"
ENV_VARIABLE = "CLAUSEGEN_BIBLIOTHEQUES"


def _from_config(directory: Path) -> list[Path]:
    path = directory / CONFIG_FILE
    if not path.is_file():
        return []
    data = read_yaml(path)
    entries = data.get("bibliotheques", []) if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, str) and e for e in entries):
        raise ValidationFailed(path=path, what="configuration", problems=[FieldProblem(
            path="bibliotheques", expected="liste de chemins de répertoires (texte)")])
    return [(path.parent / entry).resolve() for entry in entries]


def configured_sources(*, cwd: Path | None = None,
                       environ: Mapping[str, str] | None = None) -> list[tuple[str, list[Path]]]:
    """Where overlays come from besides the command's options, for an on-screen notice:
    (« .clausegen.yml » path or the variable's name, its directories)."""
    env = os.environ if environ is None else environ
    sources = []
    config = (cwd or Path.cwd()) / CONFIG_FILE
    if config.is_file():
        sources.append((str(config), _from_config(config.parent)))
    from_env = [Path(p).resolve() for p in env.get(ENV_VARIABLE, "").split(os.pathsep) if p]
    if from_env:
        sources.append((f"${ENV_VARIABLE}", from_env))
    return sources


def overlay_roots(options: Sequence[Path] = (), *, cwd: Path | None = None,
                  environ: Mapping[str, str] | None = None) -> list[Path]:
    """Every overlay directory, lowest layer first, without duplicates."""
    env = os.environ if environ is None else environ
    from_env = [Path(p).resolve() for p in env.get(ENV_VARIABLE, "").split(os.pathsep) if p]
    roots = [*_from_config(cwd or Path.cwd()), *from_env, *(Path(p).resolve() for p in options)]
    return list(dict.fromkeys(roots))
