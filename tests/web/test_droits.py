"""Every authorisation rule, through the routes, with its refusals."""

from __future__ import annotations

import pytest
from flask import Flask

from clausegen.db import Compte, DossierWeb, Role
from clausegen.web import droits
from clausegen.web.app import sessions_de
from tests.web.conftest import Client, compte

PAGES_PROTEGEES = ["/", "/dossiers", "/admin/comptes"]


def _dossier(app: Flask, org: str = "a", facilitateur: str | None = None) -> int:
    acheteur = compte(app, "acheteur", org)
    suiveur = compte(app, facilitateur, org) if facilitateur else None
    with sessions_de(app)() as db:
        dossier = DossierWeb(organisation_id=acheteur.organisation_id, cree_par_id=acheteur.id,
                             titre=f"Marché de {org}", brouillon={},
                             facilitateur_id=suiveur.id if suiveur else None)
        db.add(dossier)
        db.commit()
        return dossier.id


@pytest.mark.parametrize("page", PAGES_PROTEGEES)
def test_anonymous_visitors_are_sent_to_login(client: Client, page: str) -> None:
    reponse = client.get(page)
    assert reponse.status_code == 302
    assert reponse.headers["Location"].startswith("/connexion")


def test_anonymous_post_is_sent_to_login(client: Client) -> None:
    assert client.post("/dossiers").headers["Location"].startswith("/connexion")


def test_buyer_creates_a_dossier(client: Client) -> None:
    client.connecter("acheteur")
    reponse = client.post("/dossiers")
    assert reponse.status_code == 302
    assert client.get(reponse.headers["Location"]).status_code == 200


@pytest.mark.parametrize("role", ["juriste", "facilitateur", "administrateur"])
def test_only_buyers_create_dossiers(client: Client, role: str) -> None:
    client.connecter(role)
    assert client.post("/dossiers").status_code == 403
    assert "Nouveau dossier" not in client.get("/dossiers").get_data(as_text=True)


@pytest.mark.parametrize("role", ["acheteur", "juriste", "administrateur"])
def test_organisation_members_see_its_dossiers(app: Flask, client: Client, role: str) -> None:
    numero = _dossier(app)
    client.connecter(role)
    assert client.get(f"/dossiers/{numero}").status_code == 200
    assert "Marché de a" in client.get("/dossiers").get_data(as_text=True)


@pytest.mark.parametrize("role", ["acheteur", "juriste", "facilitateur", "administrateur"])
def test_nobody_sees_another_organisations_dossier(app: Flask, client: Client, role: str) -> None:
    numero = _dossier(app, "b", facilitateur="facilitateur" if role == "facilitateur" else None)
    client.connecter(role, "a")
    assert client.get(f"/dossiers/{numero}").status_code == 404
    assert "Marché de b" not in client.get("/dossiers").get_data(as_text=True)


def test_facilitator_sees_only_the_markets_he_follows(app: Flask, client: Client) -> None:
    suivi = _dossier(app, facilitateur="facilitateur")
    autre = _dossier(app, facilitateur="facilitateur2")
    sans = _dossier(app)
    client.connecter("facilitateur")
    assert client.get(f"/dossiers/{suivi}").status_code == 200
    assert client.get(f"/dossiers/{autre}").status_code == 404
    assert client.get(f"/dossiers/{sans}").status_code == 404


def test_missing_dossier_is_404(client: Client) -> None:
    client.connecter("acheteur")
    assert client.get("/dossiers/999999").status_code == 404


def _compte(role: Role, organisation_id: int = 1, ident: int = 1) -> Compte:
    return Compte(id=ident, organisation_id=organisation_id, role=role.value)


@pytest.mark.parametrize("role", list(Role))
def test_only_lawyers_change_a_fragment_status(role: Role) -> None:
    assert droits.peut_changer_statut_fragment(_compte(role)) is (role is Role.juriste)


@pytest.mark.parametrize("role", list(Role))
def test_only_the_organisations_buyers_change_a_dossier(role: Role) -> None:
    dossier = DossierWeb(organisation_id=1, facilitateur_id=1)
    assert droits.peut_modifier_dossier(_compte(role), dossier) is (role is Role.acheteur)
    assert droits.peut_generer(_compte(role), dossier) is (role is Role.acheteur)
    assert droits.peut_modifier_dossier(_compte(role, organisation_id=2), dossier) is False
