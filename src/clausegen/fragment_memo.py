"""Rendered fragments remembered by what they read (the web application regenerates often).

A fragment's blocks depend on its body, on the values it reads (``marche.objet``,
``plan_de_progres``, ``article``…: the attribute paths of the template names its syntax tree
uses, see :func:`_reads`) and on the numbering of its piece (its cross-references). Canevas
conditions are taken the same way. Between two generations of a dossier, most fragments read nothing that
changed: their blocks are taken from here instead of rendering them again. Every value is
known by a digest of its whole content and type (a Pydantic model by its JSON, a function
by the ``content_digest`` of what its results depend on besides its arguments); a fragment
that reads a value with no such digest (an object of an unknown kind, a name missing from the
context, a random global such as ``lipsum``) is always rendered. Errors are never kept: a
fragment that fails is rendered, and fails, every time. Only a process that generates many
times uses it (:func:`enable`, called by the web server): for a command that generates once,
working out what each fragment reads would only add to its start-up.

Measured on the example (docs/performance-web.md): rendering the 46 fragments of CCAP and
CCTP was 2.1 ms of a 12 ms generation; when the market's object changed, 44 of them read
nothing that changed. Tests compare pieces rendered with and without what is kept here,
after changing each part of a dossier in turn.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel

from clausegen.templating import make_environment, mutations

T = TypeVar("T")

MAX_KEPT = 4096
"""Rendered fragments kept in the process (the oldest half goes when it is full)."""

SAFE_GLOBALS = frozenset({"range", "dict", "namespace", "cycler", "joiner"})
"""Jinja's own globals whose result depends on their arguments only (``lipsum`` is random)."""

_KEPT: dict[tuple[Any, ...], Any] = {}
MAX_CANONICAL = 256
_CANONICAL: dict[int, tuple[BaseModel, str]] = {}
"""The written-out content of frozen models, by identity (the model is held, so its id is not
reused): the CCAP and the CCTP of one generation read the same dossier's models. Forgotten
when a fragment changes a value in place (:meth:`PieceMemo.stop`)."""
_ENABLED = False


def enable() -> None:
    """Take fragments from what they rendered to before, in this process (a server: see
    :func:`clausegen.api.cache.enter_server_mode`)."""
    global _ENABLED  # noqa: PLW0603 - one switch for the whole process
    _ENABLED = True


class _Unknown(Exception):
    """A value without a digest: the fragment reading it is always rendered."""


def digest_of(value: Any) -> str:
    """A digest of a value's whole content and type; :class:`_Unknown` when it has none."""
    return hashlib.sha256(_canonical(value).encode("utf-8")).hexdigest()


def _canonical(value: Any) -> str:
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    if value is None or isinstance(value, str | int | float | Decimal | dt.date | Enum):
        return f"{kind}:{value!r}"
    if isinstance(value, BaseModel):
        known = _CANONICAL.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        try:
            text = f"{kind}:{value.model_dump_json()}"
        except Exception as exc:  # noqa: BLE001 - a value Pydantic cannot write out
            raise _Unknown from exc
        if value.model_config.get("frozen"):
            if len(_CANONICAL) >= MAX_CANONICAL:
                _CANONICAL.clear()
            _CANONICAL[id(value)] = (value, text)
        return text
    if callable(value) and isinstance(getattr(value, "content_digest", None), str):
        return f"{kind}:{value.content_digest}"  # a function offered to fragments (ccag_ref…)
    if isinstance(value, list | tuple):
        return f"{kind}:[" + ",".join(_canonical(item) for item in value) + "]"
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return f"{kind}:{{" + ",".join(f"{key!r}:{_canonical(item)}" for key, item in value.items()) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ",".join(f"{field.name}={_canonical(getattr(value, field.name))}"
                          for field in dataclasses.fields(value))
        return f"{kind}({fields})"
    raise _Unknown


@lru_cache(maxsize=MAX_KEPT)
def _reads(source: str) -> tuple[tuple[str, ...], ...] | None:
    """What a fragment's body (or ``{{ condition }}``) reads, sorted: each template name it
    uses, or the attribute path it reads from it (``marche.objet`` reads ``("marche",
    "objet")`` only; any other use of ``marche`` reads all of it). None when it does not parse."""
    from jinja2 import TemplateSyntaxError, meta, nodes

    try:
        tree = make_environment().parse(source)
    except TemplateSyntaxError:
        return None
    names = meta.find_undeclared_variables(tree)
    paths: set[tuple[str, ...]] = set()

    def visit(node: nodes.Node) -> None:
        if isinstance(node, nodes.Getattr):
            path = _attribute_path(node)
            if path is not None and path[0] in names:
                paths.add(path)
                return
        if isinstance(node, nodes.Name) and node.ctx == "load" and node.name in names:
            paths.add((node.name,))
        for child in node.iter_child_nodes():
            visit(child)

    visit(tree)
    return tuple(sorted(paths))


def _attribute_path(node: Any) -> tuple[str, ...] | None:
    """``a.b.c`` → ``("a", "b", "c")``; None for anything but plain public attributes of a name."""
    from jinja2 import nodes

    attributes: list[str] = []
    while isinstance(node, nodes.Getattr):
        if node.attr.startswith("_") or node.attr.startswith("model_"):
            return None
        attributes.append(node.attr)
        node = node.node
    if not isinstance(node, nodes.Name) or node.ctx != "load":
        return None
    return (node.name, *reversed(attributes))


class PieceMemo:
    """The digests of one piece's context values (computed on first use) and its numbering."""

    def __init__(self, context: Mapping[str, Any], numbering: Sequence[Mapping[str, str]] = ()) -> None:
        self._context = context
        self._digests: dict[tuple[str, ...], str | None] = {}
        self._numbering = hashlib.sha256(json.dumps(numbering, sort_keys=True).encode()).hexdigest()
        self._stopped = False

    def after(self, context: Mapping[str, Any], numbering: Sequence[Mapping[str, str]]) -> PieceMemo:
        """The memo of a context built on this one's: the digests of the values it shares
        (the very same objects) are not computed again."""
        following = PieceMemo(context, numbering)
        if not self._stopped:
            following._digests = {path: digest for path, digest in self._digests.items()
                                  if path[0] in context and context[path[0]] is self._context.get(path[0])}
        return following

    def stop(self) -> None:
        """A fragment changed a value in place (``list.append``…): the digests taken before
        may no longer hold, so the rest of the piece is rendered, and nothing more is kept."""
        self._stopped = True
        _CANONICAL.clear()

    def key(self, body: str) -> tuple[Any, ...] | None:
        """What the blocks of a fragment with this body depend on; None: always render it."""
        return self._key(body, body)

    def condition_key(self, expression: str) -> tuple[Any, ...] | None:
        """What a canevas condition's value depends on; None: always evaluate it."""
        return self._key("{{ " + expression + " }}", ("condition", expression))

    def _key(self, source: str, what: Any) -> tuple[Any, ...] | None:
        reads = None if self._stopped or not _ENABLED else _reads(source)
        if reads is None:
            return None
        read = []
        for path in reads:
            if path[0] == "article":  # made for each fragment from the numbering, in the key
                continue
            digest = self._digest(path)
            if digest is None:
                return None
            read.append((path, digest))
        return (what, self._numbering, tuple(read))

    def _digest(self, path: tuple[str, ...]) -> str | None:
        if path not in self._digests:
            self._digests[path] = self._computed(path)
        return self._digests[path]

    def _computed(self, path: tuple[str, ...]) -> str | None:
        name = path[0]
        if name not in self._context:
            return f"global:{name}" if name in SAFE_GLOBALS else None
        value = self._context[name]
        for attribute in path[1:]:
            if not isinstance(value, BaseModel):  # a dict, a list, a function: all of it
                return self._digest((name,)) if len(path) > 1 else None
            try:
                value = getattr(value, attribute)
            except AttributeError:
                return None  # rendering says what is missing
        if callable(value) and not hasattr(value, "content_digest"):
            # a model's method (plan_de_progres.has_axe): its result depends on the whole model
            return self._digest(path[:-1]) if len(path) > 1 else None
        try:
            return digest_of(value)
        except _Unknown:
            return None


def remembered(memo: PieceMemo | None, key: tuple[Any, ...] | None, compute: Callable[[], T]) -> T:
    """The value kept under ``key`` (immutable: a tuple of blocks, a condition's value); else
    ``compute()``, kept unless it changed a list, a dict or a set in place — then what follows
    may read the change, and ``memo`` stops."""
    if key is not None and (found := _KEPT.get(key)) is not None:
        return found  # type: ignore[no-any-return]
    before = mutations()
    value = compute()
    if mutations() != before:
        if memo is not None:
            memo.stop()
    elif key is not None:
        if len(_KEPT) >= MAX_KEPT:
            for old in list(_KEPT)[: MAX_KEPT // 2]:
                _KEPT.pop(old, None)
        _KEPT[key] = value
    return value


def forget() -> None:
    """Drop every kept fragment (what follows is rendered anew)."""
    _KEPT.clear()
