"""The findings of the hostile campaign of 2026-12-07 (../shared/reviews/2026-12-07/fiabilite.md),
one reproduction per finding id, on SQLite here and on PostgreSQL through test_sur_postgresql."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import pytest
from flask import Flask
from sqlalchemy import func, select

from clausegen import templating
from clausegen.db import Generation
from clausegen.web.app import sessions_de
from tests.conftest import NETTOYAGE
from tests.web.conftest import MOT_DE_PASSE, Client, courriel
from tests.web.test_import_export import importer

T = TypeVar("T")


@pytest.mark.parametrize("suite", ["/\t/evil.example", "/\t\t/evil.example", "/\n/evil.example",
                                   "/\r\n/x", "/ /evil.example", "/\x0b/evil.example",
                                   "/\u3000/evil.example", "/\x00/x", "/%09/evil.example\t"])
def test_W2_login_follows_only_a_path_on_this_site(client: Client, suite: str) -> None:
    page = client.get("/connexion", query_string={"suite": suite}).get_data(as_text=True)
    assert "evil.example" not in page
    reponse = client.post("/connexion", {"courriel": courriel("acheteur"), "mot_de_passe": MOT_DE_PASSE,
                                         "suite": suite})
    assert reponse.status_code == 302
    assert reponse.headers["Location"] == "/dossiers"


def test_W2_a_local_path_and_its_query_are_kept(client: Client) -> None:
    reponse = client.post("/connexion", {"courriel": courriel("acheteur"), "mot_de_passe": MOT_DE_PASSE,
                                         "suite": "/dossiers?page=2"})
    assert reponse.headers["Location"] == "/dossiers?page=2"


# --- W1 / C1: one sandbox everywhere ---------------------------------------------------------

BOUCLE = ("Objet {{ marche.objet }}{% for i in range(100000) %}{% for k in range(100000) %}"
          "{% endfor %}{% endfor %}")


def _publier(client: Client, corps: str) -> None:
    """As the juriste signed in on ``client``: a new validated version of general.objet."""
    from tests.web.test_bureau_juridique import NOUVELLE, _nouvelle, _statut, _texte_jeton

    assert _nouvelle(client) == 302
    reponse = client.post(f"/bibliotheque/general.objet/{NOUVELLE}/texte",
                          {"corps": corps, "jeton": _texte_jeton(client, NOUVELLE)})
    assert reponse.status_code == 302, reponse.get_data(as_text=True)
    assert _statut(client, NOUVELLE, "en_revue") == 302
    assert _statut(client, NOUVELLE, "valide", "Conforme à la grille") == 302


def _publie_puis_acheteur(app: Flask, juriste: Client, corps: str) -> tuple[Client, str]:
    """The juriste publishes ``corps``; a buyer signs in and imports a dossier (its URL)."""
    juriste.connecter("juriste")
    _publier(juriste, corps)
    acheteur = Client(app.test_client())
    acheteur.connecter("acheteur")
    _, lieu, _ = importer(acheteur, NETTOYAGE.read_bytes())
    return acheteur, lieu


def _en_fil(action: Callable[[], T]) -> T:
    """Run ``action`` in a worker thread, as gunicorn's gthread workers serve requests (no
    signal reaches such a thread)."""
    resultat: list[T] = []
    fil = threading.Thread(target=lambda: resultat.append(action()))
    fil.start()
    fil.join(timeout=60)
    assert resultat, "la génération ne s'est pas terminée"
    return resultat[0]


def _generations(app: Flask) -> int:
    with sessions_de(app)() as db:
        return db.scalar(select(func.count()).select_from(Generation)) or 0


def test_W1_a_runaway_fragment_is_stopped_in_a_web_worker_thread(
        app: Flask, client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templating, "RENDER_TIME_LIMIT", 1.0)
    acheteur, lieu = _publie_puis_acheteur(app, client, BOUCLE)
    avant = _generations(app)
    debut = time.monotonic()
    reponse = _en_fil(lambda: acheteur.post(f"{lieu}/generations"))
    assert time.monotonic() - debut < 8
    assert reponse.status_code == 422
    assert "rendu interrompu après 1 s" in reponse.get_data(as_text=True)
    assert _generations(app) == avant


def test_W1_a_client_that_leaves_cancels_the_generation_and_nothing_is_recorded(
        app: Flask, client: Client) -> None:
    acheteur, lieu = _publie_puis_acheteur(app, client, BOUCLE)
    avant = _generations(app)
    serveur, navigateur = socket.socketpair()
    navigateur.close()  # the browser gave up
    debut = time.monotonic()
    reponse = _en_fil(lambda: acheteur.post(f"{lieu}/generations",
                                            environ_overrides={"gunicorn.socket": serveur}))
    serveur.close()
    assert time.monotonic() - debut < 3  # not the 5 s of the time limit
    assert reponse.status_code in (422, 499)
    assert _generations(app) == avant


def test_W1_a_client_that_leaves_after_rendering_gets_nothing_recorded(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    _, lieu, _ = importer(client, NETTOYAGE.read_bytes())
    avant = _generations(app)
    serveur, navigateur = socket.socketpair()
    navigateur.close()
    reponse = client.post(f"{lieu}/generations", environ_overrides={"gunicorn.socket": serveur})
    serveur.close()
    assert reponse.status_code in (422, 499)
    assert _generations(app) == avant
    serveur, navigateur = socket.socketpair()  # a client still there: recorded as usual
    reponse = client.post(f"{lieu}/generations", environ_overrides={"gunicorn.socket": serveur})
    serveur.close()
    navigateur.close()
    assert reponse.status_code == 302
    assert _generations(app) == avant + 1


@pytest.mark.parametrize("corps", [
    "{{ ('a'*900000)|replace('a','aaaaaaaaaa')|replace('a','aaaaaaaaaa')|length }}",
    "{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = [ns.s, ns.s] %}"
    "{% endfor %}{{ ns.s|tojson|length }}",
])
def test_C1_amplification_is_refused_in_a_web_worker_thread(app: Flask, client: Client, corps: str) -> None:
    acheteur, lieu = _publie_puis_acheteur(app, client, corps)
    debut = time.monotonic()
    reponse = _en_fil(lambda: acheteur.post(f"{lieu}/generations"))
    assert time.monotonic() - debut < 5
    assert reponse.status_code == 422
    assert "bac à sable" in reponse.get_data(as_text=True)
