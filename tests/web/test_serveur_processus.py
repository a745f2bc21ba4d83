"""``clausegen serveur --processus N``: several worker processes answer, and stopping the
server (Ctrl+C, SIGTERM, or even the parent killed) leaves no process behind."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from clausegen.api.piece import converter_available
from clausegen.web.converter import converter_of
from clausegen.web.serveur import Ecoute, multiprocessus_possible, options_gunicorn, processus_par_defaut
from tests.web.test_instances import _attendre, _port_libre

pytestmark = pytest.mark.skipif(not (multiprocessus_possible() and Path("/proc/self/fd").is_dir()),
                                reason="gunicorn et /proc (Linux) nécessaires")


def _enfants(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children of any of its threads, recursively)."""
    try:
        enfants = [int(c) for tache in Path(f"/proc/{pid}/task").iterdir()
                   for c in (tache / "children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []
    return [p for enfant in enfants for p in (enfant, *_descendants(enfant))]


def _libreoffice_de_chaque_ouvrier(serveur: subprocess.Popen[bytes]) -> list[int]:
    """Every process below the server once each worker's LibreOffice is running (when
    LibreOffice and python3-uno are installed; else just the workers)."""
    ouvriers = _enfants(serveur.pid)
    if not converter_available():
        return _descendants(serveur.pid)
    limite = time.monotonic() + 120
    while time.monotonic() < limite:
        if all(any(_nom(p) == "soffice.bin" for p in _descendants(o)) for o in ouvriers):
            return _descendants(serveur.pid)
        time.sleep(0.2)
    raise AssertionError("LibreOffice n'a pas démarré dans chaque processus en 120 s")


def _nom(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def _vivant(pid: int) -> bool:
    """Running (a zombie left to init is not running, and cannot hold a port)."""
    try:
        etat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return etat != "Z"


def _inode_serveur(port_client: int, port_serveur: int) -> int | None:
    """Inode of the server side of the loopback TCP connection from ``port_client``."""
    for ligne in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        champs = ligne.split()
        local, distant = (int(a.split(":")[1], 16) for a in champs[1:3])
        if local == port_serveur and distant == port_client:
            return int(champs[9])
    return None


def _processus_du_socket(pids: list[int], inode: int) -> int | None:
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


@pytest.fixture
def serveur(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _port_libre()
    processus = subprocess.Popen(
        [sys.executable, "-m", "clausegen", "serveur", "--base", f"sqlite:///{tmp_path / 'b.sqlite3'}",
         "--port", str(port), "--processus", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _attendre(f"http://127.0.0.1:{port}", processus)
        limite = time.monotonic() + 30
        while len(_enfants(processus.pid)) < 2 and time.monotonic() < limite:
            time.sleep(0.1)
        yield processus, port
    finally:
        if processus.poll() is None:
            processus.kill()
        processus.wait(timeout=30)
        for flux in (processus.stdout, processus.stderr):
            if flux:
                flux.close()


def _ouvrier_de(connexion: socket.socket, port: int, ouvriers: list[int]) -> int | None:
    """The worker that accepted ``connexion`` (it waits there for the end of the request)."""
    limite = time.monotonic() + 10
    while time.monotonic() < limite:
        inode = _inode_serveur(connexion.getsockname()[1], port)
        if inode and (pid := _processus_du_socket(ouvriers, inode)) is not None:
            return pid
        time.sleep(0.05)
    return None


def test_two_worker_processes_answer(serveur: tuple[subprocess.Popen[bytes], int]) -> None:
    processus, port = serveur
    ouvriers = _enfants(processus.pid)
    assert len(ouvriers) == 2
    ont_repondu: set[int] = set()
    for _ in range(50):  # the kernel hands each new connection to either worker
        connexions = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(4)]
        for connexion in connexions:  # a request without its last line: accepted, pending
            connexion.sendall(b"GET /connexion HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for connexion in connexions:
            if (pid := _ouvrier_de(connexion, port, ouvriers)) is not None:
                ont_repondu.add(pid)
            connexion.sendall(b"\r\n")
            reponse = http.client.HTTPResponse(connexion)
            reponse.begin()
            assert reponse.status == 200
            assert "Connexion" in reponse.read().decode("utf-8")
            assert reponse.getheader("Connection") == "close"  # the next request may go elsewhere
            connexion.close()
        if ont_repondu == set(ouvriers):
            break
    assert ont_repondu == set(ouvriers)
    assert "2\u00a0processus" in processus.stdout.read1().decode("utf-8")  # type: ignore[union-attr]


@pytest.mark.parametrize("arret", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_server_stops_every_worker(serveur: tuple[subprocess.Popen[bytes], int],
                                                 arret: signal.Signals) -> None:
    processus, _port = serveur
    ouvriers = _enfants(processus.pid)
    assert len(ouvriers) == 2
    tous = _libreoffice_de_chaque_ouvrier(processus)  # workers, their converters, LibreOffice
    processus.send_signal(arret)
    assert processus.wait(timeout=60) == 0
    assert not [(pid, _nom(pid)) for pid in tous if _vivant(pid)]


def test_workers_leave_when_the_parent_is_killed(serveur: tuple[subprocess.Popen[bytes], int]) -> None:
    processus, _port = serveur
    tous = _libreoffice_de_chaque_ouvrier(processus)
    processus.kill()  # no chance to stop them: they notice their parent is gone
    processus.wait(timeout=10)
    limite = time.monotonic() + 60
    while any(_vivant(pid) for pid in tous) and time.monotonic() < limite:
        time.sleep(0.2)
    assert not [(pid, _nom(pid)) for pid in tous if _vivant(pid)]


def test_gunicorn_never_trusts_forwarded_headers_itself(tmp_path: Path) -> None:
    from clausegen.web import WebConfig, create_app

    app = create_app(WebConfig(base=f"sqlite:///{tmp_path / 'b.sqlite3'}"))
    options = options_gunicorn(app, Ecoute(hote="::1", port=8000, processus=2, fils=4))
    assert options["bind"] == ["[::1]:8000"]
    assert options["forwarded_allow_ips"] == ""
    assert options["secure_scheme_headers"] == {}
    assert (options["workers"], options["threads"], options["worker_class"]) == (2, 4, "gthread")
    assert options["worker_connections"] == 4  # a busy worker leaves new connections to the others
    assert options["keepalive"] == 0
    par_defaut = options_gunicorn(app, Ecoute(hote="127.0.0.1", port=8000, processus=2))
    assert par_defaut["threads"] == par_defaut["worker_connections"] == 2


def test_default_is_one_process_per_processor_at_most_eight() -> None:
    assert 1 <= processus_par_defaut() <= min(8, os.cpu_count() or 1)


def test_workers_freeze_what_they_inherited_once_after_fork_and_are_not_pinned(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from clausegen.web import WebConfig, create_app

    gels: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: gels.append("gel"))
    app = create_app(WebConfig(base=f"sqlite:///{tmp_path / 'b.sqlite3'}"))
    options = options_gunicorn(app, Ecoute(hote="127.0.0.1", port=8000, processus=2))
    affinite = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    options["post_fork"](None, SimpleNamespace(age=3))
    converter = converter_of(app)
    try:
        assert gels == ["gel"]
        assert (converter is not None) == converter_available()  # started with the worker
    finally:
        options["worker_exit"](None, SimpleNamespace(age=3))
    assert converter_of(app) is None  # and stopped with it
    if converter is not None:
        assert converter.pid is None
    assert "post_request" not in options
    if affinite is not None:
        assert os.sched_getaffinity(0) == affinite
