"""The one Jinja2 environment of clausegen, and the rendering of fragment bodies.

Fragments render in a ``SandboxedEnvironment`` with ``StrictUndefined``: an unknown
variable is an error, never an empty string. Every value printed with ``{{ }}`` is
escaped for the Markdown subset (``finalize``), so a user string such as
``*Société* [X]`` cannot turn into markup; newlines in user strings become spaces.
"""

from __future__ import annotations

import functools
import marshal
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import InvalidOperation
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.nodes import Concat
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Namespace

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
    check_size(value)
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


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator with the sandbox's checks woven into the code: every loop step
    checks the rendering's deadline (:func:`tick`), every ``~`` concatenation and every list,
    tuple or dict literal is measured (:func:`expanded_size`) before it is built."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        """``a ~ b`` → ``environment.concatenate((a, b), context.eval_ctx)``."""
        self.write("environment.concatenate((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("), context.eval_ctx)")

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        """``for x in y`` → ``for x in environment.ticking(y)``."""
        iterable = node.iter
        node.iter = nodes.Call(nodes.EnvironmentAttribute("ticking"), [iterable], [], None, None,
                               lineno=iterable.lineno)
        try:
            super().visit_For(node, frame)
        finally:
            node.iter = iterable

    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self.write("environment.bounded(")
        super().visit_List(node, frame)
        self.write(")")

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self.write("environment.bounded(")
        super().visit_Dict(node, frame)
        self.write(")")

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        if node.ctx != "load":  # ``{% for a, b in … %}``, ``{% set a, b = … %}``: a target
            super().visit_Tuple(node, frame)
            return
        self.write("environment.bounded(")
        super().visit_Tuple(node, frame)
        self.write(")")


class ClauseSandbox(SandboxedEnvironment):
    """The sandbox, a little stricter than Jinja's.

    Pydantic's ``model_*`` API is not reachable; ``%`` and ``str.format`` are refused;
    repetition (``*``), concatenation (``+``, ``~``), ``join``, powers and integer arguments
    are bounded, so a fragment cannot exhaust memory with ``'x' * 10**10``,
    ``'x'.ljust(10**9)`` or a string doubled in a loop. Rendering itself runs under
    :func:`bounded_rendering` (time, memory and output-size limits).
    """

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _BoundedCodeGenerator

    def bounded(self, value: Any) -> Any:
        """Refuse a value whose text or structure passes :data:`MAX_OUTPUT_CHARS`
        (:func:`expanded_size`: a list holding the same list twice counts it twice)."""
        check_size(value)
        return value

    def concatenate(self, items: tuple[Any, ...], eval_ctx: Any) -> str:
        """``a ~ b ~ …``: each part measured before it is turned into text, then the whole."""
        tick()
        total = 0
        for item in items:
            total += expanded_size(item, MAX_OUTPUT_CHARS - total)
        join = markup_join if eval_ctx.autoescape else str_join
        return self.bounded(join(items))  # type: ignore[no-any-return]

    def ticking(self, iterable: Any) -> Iterator[Any]:
        """A loop's iterable, checking the deadline at each step (see :func:`tick`)."""
        tick()
        for item in iterable:
            tick()
            yield item

    def getattr(self, obj: Any, attribute: str) -> Any:
        tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        tick()
        return super().getitem(obj, argument)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Refuse ``model_*`` attributes and ``str.format`` on top of Jinja's own rules."""
        if attr.startswith("model_") or (isinstance(obj, str) and attr in ("format", "format_map")):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """Bound ``*`` and ``**`` (on sequences and on integers); refuse printf-style ``%``
        on strings; measure ``+`` on sequences."""
        tick()
        if operator == "%" and isinstance(left, str):
            raise SecurityError("formatage « % » interdit ; utilisez les filtres de mise en forme")
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError(f"exposant {right} trop grand (maximum 64)")
        if operator == "*":
            _check_repetition(left, right)
        if operator in ("*", "**") and isinstance(left, int) and isinstance(right, int):
            bits = left.bit_length() * abs(right) if operator == "**" else \
                left.bit_length() + right.bit_length()
            if bits > MAX_INT_BITS:
                raise SecurityError(f"nombre trop grand (plus de {MAX_INT_BITS} bits)")
        if operator == "+" and isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
            expanded_size(right, MAX_OUTPUT_CHARS - expanded_size(left, MAX_OUTPUT_CHARS))
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
        """Refuse huge integer arguments and amplifying string methods before calling
        anything; measure what the call returned and the container it may have grown."""
        tick()
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT_ARGUMENT:
                raise SecurityError(f"argument {value} trop grand (maximum {MAX_INT_ARGUMENT})")
        owner = getattr(__obj, "__self__", None)  # list.extend, list.append… grow their list
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            _check_str_method(owner, name, args)
        result = super().call(__context, __obj, *args, **kwargs)
        check_size(result)
        if owner is not None and not isinstance(owner, str | ModuleType):
            check_size(owner)
        return result


MAX_INT_BITS = 4096
"""Largest integer (in bits) a fragment may compute with ``*`` or ``**``: squaring a number in
a loop would otherwise build numbers of millions of digits, in C code nothing interrupts."""


def expanded_size(value: Any, limit: int = MAX_OUTPUT_CHARS) -> int:
    """How big ``value`` is once turned into text or walked through: a string counts its
    characters, a list, tuple, dict, set or namespace one plus its items, *each time they
    appear* — so ``[s, s]`` with ``s = [t, t]`` counts ``t`` four times, as ``str``, ``tojson``,
    a comparison or a hash would walk it. Computed once per distinct object (linear in the
    objects, not in the expansion); a cycle or a size above ``limit`` is refused
    (``SecurityError``). Anything else counts 1."""
    if isinstance(value, str):
        size = len(value)
    elif not isinstance(value, list | tuple | dict | set | frozenset | Namespace):
        return 1
    else:
        size = _container_size(value, limit)
    if size > limit:
        raise SecurityError(f"texte ou liste trop long (plus de {MAX_OUTPUT_CHARS} éléments)")
    return size


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [*value.keys(), *value.values()]
    if isinstance(value, Namespace):
        return list(object.__getattribute__(value, "_Namespace__attrs").values())
    return list(value)


def _container_size(root: Any, limit: int) -> int:
    """:func:`expanded_size` of a container, without recursion (a 10 000-deep list is fine)."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = _children(node)
            total = 1 + sum(len(c) if isinstance(c, str) else sizes.get(id(c), 1) for c in children)
            if total > limit:
                raise SecurityError(f"texte ou liste trop long (plus de {MAX_OUTPUT_CHARS} "
                                    "éléments)")
            sizes[key] = total
            open_.discard(key)
            continue
        if key in sizes:
            continue
        if key in open_:
            raise SecurityError("structure circulaire (une liste qui se contient elle-même)")
        if len(sizes) % 4096 == 0:
            tick()
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node)
                     if isinstance(c, list | tuple | dict | set | frozenset | Namespace))
    return sizes[id(root)]


def check_size(value: Any) -> None:
    """Refuse a value larger than :data:`MAX_OUTPUT_CHARS` (see :func:`expanded_size`)."""
    if isinstance(value, str):
        if len(value) > MAX_OUTPUT_CHARS:
            raise SecurityError(f"texte trop long (plus de {MAX_OUTPUT_CHARS} caractères)")
    elif isinstance(value, list | tuple | dict | set | frozenset | Namespace):
        expanded_size(value)


def _check_str_method(text: str, name: str, args: tuple[Any, ...]) -> None:
    """The string methods whose result can dwarf their inputs, measured before they run."""
    if name == "replace" and len(args) >= 2:
        _check_replace(text, args[0], args[1], args[2] if len(args) > 2 else -1)
    elif name == "expandtabs":
        width = args[0] if args and isinstance(args[0], int) else 8
        if len(text) + text.count("\t") * max(width, 0) > MAX_OUTPUT_CHARS:
            raise SecurityError(f"texte produit trop long (plus de {MAX_OUTPUT_CHARS} caractères)")
    elif name == "join" and args:
        _bounded_join(args[0], text)
    elif name in ("translate", "maketrans"):
        raise SecurityError(f"méthode « {name} » interdite ; utilisez le filtre « replace »")


def _check_replace(text: Any, old: Any, new: Any, count: Any = -1) -> None:
    """``replace`` is refused when its result would pass :data:`MAX_OUTPUT_CHARS`."""
    if not isinstance(text, str) or not isinstance(old, str) or not isinstance(new, str):
        return
    found = len(text) + 1 if old == "" else text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    if len(text) + found * (len(new) - len(old)) > MAX_OUTPUT_CHARS:
        raise SecurityError(f"remplacement trop long (plus de {MAX_OUTPUT_CHARS} caractères)")


def _guarded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A Jinja filter under the sandbox's bounds: the deadline checked, its input measured
    before (a string, list or tree larger than :data:`MAX_OUTPUT_CHARS` is refused, so
    ``tojson``, ``pprint``, ``string``, ``escape``, ``urlize``… never walk an exploded
    structure), its result measured after; ``replace`` measured before it runs."""
    from jinja2.utils import _PassArg

    skip = 0 if _PassArg.from_obj(function) is None else 1

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        tick()
        if len(args) > skip:
            check_size(args[skip])
        for value in (*args[skip + 1:], *kwargs.values()):
            check_size(value)
        if name == "replace" and len(args) >= skip + 3:
            _check_replace(*args[skip:skip + 4])
        result = function(*args, **kwargs)
        check_size(result)
        return result

    return guarded


def _bounded_join(value: Any, separator: str = "", attribute: Any = None) -> str:
    """Jinja's ``join``, refused when the joined text would pass :data:`MAX_OUTPUT_CHARS`."""
    check_size(value)
    items = [str(v if attribute is None else getattr(v, str(attribute), "")) for v in value]
    if sum(map(len, items)) + len(separator) * len(items) > MAX_OUTPUT_CHARS:
        raise SecurityError(f"texte produit trop long (plus de {MAX_OUTPUT_CHARS} caractères)")
    return separator.join(items)


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
    _install_bounds(env)
    env.filters.update({name: _guarded_filter(name, f) for name, f in _filters().items()})
    return env


def _install_bounds(env: SandboxedEnvironment) -> None:
    """The filters and globals both environments share: risky ones removed, every other
    filter guarded (:func:`_guarded_filter`), ``join`` bounded, ``lipsum`` gone (it builds
    text in a loop nothing interrupts)."""
    for name in RISKY_FILTERS:
        env.filters.pop(name, None)
    env.globals.pop("lipsum", None)
    env.filters["join"] = _bounded_join
    for name, function in list(env.filters.items()):
        env.filters[name] = _guarded_filter(name, function)


@lru_cache(maxsize=1)
def skeleton_environment() -> SandboxedEnvironment:
    """The environment of a Word skeleton's own fields (``--modele``): the same sandbox and
    bounds as fragments, with XML escaping instead of Markdown escaping."""
    env = ClauseSandbox(undefined=StrictUndefined, autoescape=True, finalize=_measured)
    _install_bounds(env)
    return env


def _measured(value: Any) -> Any:
    """A skeleton field's value, measured before it is turned into text."""
    check_size(value)
    return value


@lru_cache(maxsize=4096)
def _compile(source: str):  # type: ignore[no-untyped-def]
    """A fragment's template: Jinja's generated code comes from the code cache when it holds
    that exact source (see :class:`CodeCache`), so a run does not parse and generate again
    the code of the same fragments."""
    env = make_environment()
    code = _CODE_CACHE.code_object(source, lambda: env.compile(source, raw=True))
    return env.template_class.from_code(env, code, env.make_globals(None), None)


class CodeCache:
    """The Python code Jinja generates for each fragment source, kept between runs.

    Parsing and generating code is most of a fragment's first rendering (its cost:
    docs/performance.md). Entries live under the
    parse cache's directory (``$CLAUSEGEN_CACHE``, ``off`` disables both), one file per
    source digest, each signed with HMAC-SHA256 (see :class:`~clausegen.cache.store.SignedCache`):
    a cache copied from elsewhere or edited by hand never runs. Beside the code, its Python
    bytecode is kept too (``marshal``, signed the same way), so that a run does not compile it.
    """

    def __init__(self, kind: str = "") -> None:
        """``kind`` names what the sources are (``""`` for fragments, ``condition``,
        ``squelette``): the same text gives other code as an expression or under the
        skeleton's environment, so each kind has its own directory."""
        from clausegen.cache.store import SignedCache

        prefix = f"{kind}-" if kind else ""
        self._entries = SignedCache(lambda: prefix + _code_namespace(), ".py")
        self._bytecode = SignedCache(lambda: prefix + _bytecode_namespace(), ".marshal")

    def code_object(self, source: str, generate: Callable[[], str]) -> CodeType:
        """The compiled code of ``source``: from the caches, else ``generate()``d and kept."""
        stored = self._bytecode.load(source)
        if stored is not None:
            try:
                code = marshal.loads(stored)
            except (EOFError, ValueError, TypeError):
                code = None
            if isinstance(code, CodeType):
                return code
        text = self.load(source)
        if text is None:
            text = generate()
            self.store(source, text)
        code = compile(text, "<fragment>", "exec")
        self._bytecode.store(source, marshal.dumps(code))
        return code

    def load(self, source: str) -> str | None:
        """The cached code of ``source``, when present and signed with this cache's key."""
        code = self._entries.load(source)
        try:
            return None if code is None else code.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def store(self, source: str, code: str) -> None:
        """Keep the code of ``source`` (failures ignored: a cache is an optimisation)."""
        self._entries.store(source, code.encode("utf-8"))


@lru_cache(maxsize=1)
def _code_namespace() -> str:
    """Generated code depends on Jinja and on this module (the sandbox, its code generator)."""
    import hashlib

    import jinja2

    from clausegen import __version__

    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"jinja-{jinja2.__version__}-{__version__}-{digest}"


def _bytecode_namespace() -> str:
    import importlib.util

    return f"{_code_namespace()}-python-{importlib.util.MAGIC_NUMBER.hex()}"


_CODE_CACHE = CodeCache()
_CONDITION_CODE = CodeCache("condition")
SKELETON_CODE = CodeCache("squelette")
"""Code of a Word skeleton's field parts, compiled under :func:`skeleton_environment`."""


@lru_cache(maxsize=1024)
def _compile_expression(source: str):  # type: ignore[no-untyped-def]
    """A canevas condition, as Jinja's ``compile_expression(source, undefined_to_none=False)``
    builds it, with its generated code from the code cache (:class:`CodeCache`)."""
    from jinja2.environment import TemplateExpression

    env = make_environment()
    code = _CONDITION_CODE.code_object(source, lambda: _expression_code(env, source))
    template = env.template_class.from_code(env, code, env.make_globals(None), None)
    return TemplateExpression(template, undefined_to_none=False)


def _expression_code(env: SandboxedEnvironment, source: str) -> str:
    """The Python code Jinja's ``compile_expression`` generates for ``source``: the
    expression parsed alone, assigned to ``result``."""
    from jinja2 import nodes
    from jinja2.parser import Parser

    parser = Parser(env, source, state="variable")
    try:
        expression = parser.parse_expression()
        if not parser.stream.eos:
            raise TemplateSyntaxError("chunk after expression", parser.stream.current.lineno, None, None)
        expression.set_environment(env)
    except TemplateSyntaxError:
        env.handle_exception(source=source)
    body = [nodes.Assign(nodes.Name("result", "store"), expression, lineno=1)]
    return env.compile(nodes.Template(body, lineno=1), raw=True)


def describe_error(exc: Exception) -> str:
    """A French reason for a failure while rendering (fragment, condition or skeleton field)."""
    if isinstance(exc, SecurityError):
        return f"opération interdite par le bac à sable ({exc})"
    if isinstance(exc, UndefinedError):
        return f"variable inconnue ({exc.message})"
    if isinstance(exc, TemplateSyntaxError):
        return f"syntaxe Jinja incorrecte ({exc.message})"
    if isinstance(exc, RecursionError):
        return "erreur de rendu (appels récursifs sans fin : une macro s'appelle elle-même ?)"
    if isinstance(exc, MemoryError):
        return "erreur de rendu (mémoire insuffisante : texte ou liste démesuré)"
    if isinstance(exc, AttributeError | InvalidOperation | TypeError):
        return ("erreur de rendu (un filtre ou une fonction a reçu une valeur du mauvais type, "
                f"par exemple un texte au lieu d'une date ou d'un nombre : {_detail(exc)})")
    if isinstance(exc, KeyError):
        return f"erreur de rendu (clé inconnue : {exc.args[0] if exc.args else exc})"
    return f"erreur de rendu ({_detail(exc)})"


def _detail(exc: Exception) -> str:
    """A readable detail for an exception (decimal's are a list of classes)."""
    if isinstance(exc, InvalidOperation):
        return "nombre attendu"
    return str(exc) or type(exc).__name__


def _bounded_render(template: Any, context: Mapping[str, Any]) -> str:
    """Render chunk by chunk and stop as soon as the text passes :data:`MAX_OUTPUT_CHARS`."""
    return render_bounded(template, context, max_chars=MAX_OUTPUT_CHARS)


RENDER_TIME_LIMIT = 5.0
"""Seconds one fragment may take to render: far above what a fragment takes (docs/performance.md),
so only a runaway loop (``range`` inside ``range``, which prints nothing) reaches it."""


SESSION_TIME_LIMIT = 15.0
"""Seconds one document's renderings (a :func:`rendering_session`) may take in all, whatever
the number of fragments: far above what a whole document takes (docs/performance.md)."""


class _RenderTimeout(BaseException):
    """The time limit of one rendering expired (a ``BaseException``: code a fragment calls
    cannot swallow it with ``except Exception``)."""


class RenderCancelled(Exception):
    """The rendering was abandoned because nobody waits for it any more (the web client left)."""


class _Deadline(threading.local):
    """This thread's deadline (:func:`time.monotonic`) and the check of whether the work is
    still wanted (:func:`cancellation`), read by :func:`tick`."""

    at: float = float("inf")
    session_at: float = float("inf")
    wanted: Callable[[], bool] | None = None
    next_poll: float = 0.0


_DEADLINE = _Deadline()
CANCEL_POLL_SECONDS = 0.05
"""How often, at most, :func:`tick` asks whether the rendering is still wanted."""


def tick() -> None:
    """The sandbox's cooperative deadline, called at every loop step, call, attribute, binary
    operator and filter of a fragment or skeleton: past the rendering's deadline it raises,
    whatever the thread (web worker threads receive no signal); every
    :data:`CANCEL_POLL_SECONDS` it also asks whether the work is still wanted."""
    state = _DEADLINE
    moment = time.monotonic()
    if moment > state.at:
        raise _RenderTimeout
    if state.wanted is not None and moment > state.next_poll:
        state.next_poll = moment + CANCEL_POLL_SECONDS
        if not state.wanted():
            raise RenderCancelled("rendu abandonné : le client a fermé la connexion")


@contextmanager
def cancellation(wanted: Callable[[], bool]) -> Iterator[None]:
    """Within, renderings in this thread stop (:class:`RenderCancelled`) as soon as
    ``wanted()`` answers False (the web: the client closed its connection)."""
    previous = _DEADLINE.wanted
    _DEADLINE.wanted, _DEADLINE.next_poll = wanted, 0.0
    try:
        yield
    finally:
        _DEADLINE.wanted = previous


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Set this thread's deadline for one rendering (never later than an enclosing one's)."""
    previous = _DEADLINE.at
    _DEADLINE.at = min(previous, _DEADLINE.session_at, time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.at = previous


class _Bounds(threading.local):
    """This thread's rendering session (:func:`rendering_session`), if one is open."""

    open: bool = False


_SESSION = _Bounds()


def _expired(signum: int, frame: Any) -> None:
    raise _RenderTimeout


def _can_time() -> bool:
    """Signals arrive in the main thread only. There the timer is a backstop behind the
    cooperative deadline (:func:`tick`), which holds in every thread."""
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


@contextmanager
def _alarm_handler() -> Iterator[None]:
    """Install the SIGALRM handler that interrupts a rendering; restore the previous one after."""
    if not _can_time():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expired)
    try:
        yield
    finally:
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _timer(seconds: float) -> Iterator[None]:
    """Arm the interval timer for one rendering (the handler is already installed)."""
    if not _can_time():
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the rendering after ``seconds`` (main thread only, where signals arrive)."""
    with _alarm_handler(), _timer(seconds):
        yield


BACKSTOP_MARGIN = 1.0
"""Seconds the SIGALRM backstop waits past the cooperative deadline: firing at the same moment,
it could interrupt the handling of the deadline's own exception."""

MEMORY_HEADROOM = 1024 * 1024 * 1024
"""Address space a rendering may add to the process (1 Gio): a backstop behind the explicit
bounds, for any way of growing memory they do not foresee."""


@contextmanager
def _memory_limit(extra: int) -> Iterator[None]:
    """Lower the soft address-space limit to the current size plus ``extra`` while rendering;
    an allocation beyond it raises ``MemoryError`` instead of swapping the machine."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            current = int(statm.read().split()[0]) * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):
        yield
        return
    limit = current + extra
    if (soft != resource.RLIM_INFINITY and soft <= limit) or (
            hard != resource.RLIM_INFINITY and hard < limit):
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextmanager
def rendering_session() -> Iterator[None]:
    """Set up once, around many renderings (one document's fragments and conditions), what
    each :func:`bounded_rendering` would otherwise set up and undo every time: the SIGALRM
    handler and the address-space limit (size at the session's start plus
    :data:`MEMORY_HEADROOM`). Inside, each rendering only arms its own timer, so every
    fragment keeps its own time limit; the memory backstop covers the whole session. Nested
    sessions are the outer one; everything is restored at the end."""
    if _SESSION.open:
        yield
        return
    _SESSION.open = True
    previous = _DEADLINE.session_at
    _DEADLINE.session_at = time.monotonic() + SESSION_TIME_LIMIT
    try:
        with _alarm_handler(), _memory_limit(MEMORY_HEADROOM):
            yield
    finally:
        _SESSION.open = False
        _DEADLINE.session_at = previous


@contextmanager
def bounded_rendering(what: str, seconds: float | None = None) -> Iterator[None]:
    """Time and memory bounds around one rendering; failures become a French ``ValueError``
    naming ``what`` (callers wrap it in their own error). Within a :func:`rendering_session`
    the handler and the memory limit are already in place and only the timer is armed."""
    limit = RENDER_TIME_LIMIT if seconds is None else seconds
    backstop = limit + BACKSTOP_MARGIN  # the cooperative deadline (tick) fires first
    try:
        if _SESSION.open:
            with _deadline(limit), _timer(backstop):
                yield
        else:
            with _deadline(limit), _time_limit(backstop), _memory_limit(MEMORY_HEADROOM):
                yield
    except _RenderTimeout:
        raise RenderBoundError(
            f"{what} : rendu interrompu après {limit:g} s (boucle trop longue ?)") from None
    except MemoryError:
        raise RenderBoundError(f"{what} : mémoire insuffisante (texte ou liste démesuré)") from None


class RenderBoundError(Exception):
    """A rendering passed its time or memory bound (message in French)."""


def render_bounded(template: Any, context: Mapping[str, Any], *, max_chars: int) -> str:
    """Render a compiled template chunk by chunk, stopping past ``max_chars`` characters."""
    chunks: list[str] = []
    size = 0
    for chunk in template.generate(context):
        tick()
        size += len(chunk)
        if size > max_chars:
            raise SecurityError(f"texte produit trop long (plus de {max_chars} caractères)")
        chunks.append(chunk)
    return "".join(chunks)


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
        with bounded_rendering("rendu"):
            return _bounded_render(template, context)
    except RenderBoundError as exc:
        raise FragmentRenderError(fragment_id=fragment_id, path=path,
                                  reason=str(exc).removeprefix("rendu : ")) from None
    except TemplateSyntaxError as exc:
        line = (exc.lineno or 1) + first_line - 1
        raise FragmentRenderError(fragment_id=fragment_id, reason=describe_error(exc), path=path,
                                  line=line) from None
    except FragmentRenderError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of a fragment's code is the fragment's
        raise FragmentRenderError(fragment_id=fragment_id, reason=describe_error(exc), path=path) from None


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def evaluate_condition(expression: str, context: Mapping[str, Any], *, where: str) -> bool:
    """Evaluate a canevas condition such as ``plan_de_progres.has_axe('insertion')``."""
    try:
        with bounded_rendering("condition"):
            return bool(_compile_expression(expression)(**context))
    except RenderBoundError as exc:
        raise FragmentRenderError(fragment_id=where, reason=f"condition « {_short(expression)} » : "
                                  + str(exc).removeprefix("condition : ")) from None
    except Exception as exc:  # noqa: BLE001 - any failure of a condition is the canevas's
        raise FragmentRenderError(
            fragment_id=where, reason=f"condition « {_short(expression)} » : {describe_error(exc)}"
        ) from None


def undeclared_variables(source: str) -> set[str]:
    """Top-level names a fragment body uses (for ``bibliotheque verifier``)."""
    from jinja2 import meta

    return set(meta.find_undeclared_variables(make_environment().parse(source)))
