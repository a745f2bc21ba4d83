"""Start-up of ``clausegen pieces`` (issue 13, item 10): what it imports, and the caches of
:mod:`clausegen.cache` (library snapshot, compiled templates, prepared skeleton).

Timings live in ``benchmarks/`` (``--cas demarrage``); these tests guard what makes them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import NETTOYAGE

PIECES_WITHOUT = ("openpyxl", "numpy", "icalendar", "holidays", "matplotlib", "urllib.request")
"""Modules only the post-award pieces (or nothing) need: ``pieces`` without ``--suivi`` must
not import them."""


def _modules_after_pieces(tmp_path: Path, cache: str) -> set[str]:
    script = (
        "import json, sys\n"
        "from clausegen.cli import main\n"
        f"sys.argv = ['clausegen', 'pieces', {str(NETTOYAGE)!r}, '-o', {str(tmp_path / 'out')!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env={**os.environ, "CLAUSEGEN_CACHE": cache}, check=True)
    return set(json.loads(run.stdout.strip().splitlines()[-1]))


CCAP_WITHOUT = (*PIECES_WITHOUT, "clausegen.web", "clausegen.db", "clausegen.api.suivi",
                "clausegen.api.bibliotheque", "clausegen.api.lot", "flask", "waitress", "gunicorn",
                "sqlalchemy", "alembic", "psycopg", "argon2", "zxcvbn", "hypothesis", "uno",
                "multiprocessing", "packaging", "dateutil", "clausegen.render.converters.converter",
                "clausegen.render.converters.pdf")
"""Modules a cold ``clausegen ccap`` never needs: the web application, the database, the
other audiences' facades, LibreOffice's bridge and converter (PDF), test tools. The command runs
with ``--sans-pagination``, the case the start-up benchmark measures: paginating the sommaire
needs LibreOffice, hence its converter."""


def test_a_cold_ccap_imports_nothing_the_command_does_not_use(tmp_path: Path) -> None:
    script = (
        "import json, sys\n"
        "from clausegen.cli import main\n"
        f"sys.argv = ['clausegen', 'ccap', '--sans-pagination', {str(NETTOYAGE)!r},"
        f" '-o', {str(tmp_path / 'ccap.docx')!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env={**os.environ, "CLAUSEGEN_CACHE": str(tmp_path / "cache")}, check=True)
    modules = set(json.loads(run.stdout.strip().splitlines()[-1]))
    assert "clausegen.render.writers.fast" in modules  # the command did run
    assert sorted(m for m in modules if m.startswith(CCAP_WITHOUT)) == []


def test_pieces_imports_no_post_award_module(tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    _modules_after_pieces(tmp_path, cache)
    second = _modules_after_pieces(tmp_path, cache)
    assert not {m for m in second if m.startswith(PIECES_WITHOUT)}


def test_a_skeleton_replaced_after_being_accepted_is_checked_again(tmp_path: Path) -> None:
    import os

    import pytest

    from clausegen.errors import TemplateFileError
    from clausegen.render.writers import skeleton
    from clausegen.resources import templates_dir

    modele = tmp_path / "modele.docx"
    modele.write_bytes((templates_dir() / "piece.docx").read_bytes())
    assert skeleton.check_skeleton(modele) == modele.read_bytes()
    modele.write_bytes(b"PK pas une archive")
    os.utime(modele, ns=(1, 1))  # even with an old date: the size changed
    with pytest.raises(TemplateFileError):
        skeleton.check_skeleton(modele)


def test_only_the_short_buyer_commands_run_without_the_cyclic_collector() -> None:
    from clausegen.cli import short_lived

    assert short_lived(["pieces", "d.yml", "-o", "sortie"])
    assert short_lived(["ccap", "d.yml"])
    assert not short_lived(["pieces", "d.yml", "--suivi"])
    assert not short_lived(["lot", "dossiers"])
    assert not short_lived(["bilan", "d.yml", "--annee", "1"])
    assert not short_lived([])
    assert not short_lived(["--help"])


def test_a_short_run_freezes_its_objects_at_exit_and_a_long_one_does_not(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import atexit
    import gc

    import pytest

    from clausegen import cli

    registered: list[object] = []
    monkeypatch.setattr(atexit, "register", registered.append)
    monkeypatch.setattr(gc, "disable", lambda: None)
    for argv, expected in ((["pieces", "--help"], [gc.freeze]), (["lot", "--help"], [])):
        registered.clear()
        monkeypatch.setattr(sys, "argv", ["clausegen", *argv])
        with pytest.raises(SystemExit):
            cli.main()
        assert registered == expected


def _prepared_cache(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from clausegen.cache.store import SignedCache
    from clausegen.render.writers import fast

    monkeypatch.setenv("CLAUSEGEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(fast, "PREPARED", SignedCache(fast._prepared_namespace, ".marshal"))


def test_skeleton_styles_from_the_cache_equal_python_docx(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    from clausegen.render.writers import fast
    from clausegen.resources import templates_dir

    _prepared_cache(tmp_path, monkeypatch)
    skeleton = (templates_dir() / "piece.docx").read_bytes()
    fresh = fast._inspect_with_docx(skeleton)
    assert fresh is not None
    assert fast._inspect(skeleton) == fresh  # computed, then kept
    assert list((tmp_path / "cache").glob("squelettes-*/*.marshal"))
    assert fast._inspect(skeleton) == fresh  # from the cache
    entry = fast.PREPARED._path(f"styles|{hashlib.sha256(skeleton).hexdigest()}")
    _forge_data(entry, ({"Normal": "Piege"}, None, frozenset()))
    assert fast._inspect(skeleton) == fresh


def _signed_entries(cache: Path, namespace: str) -> list[Path]:
    return sorted(p for p in cache.glob(f"{namespace}-*/*") if p.name != "cle")


def _forge_data(entry: Path, value: object) -> None:
    """Replace a ``marshal`` entry's value, keeping its signature line."""
    import marshal

    signature, _, _ = entry.read_bytes().partition(b"\n")
    entry.write_bytes(signature + b"\n" + marshal.dumps(value))


def _copy_library(tmp_path: Path) -> Path:
    import shutil

    from clausegen.resources import library_dir

    root = tmp_path / "bibliotheque"
    shutil.copytree(library_dir(), root, ignore=shutil.ignore_patterns("releases"))
    return root


def _contents(library) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    return [(f.ref, f.sha256, f.body, f.meta, f.path, f.layer, f.body_line) for f in library] + [
        library.release, library.roots, [library.canevas(p) for p in library.pieces], library.ccag]


def test_a_library_snapshot_equals_a_fresh_load_and_sees_any_edit(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os

    from clausegen.cache.store import SignedCache
    from clausegen.library import loader

    monkeypatch.setenv("CLAUSEGEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(loader, "_SNAPSHOTS", SignedCache(loader._snapshot_namespace, ".json"))
    root = _copy_library(tmp_path)
    fresh = _contents(loader.load_library(root, use_cache=False))
    assert not _signed_entries(tmp_path / "cache", "bibliotheques")  # integrity loads never use it
    assert _contents(loader.load_library(root)) == fresh
    [entry] = _signed_entries(tmp_path / "cache", "bibliotheques")
    assert json.loads(entry.read_bytes().partition(b"\n")[2])["release"]  # JSON, not pickle
    assert _contents(loader.load_library(root)) == fresh  # from the snapshot
    # an edit keeping the size and the time is seen: the key is the files' content
    fragment = root / "fragments" / "general.objet" / "1.0.0.md"
    before = os.stat(fragment)
    text = fragment.read_text(encoding="utf-8")
    edited = text.replace("lieux suivants", "LIEUX suivants", 1)
    assert edited != text
    assert len(edited.encode()) == len(text.encode())
    fragment.write_text(edited, encoding="utf-8")
    os.utime(fragment, ns=(before.st_atime_ns, before.st_mtime_ns))
    reloaded = loader.load_library(root)
    assert "LIEUX suivants" in reloaded.get("general.objet", "1.0.0").body
    assert _contents(reloaded) == _contents(loader.load_library(root, use_cache=False))


def test_a_tampered_library_snapshot_is_ignored(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from clausegen.cache.store import SignedCache
    from clausegen.library import loader, snapshot

    monkeypatch.setenv("CLAUSEGEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(loader, "_SNAPSHOTS", SignedCache(loader._snapshot_namespace, ".json"))
    root = _copy_library(tmp_path)
    library = loader.load_library(root)
    expected = _contents(library)
    [entry] = _signed_entries(tmp_path / "cache", "bibliotheques")
    fragment = library.get("general.objet", "1.0.0")
    library.add_fragment(replace(fragment, body="Texte piégé."))
    signature, _, _ = entry.read_bytes().partition(b"\n")
    entry.write_bytes(signature + b"\n" + snapshot.to_json(library).encode("utf-8"))
    assert _contents(loader.load_library(root)) == expected


def test_library_files_lists_what_glob_finds(tmp_path: Path) -> None:
    from clausegen.api.marche import LIBRARY_FILES
    from clausegen.library.loader import SNAPSHOT_FILES, library_files

    root = _copy_library(tmp_path)
    (root / "fragments" / "general.objet" / "notes.txt").write_text("x", encoding="utf-8")
    (root / "fragments" / "lisez-moi.md").write_text("x", encoding="utf-8")  # not in a fragment folder
    (root / "fragments" / "dossier.md").mkdir()  # a folder named like a file: listed, as glob does
    (root / "canevas" / ".cache.yml").write_text("x", encoding="utf-8")
    for patterns in (SNAPSHOT_FILES, LIBRARY_FILES):
        expected = [str(p.relative_to(root)) for pattern in patterns for p in sorted(root.glob(pattern))]
        assert list(library_files(root, patterns)) == expected
    assert list(library_files(tmp_path / "absente", SNAPSHOT_FILES)) == []


def test_conditions_come_from_the_code_cache_and_a_tampered_entry_is_ignored(
        tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from clausegen import templating

    monkeypatch.setenv("CLAUSEGEN_CACHE", str(tmp_path / "cache"))
    cache = templating.CodeCache("condition")
    monkeypatch.setattr(templating, "_CONDITION_CODE", cache)
    expression = "duree > 24 and nom == 'A'"
    jinja = templating.make_environment().compile_expression(expression, undefined_to_none=False)
    for context in ({"duree": 36, "nom": "A"}, {"duree": 12, "nom": "A"}):
        templating._compile_expression.cache_clear()
        assert templating.evaluate_condition(expression, context, where="x") == jinja(**context)
    entries = _signed_entries(tmp_path / "cache", "condition-jinja")
    assert [p.suffix for p in entries] == [".py", ".marshal"]  # the code and its bytecode
    # each entry's value replaced by the code of another condition, signatures kept
    other = "duree > 99 and nom == 'A'"
    assert not templating.evaluate_condition(other, {"duree": 36, "nom": "A"}, where="x")
    for entry in entries:
        forged = next(p for p in entry.parent.iterdir() if p.suffix == entry.suffix and p != entry)
        signature = entry.read_bytes().partition(b"\n")[0]
        entry.write_bytes(signature + b"\n" + forged.read_bytes().partition(b"\n")[2])
    templating._compile_expression.cache_clear()
    assert templating.evaluate_condition(expression, {"duree": 36, "nom": "A"}, where="x")


def test_skeleton_fields_are_compiled_once_into_the_code_cache(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from clausegen import templating
    from clausegen.render.writers import fast
    from clausegen.resources import templates_dir

    monkeypatch.setenv("CLAUSEGEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(fast, "SKELETON_CODE", templating.CodeCache("squelette"))
    xml = b'<w:document><w:body><w:p><w:r><w:t>{{ objet }} {_{ x }_}</w:t></w:r></w:p></w:body></w:document>'
    environment = templating.skeleton_environment()
    fields = {"objet": "Nettoyage & entretien"}
    expected = fast._compile(xml, templating.ClauseSandbox(autoescape=True)).render(fields)
    assert fast._compile(xml, environment).render(fields) == expected  # compiled, then kept
    assert len(_signed_entries(tmp_path / "cache", "squelette-jinja")) == 2
    assert fast._compile(xml, environment).render(fields) == expected  # from the cache
    assert "Nettoyage &amp; entretien {{ x }}" in expected
    fast.prepare.cache_clear()
    assert fast.prepare((templates_dir() / "piece.docx").read_bytes(), environment) is not None


def test_a_warm_pieces_run_builds_no_library_validator(tmp_path: Path) -> None:
    """The library comes from its snapshot: no Pydantic schema of the library is built (the
    dossier, read once per run, is validated every time)."""
    cache = str(tmp_path / "cache")
    _modules_after_pieces(tmp_path, cache)
    script = (
        "import json, sys\n"
        "from clausegen.cli import main\n"
        f"sys.argv = ['clausegen', 'pieces', {str(NETTOYAGE)!r}, '-o', {str(tmp_path / 'out')!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "from clausegen.models import FragmentMeta\n"
        "from clausegen.models.fragment import Canevas, CcagTable\n"
        "print(json.dumps([m.__pydantic_complete__ for m in (FragmentMeta, Canevas, CcagTable)]))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env={**os.environ, "CLAUSEGEN_CACHE": cache}, check=True)
    assert json.loads(run.stdout.strip().splitlines()[-1]) == [False, False, False]


def test_table_of_contents_styles_from_the_cache_equal_a_fresh_parse(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from clausegen import templating
    from clausegen.render.writers import fast, numbering
    from clausegen.resources import templates_dir

    _prepared_cache(tmp_path, monkeypatch)
    fast.prepare.cache_clear()
    prepared = fast.prepare((templates_dir() / "piece.docx").read_bytes(), templating.skeleton_environment())
    fresh = numbering.toc_styles(prepared.raw[numbering.STYLES_PART])
    assert prepared.toc_styles == fresh  # parsed, then kept
    prepared.toc.clear()
    assert prepared.toc_styles == fresh  # from the cache
    _forge_data(fast.PREPARED._path(f"toc|{prepared.digest}"), ("Piege", "Piege1", "Piege2"))
    prepared.toc.clear()
    assert prepared.toc_styles == fresh


def test_version_key_orders_versions_as_packaging_does() -> None:
    import itertools

    from packaging.version import Version

    from clausegen.models._base import version_key

    versions = [".".join(map(str, v)) for v in itertools.product((0, 1, 2, 9, 10, 11, 100), repeat=3)]
    assert sorted(versions, key=version_key) == sorted(versions, key=Version)


def test_pieces_does_not_import_what_a_warm_run_does_not_use(tmp_path: Path) -> None:
    """Releases and ``packaging`` are imported only when a dossier pins a release."""
    cache = str(tmp_path / "cache")
    _modules_after_pieces(tmp_path, cache)
    modules = _modules_after_pieces(tmp_path, cache)
    assert not modules & {"clausegen.library.releases", "packaging.version"}


def test_deflated_skeleton_parts_from_the_cache_equal_a_fresh_deflate(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    from clausegen import templating
    from clausegen.render.writers import fast, package
    from clausegen.resources import templates_dir

    _prepared_cache(tmp_path, monkeypatch)
    skeleton = (templates_dir() / "piece.docx").read_bytes()
    environment = templating.skeleton_environment()

    def entries() -> list[tuple[str, object]]:
        fast.prepare.cache_clear()
        prepared = fast.prepare(skeleton, environment)
        assert prepared is not None
        return [(name, part) for name, part in prepared.parts if isinstance(part, package.ZipEntry)]

    fresh = entries()
    assert len(fresh) > 10
    assert entries() == fresh  # from the cache
    entry = fast.PREPARED._path(f"parties|{hashlib.sha256(skeleton).hexdigest()}")
    _forge_data(entry, {name: (name, 0, 7, b"<piege/>") for name, _ in fresh})
    assert entries() == fresh


def test_numbered_parts_from_the_cache_equal_a_fresh_numbering(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from clausegen import templating
    from clausegen.render.writers import fast, numbering
    from clausegen.resources import templates_dir

    _prepared_cache(tmp_path, monkeypatch)
    skeleton = (templates_dir() / "piece.docx").read_bytes()
    fast.prepare.cache_clear()
    prepared = fast.prepare(skeleton, templating.skeleton_environment())
    assert prepared is not None
    fresh = fast.numbered_parts(prepared, 7)
    assert set(fresh) == set(numbering.replacements(prepared.raw, 7))
    prepared.numbered.clear()
    assert fast.numbered_parts(prepared, 7) == fresh  # from the cache
    entry = fast.PREPARED._path(f"numerotation|7|{prepared.digest}")
    _forge_data(entry, {name: b"<piege/>" for name in fresh})
    prepared.numbered.clear()
    assert fast.numbered_parts(prepared, 7) == fresh
    assert fast.numbered_parts(prepared, 3) != fresh


def test_every_bundled_skeleton_passes_the_skeleton_check_unchanged() -> None:
    """``render_piece`` reads a bundled skeleton without checking it (only ``--modele`` is
    untrusted): that is the same as checking it only while each bundled one comes back as is."""
    from clausegen.api import open_library
    from clausegen.render.writers.skeleton import check_skeleton
    from clausegen.resources import templates_dir

    library = open_library(use_cache=False)
    names = {library.canevas(piece).modele for piece in library.pieces}
    assert {"piece.docx", "lettre.docx", "chapitre.docx"} <= names
    for path in (templates_dir() / name for name in sorted(names)):
        assert check_skeleton(path) == path.read_bytes(), path.name
