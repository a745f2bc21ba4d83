"""The one Jinja2 environment of clausegen, and the rendering of fragment bodies.

Fragments render in a ``SandboxedEnvironment`` with ``StrictUndefined``: an unknown
variable is an error, never an empty string. Every value printed with ``{{ }}`` is
escaped for the Markdown subset (``finalize``), so a user string such as
``*Société* [X]`` cannot turn into markup; newlines in user strings become spaces.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from clausegen.errors import FragmentRenderError
from clausegen.models._base import label
from clausegen.text import french

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}#|<>~&!+\-.()])")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Raw(str):
    """A string already in fragment markup: printed without escaping (used by ``article``)."""


def escape_markup(value: Any) -> str:
    """Escape a printed value so the Markdown parser shows it literally."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, StrEnum):
        value = label(value)
    text = "" if value is None else str(value)
    text = _CONTROL.sub("", _LINE_BREAKS.sub(" ", text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _filters() -> dict[str, Callable[..., Any]]:
    return {
        "date_longue": french.date_longue,
        "date_courte": french.date_courte,
        "montant": french.montant,
        "montant_ht": lambda v: french.montant(v, ht=True),
        "en_lettres": french.en_lettres,
        "entier_en_lettres": french.entier_en_lettres,
        "nombre": french.nombre,
        "pourcentage": french.pourcentage,
        "duree_mois": french.duree_mois,
        "libelle": label,
    }


class ClauseSandbox(SandboxedEnvironment):
    """The sandbox, a little stricter: Pydantic's ``model_*`` API is not reachable."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Refuse ``model_*`` attributes on top of Jinja's own sandbox rules."""
        if attr.startswith("model_"):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))


@lru_cache(maxsize=1)
def make_environment() -> SandboxedEnvironment:
    """Build (once) the sandboxed environment used for every fragment and condition."""
    env = ClauseSandbox(
        undefined=StrictUndefined,
        autoescape=False,
        finalize=escape_markup,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(_filters())
    return env


@lru_cache(maxsize=4096)
def _compile(source: str):  # type: ignore[no-untyped-def]
    return make_environment().from_string(source)


@lru_cache(maxsize=1024)
def _compile_expression(source: str):  # type: ignore[no-untyped-def]
    return make_environment().compile_expression(source, undefined_to_none=False)


def _describe(exc: Exception) -> str:
    if isinstance(exc, SecurityError):
        return f"opération interdite par le bac à sable ({exc})"
    if isinstance(exc, UndefinedError):
        return f"variable inconnue ({exc.message})"
    if isinstance(exc, TemplateSyntaxError):
        return f"syntaxe Jinja incorrecte ({exc.message})"
    return f"erreur de rendu ({exc})"


def render_text(
    source: str,
    context: Mapping[str, Any],
    *,
    fragment_id: str,
    path: Path | None = None,
    first_line: int = 1,
) -> str:
    """Render a fragment body; errors name the fragment, the file and the line."""
    try:
        return str(_compile(source).render(context))
    except TemplateSyntaxError as exc:
        line = (exc.lineno or 1) + first_line - 1
        raise FragmentRenderError(fragment_id=fragment_id, reason=_describe(exc), path=path,
                                  line=line) from None
    except (TemplateError, SecurityError, TypeError, ValueError, ArithmeticError) as exc:
        raise FragmentRenderError(fragment_id=fragment_id, reason=_describe(exc), path=path) from None


def evaluate_condition(expression: str, context: Mapping[str, Any], *, where: str) -> bool:
    """Evaluate a canevas condition such as ``plan_de_progres.has_axe('insertion')``."""
    try:
        return bool(_compile_expression(expression)(**context))
    except (TemplateError, SecurityError, TypeError, ValueError) as exc:
        raise FragmentRenderError(
            fragment_id=where, reason=f"condition « {expression} » : {_describe(exc)}"
        ) from None


def undeclared_variables(source: str) -> set[str]:
    """Top-level names a fragment body uses (for ``bibliotheque verifier``)."""
    from jinja2 import meta

    return set(meta.find_undeclared_variables(make_environment().parse(source)))
