"""The legal desk: browse, compare, new version, review statuses (lawyers only), releases,
the same organisation library as the command line, and a buyer's next generation using it."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable
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
BUNDLED = Path(__file__).resolve().parents[2] / "clause_library"


def _triplet(version: str) -> tuple[int, int, int]:
    majeure, mineure, correctif = (int(partie) for partie in version.split("."))
    return majeure, mineure, correctif


def _mineure_suivante(version: str, pas: int = 1) -> str:
    majeure, mineure, _ = _triplet(version)
    return f"{majeure}.{mineure + pas}.0"


# Versions computed from the bundled library, so that a new bundled release does not break the desk.
ANCIENNE = max((f.stem for f in (BUNDLED / "fragments" / FRAGMENT).glob("*.md")), key=_triplet)
NOUVELLE = _mineure_suivante(ANCIENNE)
SUIVANTE = _mineure_suivante(ANCIENNE, 2)
PUBLICATION = _mineure_suivante((BUNDLED / "VERSION").read_text(encoding="utf-8").strip())
NOUVEAU_TEXTE = ("Le présent cahier des clauses administratives particulières (CCAP) fixe les "
                 "stipulations du marché n° {{ marche.reference }} conclu par {{ acheteur_designation }}, "
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


def _nouvelle(client: Client, version: str = NOUVELLE, derniere: str = ANCIENNE) -> int:
    return client.post(f"/bibliotheque/{FRAGMENT}/versions",
                       {"version": version, "derniere": derniere}).status_code


def second_juriste(app: Flask, org: str = "a") -> None:
    """A second lawyer in the organisation, ``juriste2@a.fr`` (« Juriste Deux A »)."""
    from clausegen.db import Compte
    from clausegen.web.securite import hacher
    from tests.web.conftest import MOT_DE_PASSE, compte

    organisation = compte(app, "juriste", org).organisation_id
    with sessions_de(app)() as db:
        if db.scalar(select(Compte).where(Compte.courriel == f"juriste2@{org}.fr")) is None:
            db.add(Compte(organisation_id=organisation, courriel=f"juriste2@{org}.fr",
                          nom=f"Juriste Deux {org.upper()}", role="juriste",
                          mot_de_passe=hacher(MOT_DE_PASSE), actif=True, numero_session=0))
            db.commit()


def _par_le_second_juriste(client: Client, action: Callable[[], None]) -> None:
    """Run ``action`` as the second lawyer, then sign the first one back in."""
    second_juriste(client.http.application)
    client.post("/deconnexion")
    client.connecter("juriste2")
    action()
    client.post("/deconnexion")
    client.connecter("juriste")


def _jusqu_a_valide(client: Client) -> None:
    assert _nouvelle(client) == 302
    reponse = client.post(f"/bibliotheque/{FRAGMENT}/{NOUVELLE}/texte",
                          {"corps": NOUVEAU_TEXTE, "jeton": _texte_jeton(client, NOUVELLE)})
    assert reponse.status_code == 302
    assert _statut(client, NOUVELLE, "en_revue") == 302

    def valider() -> None:
        assert _statut(client, NOUVELLE, "valide", "Conforme à la grille ; formulation simplifiée") == 302

    _par_le_second_juriste(client, valider)


def test_lawyer_browses_with_filters(client: Client) -> None:
    client.connecter("juriste")
    page = client.get("/bibliotheque?categorie=penalite&statut=valide&piece=ccap").get_data(as_text=True)
    assert "penalites.plan_progres" in page
    assert "general.objet" not in page
    assert "organisation-1" in page  # where the command line finds the same library


def test_lawyer_takes_a_fragment_from_brouillon_to_valide(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    _jusqu_a_valide(client)
    fichier = _racine(app) / "fragments" / FRAGMENT / f"{NOUVELLE}.md"
    texte = fichier.read_text(encoding="utf-8")
    assert "statut: valide" in texte
    assert 'par: "Juriste Deux A"' in texte
    assert "conclu par" in texte
    assert not (Path("clause_library") / "fragments" / FRAGMENT / f"{NOUVELLE}.md").exists()
    page = client.get(f"/bibliotheque/{FRAGMENT}").get_data(as_text=True)
    assert "Conforme à la grille ; formulation simplifiée" in page
    with sessions_de(app)() as db:
        actes = db.scalars(select(EntreeJournal.action).order_by(EntreeJournal.id)).all()
    # the second juriste logs in to validate (issue 22 item 6: four eyes), then the first again
    assert actes == ["connexion", "version_fragment", "version_fragment", "statut_fragment",
                     "connexion", "statut_fragment", "connexion"]


def test_buyers_next_generation_uses_the_validated_version(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    _jusqu_a_valide(client)
    client.post("/deconnexion")
    client.connecter("acheteur")
    _, numero = _generer(client)
    with sessions_de(app)() as db:
        generation = db.get(Generation, numero)
        assert generation is not None
        assert generation.pieces[0].fragments[FRAGMENT].startswith(f"{NOUVELLE} sha256:")
    assert "conclu par" in client.get(f"/generations/{numero}").get_data(as_text=True)


def test_another_organisation_does_not_get_the_version(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    _jusqu_a_valide(client)
    lien = f'href="/bibliotheque/{FRAGMENT}/{NOUVELLE}"'
    assert lien in client.get(f"/bibliotheque/{FRAGMENT}").get_data(as_text=True)
    client.post("/deconnexion")
    client.connecter("juriste", "b")
    page = client.get(f"/bibliotheque/{FRAGMENT}").get_data(as_text=True)
    assert lien not in page


def test_a_validated_version_is_never_edited(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    _jusqu_a_valide(client)
    fichier = _racine(app) / "fragments" / FRAGMENT / f"{NOUVELLE}.md"
    avant = fichier.read_bytes()
    reponse = client.post(f"/bibliotheque/{FRAGMENT}/{NOUVELLE}/texte",
                          {"corps": "Autre texte.", "jeton": hashlib.sha256(avant).hexdigest()})
    assert reponse.status_code == 409
    assert "seule une version en brouillon se modifie" in reponse.get_data(as_text=True)
    assert fichier.read_bytes() == avant
    assert 'name="corps"' not in client.get(f"/bibliotheque/{FRAGMENT}/{NOUVELLE}").get_data(as_text=True)


def test_bundled_versions_are_read_only(client: Client) -> None:
    client.connecter("juriste")
    bundled = BUNDLED / "fragments" / FRAGMENT / f"{ANCIENNE}.md"
    jeton = hashlib.sha256(bundled.read_bytes()).hexdigest()
    reponse = client.post(f"/bibliotheque/{FRAGMENT}/{ANCIENNE}/statut",
                          {"statut": "retire", "commentaire": "Obsolète", "jeton": jeton})
    assert reponse.status_code == 409
    assert "lecture seule" in reponse.get_data(as_text=True)
    assert "statut: valide" in bundled.read_text(encoding="utf-8")


def test_a_change_made_meanwhile_is_not_overwritten(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    assert _nouvelle(client) == 302
    vu = _jeton(client, NOUVELLE)
    fichier = _racine(app) / "fragments" / FRAGMENT / f"{NOUVELLE}.md"
    # Meanwhile, someone moves it through the command line, on the same directory.
    resultat = CliRunner().invoke(cli, ["bibliotheque", "statut", f"{FRAGMENT}@{NOUVELLE}", "en_revue",
                                        "--bibliotheque", str(_racine(app))])
    assert resultat.exit_code == 0, resultat.output
    apres_cli = fichier.read_bytes()
    assert _statut(client, NOUVELLE, "retire", jeton=vu) == 409
    assert fichier.read_bytes() == apres_cli
    assert _nouvelle(client, SUIVANTE, derniere=ANCIENNE) == 409


def test_comparison_side_by_side_and_word_redline(client: Client) -> None:
    client.connecter("juriste")
    _jusqu_a_valide(client)
    page = client.get(f"/bibliotheque/{FRAGMENT}/comparaison?ancienne={ANCIENNE}&nouvelle={NOUVELLE}")
    texte = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<del>" in texte
    assert "<ins>" in texte
    assert "conclu" in texte
    docx = client.get(f"/bibliotheque/{FRAGMENT}/comparaison.docx?ancienne={ANCIENNE}&nouvelle={NOUVELLE}")
    assert docx.status_code == 200
    document = zipfile.ZipFile(io.BytesIO(docx.data)).read("word/document.xml").decode("utf-8")
    assert "<w:ins " in document
    assert "<w:del " in document
    inconnue = client.get(f"/bibliotheque/{FRAGMENT}/comparaison?ancienne={ANCIENNE}&nouvelle=9.9.9")
    assert inconnue.status_code == 404


def test_lawyer_publishes_the_organisation_release(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    _jusqu_a_valide(client)
    reponse = client.post("/bibliotheque/publications", {"version": PUBLICATION})
    assert reponse.status_code == 302, reponse.get_data(as_text=True)
    racine = _racine(app)
    assert (racine / "releases" / f"{PUBLICATION}.yml").is_file()
    changelog = (racine / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {PUBLICATION}" in changelog
    assert f"Modifié : `{FRAGMENT}` {ANCIENNE} → {NOUVELLE}" in changelog
    assert PUBLICATION in client.get("/bibliotheque").get_data(as_text=True)
    resultat = CliRunner().invoke(cli, ["bibliotheque", "historique", FRAGMENT,
                                        "--bibliotheque", str(racine)])
    assert NOUVELLE in resultat.output
    assert PUBLICATION in resultat.output
    assert client.post("/bibliotheque/publications", {"version": PUBLICATION}).status_code == 409


@pytest.mark.parametrize("role", ["acheteur", "administrateur"])
def test_only_lawyers_change_the_library(app: Flask, client: Client, role: str) -> None:
    client.connecter(role)
    assert client.get("/bibliotheque").status_code == 200
    assert 'name="commentaire"' not in client.get(f"/bibliotheque/{FRAGMENT}").get_data(as_text=True)
    assert _nouvelle(client) == 403
    assert client.post(f"/bibliotheque/{FRAGMENT}/{ANCIENNE}/statut",
                       {"statut": "retire", "commentaire": "x", "jeton": "0" * 64}).status_code == 403
    assert client.post(f"/bibliotheque/{FRAGMENT}/{ANCIENNE}/texte", {"corps": "x"}).status_code == 403
    assert client.post("/bibliotheque/publications", {"version": "9.0.0"}).status_code == 403
    assert not (_racine(app) / "fragments" / FRAGMENT).exists()


def test_buyer_cannot_validate_a_draft_the_lawyer_made(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    assert _nouvelle(client) == 302
    jeton = _jeton(client, NOUVELLE)
    client.post("/deconnexion")
    client.connecter("acheteur")
    assert _statut(client, NOUVELLE, "en_revue", jeton=jeton) == 403
    brouillon = _racine(app) / "fragments" / FRAGMENT / f"{NOUVELLE}.md"
    assert "statut: brouillon" in brouillon.read_text("utf-8")


@pytest.mark.parametrize("role", ["facilitateur"])
def test_facilitators_do_not_browse_the_library(client: Client, role: str) -> None:
    client.connecter(role)
    assert client.get("/bibliotheque").status_code == 403
    assert client.get(f"/bibliotheque/{FRAGMENT}").status_code == 403


def test_missing_comment_or_unknown_fragment(client: Client) -> None:
    client.connecter("juriste")
    assert _nouvelle(client) == 302
    assert _statut(client, NOUVELLE, "en_revue", commentaire=" ") == 422
    assert client.get("/bibliotheque/inexistant.fragment").status_code == 404
    assert client.get(f"/bibliotheque/{FRAGMENT}/7.0.0").status_code == 404


# --- the legal desk cannot break documents (issue 22, item 6) -------------------------------

CASSE = NOUVEAU_TEXTE + "\nPlafond : {{ marche.reference | montant_ht \n"


def _rediger(client: Client, corps: str, version: str = NOUVELLE) -> tuple[int, str]:
    reponse = client.post(f"/bibliotheque/{FRAGMENT}/{version}/texte",
                          {"corps": corps, "jeton": _texte_jeton(client, version)})
    return reponse.status_code, reponse.get_data(as_text=True)


def test_a_template_syntax_error_is_refused_with_its_line_and_the_text_kept(
        app: Flask, client: Client) -> None:
    client.connecter("juriste")
    assert _nouvelle(client) == 302
    fichier = _racine(app) / "fragments" / FRAGMENT / f"{NOUVELLE}.md"
    avant = fichier.read_bytes()
    statut, page = _rediger(client, CASSE)
    assert statut == 422
    assert "Rédaction refusée" in page
    assert re.search(r"ligne.\d+\s*:\s*syntaxe incorrecte\s*:\s*le texte se termine avant «.}}.»", page)
    assert "montant_ht" in page  # what was typed is still in the form
    assert str(_racine(app)) not in page
    assert "Traceback" not in page
    assert fichier.read_bytes() == avant


def test_a_wording_that_breaks_an_example_is_refused_when_saved_and_at_review(
        app: Flask, client: Client) -> None:
    client.connecter("juriste")
    assert _nouvelle(client) == 302
    statut, page = _rediger(client, NOUVEAU_TEXTE + "\nVoir {{ marche.inexistant }}.\n")
    assert statut == 422
    assert re.search(r"ligne.\d+, avec l’exemple «.[a-z-]+\.yml.»", page)
    assert re.search(r"variable inconnue \(«.inexistant.» n’existe pas dans «.Marche.»\)", page)
    # A file broken outside the desk (command line, editor) is refused at the status change.
    fichier = _racine(app) / "fragments" / FRAGMENT / f"{NOUVELLE}.md"
    fichier.write_text(fichier.read_text("utf-8") + "\n{% if %}\n", encoding="utf-8")
    reponse = client.post(f"/bibliotheque/{FRAGMENT}/{NOUVELLE}/statut",
                          {"statut": "en_revue", "commentaire": "À relire",
                           "jeton": hashlib.sha256(fichier.read_bytes()).hexdigest()})
    assert reponse.status_code == 422
    texte = reponse.get_data(as_text=True)
    assert "casserait les documents" in texte
    assert "syntaxe incorrecte" in texte
    assert str(_racine(app)) not in texte
    assert "statut: brouillon" in fichier.read_text("utf-8")
    assert _statut(client, NOUVELLE, "retire", "Version abandonnée") == 302  # always possible


def test_a_lawyer_cannot_validate_their_own_draft_unless_the_organisation_allows_it(
        app: Flask, client: Client) -> None:
    client.connecter("juriste")
    assert _nouvelle(client) == 302
    assert _rediger(client, NOUVEAU_TEXTE)[0] == 302
    assert _statut(client, NOUVELLE, "en_revue") == 302
    reponse = client.post(f"/bibliotheque/{FRAGMENT}/{NOUVELLE}/statut",
                          {"statut": "valide", "commentaire": "Je valide", "jeton": _jeton(client, NOUVELLE)})
    assert reponse.status_code == 403
    assert "autre juriste" in reponse.get_data(as_text=True)
    fichier = _racine(app) / "fragments" / FRAGMENT / f"{NOUVELLE}.md"
    assert "statut: en_revue" in fichier.read_text("utf-8")
    client.post("/deconnexion")

    client.connecter("administrateur")
    assert 'name="second_juriste"' in client.get("/admin/comptes").get_data(as_text=True)
    assert client.post("/admin/organisation/second-juriste", {"second_juriste": "non"}).status_code == 302
    client.post("/deconnexion")
    client.connecter("juriste")
    assert _statut(client, NOUVELLE, "valide", "Organisation à un seul juriste") == 302
    assert "statut: valide" in fichier.read_text("utf-8")


def test_only_administrators_change_the_second_lawyer_setting(app: Flask, client: Client) -> None:
    client.connecter("juriste")
    assert client.post("/admin/organisation/second-juriste", {"second_juriste": "non"}).status_code == 403
    from clausegen.db import Organisation

    with sessions_de(app)() as db:
        assert all(o.second_juriste for o in db.scalars(select(Organisation)))


def test_publier_reports_a_broken_version_in_french_and_a_never_validated_one_is_deleted(
        app: Flask, client: Client) -> None:
    client.connecter("juriste")
    _jusqu_a_valide(client)
    # A broken « valide » file put there by hand: the check names it, nothing is published.
    fichier = _racine(app) / "fragments" / FRAGMENT / f"{NOUVELLE}.md"
    fichier.write_text(fichier.read_text("utf-8") + "\n{{ marche.reference | montant_ht \n", "utf-8")
    reponse = client.post("/bibliotheque/publications", {"version": PUBLICATION})
    assert reponse.status_code == 409
    texte = reponse.get_data(as_text=True)
    assert f"Publication {PUBLICATION} refusée" in texte
    assert f"{FRAGMENT}@{NOUVELLE}" in texte
    assert "syntaxe incorrecte" in texte
    assert str(_racine(app)) not in texte
    assert not (_racine(app) / "releases" / f"{PUBLICATION}.yml").exists()
    assert "Supprimer la version" not in client.get(f"/bibliotheque/{FRAGMENT}/{NOUVELLE}").get_data(
        as_text=True)
    assert client.post(f"/bibliotheque/{FRAGMENT}/{NOUVELLE}/suppression",
                       {"jeton": hashlib.sha256(fichier.read_bytes()).hexdigest()}).status_code == 409
    assert fichier.exists()  # a validated version may have been used: it is retired, not deleted

    assert _nouvelle(client, SUIVANTE, derniere=NOUVELLE) == 302
    brouillon = _racine(app) / "fragments" / FRAGMENT / f"{SUIVANTE}.md"
    page = client.get(f"/bibliotheque/{FRAGMENT}/{SUIVANTE}").get_data(as_text=True)
    assert "Supprimer la version" in page
    client.post("/deconnexion")
    client.connecter("acheteur")
    assert client.post(f"/bibliotheque/{FRAGMENT}/{SUIVANTE}/suppression",
                       {"jeton": hashlib.sha256(brouillon.read_bytes()).hexdigest()}).status_code == 403
    client.post("/deconnexion")
    client.connecter("juriste")
    reponse = client.post(f"/bibliotheque/{FRAGMENT}/{SUIVANTE}/suppression",
                          {"jeton": hashlib.sha256(brouillon.read_bytes()).hexdigest()})
    assert reponse.status_code == 302
    assert not brouillon.exists()
    with sessions_de(app)() as db:
        dernier = db.scalars(select(EntreeJournal).order_by(EntreeJournal.id.desc())).first()
    assert dernier is not None
    assert (dernier.objet, dernier.details["vers"]) == (f"{FRAGMENT}@{SUIVANTE}", "supprimée")


def test_comparison_shows_the_rendered_text_and_keeps_the_source(client: Client) -> None:
    client.connecter("juriste")
    _jusqu_a_valide(client)
    page = client.get(f"/bibliotheque/{FRAGMENT}/comparaison?ancienne={ANCIENNE}&nouvelle={NOUVELLE}"
                      "&exemple=nettoyage-4-ans.yml").get_data(as_text=True)
    rendu, source = page.split("Source (Markdown et variables)")
    assert "Texte rendu" in rendu
    assert "2026-0142" in rendu  # the example's market reference, not « {{ marche.reference }} »
    assert "{{" not in rendu
    assert "<ins>" in rendu
    assert "{{ marche.reference }}" in source


def test_preview_renders_the_draft_with_an_example_dossier(client: Client) -> None:
    client.connecter("juriste")
    assert _nouvelle(client) == 302
    assert _rediger(client, NOUVEAU_TEXTE)[0] == 302
    page = client.get(f"/bibliotheque/{FRAGMENT}/{NOUVELLE}?exemple=achat-ponctuel.yml").get_data(
        as_text=True)
    apercu = page.split('id="apercu"')[1]
    assert "2026-FOUR-07" in apercu
    assert "conclu par" in apercu
    assert "{{" not in apercu.split("</div>")[0]


@pytest.mark.parametrize("role", ["acheteur", "administrateur", "facilitateur"])
def test_only_lawyers_delete_or_validate(client: Client, role: str) -> None:
    client.connecter(role)
    attendu = 403
    assert client.post(f"/bibliotheque/{FRAGMENT}/{ANCIENNE}/suppression",
                       {"jeton": "0" * 64}).status_code == attendu


def test_a_titulaire_cannot_reach_the_legal_desk(app: Flask, client: Client) -> None:
    from tests.web.suivi_aides import compte_titulaire, connecter_titulaire

    compte_titulaire(app)
    connecter_titulaire(client)
    assert client.get("/bibliotheque").status_code == 403
    assert client.get(f"/bibliotheque/{FRAGMENT}/{ANCIENNE}").status_code == 403
    assert client.post(f"/bibliotheque/{FRAGMENT}/versions", {"version": NOUVELLE}).status_code == 403
    assert client.post(f"/bibliotheque/{FRAGMENT}/{ANCIENNE}/suppression", {}).status_code == 403
    assert client.post("/bibliotheque/publications", {"version": "9.0.0"}).status_code == 403
