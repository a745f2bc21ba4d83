"""The interview under stress: concurrent saves (review W3), checks across fields where they
happen, refused forms that keep what was typed (issue 22, items 2 and 3), on SQLite and
PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from tests.web.aides import nouveau_dossier
from tests.web.conftest import Client
from tests.web.test_entretien import _brouillon


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def app(request: pytest.FixtureRequest, app: Flask) -> Flask:
    """Every test of this module runs on SQLite (the common fixture) and on PostgreSQL."""
    return app if request.param == "sqlite" else request.getfixturevalue("app_postgresql")


def _acheteur(app: Flask) -> Client:
    client = Client(app.test_client())
    client.connecter("acheteur")
    return client


# --- W3: no lost update --------------------------------------------------------------------


def test_W3_two_tabs_saving_different_steps_both_keep_their_input(app: Flask) -> None:
    """Review W3: two tabs autosave two steps of one dossier at the same instant, 12 rounds;
    every round keeps both inputs (before the fix, most rounds lost one of them)."""
    onglet_a, onglet_b = _acheteur(app), _acheteur(app)
    numero = nouveau_dossier(onglet_a)
    jetons = {id(onglet_a): onglet_a.jeton(), id(onglet_b): onglet_b.jeton()}
    perdus = []
    for tour in range(12):
        barriere = threading.Barrier(2)
        statuts: list[int] = []

        def envoyer(onglet: Client, etape: str, champ: str, valeur: str,
                    barriere: threading.Barrier = barriere, statuts: list[int] = statuts) -> None:
            barriere.wait()
            reponse = onglet.http.post(f"/dossiers/{numero}/entretien/{etape}/brouillon",
                                       data={"csrf_token": jetons[id(onglet)], champ: valeur})
            statuts.append(reponse.status_code)

        fils = [threading.Thread(target=envoyer, args=(onglet_a, "acheteur", "acheteur.nom", f"ACH-{tour}")),
                threading.Thread(target=envoyer, args=(onglet_b, "marche", "marche.objet", f"OBJ-{tour}"))]
        for un in fils:
            un.start()
        for un in fils:
            un.join()
        assert statuts == [200, 200]
        brouillon = _brouillon(app, numero)
        gardes = (brouillon.get("acheteur", {}).get("nom"), brouillon.get("marche", {}).get("objet"))
        if gardes != (f"ACH-{tour}", f"OBJ-{tour}"):
            perdus.append((tour, gardes))
    assert perdus == []
