"""The findings of the hostile campaign of 2026-12-07 (../shared/reviews/2026-12-07/fiabilite.md),
one reproduction per finding id, on SQLite here and on PostgreSQL through test_sur_postgresql."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select, text

from clausegen import templating
from clausegen.cli import cli
from clausegen.db import Compte, EntreeJournal, Generation, Parametre, TentativeConnexion, journal
from clausegen.web import create_app
from clausegen.web.app import sessions_de
from tests.conftest import NETTOYAGE
from tests.web.conftest import MOT_DE_PASSE, Client, compte, courriel
from tests.web.test_import_export import importer
from tests.web.test_journal import _moteur, _remplir, _url

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


def _deposer(app: Flask, corps: str) -> None:
    """A validated version of general.objet whose text is ``corps``, written straight into the
    organisation's library (a file copied in, or written by the command line): the legal desk
    itself now refuses such a text when it is saved (issue 22, item 6), and the sandbox must
    still hold when one gets there another way."""
    from clausegen.web.bibliotheques import bibliotheque_de
    from tests.web.test_bureau_juridique import NOUVELLE

    with sessions_de(app)() as db:
        organisation_id = db.scalar(select(Compte.organisation_id).where(Compte.courriel.like("juriste%")))
    assert organisation_id is not None
    with app.app_context():
        dossier = bibliotheque_de(organisation_id) / "fragments" / "general.objet"
    dossier.mkdir(parents=True, exist_ok=True)
    (dossier / f"{NOUVELLE}.md").write_text(
        "---\nid: general.objet\nversion: " + NOUVELLE + "\nstatut: valide\n"
        'titre: "Objet du marché"\ncategorie: general\npieces: [ccap]\nreferences: []\n'
        'revue:\n  par: "Test de la campagne du 7 décembre 2026"\n  le: 2026-12-07\n'
        "  grille: clause_library/GRILLE_DE_REVUE.md\n---\n" + corps + "\n", encoding="utf-8")


def _publie_puis_acheteur(app: Flask, juriste: Client, corps: str) -> tuple[Client, str]:
    """A hostile version reaches the organisation's library; a buyer signs in and imports a
    dossier (its URL)."""
    _deposer(app, corps)
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


# --- W5, W6: an audit trail that cannot be quietly emptied or rewritten -----------------------


def _forcer(app: Flask, *requetes: str) -> None:
    """What someone with write access to the database could do: drop the fences, write."""
    with _moteur(app).begin() as connexion:
        if connexion.dialect.name == "postgresql":
            connexion.execute(text("DROP TRIGGER journal_en_ajout_seul ON journal"))
        else:
            connexion.execute(text("DROP TRIGGER journal_sans_update"))
            connexion.execute(text("DROP TRIGGER journal_sans_delete"))
        for requete in requetes:
            connexion.execute(text(requete))


def _verdicts(app: Flask) -> tuple[str, str]:
    """The command line's output (exit code checked) and the administrator's page."""
    resultat = CliRunner().invoke(cli, ["journal", "verifier", "--base", _url(app)])
    assert "Traceback" not in resultat.output
    admin = Client(app.test_client())
    admin.connecter("administrateur", "b")
    page = admin.get("/admin/journal")
    assert page.status_code == 200
    if "intact" in resultat.output:
        assert resultat.exit_code == 0
    else:
        assert resultat.exit_code == 1, resultat.output
    return resultat.output, page.get_data(as_text=True)


def test_W5_a_malformed_row_is_an_alteration_naming_the_entry(app: Flask) -> None:
    ids = _remplir(app, 6)
    postgresql = _moteur(app).dialect.name == "postgresql"
    malformees = (["UPDATE journal SET details = '\"texte\"' WHERE id = {}",
                   "UPDATE journal SET rang = NULL WHERE id = {}"] if postgresql else
                  ["UPDATE journal SET details = '{{not json' WHERE id = {}",
                   "UPDATE journal SET le = 'garbage' WHERE id = {}"])
    _forcer(app, malformees[0].format(ids[2]), malformees[1].format(ids[4]))
    sortie, page = _verdicts(app)
    assert f"Journal altéré à l'entrée n° {ids[2]}" in sortie
    assert "Chaîne rompue" in page
    assert f"n° {ids[2]}" in page


def test_W6_an_emptied_journal_is_detected(app: Flask) -> None:
    _remplir(app, 6)
    _forcer(app, "DELETE FROM journal")
    sortie, page = _verdicts(app)
    assert "Journal altéré" in sortie
    assert "journal vidé" in sortie
    assert "Chaîne rompue" in page


def test_W6_cutting_off_the_last_entries_is_detected(app: Flask) -> None:
    ids = _remplir(app, 6)
    _forcer(app, f"DELETE FROM journal WHERE id > {ids[-3]}")
    sortie, _ = _verdicts(app)
    assert "dernières entrées supprimées" in sortie


@pytest.mark.parametrize("cle", [None, b"\x00" * 32])
def test_W6_rewriting_an_entry_and_recomputing_every_hash_is_detected(app: Flask, cle: bytes | None) -> None:
    """The campaign's attack: change entry 3, recompute ``precedent`` and ``empreinte`` of
    every entry after it (here with the old unkeyed SHA-256, or with a key of one's own)."""
    ids = _remplir(app, 6)
    _forcer(app, f"UPDATE journal SET objet = 'FALSIFIE', acteur = 'Autre <autre@a.fr>' WHERE id = {ids[2]}")
    with _moteur(app).begin() as connexion:
        lignes = connexion.execute(select(EntreeJournal.__table__).order_by(EntreeJournal.id)).all()
        precedent = lignes[1].empreinte
        for ligne in lignes[2:]:
            refaite = SimpleNamespace(**{**ligne._mapping, "precedent": precedent})
            texte = json.dumps(journal.contenu(refaite), ensure_ascii=False, sort_keys=True,  # type: ignore[arg-type]
                               separators=(",", ":"), default=str).encode()
            empreinte = (hashlib.sha256(texte).hexdigest() if cle is None
                         else hmac.new(cle, texte, hashlib.sha256).hexdigest())
            connexion.execute(text("UPDATE journal SET precedent = :p, empreinte = :e WHERE id = :i"),
                              {"p": precedent, "e": empreinte, "i": ligne.id})
            precedent = empreinte
    sortie, _ = _verdicts(app)
    assert f"Journal altéré à l'entrée n° {ids[2]}" in sortie


def test_W6_the_date_is_covered_to_the_microsecond(app: Flask) -> None:
    ids = _remplir(app, 3)
    with _moteur(app).connect() as connexion:
        le = connexion.execute(select(EntreeJournal.le).where(EntreeJournal.id == ids[1])).scalar_one()
    _forcer(app, f"UPDATE journal SET le = '{(le + timedelta(microseconds=1)).isoformat(sep=' ')}' "
                 f"WHERE id = {ids[1]}")
    sortie, _ = _verdicts(app)
    assert f"Journal altéré à l'entrée n° {ids[1]}" in sortie


def test_W6_key_and_checkpoint_live_outside_the_database(app: Flask) -> None:
    _remplir(app, 2)
    cle = journal.dossier_de_donnees() / "journal.cle"
    assert cle.stat().st_mode & 0o777 == 0o600
    with sessions_de(app)() as db:
        resultat = journal.verifier(db)
    assert resultat.intacte
    assert resultat.controle is not None
    assert resultat.controle.entrees == resultat.entrees == 2
    assert resultat.controle.tete == resultat.tete
    with _moteur(app).connect() as connexion:
        assert "journal.cle" not in str(connexion.execute(select(Parametre.cle)).scalars().all())


def test_W6_security_events_are_journaled(app: Flask, client: Client) -> None:
    client.post("/connexion", {"courriel": courriel("acheteur"), "mot_de_passe": "faux"})
    admin = Client(app.test_client())
    admin.connecter("administrateur")
    assert admin.post("/admin/comptes", {"courriel": "nouveau@a.fr", "nom": "Nouveau Venu",
                                         "role": "facilitateur",
                                         "mot_de_passe": "cheval-agrafe-pile-correcte"}).status_code == 302
    cible = compte(app, "facilitateur")
    assert admin.post(f"/admin/comptes/{cible.id}/role", {"role": "acheteur"}).status_code == 302
    assert admin.post(f"/admin/comptes/{cible.id}/actif", {"actif": "non"}).status_code == 302
    assert admin.post(f"/admin/comptes/{cible.id}/actif", {"actif": "oui"}).status_code == 302
    client.connecter("acheteur")
    assert client.post("/compte/mot-de-passe", {"actuel": MOT_DE_PASSE, "nouveau": "agrafe-cheval-pile-lune",
                                                "confirmation": "agrafe-cheval-pile-lune"}).status_code == 302
    with sessions_de(app)() as db:
        actes = db.execute(select(EntreeJournal.action, EntreeJournal.acteur)
                           .order_by(EntreeJournal.id)).all()
    assert [a for a, _ in actes] == ["echec_connexion", "connexion", "creation_compte", "changement_role",
                                     "desactivation", "reactivation", "connexion", "mot_de_passe"]
    assert actes[0].acteur == courriel("acheteur")


def test_W6_a_password_reset_from_the_command_line_is_journaled(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    env = {"CLAUSEGEN_MOT_DE_PASSE": "aaaaaaaaaaaa"}
    arguments = ["comptes", "reinitialiser", "--courriel", courriel("acheteur"), "--base", _url(app)]
    faible = CliRunner().invoke(cli, arguments, env=env)
    assert faible.exit_code == 2
    assert "trop facile à deviner" in faible.output
    env["CLAUSEGEN_MOT_DE_PASSE"] = "lune-agrafe-cheval-pile"
    resultat = CliRunner().invoke(cli, arguments, env=env)
    assert resultat.exit_code == 0, resultat.output
    assert client.get("/dossiers").status_code == 302  # the session ended
    with sessions_de(app)() as db:
        derniere = db.scalars(select(EntreeJournal).order_by(EntreeJournal.id.desc())).first()
    assert derniere is not None
    assert (derniere.action, derniere.acteur) == ("reinitialisation", "ligne de commande")
    assert derniere.organisation_id == compte(app, "acheteur").organisation_id
    nouveau = Client(app.test_client())
    assert nouveau.post("/connexion", {"courriel": courriel("acheteur"),
                                       "mot_de_passe": "lune-agrafe-cheval-pile"}).status_code == 302


def test_W6_a_journal_written_before_is_sealed_by_the_migration(app: Flask) -> None:
    """Migration 0005 on a journal of revision 0004 (unkeyed SHA-256): checked, sealed again."""
    from alembic import command
    from alembic.config import Config

    from clausegen.db.engine import MIGRATIONS

    _remplir(app, 3)
    moteur = _moteur(app)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with moteur.begin() as connexion:
        config.attributes["connection"] = connexion
        command.downgrade(config, "0004")
    with moteur.begin() as connexion:  # what 0004's code wrote: the unkeyed chain
        _sans_verrou(connexion)
        precedent = journal.ORIGINE
        for ligne in connexion.execute(text("SELECT * FROM journal ORDER BY id")).all():
            le = datetime.fromisoformat(ligne.le) if isinstance(ligne.le, str) else ligne.le
            details = json.loads(ligne.details) if isinstance(ligne.details, str) else ligne.details
            contenu = {"le": le.isoformat(timespec="seconds"), "organisation_id": ligne.organisation_id,
                       "compte_id": ligne.compte_id, "acteur": ligne.acteur, "action": ligne.action,
                       "objet": ligne.objet, "details": details, "precedent": precedent}
            empreinte = hashlib.sha256(json.dumps(contenu, ensure_ascii=False, sort_keys=True,
                                                  separators=(",", ":"), default=str).encode()).hexdigest()
            connexion.execute(text("UPDATE journal SET precedent = :p, empreinte = :e WHERE id = :i"),
                              {"p": precedent, "e": empreinte, "i": ligne.id})
            precedent = empreinte
        _sans_verrou(connexion, remettre=True)
    with moteur.begin() as connexion:
        config.attributes["connection"] = connexion
        command.upgrade(config, "head")
    with sessions_de(app)() as db:
        resultat = journal.verifier(db)
    assert resultat.intacte, str(resultat)
    assert resultat.entrees == 3


def _sans_verrou(connexion: Any, remettre: bool = False) -> None:
    refus = "journal en ajout seul : modification et suppression refusées"
    if connexion.dialect.name == "postgresql":
        connexion.execute(text("""CREATE TRIGGER journal_en_ajout_seul BEFORE UPDATE OR DELETE ON journal
                                  FOR EACH ROW EXECUTE FUNCTION journal_en_ajout_seul()""" if remettre
                               else "DROP TRIGGER journal_en_ajout_seul ON journal"))
        return
    for quoi in ("UPDATE", "DELETE"):
        connexion.execute(text(f"""CREATE TRIGGER journal_sans_{quoi.lower()} BEFORE {quoi} ON journal
                                   BEGIN SELECT RAISE(ABORT, '{refus}'); END""" if remettre
                               else f"DROP TRIGGER journal_sans_{quoi.lower()}"))


# --- W7: throttling nobody can turn against the account's owner ------------------------------

ATTAQUANT = {"REMOTE_ADDR": "203.0.113.66"}


def test_W7_an_attacker_cannot_lock_the_owner_out(app: Flask, client: Client) -> None:
    attaquant = Client(app.test_client())
    attaquant.http.environ_base.update(ATTAQUANT)
    for saisie in [courriel("acheteur")] * 6 + ["  ACHETEUR@A.FR  "] * 6:
        attaquant.post("/connexion", {"courriel": saisie, "mot_de_passe": "faux"})
    assert attaquant.post("/connexion", {"courriel": courriel("acheteur"),
                                         "mot_de_passe": MOT_DE_PASSE}).status_code == 429
    assert client.connecter("acheteur").status_code == 302  # the owner, elsewhere


def test_W7_a_known_browser_is_not_locked_out_from_a_shared_address(app: Flask) -> None:
    proprietaire = Client(app.test_client())
    proprietaire.connecter("acheteur")  # gets the « known browser » cookie
    proprietaire.post("/deconnexion")
    voisin = Client(app.test_client())  # same address (an office behind one NAT)
    for _ in range(8):
        voisin.post("/connexion", {"courriel": courriel("acheteur"), "mot_de_passe": "faux"})
    assert voisin.post("/connexion", {"courriel": courriel("acheteur"),
                                      "mot_de_passe": MOT_DE_PASSE}).status_code == 429
    assert proprietaire.connecter("acheteur").status_code == 302


def test_W7_parallel_attempts_get_at_most_five_password_checks(app: Flask) -> None:
    clients = [Client(app.test_client()) for _ in range(12)]
    jetons = [c.jeton() for c in clients]
    depart = threading.Barrier(len(clients))
    statuts: list[int] = []

    def essayer(c: Client, jeton: str) -> None:
        depart.wait()
        statuts.append(c.http.post("/connexion", data={"csrf_token": jeton, "courriel": courriel("juriste"),
                                                       "mot_de_passe": "faux"}).status_code)

    fils = [threading.Thread(target=essayer, args=(c, j)) for c, j in zip(clients, jetons, strict=True)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    assert len(statuts) == len(clients)
    assert set(statuts) <= {422, 429}
    assert statuts.count(422) <= 5  # each attempt is recorded before it is counted: no race


def test_W7_the_password_change_form_is_throttled_on_its_own(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    nouveau = "agrafe-cheval-pile-lune"
    champs = {"actuel": "faux", "nouveau": nouveau, "confirmation": nouveau}
    statuts = [client.post("/compte/mot-de-passe", champs).status_code for _ in range(6)]
    assert statuts == [422] * 5 + [429]
    champs["actuel"] = MOT_DE_PASSE  # the 7th, even right, is not checked
    assert client.post("/compte/mot-de-passe", champs).status_code == 429
    autre = Client(app.test_client())
    assert autre.connecter("acheteur").status_code == 302  # the login is not locked by it


# --- W9: passwords and addresses ------------------------------------------------------------


@pytest.mark.parametrize(("champs", "message"), [
    ({"mot_de_passe": "aaaaaaaaaaaa"}, "trop facile à deviner"),
    ({"mot_de_passe": "password1234"}, "trop facile à deviner"),
    ({"mot_de_passe": "azertyuiop12"}, "trop facile à deviner"),
    ({"courriel": "\u0430cheteur@a.fr"}, "lettres latines attendues"),
    ({"courriel": "\uff41cheteur@a.fr"}, "un compte existe déjà"),
    ({"courriel": "\u00e1cheteur@a.fr"}, "trop semblable"),
    ({"courriel": "nul\x00@a.fr"}, "U+0000"),
    ({"courriel": "acheteur\u200b@a.fr"}, "U+200B"),
], ids=["repetition", "courant", "clavier", "cyrillique", "pleine-chasse", "accent", "nul", "largeur-nulle"])
def test_W9_weak_passwords_and_look_alike_addresses_are_refused(client: Client, champs: dict[str, str],
                                                                message: str) -> None:
    client.connecter("administrateur")
    saisie = {"courriel": "nouveau.venu@a.fr", "nom": "Nouveau Venu", "role": "acheteur",
              "mot_de_passe": "cheval-agrafe-pile-correcte", **champs}
    reponse = client.post("/admin/comptes", saisie)
    assert reponse.status_code == 422
    assert message in reponse.get_data(as_text=True)


def test_W9_addresses_are_nfkc_normalised_at_login(client: Client) -> None:
    reponse = client.post("/connexion", {"courriel": "\uff41cheteur@\uff41.fr", "mot_de_passe": MOT_DE_PASSE})
    assert reponse.status_code == 302


# --- W10: the calendar link dies with the role ----------------------------------------------


@pytest.mark.parametrize("changement", ["role", "actif"])
def test_W10_the_calendar_link_is_revoked_on_role_change_and_deactivation(app: Flask, client: Client,
                                                                         changement: str) -> None:
    client.connecter("facilitateur")
    page = client.post("/suivi/calendrier").get_data(as_text=True)
    found = re.search(r'value="http://localhost(/calendrier/[^"]+\.ics)"', page)
    assert found
    assert client.get(found.group(1)).status_code == 200
    admin = Client(app.test_client())
    admin.connecter("administrateur")
    cible = compte(app, "facilitateur").id
    aller, retour = ({"role": "acheteur"}, {"role": "facilitateur"}) if changement == "role" else \
        ({"actif": "non"}, {"actif": "oui"})
    assert admin.post(f"/admin/comptes/{cible}/{changement}", aller).status_code == 302
    assert admin.post(f"/admin/comptes/{cible}/{changement}", retour).status_code == 302
    assert client.get(found.group(1)).status_code == 404


# --- W8: crafted ids answer 4xx ---------------------------------------------------------------

GRANDS = ["2147483648", str(2**63), "9" * 30]
CHEMINS = ["/dossiers/{n}", "/dossiers/{n}/dossier.yml", "/generations/{n}", "/generations/{n}.zip",
           "/generations/{n}/ccap.docx", "/suivi/{n}", "/suivi/{n}/tableau-de-bord.xlsx",
           "/suivi/1/annees/{n}/plan.docx", "/suivi/{n}/soumissions/{n}/preuve",
           "/dossiers/{n}/entretien/marche"]


@pytest.mark.parametrize("n", GRANDS)
def test_W8_ids_beyond_the_database_range_are_4xx(app: Flask, n: str) -> None:
    for role in ("acheteur", "facilitateur"):
        visiteur = Client(app.test_client())
        visiteur.connecter(role)
        for chemin in CHEMINS:
            assert 400 <= visiteur.get(chemin.format(n=n)).status_code < 500, (role, chemin)
    admin = Client(app.test_client())
    admin.connecter("administrateur")
    assert admin.post(f"/admin/comptes/{n}/role", {"role": "acheteur"}).status_code == 404
    acheteur = Client(app.test_client())
    acheteur.connecter("acheteur")
    assert acheteur.post(f"/dossiers/{n}/generations").status_code == 404


def test_W8_a_newline_in_suite_is_not_a_500(client: Client) -> None:
    reponse = client.post("/connexion", {"courriel": courriel("acheteur"), "mot_de_passe": MOT_DE_PASSE,
                                         "suite": "/\n/x"})
    assert reponse.status_code == 302
    assert reponse.headers["Location"] == "/dossiers"


# --- W11: fragment version numbers bounded ----------------------------------------------------


@pytest.mark.parametrize("version", ["99999999999999999999.0.0", "11.0.0", "1.1000.0", "2.0.0"])
def test_W11_fragment_version_numbers_are_bounded(app: Flask, client: Client, version: str) -> None:
    from tests.web.test_bureau_juridique import ANCIENNE, _nouvelle, _racine

    majeure = int(ANCIENNE.split(".")[0])
    if version == "2.0.0":  # one major step ahead of the latest is fine
        version = f"{majeure + 1}.0.0"
    client.connecter("juriste")
    statut = _nouvelle(client, version)
    ecrit = (_racine(app) / "fragments" / "general.objet" / f"{version}.md").exists()
    if version == f"{majeure + 1}.0.0":
        assert statut == 302
        assert ecrit
    else:
        assert statut == 409  # the legal desk's refusal, with its French reason
        assert not ecrit


# --- W12: the proof upload limit the page states is the one applied ---------------------------


@pytest.mark.parametrize(("taille", "attendu"), [(2_000_000, 404), (5 * 1024 * 1024, 404), (6_000_000, 413)])
def test_W12_the_proof_limit_stated_is_the_limit_applied(app: Flask, client: Client, taille: int,
                                                        attendu: int) -> None:
    import io

    from tests.web.suivi_aides import compte_titulaire, connecter_titulaire

    compte_titulaire(app)
    connecter_titulaire(client)  # a titulaire of no market: the route answers 404 once the body is read
    limite = b"----limite"
    corps = b"".join([
        b"--" + limite + b'\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n',
        client.jeton().encode(), b"\r\n--" + limite,
        b'\r\nContent-Disposition: form-data; name="preuve"; filename="releves.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n", b"x" * taille, b"\r\n--" + limite + b"--\r\n"])
    reponse = client.http.post("/suivi/1/annees/1/soumissions/resultats", input_stream=io.BytesIO(corps),
                               content_length=len(corps),
                               content_type="multipart/form-data; boundary=----limite")
    assert reponse.status_code == attendu


# --- W13: bidirectional and zero-width characters -------------------------------------------


def test_W13_a_dossier_with_a_bidi_override_is_refused_on_import(client: Client) -> None:
    client.connecter("acheteur")
    texte = NETTOYAGE.read_text(encoding="utf-8")
    piege = re.sub(r"(?m)^(  objet: ).*$", "\\1Nettoyage \u202efdp.exe\u202c et entretien", texte, count=1)
    assert piege != texte
    statut, _, page = importer(client, piege.encode("utf-8"))
    assert statut == 422
    assert "caractère invisible ni de contrôle de direction" in page


# --- item 8: behind --derriere-proxy, only the configured proxy's headers ---------------------


@pytest.fixture
def app_proxy(app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """The same database, served behind the proxy 10.0.0.1, under the name clausegen.ville.fr."""
    config = app.extensions["clausegen.config"]
    application = create_app(replace(config, derriere_proxy=True, proxys=("10.0.0.1",),
                                     hotes=("clausegen.ville.fr", "localhost")))
    yield application
    sessions_de(application).kw["bind"].dispose()


def _adresses_notees(app: Flask) -> list[str]:
    with sessions_de(app)() as db:
        return list(db.scalars(select(TentativeConnexion.adresse_ip)).all())


ENTETES = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https",
           "X-Forwarded-Host": "clausegen.ville.fr"}


def test_8_the_proxys_forwarded_headers_are_used(app_proxy: Flask) -> None:
    client = Client(app_proxy.test_client())
    client.http.environ_base.update({"REMOTE_ADDR": "10.0.0.1"})
    reponse = client.http.get("/dossiers", headers=ENTETES)
    assert reponse.headers["Location"].startswith("/connexion")
    client.http.post("/connexion", headers=ENTETES, data={"csrf_token": client.jeton(),
                                                          "courriel": courriel("facilitateur"),
                                                          "mot_de_passe": "faux"})
    assert _adresses_notees(app_proxy) == ["198.51.100.7"]


def test_8_anyone_elses_forwarded_headers_are_ignored(app_proxy: Flask) -> None:
    client = Client(app_proxy.test_client())
    client.http.environ_base.update({"REMOTE_ADDR": "203.0.113.66"})
    faux = {"X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example",
            "Forwarded": "for=1.2.3.4;host=evil.example"}
    client.http.post("/connexion", headers=faux, data={"csrf_token": client.jeton(),
                                                       "courriel": courriel("facilitateur"),
                                                       "mot_de_passe": "faux"})
    assert _adresses_notees(app_proxy) == ["203.0.113.66"]
    client.connecter("facilitateur")
    page = client.http.post("/suivi/calendrier", headers=faux,
                            data={"csrf_token": client.jeton()}).get_data(as_text=True)
    assert "evil.example" not in page
    assert 'value="http://localhost/calendrier/' in page


def test_8_host_header_injection_is_refused(app_proxy: Flask) -> None:
    direct = app_proxy.test_client()
    assert direct.get("/connexion", headers={"Host": "evil.example"}).status_code == 400
    par_proxy = app_proxy.test_client()
    par_proxy.environ_base.update({"REMOTE_ADDR": "10.0.0.1"})
    piege = {**ENTETES, "X-Forwarded-Host": "evil.example"}
    assert par_proxy.get("/connexion", headers=piege).status_code == 400
    assert par_proxy.get("/connexion", headers=ENTETES).status_code == 200
