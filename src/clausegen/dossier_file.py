"""Load a dossier from its YAML file into the typed model."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from clausegen.errors import DossierError, FieldProblem
from clausegen.models.dossier import Dossier
from clausegen.signed_cache import SignedCache, sources_digest
from clausegen.yaml_files import YamlDocument, parse_yaml_document, read_text


def load_dossier(path: Path) -> Dossier:
    """Read, parse and validate a dossier; errors name the file and each field path."""
    return parse_dossier(read_text(path), path)


def parse_dossier(text: str, path: Path) -> Dossier:
    """Parse and validate the text of a dossier file.

    The last few results are kept in memory (a command reads its dossier for the verdict,
    then for the pieces); a dossier is immutable and only a valid one is kept."""
    return _parsed(text, path)


def _validated_namespace() -> str:
    """A validated dossier depends on the models, the YAML reading and Pydantic."""
    import pydantic_core
    import yaml
    from pydantic.version import VERSION

    from clausegen import models, yaml_files

    sources = sorted(Path(models.__file__).parent.glob("*.py"))
    return "dossiers-" + sources_digest(*sources, yaml_files.__file__, __file__, extra=(
        f"{VERSION}|{pydantic_core.__version__}|{yaml.__version__}"))


_VALIDATED = SignedCache(_validated_namespace, ".pickle", per_dossier=True)
"""Valid dossiers kept between runs by the SHA-256 of their text, as Python keeps bytecode by
the source's hash: a dossier typed once is not parsed and validated again (building the
Pydantic validator is most of a first validation, docs/performance.md). Only valid dossiers
are kept; an entry is unpickled only when signed with the cache's key (see
:class:`~clausegen.signed_cache.SignedCache`), so a copied or edited entry is ignored."""


@lru_cache(maxsize=4)
def _parsed(text: str, path: Path) -> Dossier:
    return _VALIDATED.computed(text, Dossier, lambda: _validate(text, path))


def _validate(text: str, path: Path) -> Dossier:
    return validated_document(parse_yaml_document(text, path=path))


def validated_document(document: YamlDocument) -> Dossier:
    """The dossier of a parsed file; :class:`DossierError` naming each field otherwise."""
    from clausegen.models.validation import validate_document  # not for a dossier seen before

    path = document.path
    if not isinstance(document.data, dict):
        raise DossierError(
            path=path,
            problems=[FieldProblem(path="", expected="ensemble de champs (acheteur, marche…) attendu")],
        )
    dossier, problems = validate_document(Dossier, document)
    if dossier is None:
        raise DossierError(path=path, problems=problems)
    return dossier
