"""Two server processes on one database: a session opened on one is valid on the other.

Nothing is kept in a process (docs/web.md, « Plusieurs instances »): sessions are cookies
signed with the key stored in the database, drafts and generations are in the database.
"""

from __future__ import annotations

import http.cookiejar
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from clausegen.db.engine import connect
from tests.conftest import NETTOYAGE
from tests.web.conftest import MOT_DE_PASSE, seed

_JETON = re.compile(r'name="csrf_token" value="([^"]+)"')


def _port_libre() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _attendre(url: str, processus: subprocess.Popen[bytes]) -> None:
    limite = time.monotonic() + 30
    while time.monotonic() < limite:
        if processus.poll() is not None:
            sortie = processus.stderr.read() if processus.stderr else b""
            raise AssertionError(f"le serveur s'est arrêté : {sortie!r}")
        try:
            urllib.request.urlopen(url + "/connexion", timeout=2).close()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError("le serveur n'a pas démarré en 30 s")


@pytest.fixture(params=["sqlite", "postgresql"])
def base_partagee(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'partagee.sqlite3'}"
    return str(request.getfixturevalue("base_postgresql"))


@pytest.fixture
def deux_instances(base_partagee: str) -> Iterator[tuple[str, str]]:
    engine = connect(base_partagee)
    with Session(engine) as db:
        seed(db)
    engine.dispose()
    processus, adresses = [], []
    try:
        for _ in range(2):
            port = _port_libre()
            processus.append(subprocess.Popen(
                [sys.executable, "-m", "clausegen", "serveur", "--base", base_partagee, "--port", str(port),
                 "--sans-pagination"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
            adresses.append(f"http://127.0.0.1:{port}")
        for adresse, proc in zip(adresses, processus, strict=True):
            _attendre(adresse, proc)
        yield adresses[0], adresses[1]
    finally:
        for proc in processus:
            proc.terminate()
            proc.wait(timeout=10)
            if proc.stderr:
                proc.stderr.close()


class _PasDeRedirection(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Navigateur:
    """Cookies shared by both addresses, like one browser behind a load balancer."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.ouvreur = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies),
                                                   _PasDeRedirection())

    def get(self, url: str) -> tuple[int, bytes, str]:
        try:
            with self.ouvreur.open(url, timeout=30) as reponse:
                return reponse.status, reponse.read(), reponse.headers.get("Location", "")
        except urllib.error.HTTPError as erreur:
            with erreur:
                return erreur.code, erreur.read(), erreur.headers.get("Location", "")

    def post(self, url: str, champs: dict[str, str], jeton_depuis: str) -> tuple[int, bytes, str]:
        page = self.get(jeton_depuis)[1].decode("utf-8")
        trouve = _JETON.search(page)
        assert trouve
        corps = urllib.parse.urlencode({"csrf_token": trouve.group(1), **champs}).encode()
        try:
            with self.ouvreur.open(urllib.request.Request(url, data=corps), timeout=60) as reponse:
                return reponse.status, reponse.read(), reponse.headers.get("Location", "")
        except urllib.error.HTTPError as erreur:
            with erreur:
                return erreur.code, erreur.read(), erreur.headers.get("Location", "")


def test_two_instances_share_sessions_drafts_and_generations(deux_instances: tuple[str, str]) -> None:
    a, b = deux_instances
    navigateur = Navigateur()
    statut, _, _ = navigateur.post(f"{a}/connexion", {"courriel": "acheteur@a.fr",
                                                      "mot_de_passe": MOT_DE_PASSE}, f"{a}/connexion")
    assert statut == 302
    statut, page, _ = navigateur.get(f"{b}/dossiers")
    assert statut == 200
    assert "Acheteur A" in page.decode("utf-8")
    statut, _, lieu = navigateur.post(f"{b}/dossiers", {}, f"{b}/dossiers")
    assert statut == 302
    dossier = urllib.parse.urlparse(lieu).path.split("/entretien/")[0]
    statut, page, _ = navigateur.post(f"{a}{dossier}/entretien/acheteur/brouillon",
                                      {"acheteur.nom": "Ville partagée"}, f"{a}{dossier}")
    assert statut == 200
    statut, page, _ = navigateur.get(f"{b}{dossier}/entretien/acheteur")
    assert 'value="Ville partagée"' in page.decode("utf-8")
    statut, _, generation = navigateur.post(f"{a}{dossier}/generations", {}, f"{a}{dossier}")
    assert statut == 409  # incomplete dossier: refused on either instance, nothing recorded
    statut, _, _ = navigateur.post(f"{b}/deconnexion", {}, f"{b}/dossiers")
    assert statut == 302
    assert navigateur.get(f"{a}/dossiers")[0] == 302


def test_generation_on_one_instance_downloads_identical_from_the_other(
        deux_instances: tuple[str, str], tmp_path: Path) -> None:
    a, b = deux_instances
    navigateur = Navigateur()
    navigateur.post(f"{a}/connexion", {"courriel": "acheteur@a.fr", "mot_de_passe": MOT_DE_PASSE},
                    f"{a}/connexion")
    page = navigateur.get(f"{a}/dossiers")[1].decode("utf-8")
    jeton = _JETON.search(page)
    assert jeton
    limite = "----clausegen"
    corps = (f"--{limite}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{jeton.group(1)}\r\n"
             f"--{limite}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"d.yml\"\r\n\r\n"
             ).encode() + NETTOYAGE.read_bytes() + f"\r\n--{limite}--\r\n".encode()
    requete = urllib.request.Request(f"{a}/dossiers/importer", data=corps, headers={
        "Content-Type": f"multipart/form-data; boundary={limite}"})
    with pytest.raises(urllib.error.HTTPError) as redirection:  # 302: not followed
        navigateur.ouvreur.open(requete, timeout=30)
    redirection.value.close()
    assert redirection.value.code == 302
    dossier = urllib.parse.urlparse(redirection.value.headers["Location"]).path
    statut, _, generation = navigateur.post(f"{b}{dossier}/generations", {}, f"{b}{dossier}")
    assert statut == 302
    chemin = urllib.parse.urlparse(generation).path
    depuis_a = navigateur.get(f"{a}{chemin}/ccap.docx")
    depuis_b = navigateur.get(f"{b}{chemin}/ccap.docx")
    assert depuis_a[0] == depuis_b[0] == 200
    assert depuis_a[1] == depuis_b[1]
    assert depuis_a[1][:2] == b"PK"
