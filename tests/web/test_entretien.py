"""The buyer's guided interview: steps, field messages, live verdict, drafts."""

from __future__ import annotations

from flask import Flask

from clausegen.api.marche import dump_dossier, read_dossier_text
from clausegen.db import DossierWeb
from clausegen.web.app import sessions_de
from clausegen.web.entretien import PAR_CODE
from tests.web.aides import dossier_entretien, formulaire, nouveau_dossier, remplir
from tests.web.conftest import Client, compte


def _brouillon(app: Flask, dossier_id: int) -> dict[str, object]:
    with sessions_de(app)() as db:
        dossier = db.get(DossierWeb, dossier_id)
        assert dossier is not None
        return dict(dossier.brouillon)


def test_interview_builds_the_same_dossier_as_the_file(client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    data = dossier_entretien()
    remplir(client, numero, data)
    exporte = client.get(f"/dossiers/{numero}/dossier.yml")
    assert exporte.status_code == 200
    attendu = read_dossier_text(yaml_de(data), "attendu.yml").dossier
    assert exporte.get_data(as_text=True) == dump_dossier(attendu)
    page = client.get(f"/dossiers/{numero}").get_data(as_text=True)
    assert "Dossier complet." in page
    assert "2026-0142 – Nettoyage et entretien des bâtiments communaux" in page


def yaml_de(data: dict[str, object]) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_each_question_is_explained_and_offers_choices(client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    page = client.get(f"/dossiers/{numero}/entretien/marche").get_data(as_text=True)
    assert "particulièrement bien" in page
    assert 'type="radio"' in page
    assert "Accord-cadre multi-attributaire à bons de commande" in page
    assert 'aria-describedby="marche-duree_mois-aide"' in page


def test_wrong_answer_gets_a_french_message_at_the_field_and_is_kept(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    champs = formulaire(PAR_CODE["marche"], dossier_entretien())
    reponse = client.post(f"/dossiers/{numero}/entretien/marche",
                          {**champs, "marche.duree_mois": "quatre ans"})
    page = reponse.get_data(as_text=True)
    assert reponse.status_code == 422
    assert 'id="marche-duree_mois-erreur"' in page
    assert "nombre entier attendu" in page
    assert 'href="#marche-duree_mois"' in page
    assert "Traceback" not in page
    assert _brouillon(app, numero)["marche"]["duree_mois"] == "quatre ans"  # type: ignore[index]
    assert 'value="quatre ans"' in client.get(f"/dossiers/{numero}/entretien/marche").get_data(as_text=True)


def test_rule_across_fields_is_shown_at_the_field_it_names(client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    champs = formulaire(PAR_CODE["marche"], dossier_entretien())
    champs["marche.forme"] = "accord_cadre_multi_attributaire_marches_subsequents"
    reponse = client.post(f"/dossiers/{numero}/entretien/marche", champs)
    assert reponse.status_code == 422
    assert 'id="marche-duree_marches_subsequents_mois-erreur"' in reponse.get_data(as_text=True)


def test_french_amounts_are_understood(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    champs = formulaire(PAR_CODE["marche"], dossier_entretien())
    reponse = client.post(f"/dossiers/{numero}/entretien/marche",
                          {**champs, "marche.montant_estime_ht": "1\u00a0200\u00a0000,50 €"})
    assert reponse.status_code == 302
    assert _brouillon(app, numero)["marche"]["montant_estime_ht"] == "1200000.50"  # type: ignore[index]


def test_verdict_changes_as_the_buyer_answers(client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    champs = formulaire(PAR_CODE["marche"], dossier_entretien())
    url = f"/dossiers/{numero}/entretien/marche/brouillon"
    vide = client.post(url, {"marche.reference": "X"})
    assert vide.headers["X-Verdict"] == "inconnu"
    adapte = client.post(url, champs)
    assert adapte.headers["X-Verdict"] == "adapte"
    ponctuel = client.post(url, {**champs, "marche.prestation": "ponctuelle"})
    assert ponctuel.headers["X-Verdict"] == "non_adapte"
    assert "achat isolé ou prestation ponctuelle" in ponctuel.get_data(as_text=True)
    court = client.post(url, {**champs, "marche.duree_mois": "18"})
    assert court.headers["X-Verdict"] == "adapte_avec_reserves"
    assert "18\u00a0mois" in court.get_data(as_text=True).replace("&nbsp;", "\u00a0")  # French typography


def test_autosave_keeps_everything_typed_without_judging_it(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    reponse = client.post(f"/dossiers/{numero}/entretien/acheteur/brouillon",
                          {"acheteur.nom": "Ville de Test", "acheteur.ville": ""})
    assert reponse.status_code == 200
    assert _brouillon(app, numero) == {"acheteur": {"nom": "Ville de Test"}}


def test_previous_step_saves_without_blocking(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    reponse = client.post(f"/dossiers/{numero}/entretien/marche",
                          {"marche.duree_mois": "abc", "aller": "precedente"})
    assert reponse.headers["Location"].endswith("/entretien/acheteur")
    assert _brouillon(app, numero)["marche"] == {"duree_mois": "abc"}


def test_insertion_is_required_when_its_axis_is_retained(client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    data = dossier_entretien()
    del data["plan_de_progres"]["insertion"]
    assert client.post(f"/dossiers/{numero}/entretien/axes",
                       formulaire(PAR_CODE["axes"], data)).status_code == 302
    reponse = client.post(f"/dossiers/{numero}/entretien/insertion",
                          {"plan_de_progres.insertion.mode": "heures",
                           "plan_de_progres.insertion.perimetre": "nettoyage des écoles"})
    page = reponse.get_data(as_text=True)
    assert reponse.status_code == 422
    assert 'id="plan_de_progres-insertion-volume_heures-erreur"' in page
    assert "Volume d’heures d’insertion sur la durée du marché\u00a0» est obligatoire" in page


def test_facilitator_account_chosen_sees_the_market(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    suiveur = compte(app, "facilitateur")
    champs = formulaire(PAR_CODE["facilitateur"], dossier_entretien())
    reponse = client.post(f"/dossiers/{numero}/entretien/facilitateur",
                          {**champs, "compte_facilitateur": str(suiveur.id)})
    assert reponse.status_code == 302
    facilitateur = Client(app.test_client())
    facilitateur.connecter("facilitateur")
    assert facilitateur.get(f"/dossiers/{numero}").status_code == 200


def test_facilitator_of_another_organisation_cannot_be_chosen(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    etranger = compte(app, "facilitateur", "b")
    champs = formulaire(PAR_CODE["facilitateur"], dossier_entretien())
    reponse = client.post(f"/dossiers/{numero}/entretien/facilitateur",
                          {**champs, "compte_facilitateur": str(etranger.id)})
    assert reponse.status_code == 422
    assert "compte de facilitateur de votre organisation attendu" in reponse.get_data(as_text=True)
    with sessions_de(app)() as db:
        dossier = db.get(DossierWeb, numero)
        assert dossier is not None
        assert dossier.facilitateur_id is None


def test_only_buyers_answer_the_interview(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    for role in ("juriste", "administrateur"):
        autre = Client(app.test_client())
        autre.connecter(role)
        assert autre.get(f"/dossiers/{numero}/entretien/marche").status_code == 403
        assert autre.post(f"/dossiers/{numero}/entretien/marche", {}).status_code == 403
        assert autre.post(f"/dossiers/{numero}/entretien/marche/brouillon", {}).status_code == 403


def test_other_organisations_buyer_gets_404(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    autre = Client(app.test_client())
    autre.connecter("acheteur", "b")
    assert autre.get(f"/dossiers/{numero}/entretien/marche").status_code == 404
    brouillon = autre.post(f"/dossiers/{numero}/entretien/marche/brouillon", {"marche.objet": "x"})
    assert brouillon.status_code == 404


def test_unknown_step_is_404(client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    assert client.get(f"/dossiers/{numero}/entretien/nulle-part").status_code == 404


def test_incomplete_dossier_cannot_be_exported(client: Client) -> None:
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    reponse = client.get(f"/dossiers/{numero}/dossier.yml")
    assert reponse.status_code == 409
    assert "n’a pas été exporté" in reponse.get_data(as_text=True)  # and what blocks it
    assert "Ce qui empêche la génération des pièces" in reponse.get_data(as_text=True)


def test_steps_are_complete_only_once_answered() -> None:
    from clausegen.api.marche import validate_dossier
    from clausegen.web.entretien import etats

    vide: dict[str, object] = {}
    _, problemes = validate_dossier(vide)
    assert not any(etats(vide, problemes, None).values())
    data = dossier_entretien()
    _, problemes = validate_dossier(data)
    assert all(etats(data, problemes, "adapte").values())
    assert etats(data, problemes, "non_adapte")["faisabilite"] is False
    sans_plan = {k: v for k, v in data.items() if k != "plan_de_progres"}
    _, problemes = validate_dossier(sans_plan)
    resultat = etats(sans_plan, problemes, "adapte")
    assert resultat["axes"] is False
    assert resultat["acheteur"] is True


def test_the_feasibility_step_shows_its_verdict_once(client: Client) -> None:
    """The feasibility step's subject is the verdict: shown once, in the step (live region the
    script refreshes), not a second time beside the form as on the other steps."""
    client.connecter("acheteur")
    numero = nouveau_dossier(client)
    client.post(f"/dossiers/{numero}/entretien/marche/brouillon",
                formulaire(PAR_CODE["marche"], dossier_entretien()))
    faisabilite = client.get(f"/dossiers/{numero}/entretien/faisabilite").get_data(as_text=True)
    marche = client.get(f"/dossiers/{numero}/entretien/marche").get_data(as_text=True)
    for page in (faisabilite, marche):
        assert page.count('id="verdict"') == 1
        assert page.count('class="verdict verdict-adapte"') == 1
