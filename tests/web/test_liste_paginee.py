"""The dossier list comes fifty at a time, newest first, and counts only what the account
may see; a bad page number is answered in French."""

from __future__ import annotations

import html
import re

from flask import Flask

from clausegen.db import DossierWeb
from clausegen.web.app import sessions_de
from clausegen.web.routes.dossiers import DOSSIERS_PAR_PAGE
from tests.web.conftest import Client, compte


def _dossiers(app: Flask, nombre: int, org: str = "a") -> None:
    acheteur = compte(app, "acheteur", org)
    with sessions_de(app)() as db:
        db.add_all(DossierWeb(organisation_id=acheteur.organisation_id, cree_par_id=acheteur.id,
                              titre=f"Marché {org}-{i:03d}", brouillon={"marche": {"objet": "x" * 2000}})
                   for i in range(nombre))
        db.commit()


def _titres(page: str) -> list[str]:
    return re.findall(r">(Marché [ab]-\d{3})</a>", page)


def test_fifty_a_page_with_links_and_only_the_organisation_s_dossiers(app: Flask, client: Client) -> None:
    _dossiers(app, 120)
    _dossiers(app, 7, org="b")
    client.connecter("acheteur")

    premiere = client.get("/dossiers").get_data(as_text=True)
    assert len(_titres(premiere)) == DOSSIERS_PAR_PAGE == 50
    assert "Dossiers 1 à 50 sur 120 (page 1 sur 3)." in premiere
    assert 'href="/dossiers?page=2" rel="next">Page suivante' in premiere
    assert "Page précédente" not in premiere

    derniere = client.get("/dossiers?page=3").get_data(as_text=True)
    assert len(_titres(derniere)) == 20
    assert "Dossiers 101 à 120 sur 120 (page 3 sur 3)." in derniere
    assert 'href="/dossiers?page=2" rel="prev">Page précédente' in derniere
    assert "Page suivante" not in derniere

    vus = {t for n in (1, 2, 3) for t in _titres(client.get(f"/dossiers?page={n}").get_data(as_text=True))}
    assert vus == {f"Marché a-{i:03d}" for i in range(120)}  # each once, none of organisation b


def test_a_bad_or_missing_page_is_refused_in_french(app: Flask, client: Client) -> None:
    _dossiers(app, 3)
    client.connecter("acheteur")
    page = client.get("/dossiers").get_data(as_text=True)
    assert "pagination" not in page  # one page: no page links
    for valeur in ("0", "abc", "-1", "2.5", "99999999999"):
        reponse = client.get(f"/dossiers?page={valeur}")
        assert reponse.status_code == 400, valeur
        assert "Numéro de page attendu" in reponse.get_data(as_text=True)
    absente = client.get("/dossiers?page=2")
    assert absente.status_code == 404
    texte = html.unescape(absente.get_data(as_text=True)).replace("\u2019", "'")
    assert "Il n'y a qu'une page de dossiers." in texte
