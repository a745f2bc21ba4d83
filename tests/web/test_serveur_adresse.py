"""``clausegen serveur`` refuses, in French and before starting, an address it cannot listen on."""

from __future__ import annotations

import socket
from pathlib import Path

from click.testing import CliRunner

from clausegen.cli import cli


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
