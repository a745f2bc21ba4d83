"""The legal desk: browse, compare, new version, review statuses (lawyers only), releases,
the same organisation library as the command line, and a buyer's next generation using it."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from clausegen.cli import cli
from clausegen.db import EntreeJournal, Generation
from clausegen.web.app import sessions_de
from tests.web.conftest import Client
from tests.web.test_pieces import _generer

FRAGMENT = "general.objet"
NOUVEAU_TEXTE = ("Le présent cahier des clauses administratives particulières (CCAP) fixe les "
                 "stipulations du marché n° {{ marche.reference }} conclu par {{ acheteur.nom }}, "
                 "ayant pour objet : {{ marche.objet }}.\n\nLes prestations relèvent de la "
                 "catégorie des {{ marche.nature | libelle }}{% if marche.lieu_execution %} ; "
                 "elles sont exécutées aux lieux suivants : {{ marche.lieu_execution }}{% endif %}.\n")


def _racine(app: Flask, org: int = 1) -> Path:
    return Path(app.extensions["clausegen.config"].bibliotheques) / f"organisation-{org}"


def _jeton(client: Client, version: str) -> str:
    page = client.get(f"/bibliotheque/{FRAGMENT}").get_data(as_text=True)
    formulaire = page.split(f'/bibliotheque/{FRAGMENT}/{version}/statut"')[1]
    found = re.search(r'name="jeton" value="([0-9a-f]{64})"', formulaire)
    assert found
    return found.group(1)


def _texte_jeton(client: Client, version: str) -> str:
    found = re.search(r'name="jeton" value="([0-9a-f]{64})"',
                      client.get(f"/bibliotheque/{FRAGMENT}/{version}").get_data(as_text=True))
    assert found
    return found.group(1)


def _statut(client: Client, version: str, statut: str, commentaire: str = "Relu selon la grille",
            jeton: str | None = None) -> int:
    return client.post(f"/bibliotheque/{FRAGMENT}/{version}/statut",
                       {"statut": statut, "commentaire": commentaire,
                        "jeton": jeton or _jeton(client, version)}).status_code


def _nouvelle(client: Client, version: str = "1.1.0", derniere: str = "1.0.0") -> int:
    return client.post(f"/bibliotheque/{FRAGMENT}/versions",
                       {"version": version, "derniere": derniere}).status_code


def _jusqu_a_valide(client: Client) -> None:
    assert _nouvelle(client) == 302
    reponse = client.post(f"/bibliotheque/{FRAGMENT}/1.1.0/texte",
                          {"corps": NOUVEAU_TEXTE, "jeton": _texte_jeton(client, "1.1.0")})
    assert reponse.status_code == 302
    assert _statut(client, "1.1.0", "en_revue") == 302
    assert _statut(client, "1.1.0", "valide", "Conforme à la grille ; formulation simplifiée") == 302


def test_lawyer_browses_with_filters(client: Client) -> None:
    client.connecter("juriste")
    page = client.get("/bibliotheque?categorie=penalite&statut=valide&piece=ccap").get_data(as_text=True)
    assert "penalites.plan_progres" in page
    assert "general.objet" not in page
    assert "organisation-1" in page  # where the command line finds the same library


def test_lawyer_takes_a_fragment_from_brouillon_to_valide(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    _jusqu_a_valide(client)
    fichier = _racine(app) / "fragments" / FRAGMENT / "1.1.0.md"
    texte = fichier.read_text(encoding="utf-8")
    assert "statut: valide" in texte
    assert 'par: "Juriste A"' in texte
    assert "conclu par" in texte
    assert not (Path("clause_library") / "fragments" / FRAGMENT / "1.1.0.md").exists()
    page = client.get(f"/bibliotheque/{FRAGMENT}").get_data(as_text=True)
    assert "Conforme à la grille ; formulation simplifiée" in page
    with sessions_de(app)() as db:
        actes = db.scalars(select(EntreeJournal.action).order_by(EntreeJournal.id)).all()
    assert actes == ["version_fragment", "statut_fragment", "statut_fragment"]


def test_buyers_next_generation_uses_the_validated_version(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    _jusqu_a_valide(client)
    client.post("/deconnexion")
    client.connecter("acheteur")
    _, numero = _generer(client)
    with sessions_de(app)() as db:
        generation = db.get(Generation, numero)
        assert generation is not None
        assert generation.pieces[0].fragments[FRAGMENT].startswith("1.1.0 sha256:")
    assert "conclu par" in client.get(f"/generations/{numero}").get_data(as_text=True)


def test_another_organisation_does_not_get_the_version(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    _jusqu_a_valide(client)
    client.post("/deconnexion")
    client.connecter("juriste", "b")
    page = client.get(f"/bibliotheque/{FRAGMENT}").get_data(as_text=True)
    assert ">1.1.0<" not in page


def test_a_validated_version_is_never_edited(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    _jusqu_a_valide(client)
    fichier = _racine(app) / "fragments" / FRAGMENT / "1.1.0.md"
    avant = fichier.read_bytes()
    reponse = client.post(f"/bibliotheque/{FRAGMENT}/1.1.0/texte",
                          {"corps": "Autre texte.", "jeton": hashlib.sha256(avant).hexdigest()})
    assert reponse.status_code == 409
    assert "seule une version en brouillon se modifie" in reponse.get_data(as_text=True)
    assert fichier.read_bytes() == avant
    assert 'name="corps"' not in client.get(f"/bibliotheque/{FRAGMENT}/1.1.0").get_data(as_text=True)


def test_bundled_versions_are_read_only(client: Client) -> None:
    client.connecter("juriste")
    bundled = Path(__file__).resolve().parents[2] / "clause_library" / "fragments" / FRAGMENT / "1.0.0.md"
    jeton = hashlib.sha256(bundled.read_bytes()).hexdigest()
    reponse = client.post(f"/bibliotheque/{FRAGMENT}/1.0.0/statut",
                          {"statut": "retire", "commentaire": "Obsolète", "jeton": jeton})
    assert reponse.status_code == 409
    assert "lecture seule" in reponse.get_data(as_text=True)
    assert "statut: valide" in bundled.read_text(encoding="utf-8")


def test_a_change_made_meanwhile_is_not_overwritten(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    assert _nouvelle(client) == 302
    vu = _jeton(client, "1.1.0")
    fichier = _racine(app) / "fragments" / FRAGMENT / "1.1.0.md"
    # Meanwhile, someone moves it through the command line, on the same directory.
    resultat = CliRunner().invoke(cli, ["bibliotheque", "statut", f"{FRAGMENT}@1.1.0", "en_revue",
                                        "--bibliotheque", str(_racine(app))])
    assert resultat.exit_code == 0, resultat.output
    apres_cli = fichier.read_bytes()
    assert _statut(client, "1.1.0", "retire", jeton=vu) == 409
    assert fichier.read_bytes() == apres_cli
    assert _nouvelle(client, "1.2.0", derniere="1.0.0") == 409


def test_comparison_side_by_side_and_word_redline(client: Client) -> None:
    client.connecter("juriste")
    _jusqu_a_valide(client)
    page = client.get(f"/bibliotheque/{FRAGMENT}/comparaison?ancienne=1.0.0&nouvelle=1.1.0")
    texte = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<del>" in texte
    assert "<ins>" in texte
    assert "conclu" in texte
    docx = client.get(f"/bibliotheque/{FRAGMENT}/comparaison.docx?ancienne=1.0.0&nouvelle=1.1.0")
    assert docx.status_code == 200
    document = zipfile.ZipFile(io.BytesIO(docx.data)).read("word/document.xml").decode("utf-8")
    assert "<w:ins " in document
    assert "<w:del " in document
    inconnue = client.get(f"/bibliotheque/{FRAGMENT}/comparaison?ancienne=1.0.0&nouvelle=9.9.9")
    assert inconnue.status_code == 404


def test_lawyer_publishes_the_organisation_release(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    _jusqu_a_valide(client)
    reponse = client.post("/bibliotheque/publications", {"version": "1.2.0"})
    assert reponse.status_code == 302, reponse.get_data(as_text=True)
    racine = _racine(app)
    assert (racine / "releases" / "1.2.0.yml").is_file()
    changelog = (racine / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## 1.2.0" in changelog
    assert f"Modifié : `{FRAGMENT}` 1.0.0 → 1.1.0" in changelog
    assert "1.2.0" in client.get("/bibliotheque").get_data(as_text=True)
    resultat = CliRunner().invoke(cli, ["bibliotheque", "historique", FRAGMENT,
                                        "--bibliotheque", str(racine)])
    assert "1.1.0" in resultat.output
    assert "1.2.0" in resultat.output
    assert client.post("/bibliotheque/publications", {"version": "1.2.0"}).status_code == 409


@pytest.mark.parametrize("role", ["acheteur", "administrateur"])
def test_only_lawyers_change_the_library(app: Flask, client: Client, role: str) -> None:
    client.connecter(role)
    assert client.get("/bibliotheque").status_code == 200
    assert 'name="commentaire"' not in client.get(f"/bibliotheque/{FRAGMENT}").get_data(as_text=True)
    assert _nouvelle(client) == 403
    assert client.post(f"/bibliotheque/{FRAGMENT}/1.0.0/statut",
                       {"statut": "retire", "commentaire": "x", "jeton": "0" * 64}).status_code == 403
    assert client.post(f"/bibliotheque/{FRAGMENT}/1.0.0/texte", {"corps": "x"}).status_code == 403
    assert client.post("/bibliotheque/publications", {"version": "9.0.0"}).status_code == 403
    assert not (_racine(app) / "fragments" / FRAGMENT).exists()


def test_buyer_cannot_validate_a_draft_the_lawyer_made(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    assert _nouvelle(client) == 302
    jeton = _jeton(client, "1.1.0")
    client.post("/deconnexion")
    client.connecter("acheteur")
    assert _statut(client, "1.1.0", "en_revue", jeton=jeton) == 403
    assert "statut: brouillon" in (_racine(app) / "fragments" / FRAGMENT / "1.1.0.md").read_text("utf-8")


@pytest.mark.parametrize("role", ["facilitateur"])
def test_facilitators_do_not_browse_the_library(client: Client, role: str) -> None:
    client.connecter(role)
    assert client.get("/bibliotheque").status_code == 403
    assert client.get(f"/bibliotheque/{FRAGMENT}").status_code == 403


def test_missing_comment_or_unknown_fragment(client: Client) -> None:
    client.connecter("juriste")
    assert _nouvelle(client) == 302
    assert _statut(client, "1.1.0", "en_revue", commentaire=" ") == 422
    assert client.get("/bibliotheque/inexistant.fragment").status_code == 404
    assert client.get(f"/bibliotheque/{FRAGMENT}/7.0.0").status_code == 404
