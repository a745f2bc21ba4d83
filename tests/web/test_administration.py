"""Administration (issue 22 item 7): a provisional password changed at first login, the
administrator's password reset, and the buyer's duplicate / archive / recycle bin of dossiers
with each dossier's state in the list. On SQLite, and on PostgreSQL when the test server is
configured; refusals included (another organisation, a titulaire, no CSRF token)."""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from clausegen.cli import cli
from clausegen.db import Compte, DossierWeb, EntreeJournal
from clausegen.web.app import sessions_de
from clausegen.web.entretien import ETAPES
from clausegen.web.securite import hacher
from tests.conftest import NETTOYAGE
from tests.web.aides import formulaire
from tests.web.conftest import MOT_DE_PASSE, Client, compte, courriel

EXEMPLES = NETTOYAGE.parent
NOUVEAU = {"nom": "Jean Nouveau", "courriel": "jean@a.fr", "role": "acheteur",
           "mot_de_passe": "provisoire-donne-par-admin"}
CHOISI = "lanterne-violon-orage-plume"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def base(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The application on SQLite, then on the PostgreSQL test server."""
    return request.getfixturevalue("app" if request.param == "sqlite" else "app_postgresql")


def _client(app: Flask, role: str | None = None, org: str = "a") -> Client:
    client = Client(app.test_client())
    if role:
        client.connecter(role, org)
    return client


def _journal(app: Flask, action: str) -> list[EntreeJournal]:
    with sessions_de(app)() as db:
        return list(db.scalars(select(EntreeJournal).where(EntreeJournal.action == action)))


def _compte(app: Flask, adresse: str) -> Compte:
    with sessions_de(app)() as db:
        trouve = db.scalar(select(Compte).where(Compte.courriel == adresse))
        assert trouve is not None
        return trouve


# --- provisional password, first login ---------------------------------------------------


def test_a_provisional_password_must_be_changed_before_anything_else(base: Flask) -> None:
    admin = _client(base, "administrateur")
    assert admin.post("/admin/comptes", NOUVEAU).status_code == 302
    assert _compte(base, "jean@a.fr").mot_de_passe_provisoire

    jean = _client(base)
    reponse = jean.post("/connexion", {"courriel": "jean@a.fr", "mot_de_passe": NOUVEAU["mot_de_passe"]})
    assert reponse.status_code == 302
    assert reponse.headers["Location"].endswith("/compte/mot-de-passe")
    page = jean.get("/compte/mot-de-passe").get_data(as_text=True)
    assert "Choisir votre mot de passe" in page
    assert "Mot de passe provisoire" in page
    # every other page, read or write, sends back to the form; nothing is done
    for url in ("/", "/dossiers", "/bibliotheque", "/suivi"):
        refus = jean.get(url)
        assert refus.status_code == 303, url
        assert refus.headers["Location"].endswith("/compte/mot-de-passe"), url
    assert jean.post("/dossiers").status_code == 303
    with sessions_de(base)() as db:
        jean_id = _compte(base, "jean@a.fr").id
        assert db.scalar(select(DossierWeb).where(DossierWeb.cree_par_id == jean_id)) is None
    # the same strength rules as today, and not the provisional one again; French labels
    faible = jean.post("/compte/mot-de-passe", {"actuel": NOUVEAU["mot_de_passe"], "nouveau": "motdepasse123",
                                                "confirmation": "motdepasse123"})
    assert faible.status_code == 422
    texte = faible.get_data(as_text=True)
    assert "Nouveau mot de passe</a>" in texte
    assert "trop facile à deviner" in texte
    provisoire = NOUVEAU["mot_de_passe"]
    meme = jean.post("/compte/mot-de-passe", {"actuel": provisoire, "nouveau": provisoire,
                                              "confirmation": provisoire})
    assert meme.status_code == 422
    assert "mot de passe différent de" in meme.get_data(as_text=True)
    assert jean.get("/dossiers").status_code == 303
    bon = jean.post("/compte/mot-de-passe", {"actuel": NOUVEAU["mot_de_passe"], "nouveau": CHOISI,
                                             "confirmation": CHOISI})
    assert bon.status_code == 302
    assert bon.headers["Location"].endswith("/dossiers")
    assert jean.get("/dossiers").status_code == 200
    assert not _compte(base, "jean@a.fr").mot_de_passe_provisoire
    assert [e.objet for e in _journal(base, "mot_de_passe")] == ["Jean Nouveau <jean@a.fr>"]


def test_the_change_form_refuses_without_csrf(app: Flask) -> None:
    admin = _client(app, "administrateur")
    admin.post("/admin/comptes", NOUVEAU)
    jean = _client(app)
    jean.post("/connexion", {"courriel": "jean@a.fr", "mot_de_passe": NOUVEAU["mot_de_passe"]})
    reponse = jean.http.post("/compte/mot-de-passe", data={"actuel": NOUVEAU["mot_de_passe"],
                                                           "nouveau": CHOISI, "confirmation": CHOISI})
    assert reponse.status_code == 400
    assert _compte(app, "jean@a.fr").mot_de_passe_provisoire


def test_the_command_line_gives_provisional_passwords(tmp_path: Path, runner: CliRunner) -> None:
    base = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    env = {"CLAUSEGEN_MOT_DE_PASSE": "un-mot-de-passe-long"}
    assert runner.invoke(cli, ["comptes", "creer", "--organisation", "V", "--courriel", "a@v.fr",
                               "--nom", "Anne", "--base", base], env=env).exit_code == 0
    from clausegen.web import WebConfig, create_app

    app = create_app(WebConfig(base=base, cle_secrete="cle", bibliotheques=str(tmp_path / "b")))
    try:
        assert _compte(app, "a@v.fr").mot_de_passe_provisoire
        with sessions_de(app)() as db:
            moi = db.scalar(select(Compte))
            assert moi is not None
            moi.mot_de_passe_provisoire = False  # as if chosen on the web
            db.commit()
        resultat = runner.invoke(cli, ["comptes", "reinitialiser", "--courriel", "a@v.fr", "--base", base],
                                 env={"CLAUSEGEN_MOT_DE_PASSE": "un-autre-mot-de-passe-long"})
        assert resultat.exit_code == 0, resultat.output
        assert _compte(app, "a@v.fr").mot_de_passe_provisoire
        entree = _journal(app, "reinitialisation")[-1]
        assert entree.acteur == "ligne de commande"
        assert entree.details == {"compte": 1}
    finally:
        sessions_de(app).kw["bind"].dispose()


# --- the administrator resets a password --------------------------------------------------


def test_an_administrator_resets_a_password_shown_once(base: Flask) -> None:
    juriste = _client(base, "juriste")
    cible = compte(base, "juriste")
    admin = _client(base, "administrateur")
    reponse = admin.post(f"/admin/comptes/{cible.id}/mot-de-passe")
    assert reponse.status_code == 200
    texte = reponse.get_data(as_text=True)
    trouve = re.search(r'<code class="mot-de-passe">([a-z2-9-]+)</code>', texte)
    assert trouve, texte
    provisoire = trouve.group(1)
    assert re.fullmatch(r"([a-z2-9]{4}-){3}[a-z2-9]{4}", provisoire)
    assert "il ne sera plus affiché" in texte
    assert provisoire not in admin.get("/admin/comptes").get_data(as_text=True)
    assert "mot de passe provisoire" in admin.get("/admin/comptes").get_data(as_text=True)
    # the account's sessions ended; its old password no longer works; the new one is provisional
    assert juriste.get("/dossiers").status_code == 302
    assert juriste.post("/connexion", {"courriel": courriel("juriste"),
                                       "mot_de_passe": MOT_DE_PASSE}).status_code == 422
    entree = juriste.post("/connexion", {"courriel": courriel("juriste"), "mot_de_passe": provisoire})
    assert entree.headers["Location"].endswith("/compte/mot-de-passe")
    assert juriste.get("/bibliotheque").status_code == 303
    journal = _journal(base, "reinitialisation")
    assert len(journal) == 1
    assert journal[0].acteur == "Administrateur A <administrateur@a.fr>"
    assert journal[0].details == {"compte": cible.id}
    assert provisoire not in str(journal[0].details) + journal[0].objet


def test_a_reset_is_refused_outside_the_organisation_and_to_others(base: Flask) -> None:
    ailleurs = compte(base, "juriste", "b")
    admin = _client(base, "administrateur")
    assert admin.post(f"/admin/comptes/{ailleurs.id}/mot-de-passe").status_code == 404
    moi = compte(base, "administrateur")
    assert admin.post(f"/admin/comptes/{moi.id}/mot-de-passe").status_code == 403
    cible = compte(base, "juriste")
    assert admin.http.post(f"/admin/comptes/{cible.id}/mot-de-passe").status_code == 400  # no CSRF
    acheteur = _client(base, "acheteur")
    assert acheteur.post(f"/admin/comptes/{cible.id}/mot-de-passe").status_code == 403
    assert _journal(base, "reinitialisation") == []
    assert not _compte(base, courriel("juriste")).mot_de_passe_provisoire
    assert not _compte(base, courriel("juriste", "b")).mot_de_passe_provisoire


# --- dossiers: duplicate, archive, recycle bin, state -------------------------------------


def _importer(client: Client, exemple: str) -> int:
    chemin = EXEMPLES / exemple
    reponse = client.post("/dossiers/importer", {"fichier": (io.BytesIO(chemin.read_bytes()), exemple)},
                          content_type="multipart/form-data")
    assert reponse.status_code == 302, reponse.get_data(as_text=True)[-2000:]
    trouve = re.search(r"/dossiers/(\d+)$", reponse.headers["Location"])
    assert trouve
    return int(trouve.group(1))


def _etat(client: Client, dossier_id: int, vue: str = "") -> str | None:
    page = client.get("/dossiers" + (f"?vue={vue}" if vue else "")).get_data(as_text=True)
    trouve = re.search(rf'href="/dossiers/{dossier_id}">.*?</td>\s*'
                       r'<td><span class="etat-dossier[^"]*">([^<]+)</span>', page, re.S)
    return trouve.group(1) if trouve else None


def _titulaire(app: Flask) -> Client:
    with sessions_de(app)() as db:
        organisation = compte(app, "acheteur").organisation_id
        db.add(Compte(organisation_id=organisation, courriel="titulaire@a.fr", nom="Titulaire A",
                      role="titulaire", mot_de_passe=hacher(MOT_DE_PASSE), actif=True, numero_session=0))
        db.commit()
    client = Client(app.test_client())
    reponse = client.post("/connexion", {"courriel": "titulaire@a.fr", "mot_de_passe": MOT_DE_PASSE})
    assert reponse.status_code == 302
    return client


def test_the_list_shows_each_dossiers_state_drawn_from_it(base: Flask) -> None:
    acheteur = _client(base, "acheteur")
    vide = acheteur.post("/dossiers")
    vide_id = int(re.search(r"/dossiers/(\d+)/", vide.headers["Location"]).group(1))  # type: ignore[union-attr]
    ponctuel = _importer(acheteur, "achat-ponctuel.yml")
    travaux = _importer(acheteur, "travaux-clause-insertion.yml")
    nettoyage = _importer(acheteur, NETTOYAGE.name)
    assert _etat(acheteur, vide_id) == "à compléter"
    assert _etat(acheteur, ponctuel) == "non adapté"
    assert _etat(acheteur, travaux) == "complet"
    assert _etat(acheteur, nettoyage) == "complet"
    assert acheteur.post(f"/dossiers/{nettoyage}/generations").status_code == 302
    assert _etat(acheteur, nettoyage) == "pièces générées"
    # changed after the generation: the pieces no longer match it
    with sessions_de(base)() as db:
        dossier = db.get(DossierWeb, nettoyage)
        assert dossier is not None
        brouillon = copy.deepcopy(dossier.brouillon)
    brouillon["marche"]["objet"] = "Nettoyage des bâtiments communaux (modifié)"
    etape = next(e for e in ETAPES if any(c.chemin == "marche.objet" for c in e.champs))
    reponse = acheteur.post(f"/dossiers/{nettoyage}/entretien/{etape.code}", formulaire(etape, brouillon))
    assert reponse.status_code == 302, reponse.get_data(as_text=True)[-2000:]
    assert _etat(acheteur, nettoyage) == "complet"
    # the other roles of the organisation read the same states
    assert _etat(_client(base, "juriste"), ponctuel) == "non adapté"


def test_duplicate_archive_bin_and_restore(base: Flask) -> None:
    acheteur = _client(base, "acheteur")
    original = _importer(acheteur, NETTOYAGE.name)
    assert acheteur.post(f"/dossiers/{original}/generations").status_code == 302
    copie = acheteur.post(f"/dossiers/{original}/dupliquer")
    assert copie.status_code == 302
    copie_id = int(copie.headers["Location"].rsplit("/", 1)[1])
    with sessions_de(base)() as db:
        a, b = db.get(DossierWeb, original), db.get(DossierWeb, copie_id)
        assert a is not None
        assert b is not None
        assert b.brouillon == a.brouillon
        assert b.titre == f"{a.titre} (copie)"
    assert _etat(acheteur, copie_id) == "complet"  # the generations stay with the original

    assert acheteur.post(f"/dossiers/{copie_id}/archiver", {"archive": "oui"}).status_code == 302
    assert _etat(acheteur, copie_id) is None
    assert _etat(acheteur, copie_id, "avec-archives") == "complet"
    assert "(archivé)" in acheteur.get("/dossiers?vue=avec-archives").get_data(as_text=True)
    assert acheteur.post(f"/dossiers/{copie_id}/archiver", {"archive": "non"}).status_code == 302
    assert _etat(acheteur, copie_id) == "complet"

    assert acheteur.post(f"/dossiers/{original}/supprimer").status_code == 302
    assert _etat(acheteur, original) is None
    assert _etat(acheteur, original, "avec-archives") is None
    assert _etat(acheteur, original, "corbeille") == "pièces générées"
    page = acheteur.get(f"/dossiers/{original}").get_data(as_text=True)
    assert "Ce dossier est dans la corbeille" in page
    assert "Générer le CCAP" not in page
    assert acheteur.post(f"/dossiers/{original}/generations").status_code == 403  # read-only
    assert acheteur.post(f"/dossiers/{original}/restaurer").status_code == 302
    assert _etat(acheteur, original) == "pièces générées"
    actions = [e.action for e in _journal(base, "duplication_dossier") + _journal(base, "archivage_dossier")
               + _journal(base, "suppression_dossier") + _journal(base, "restauration_dossier")]
    assert sorted(actions) == ["archivage_dossier", "archivage_dossier", "duplication_dossier",
                               "restauration_dossier", "suppression_dossier"]


def test_filing_is_refused_to_others(base: Flask) -> None:
    acheteur = _client(base, "acheteur")
    dossier = _importer(acheteur, NETTOYAGE.name)
    actions = ("dupliquer", "archiver", "supprimer", "restaurer")
    ailleurs = _client(base, "acheteur", "b")
    for action in actions:
        assert ailleurs.post(f"/dossiers/{dossier}/{action}").status_code == 404, action
    for role in ("juriste", "facilitateur", "administrateur"):
        autre = _client(base, role)
        for action in actions:
            assert autre.post(f"/dossiers/{dossier}/{action}").status_code == 403, (role, action)
    titulaire = _titulaire(base)
    for action in actions:
        assert titulaire.post(f"/dossiers/{dossier}/{action}").status_code == 403, action
    for action in actions:  # no CSRF token
        assert acheteur.http.post(f"/dossiers/{dossier}/{action}").status_code == 400, action
    with sessions_de(base)() as db:
        assert db.get(DossierWeb, dossier).supprime_le is None  # type: ignore[union-attr]
        assert len(list(db.scalars(select(DossierWeb)))) == 1
    assert _journal(base, "suppression_dossier") == []


def test_a_followed_market_is_archived_not_binned(base: Flask) -> None:
    acheteur = _client(base, "acheteur")
    dossier = _importer(acheteur, NETTOYAGE.name)
    with sessions_de(base)() as db:
        from clausegen.db import Suivi

        db.add(Suivi(dossier_id=dossier, titulaire={}, plans={}, resultats={}))
        db.commit()
    reponse = acheteur.post(f"/dossiers/{dossier}/supprimer")
    assert reponse.status_code == 409
    assert "le suivi de ce marché a commencé" in reponse.get_data(as_text=True)
    assert _etat(acheteur, dossier) == "complet"


def test_a_binned_dossier_leaves_the_facilitators_view(app: Flask) -> None:
    acheteur = _client(app, "acheteur")
    dossier = _importer(acheteur, NETTOYAGE.name)
    with sessions_de(app)() as db:
        trouve = db.get(DossierWeb, dossier)
        assert trouve is not None
        trouve.facilitateur_id = compte(app, "facilitateur").id
        db.commit()
    facilitateur = _client(app, "facilitateur")
    assert facilitateur.get(f"/dossiers/{dossier}").status_code == 200
    assert acheteur.post(f"/dossiers/{dossier}/supprimer").status_code == 302
    assert facilitateur.get(f"/dossiers/{dossier}").status_code == 404
    assert f"/dossiers/{dossier}\"" not in facilitateur.get("/dossiers").get_data(as_text=True)


def test_an_unknown_view_is_refused_in_french(app: Flask) -> None:
    reponse = _client(app, "acheteur").get("/dossiers?vue=tout")
    assert reponse.status_code == 400
    assert "« vue »" in reponse.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")


# --- revision 0008 on a database that already holds accounts and dossiers ------------------


def _revision_0008(url: str) -> None:
    from sqlalchemy import text

    from clausegen.db.engine import make_engine
    from tests.web.test_migration_procedures import _vers

    engine = make_engine(url)
    try:
        _vers(engine, "0007")
        with engine.begin() as c:
            c.execute(text("INSERT INTO organisations (id, nom, cree_le, second_juriste) "
                           "VALUES (1, 'Ville', CURRENT_TIMESTAMP, true)"))
            c.execute(text("INSERT INTO comptes (id, organisation_id, courriel, nom, role, mot_de_passe, "
                           "actif, numero_session, cree_le) VALUES (1, 1, 'a@a.fr', 'A', 'acheteur', 'x', "
                           "true, 0, CURRENT_TIMESTAMP)"))
            c.execute(text("INSERT INTO dossiers (id, organisation_id, cree_par_id, titre, brouillon, "
                           "cree_le, modifie_le) VALUES (1, 1, 1, 'D', '{}', CURRENT_TIMESTAMP, "
                           "CURRENT_TIMESTAMP)"))
        _vers(engine, "0008")
        with engine.begin() as c:
            # passwords chosen before the revision stay chosen; no dossier is archived or binned
            assert c.execute(text("SELECT mot_de_passe_provisoire FROM comptes")).scalar_one() in (False, 0)
            rangement = c.execute(text("SELECT archive_le, supprime_le FROM dossiers")).one()
            assert tuple(rangement) == (None, None)
        from alembic import command

        _vers(engine, "0007", command.downgrade)
        _vers(engine, "head")
    finally:
        engine.dispose()


def test_revision_0008_on_sqlite(tmp_path: Path) -> None:
    _revision_0008(f"sqlite:///{tmp_path / 'base.sqlite'}")


@pytest.mark.postgresql
def test_revision_0008_on_postgresql(base_postgresql: str) -> None:
    _revision_0008(base_postgresql)


def test_generations_before_revision_0008_are_recognised_once(app: Flask, tmp_path: Path) -> None:
    """A generation recorded without its draft's digest gets it at the next start when the
    dossier is unchanged (the list says « pièces générées »), ``""`` when it changed since."""
    from sqlalchemy import update

    from clausegen.db import Generation
    from clausegen.web import WebConfig, create_app

    acheteur = _client(app, "acheteur")
    intact, modifie = _importer(acheteur, NETTOYAGE.name), _importer(acheteur, NETTOYAGE.name)
    for numero in (intact, modifie):
        assert acheteur.post(f"/dossiers/{numero}/generations").status_code == 302
    with sessions_de(app)() as db:
        db.execute(update(Generation).values(brouillon_sha256=None))  # as before revision 0008
        dossier = db.get(DossierWeb, modifie)
        assert dossier is not None
        marche = {**dossier.brouillon["marche"], "objet": "Autre objet"}
        dossier.brouillon = {**dossier.brouillon, "marche": marche}
        db.commit()
    assert _etat(acheteur, intact) == "complet"  # not recognised before the next start
    url = str(sessions_de(app).kw["bind"].url)
    redemarre = create_app(WebConfig(base=url, cle_secrete="cle-de-test", bibliotheques=str(tmp_path / "b")))
    try:
        client = _client(redemarre, "acheteur")
        assert _etat(client, intact) == "pièces générées"
        assert _etat(client, modifie) == "complet"
        with sessions_de(redemarre)() as db:
            empreintes = {g.dossier_id: g.brouillon_sha256 for g in db.scalars(select(Generation))}
        assert empreintes[modifie] == ""
        assert len(empreintes[intact] or "") == 64
    finally:
        sessions_de(redemarre).kw["bind"].dispose()
