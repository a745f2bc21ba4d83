"""``clausegen lot``: every piece of every dossier, a bad dossier reported and skipped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clausegen.cli import cli
from tests.conftest import NETTOYAGE, PONCTUEL


def _directory(tmp_path: Path, good: int, broken: dict[str, str]) -> Path:
    folder = tmp_path / "dossiers"
    folder.mkdir()
    for index in range(good):
        shutil.copyfile(NETTOYAGE, folder / f"marche-{index:02d}.yml")
    for name, text in broken.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


BROKEN_DURATION = NETTOYAGE.read_text(encoding="utf-8").replace("duree_mois: 48", "duree_mois: quatre")


@pytest.mark.parametrize("jobs", ["1", "2"], ids=["un-processus", "deux-processus"])
def test_every_good_dossier_is_generated_and_the_bad_one_reported(runner, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                  jobs: str) -> None:
    folder = _directory(tmp_path, 4, {"casse.yml": BROKEN_DURATION})
    out = tmp_path / "sortie"
    result = runner.invoke(cli, ["lot", "--sans-pagination", str(folder), "-o", str(out), "-j", jobs])
    assert result.exit_code == 1
    assert f"Échec : {folder / 'casse.yml'}" in result.output
    assert "marche.duree_mois : nombre entier attendu" in result.output
    assert "4 dossier(s) sur 5 générés, 8 document(s)" in result.output
    assert sorted(p.name for p in out.iterdir()) == [f"marche-{i:02d}" for i in range(4)]
    assert all(sorted(p.name for p in d.iterdir()) == ["ccap.docx", "cctp.docx"] for d in out.iterdir())
    assert "Traceback" not in result.output


def test_batch_output_equals_single_generation(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = _directory(tmp_path, 2, {})
    out = tmp_path / "sortie"
    assert runner.invoke(cli, ["lot", "--sans-pagination",
                               str(folder), "-o", str(out), "-j", "2"]).exit_code == 0
    single = tmp_path / "seul.docx"
    assert runner.invoke(cli, ["ccap", "--sans-pagination",
                               str(folder / "marche-00.yml"), "-o", str(single)]).exit_code == 0
    assert (out / "marche-00" / "ccap.docx").read_bytes() == single.read_bytes()


@pytest.mark.parametrize(("setup", "message"), [
    ("absent", "répertoire de dossiers introuvable"),
    ("vide", "aucun dossier .yml ou .yaml"),
], ids=["repertoire-absent", "repertoire-vide"])
def test_no_dossier_to_generate(runner, tmp_path: Path, setup: str, message: str) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "dossiers"
    if setup == "vide":
        folder.mkdir()
    result = runner.invoke(cli, ["lot", "--sans-pagination", str(folder), "-o", str(tmp_path / "sortie")])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "sortie").exists()


def test_unsuited_market_is_a_failure_unless_forced(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = _directory(tmp_path, 1, {"ponctuel.yml": PONCTUEL.read_text(encoding="utf-8")})
    out = tmp_path / "sortie"
    refused = runner.invoke(cli, ["lot", "--sans-pagination", str(folder), "-o", str(out), "-j", "1"])
    assert refused.exit_code == 1
    assert "n'est pas adapté" in refused.output
    assert not (out / "ponctuel").exists()
    forced = runner.invoke(cli, ["lot", "--sans-pagination",
                                 str(folder), "-o", str(out), "-j", "1", "--forcer"])
    assert forced.exit_code == 0, forced.output
    assert (out / "ponctuel" / "ccap.docx").is_file()


def test_lot_pdf_without_libreoffice_writes_nothing(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = _directory(tmp_path, 1, {})
    monkeypatch.setenv("PATH", str(tmp_path / "vide"))
    out = tmp_path / "sortie"
    result = runner.invoke(cli, ["lot", "--sans-pagination", str(folder), "-o", str(out), "--pdf"])
    assert result.exit_code == 1
    assert "apt-get install libreoffice-writer-nogui" in result.output
    assert not out.exists()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice absent")
def test_lot_pdf_converts_every_good_dossier(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = _directory(tmp_path, 2, {"casse.yml": BROKEN_DURATION})
    out = tmp_path / "sortie"
    result = runner.invoke(cli, ["lot", "--sans-pagination", str(folder), "-o", str(out), "-j", "2", "--pdf"])
    assert result.exit_code == 1, result.output
    assert "2 dossier(s) sur 3 générés, 8 document(s)" in result.output
    for dossier in ("marche-00", "marche-01"):
        assert sorted(p.name for p in (out / dossier).iterdir()) == ["ccap.docx", "ccap.pdf", "cctp.docx",
                                                                     "cctp.pdf"]
        assert (out / dossier / "ccap.pdf").read_bytes().startswith(b"%PDF-")
