"""``clausegen serveur``: one process (waitress) still serves; an address it cannot listen on
is refused in French before anything starts."""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from clausegen.cli import cli
from tests.web.test_instances import _attendre, _port_libre


def test_one_process_serves_with_waitress(tmp_path: Path) -> None:
    port = _port_libre()
    processus = subprocess.Popen(
        [sys.executable, "-m", "clausegen", "serveur", "--base", f"sqlite:///{tmp_path / 'b.sqlite3'}",
         "--port", str(port), "--processus", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    convertisseurs: list[Path] = []
    try:
        _attendre(f"http://127.0.0.1:{port}", processus)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/connexion", timeout=10) as reponse:
            assert reponse.status == 200
            assert reponse.headers["Server"] == "clausegen"  # waitress's ident
        enfants = Path(f"/proc/{processus.pid}/task/{processus.pid}/children")
        if enfants.exists():  # no worker process: at most the process's PDF converter helper
            for pid in enfants.read_text().split():
                arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                assert any(a.endswith(b"office_uno.py") for a in arguments), arguments
                assert b"--serve" in arguments
                convertisseurs.append(Path(f"/proc/{pid}"))
            assert len(convertisseurs) <= 1
    finally:
        processus.terminate()
        processus.wait(timeout=30)
        for flux in (processus.stdout, processus.stderr):
            if flux:
                flux.close()
    for convertisseur in convertisseurs:  # stopped with the server
        assert not convertisseur.exists() or ") Z " in (convertisseur / "stat").read_text()


def test_a_port_in_use_is_refused_in_french(runner: CliRunner, tmp_path: Path) -> None:
    with socket.socket() as occupe:
        occupe.bind(("127.0.0.1", 0))
        occupe.listen()
        port = occupe.getsockname()[1]
        result = runner.invoke(cli, ["serveur", "--base", f"sqlite:///{tmp_path / 'b.sqlite3'}",
                                     "--port", str(port)])
    assert result.exit_code == 2
    assert f"Adresse d'écoute « 127.0.0.1:{port} » : port déjà utilisé" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "b.sqlite3").exists()  # refused before the database is touched


def test_an_unknown_host_is_refused_in_french(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["serveur", "--base", f"sqlite:///{tmp_path / 'b.sqlite3'}",
                                 "--hote", "hote.invalid", "--port", "8000"])
    assert result.exit_code == 2
    assert "« hote.invalid:8000 » : hôte inconnu (--hote)" in result.output
