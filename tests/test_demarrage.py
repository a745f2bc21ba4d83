"""Start-up of ``clausegen pieces`` (issue 13, item 10): what it imports, and the block cache.

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


def test_pieces_imports_no_post_award_module_and_no_markdown_parser_once_cached(tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    first = _modules_after_pieces(tmp_path, cache)
    assert "markdown_it" in first  # nothing cached yet: every fragment is parsed
    second = _modules_after_pieces(tmp_path, cache)
    assert not {m for m in second if m.startswith(PIECES_WITHOUT)}
    assert "markdown_it" not in second  # every block came from the signed cache


def test_block_cache_is_used_and_a_tampered_entry_is_ignored(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pickle

    from clausegen import blocks
    from clausegen.signed_cache import SignedCache

    monkeypatch.setenv("CLAUSEGEN_CACHE", str(tmp_path / "cache"))
    cache = SignedCache(blocks._blocks_namespace, ".pickle")
    monkeypatch.setattr(blocks, "_BLOCK_CACHE", cache)
    markup = "Le **titulaire** transmet le bilan (cache des blocs)."
    blocks._parse_cached.cache_clear()
    parsed = blocks.parse_blocks(markup)
    assert cache.load(markup) is not None
    entry = next((tmp_path / "cache").glob("blocs-*/*.pickle"))
    signature, _, value = entry.read_bytes().partition(b"\n")
    forged = pickle.dumps((blocks.Paragraph(runs=(blocks.Run("Texte piégé"),)),))
    entry.write_bytes(signature + b"\n" + forged)
    assert cache.load(markup) is None
    blocks._parse_cached.cache_clear()
    assert blocks.parse_blocks(markup) == parsed
    assert blocks.plain_text(parsed[0].runs) == "Le titulaire transmet le bilan (cache des blocs)."  # type: ignore[union-attr]


def test_yaml_data_cache_keeps_positions_and_ignores_a_tampered_entry(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pickle

    from clausegen import yaml_files
    from clausegen.signed_cache import SignedCache

    monkeypatch.setenv("CLAUSEGEN_CACHE", str(tmp_path / "cache"))
    cache = SignedCache(yaml_files._data_namespace, ".pickle")
    monkeypatch.setattr(yaml_files, "_DATA_CACHE", cache)
    text = "nom: CCAP\nsections:\n  - titre: Objet\n    date: 2027-03-15\n"
    fresh = yaml_files.parse_yaml_document(text, path=tmp_path / "c.yml", cached=True)
    again = yaml_files.parse_yaml_document(text, path=tmp_path / "c.yml", cached=True)
    assert again.node is None  # from the cache
    assert again.data == fresh.data
    assert again.positions == fresh.positions
    assert again.positions[("sections", 0, "date")].line == 4
    entry = next((tmp_path / "cache").glob("yaml-*/*.pickle"))
    signature, _, _ = entry.read_bytes().partition(b"\n")
    entry.write_bytes(signature + b"\n" + pickle.dumps(yaml_files._Parsed({"nom": "Piégé"})))
    assert yaml_files.parse_yaml_document(text, path=tmp_path / "c.yml", cached=True).data == fresh.data
    assert yaml_files.parse_yaml_document(text, path=tmp_path / "c.yml").node is not None  # not cached


def test_numbering_replacements_from_the_cache_equal_a_fresh_computation(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io
    import zipfile

    from clausegen.render import numbering
    from clausegen.resources import templates_dir
    from clausegen.signed_cache import SignedCache

    monkeypatch.setenv("CLAUSEGEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(numbering, "_REPLACEMENTS",
                        SignedCache(numbering._replacements_namespace, ".pickle"))
    archive = zipfile.ZipFile(io.BytesIO((templates_dir() / "piece.docx").read_bytes()))
    raw = {n: archive.read(n) for n in numbering.RAW_PARTS if n in archive.namelist()}
    fresh = numbering._replacements(raw, 3)
    assert numbering.replacements(raw, 3) == fresh  # computed, then kept
    entry = next((tmp_path / "cache").glob("numerotation-*/*.pickle"))
    assert numbering.replacements(raw, 3) == fresh  # from the cache
    entry.write_bytes(entry.read_bytes().replace(b"Heading", b"Piege"))
    assert numbering.replacements(raw, 3) == fresh  # a tampered entry is not used
    assert numbering.replacements(raw, 4) != fresh


def test_skeleton_checks_are_kept_for_accepted_bytes_only(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from clausegen.errors import TemplateFileError
    from clausegen.render import skeleton
    from clausegen.resources import templates_dir
    from clausegen.signed_cache import SignedCache

    monkeypatch.setenv("CLAUSEGEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(skeleton, "_CHECKED", SignedCache(skeleton._checks_namespace, ".pickle"))
    good = templates_dir() / "piece.docx"
    assert skeleton.check_skeleton(good) == skeleton.check_skeleton(good) == good.read_bytes()
    assert len(list((tmp_path / "cache").glob("squelettes-*/*.pickle"))) == 1
    bad = tmp_path / "faux.docx"
    bad.write_bytes(b"PK pas une archive")
    for _ in range(2):
        with pytest.raises(TemplateFileError):
            skeleton.check_skeleton(bad)
    assert len(list((tmp_path / "cache").glob("squelettes-*/*.pickle"))) == 1


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


def test_skeleton_styles_from_the_cache_equal_python_docx(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from clausegen.render import fast
    from clausegen.resources import templates_dir
    from clausegen.signed_cache import SignedCache

    monkeypatch.setenv("CLAUSEGEN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(fast, "_INSPECTED", SignedCache(fast._inspect_namespace, ".pickle"))
    skeleton = (templates_dir() / "piece.docx").read_bytes()
    fresh = fast._inspect_with_docx(skeleton)
    assert fresh is not None
    assert fast._inspect(skeleton) == fresh  # computed, then kept
    assert list((tmp_path / "cache").glob("squelettes-styles-*/*.pickle"))
    assert fast._inspect(skeleton) == fresh  # from the cache
