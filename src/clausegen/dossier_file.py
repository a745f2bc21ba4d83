"""Load a dossier from its YAML file into the typed model."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from clausegen.errors import DossierError, FieldProblem
from clausegen.models.dossier import Dossier
from clausegen.models.validation import validate_document
from clausegen.yaml_files import parse_yaml_document, read_text


def load_dossier(path: Path) -> Dossier:
    """Read, parse and validate a dossier; errors name the file and each field path."""
    return parse_dossier(read_text(path), path)


def parse_dossier(text: str, path: Path) -> Dossier:
    """Parse and validate the text of a dossier file.

    The last few results are kept in memory (a command reads its dossier for the verdict,
    then for the pieces); a dossier is immutable and only a valid one is kept."""
    return _parsed(text, path)


@lru_cache(maxsize=4)
def _parsed(text: str, path: Path) -> Dossier:
    document = parse_yaml_document(text, path=path)
    if not isinstance(document.data, dict):
        raise DossierError(
            path=path,
            problems=[FieldProblem(path="", expected="ensemble de champs (acheteur, marche…) attendu")],
        )
    dossier, problems = validate_document(Dossier, document)
    if dossier is None:
        raise DossierError(path=path, problems=problems)
    return dossier
