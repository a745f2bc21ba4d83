"""The caches do not grow without bound, and ``clausegen cache etat|vider`` show and empty
them, removing clausegen's own files only."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausegen.cache import store
from clausegen.cache.maintenance import cache_state, prune_cache
from clausegen.cache.store import SignedCache
from clausegen.cli import cli
from tests.conftest import NETTOYAGE

DAY = 24 * 3600.0


def _age(path: Path, days: float) -> None:
    moment = time.time() - days * DAY
    os.utime(path, (moment, moment))


def _filled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, SignedCache]:
    directory = tmp_path / "cache"
    monkeypatch.setenv("CLAUSEGEN_CACHE", str(directory))
    monkeypatch.setattr(store, "_pruned", True)  # no automatic pruning in between
    cache = SignedCache(lambda: "essai-0123", ".txt")
    cache.store("ancienne", b"1")
    cache.store("recente", b"2")
    return directory, cache


def test_old_entries_and_unused_namespaces_go_recent_ones_and_foreign_files_stay(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory, cache = _filled(tmp_path, monkeypatch)
    namespace = directory / "essai-0123"
    old_entry = cache._path("ancienne")
    _age(old_entry, 40)
    stale = directory / "blocs-ancienne-version"
    SignedCache(lambda: "blocs-ancienne-version", ".pickle").store("x", b"3")
    for child in stale.iterdir():
        _age(child, 60)
    _age(stale, 60)
    foreign_file = directory / "notes-personnelles.txt"
    foreign_file.write_text("à garder", encoding="utf-8")
    foreign_folder = directory / "photos"
    foreign_folder.mkdir()
    lookalike = foreign_folder / ("a" * 64 + ".txt")  # entry-like name outside a namespace
    lookalike.write_text("à garder", encoding="utf-8")
    for path in (foreign_file, foreign_folder, lookalike):
        _age(path, 365)

    removed = prune_cache(directory)

    assert removed == 2  # the old entry, and the stale namespace's entry
    assert not old_entry.exists()
    assert not stale.exists()
    assert cache.load("recente") == b"2"
    assert (namespace / "cle").exists()
    assert cache.load("ancienne") is None  # computed again when needed
    assert foreign_file.read_text(encoding="utf-8") == "à garder"
    assert lookalike.exists()


def test_pruning_runs_once_a_day_from_the_first_cache_opened(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    directory, cache = _filled(tmp_path, monkeypatch)
    old_entry = cache._path("ancienne")
    _age(old_entry, 40)
    stamp = directory / ".elagage"
    stamp.touch()  # pruned an hour ago: nothing happens
    _age(stamp, 1 / 24)
    monkeypatch.setattr(store, "_pruned", False)
    SignedCache(lambda: "autre", ".txt").store("a", b"a")
    assert old_entry.exists()

    _age(stamp, 2)  # pruned two days ago: this process prunes
    monkeypatch.setattr(store, "_pruned", False)
    SignedCache(lambda: "autre-encore", ".txt").store("b", b"b")
    assert not old_entry.exists()
    assert time.time() - stamp.stat().st_mtime < 60


def _clausegen(directory: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """A fresh process, as a user runs it (module-level caches open once per process)."""
    return subprocess.run([sys.executable, "-m", "clausegen", *arguments], capture_output=True,
                          text=True, env={**os.environ, "CLAUSEGEN_CACHE": str(directory)})


def test_cache_etat_then_vider_through_the_command_line(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "cache"
    first = _clausegen(directory, "pieces", "--sans-pagination", str(NETTOYAGE), "-o",
                       str(tmp_path / "avant"))
    assert first.returncode == 0, first.stderr
    foreign = directory / "a-moi.docx"
    foreign.write_bytes(b"pas un cache")

    etat = _clausegen(directory, "cache", "etat")
    assert etat.returncode == 0
    assert f"Répertoire des caches\u00a0: {directory}" in etat.stdout
    count = int(etat.stdout.splitlines()[1].split("\u00a0fichiers")[0].replace("\u202f", "")
                .replace("\u00a0", ""))
    assert count > 10
    monkeypatch.setenv("CLAUSEGEN_CACHE", str(directory))
    before = cache_state().files  # what etat counted, and the entries its own message wrote
    assert count <= before <= count + 5

    vider = _clausegen(directory, "cache", "vider")
    assert vider.returncode == 0
    assert f"Caches vidés\u00a0: {before}\u00a0fichiers retirés." in vider.stdout
    assert foreign.read_bytes() == b"pas un cache"
    names = {p.name.split("-")[0] for p in directory.iterdir()}
    assert names <= {"a", ".elagage", "formats"}  # the message's own number formatting only

    again = _clausegen(directory, "pieces", "--sans-pagination", str(NETTOYAGE), "-o",
                       str(tmp_path / "apres"))
    assert again.returncode == 0, again.stderr
    for piece in ("ccap.docx", "cctp.docx"):
        assert (tmp_path / "apres" / piece).read_bytes() == (tmp_path / "avant" / piece).read_bytes()


def test_cache_etat_when_caches_are_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAUSEGEN_CACHE", "off")
    result = CliRunner().invoke(cli, ["cache", "etat"])
    assert result.exit_code == 0
    assert "Caches désactivés (CLAUSEGEN_CACHE=off)." in result.output
    vider = CliRunner().invoke(cli, ["cache", "vider"])
    assert vider.output.startswith("Caches vidés\u00a0: 0\u00a0fichier retiré.")


def _cache_files() -> set[Path]:
    return {p for p in Path(os.environ["CLAUSEGEN_CACHE"]).rglob("*") if p.is_file()}


def test_a_never_seen_dossier_adds_no_cache_entry() -> None:
    """The caches hold what every dossier shares (library, templates, skeletons), nothing
    computed from one dossier's content: a changed dossier writes no entry."""
    import yaml

    from clausegen.api.marche import open_library, render_brouillon

    data = yaml.safe_load(NETTOYAGE.read_text(encoding="utf-8"))
    render_brouillon(data, "d.yml", open_library(), paginer=False)  # what every dossier shares is kept by now
    data["marche"]["objet"] = f"Objet jamais vu {time.time_ns()}"
    before = _cache_files()
    render_brouillon(data, "d.yml", open_library(), paginer=False)
    assert _cache_files() == before
