"""The one-way layers of docs/architecture.md, checked on the source's imports."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "clausegen"

# Lower number = lower layer. A module may import only its own layer or lower ones.
LAYERS = {
    "errors": 0, "cache": 0,
    "models": 1, "yaml_files": 1, "text": 1, "resources": 1, "output": 1,
    "library": 2, "dossier_file": 2, "dossier_text": 2, "domain": 3, "context": 4, "templating": 5,
    "blocks": 5,
    "assembly": 6, "documents": 7, "render": 8, "api": 9, "cli": 10, "__main__": 11,
    "verification": 6,  # library checks (the legal team's « verifier »)
    "db": 9,  # the web application's tables and migrations (knows nothing of the pages)
    "web": 10,  # a front end beside cli
}

# What the web front end may import from clausegen: the facade and what it speaks in
# (models, errors, French wording), its own database, itself. Never the engine's inner layers.
WEB_MAY_IMPORT = ("api", "db", "errors", "models", "text", "web")

# Which subpackages of render/ each one may import (itself included).
RENDER_MAY_IMPORT = {
    "writers": ("writers",),
    "revisions": ("revisions", "writers"),
    "converters": ("converters", "writers"),
    "readers": ("readers", "revisions", "writers"),
}


def _layer_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "clausegen":
        return None
    if len(parts) == 1:
        return -1  # the package root (__version__)
    return LAYERS.get(parts[1])


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def _modules() -> list[tuple[str, Path]]:
    result = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).with_suffix("")
        parts = relative.parts
        if parts == ("__init__",):
            continue
        result.append((parts[0], path))
    return result


def test_no_module_imports_a_higher_layer() -> None:
    violations = []
    for top, path in _modules():
        own = LAYERS.get(top)
        assert own is not None, f"module sans couche déclarée : {path}"
        for imported in _imports(path):
            layer = _layer_of(imported)
            if layer is not None and layer > own:
                violations.append(f"{path.relative_to(SRC)} importe {imported}")
    assert violations == []


def test_only_render_imports_word_libraries() -> None:
    offenders = [
        str(path.relative_to(SRC))
        for top, path in _modules()
        if top != "render" and any(i.split(".")[0] in ("docx", "docxtpl") for i in _imports(path))
    ]
    assert offenders == []


def test_render_subpackages_are_one_way() -> None:
    """``render/`` by role (docs/architecture.md, « Le paquet render »): writers at the bottom,
    revisions and converters on them, readers on writers and revisions; every module in one."""
    offenders = []
    for top, path in _modules():
        if top != "render" or path.parent == SRC / "render":
            assert top != "render" or path.name == "__init__.py", f"module hors d'un sous-paquet : {path}"
            continue
        own = path.relative_to(SRC / "render").parts[0]
        assert own in RENDER_MAY_IMPORT, f"sous-paquet de render non déclaré : {path}"
        for imported in _imports(path):
            parts = imported.split(".")
            if parts[:2] == ["clausegen", "render"] and len(parts) > 2 \
                    and parts[2] not in RENDER_MAY_IMPORT[own]:
                offenders.append(f"{path.relative_to(SRC)} importe {imported}")
    assert offenders == []


def test_web_is_a_front_end_over_the_api() -> None:
    offenders = [
        f"{path.relative_to(SRC)} importe {imported}"
        for top, path in _modules() if top == "web"
        for imported in _imports(path)
        if imported.startswith("clausegen.") and imported.split(".")[1] not in WEB_MAY_IMPORT
    ]
    assert offenders == []


def test_database_layer_knows_nothing_of_the_pages() -> None:
    offenders = [
        f"{path.relative_to(SRC)} importe {imported}"
        for top, path in _modules() if top == "db"
        for imported in _imports(path)
        if imported.split(".")[0] in ("flask", "werkzeug", "clausegen") and not imported.startswith(
            ("clausegen.db", "clausegen.errors"))
    ]
    assert offenders == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Which clausegen modules each clausegen module imports, at the top or inside a function
    (``from package import module`` imports the module; a name that is not a module imports
    the package). The package root is left out: it imports :mod:`clausegen.api` only when one
    of its lazily re-exported names is asked for, and every module takes ``__version__`` from it."""
    paths = {_module_name(path): path for path in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, *([node.module] if node.module else [])])
                found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in paths else base for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
        graph[name] = {m for m in found if m in paths and m not in (name, "clausegen")}
    graph["clausegen"] = set()
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_among_clausegen_modules() -> None:
    assert _cycles(_import_graph()) == []


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


SQL_CALLS = ("execute", "scalar", "scalars", "get", "add", "delete", "commit", "rollback", "flush")


def _sql_in_route(path: Path) -> list[str]:
    """What in one route module touches the database directly: a SQLAlchemy import, or a call
    of a session method on ``db()`` (the request's session)."""
    found = [f"importe {name}" for name in _imports(path) if name.split(".")[0] == "sqlalchemy"]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_CALLS and isinstance(node.func.value, ast.Call)
                and isinstance(node.func.value.func, ast.Name) and node.func.value.func.id == "db"):
            found.append(f"ligne {node.lineno} : db().{node.func.attr}(…)")
    return found


def test_web_routes_hold_no_sql() -> None:
    """Routes read the request, call the api and the store (db/store/), and render a page
    (docs/architecture.md, « Une façade par public »)."""
    offenders = [f"{path.relative_to(SRC)} {what}"
                 for path in sorted((SRC / "web" / "routes").glob("*.py"))
                 for what in _sql_in_route(path)]
    assert offenders == []


def test_the_route_check_sees_sql(tmp_path: Path) -> None:
    route = tmp_path / "route.py"
    route.write_text("from sqlalchemy import select\n\ndef page():\n    db().commit()\n",
                     encoding="utf-8")
    assert _sql_in_route(route) == ["importe sqlalchemy", "ligne 4 : db().commit(…)"]
