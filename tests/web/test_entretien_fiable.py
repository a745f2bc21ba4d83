"""The interview under stress: concurrent saves (review W3), checks across fields where they
happen, refused forms that keep what was typed (issue 22, items 2 and 3), on SQLite and
PostgreSQL."""

from __future__ import annotations

import html
import threading
from typing import Any

import pytest
from flask import Flask

from clausegen.web.entretien import PAR_CODE
from tests.web.aides import dossier_entretien, formulaire, nouveau_dossier, remplir
from tests.web.conftest import Client
from tests.web.test_entretien import _brouillon


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def app(request: pytest.FixtureRequest, app: Flask) -> Flask:
    """Every test of this module runs on SQLite (the common fixture) and on PostgreSQL."""
    return app if request.param == "sqlite" else request.getfixturevalue("app_postgresql")


def _lu(page: str) -> str:
    """A page's text as read (entities decoded, non-breaking spaces as spaces)."""
    return html.unescape(page).replace("\u00a0", " ").replace("\u202f", " ").replace("\u2019", "'")


def _acheteur(app: Flask) -> Client:
    client = Client(app.test_client())
    client.connecter("acheteur")
    return client


def _axe_insertion(client: Client, numero: int) -> None:
    """Retain the insertion axis: the insertion questions apply from then on (issue 22,
    item 4: only the questions that apply are asked)."""
    reponse = client.post(f"/dossiers/{numero}/entretien/axes", {"plan_de_progres.axes": ["insertion"]})
    assert reponse.status_code == 302


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


# --- issue 22, item 2: checks across fields where they happen -------------------------------


def _dossier_minimum_au_dessus_du_maximum() -> dict[str, Any]:
    data = dossier_entretien()
    data["administratif"]["montant_minimum_ht"] = "2000000"
    data["administratif"]["montant_maximum_ht"] = "1800000"
    return data


def test_minimum_above_maximum_is_refused_on_the_amounts_step(app: Flask) -> None:
    """The review's reproduction: the step holding both amounts refuses them at once, with
    the amounts in French, even though the later steps are not answered yet."""
    client = _acheteur(app)
    numero = nouveau_dossier(client)
    data = _dossier_minimum_au_dessus_du_maximum()
    for code in ("acheteur", "marche"):
        assert client.post(f"/dossiers/{numero}/entretien/{code}",
                           formulaire(PAR_CODE[code], data)).status_code == 302
    reponse = client.post(f"/dossiers/{numero}/entretien/administratif",
                          formulaire(PAR_CODE["administratif"], data))
    page = reponse.get_data(as_text=True)
    assert reponse.status_code == 422
    assert 'id="administratif-montant_minimum_ht-erreur"' in page
    assert "un montant minimum inférieur ou égal au montant maximum attendu" in page
    assert "2\u202f000\u202f000,00\u00a0€\u00a0HT" in page
    assert _brouillon(app, numero)["administratif"]["montant_minimum_ht"] == "2000000"


def test_review_page_lists_what_blocks_generation_with_a_link_per_field(app: Flask) -> None:
    """A dossier whose every other answer is right: the review page says what blocks, with a
    « modifier » link to the field; « Générer » and the export answer 409 with the same list,
    and no YAML leaves the application that the command line would refuse."""
    client = _acheteur(app)
    numero = nouveau_dossier(client)
    data = _dossier_minimum_au_dessus_du_maximum()
    for etape in PAR_CODE.values():
        client.post(f"/dossiers/{numero}/entretien/{etape.code}", formulaire(etape, data))
    lien = f'href="/dossiers/{numero}/entretien/administratif#administratif-montant_minimum_ht"'
    page = client.get(f"/dossiers/{numero}").get_data(as_text=True)
    assert "Dossier à compléter." in page
    assert "Ce qui empêche la génération des pièces (1)" in page
    assert lien in page
    assert "Générer le CCAP et le CCTP" not in page
    assert "Exporter le dossier" not in page
    generation = client.post(f"/dossiers/{numero}/generations")
    texte = _lu(generation.get_data(as_text=True))
    assert generation.status_code == 409
    assert "Les pièces n'ont pas été générées : corrigez d'abord les points ci-dessous." in texte
    assert "Montant minimum de l'accord-cadre" in texte
    assert lien in texte
    export = client.get(f"/dossiers/{numero}/dossier.yml")
    assert export.status_code == 409
    assert "Le dossier n'a pas été exporté" in _lu(export.get_data(as_text=True))
    assert lien in export.get_data(as_text=True)
    # Corrected on its step, the dossier is complete and exports.
    data["administratif"]["montant_minimum_ht"] = "200000"
    assert client.post(f"/dossiers/{numero}/entretien/administratif",
                       formulaire(PAR_CODE["administratif"], data)).status_code == 302
    assert client.get(f"/dossiers/{numero}/dossier.yml").status_code == 200


def test_accord_cadre_without_maximum_is_told_on_the_amounts_step(app: Flask) -> None:
    client = _acheteur(app)
    numero = nouveau_dossier(client)
    data = dossier_entretien()
    del data["administratif"]["montant_maximum_ht"]
    for code in ("acheteur", "marche"):
        client.post(f"/dossiers/{numero}/entretien/{code}", formulaire(PAR_CODE[code], data))
    reponse = client.post(f"/dossiers/{numero}/entretien/administratif",
                          formulaire(PAR_CODE["administratif"], data))
    assert reponse.status_code == 422
    assert 'id="administratif-montant_maximum_ht-erreur"' in reponse.get_data(as_text=True)


def test_volume_missing_with_hours_is_told_on_first_submit(app: Flask) -> None:
    """« En heures » with neither volume nor scope: both are reported at once (the volume
    rule was hidden by the missing scope), the rule naming the field by its label."""
    client = _acheteur(app)
    numero = nouveau_dossier(client)
    _axe_insertion(client, numero)
    reponse = client.post(f"/dossiers/{numero}/entretien/insertion",
                          {"plan_de_progres.insertion.mode": "heures"})
    page = _lu(reponse.get_data(as_text=True))
    assert reponse.status_code == 422
    assert 'id="plan_de_progres-insertion-perimetre-erreur"' in page
    assert 'id="plan_de_progres-insertion-volume_heures-erreur"' in page
    assert "« Volume d'heures d'insertion sur la durée du marché » est obligatoire" in page
    assert "volume_heures est" not in page


# --- issue 22, item 3: French numbers, the field's unit and label --------------------------


@pytest.mark.parametrize(("champ", "tape", "lu"), [
    ("plan_de_progres.insertion.volume_heures", "6 000", 6000),
    ("plan_de_progres.insertion.volume_heures", "1\u202f320\u00a0heures", 1320),
    ("marche.montant_estime_ht", "85 000,50 €", "85000.50"),
    ("marche.montant_estime_ht", "1\u00a0450\u00a0000 € HT", "1450000"),
])
def test_numbers_are_read_in_french(app: Flask, champ: str, tape: str, lu: object) -> None:
    client = _acheteur(app)
    numero = nouveau_dossier(client)
    remplir(client, numero, dossier_entretien())
    etape = next(e for e in PAR_CODE.values() if any(c.chemin == champ for c in e.champs))
    reponse = client.post(f"/dossiers/{numero}/entretien/{etape.code}",
                          {**formulaire(etape, dossier_entretien()), champ: tape})
    assert reponse.status_code == 302, _lu(reponse.get_data(as_text=True))[-2000:]
    export = client.get(f"/dossiers/{numero}/dossier.yml").get_data(as_text=True)
    cle = champ.rsplit(".", 1)[-1]
    assert f"{cle}: {lu}" in export or f"{cle}: {float(str(lu))}" in export


def test_a_wrong_number_is_kept_and_told_in_the_fields_unit(app: Flask) -> None:
    client = _acheteur(app)
    numero = nouveau_dossier(client)
    _axe_insertion(client, numero)
    data = dossier_entretien()
    etape = PAR_CODE["penalites"]
    reponse = client.post(f"/dossiers/{numero}/entretien/penalites",
                          {**formulaire(etape, data), "plan_de_progres.penalites.coefficient_smic": "deux",
                           "plan_de_progres.penalites.retard_par_jour": "cent euros"})
    page = _lu(reponse.get_data(as_text=True))
    assert reponse.status_code == 422
    assert "nombre attendu, par exemple « 1,5 » ou « 5 » (reçu : « deux »)" in page
    assert "montant en euros attendu, par exemple « 85 000,50 »" in page
    assert "1200000.00" not in page
    assert 'value="cent euros"' in page
    assert 'value="deux"' in page


# --- issue 22, item 4: no legal choice made silently ----------------------------------------


def test_globalisation_is_not_ticked_by_default(app: Flask) -> None:
    client = _acheteur(app)
    numero = nouveau_dossier(client)
    _axe_insertion(client, numero)
    page = client.get(f"/dossiers/{numero}/entretien/insertion").get_data(as_text=True)
    case = page[page.index('id="plan_de_progres-insertion-globalisation"'):].split(">", 1)[0]
    assert "checked" not in case
    assert "article 16.1.3" in _lu(page)
    data = dossier_entretien()
    data["plan_de_progres"]["insertion"]["globalisation"] = True
    client.post(f"/dossiers/{numero}/entretien/insertion", formulaire(PAR_CODE["insertion"], data))
    page = client.get(f"/dossiers/{numero}/entretien/insertion").get_data(as_text=True)
    case = page[page.index('id="plan_de_progres-insertion-globalisation"'):].split(">", 1)[0]
    assert "checked" in case


def test_unsuited_market_shows_the_other_levers_instead_of_the_axes(app: Flask) -> None:
    """A one-off supply: the step leads to the feasibility verdict, which shows the insertion
    clause's verdict and the other levers with their legal basis, then to the dossier's page,
    never to the axes."""
    client = _acheteur(app)
    numero = nouveau_dossier(client)
    data = dossier_entretien()
    data["marche"].update({"prestation": "ponctuelle", "nature": "fournitures", "duree_mois": 12})
    reponse = client.post(f"/dossiers/{numero}/entretien/marche", formulaire(PAR_CODE["marche"], data))
    assert reponse.status_code == 302
    assert reponse.headers["Location"].endswith(f"/dossiers/{numero}/entretien/faisabilite")
    page = _lu(client.get(reponse.headers["Location"]).get_data(as_text=True))
    assert "Faisabilité : non adapté" in page
    assert "Clause d'insertion seule :" in page
    assert "Autres leviers sociaux adaptés à ce marché" in page
    assert "Marché ou lot réservé" in page
    assert "articles L. 2113-12" in page
    assert "article R. 2152-7 du code de la commande publique" in page
    suite = client.post(f"/dossiers/{numero}/entretien/faisabilite", {})
    assert suite.headers["Location"].endswith(f"/dossiers/{numero}")
