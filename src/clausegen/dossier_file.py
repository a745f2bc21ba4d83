"""Load a dossier from its YAML file into the typed model."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from clausegen.errors import DossierError, FieldProblem
from clausegen.models.dossier import Dossier
from clausegen.models.validation import problems_from
from clausegen.yaml_files import parse_yaml, read_text


def load_dossier(path: Path) -> Dossier:
    """Read, parse and validate a dossier; errors name the file and each field path."""
    return parse_dossier(read_text(path), path)


def parse_dossier(text: str, path: Path) -> Dossier:
    """Parse and validate the text of a dossier file."""
    data = parse_yaml(text, path=path)
    if not isinstance(data, dict):
        raise DossierError(
            path=path,
            problems=[FieldProblem(path="", expected="ensemble de champs (acheteur, marche…) attendu")],
        )
    try:
        return Dossier.model_validate(data)
    except ValidationError as exc:
        raise DossierError(path=path, problems=problems_from(exc)) from None
