"""The one Jinja2 environment of clausegen, and the rendering of fragment bodies.

Fragments render in a ``SandboxedEnvironment`` with ``StrictUndefined``: an unknown
variable is an error, never an empty string. Every value printed with ``{{ }}`` is
escaped for the Markdown subset (``finalize``), so a user string such as
``*Société* [X]`` cannot turn into markup; newlines in user strings become spaces.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
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
        "fonction": french.fonction,
    }


MAX_INT_ARGUMENT = 100_000
"""Largest integer a fragment may pass to a function or method (``'x'.center(10**9)``)."""

MAX_OUTPUT_CHARS = 1_000_000
"""Longest text a fragment (or a ``*`` repetition inside it) may produce."""

RISKY_FILTERS = ("center", "indent", "format", "slice", "wordwrap", "batch")
"""Jinja filters that take a size and could build a huge string; fragments have no use for them."""


class ClauseSandbox(SandboxedEnvironment):
    """The sandbox, a little stricter than Jinja's.

    Pydantic's ``model_*`` API is not reachable; ``%`` and ``str.format`` are refused;
    repetition (``*``), powers and integer arguments are bounded, so a fragment cannot
    exhaust memory with ``'x' * 10**10`` or ``'x'.ljust(10**9)``.
    """

    intercepted_binops = frozenset({"*", "**", "%"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Refuse ``model_*`` attributes and ``str.format`` on top of Jinja's own rules."""
        if attr.startswith("model_") or (isinstance(obj, str) and attr in ("format", "format_map")):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """Bound ``*`` and ``**``; refuse printf-style ``%`` on strings."""
        if operator == "%" and isinstance(left, str):
            raise SecurityError("formatage « % » interdit ; utilisez les filtres de mise en forme")
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError(f"exposant {right} trop grand (maximum 64)")
        if operator == "*":
            _check_repetition(left, right)
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> None:
        """Never hand out a (sandboxed) ``str.format``: ``is_safe_attribute`` refuses it.

        A width such as ``{:>999999999}`` would build a huge string.
        """
        return None

    def format_string(self, s: str, args: Any, kwargs: Any, format_func: Any = None) -> str:
        """Refuse ``str.format`` on Jinja versions that route it here."""
        raise SecurityError("str.format interdit ; utilisez les filtres de mise en forme")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Refuse huge integer arguments before calling anything."""
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT_ARGUMENT:
                raise SecurityError(f"argument {value} trop grand (maximum {MAX_INT_ARGUMENT})")
        return super().call(__context, __obj, *args, **kwargs)


def _check_repetition(left: Any, right: Any) -> None:
    for sequence, count in ((left, right), (right, left)):
        if (isinstance(sequence, str | list | tuple) and isinstance(count, int)
                and len(sequence) * count > MAX_OUTPUT_CHARS):
            raise SecurityError(f"répétition trop longue (plus de {MAX_OUTPUT_CHARS} éléments)")


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
    for name in RISKY_FILTERS:
        env.filters.pop(name, None)
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


def _bounded_render(template: Any, context: Mapping[str, Any]) -> str:
    """Render chunk by chunk and stop as soon as the text passes :data:`MAX_OUTPUT_CHARS`."""
    chunks: list[str] = []
    size = 0
    for chunk in template.generate(context):
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise SecurityError(f"texte produit trop long (plus de {MAX_OUTPUT_CHARS} caractères)")
        chunks.append(chunk)
    return "".join(chunks)


RENDER_TIME_LIMIT = 5.0
"""Seconds one fragment may take to render; a fragment renders in about a millisecond, so only
a runaway loop (``range`` inside ``range``, which prints nothing) reaches it."""


class _RenderTimeout(Exception):
    """The time limit of one rendering expired."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the rendering after ``seconds`` (main thread only, where signals arrive)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise _RenderTimeout

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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
        template = _compile(source)
        with _time_limit(RENDER_TIME_LIMIT):
            return _bounded_render(template, context)
    except _RenderTimeout:
        raise FragmentRenderError(
            fragment_id=fragment_id, path=path,
            reason=f"rendu interrompu après {RENDER_TIME_LIMIT:g} s (boucle trop longue ?)") from None
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
