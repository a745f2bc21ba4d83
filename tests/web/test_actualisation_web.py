"""The three-way update in the web (issue 21 item 6): on a generation's page the buyer sends
their edited CCAP and gets it back with the library's changes as revisions, and the summary."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from clausegen.db import EntreeJournal
from clausegen.render.readers.inspect import dump_text
from clausegen.text.french import date_longue
from clausegen.web.app import sessions_de
from tests.render.revisions.test_actualiser import NEW, _edited, _objet_1_1, _resolve, _reword
from tests.web.conftest import Client, compte
from tests.web.suivi_aides import compte_titulaire, connecter_titulaire
from tests.web.test_pieces import _generer

EDIT = (lambda r: _reword(r, "porte exclusivement sur", "porte en priorité sur"),)
"""The buyer's own edit, in a paragraph the library leaves alone."""
JOURNAL = f"- Modifié : `plan_progres.objet` {NEW} — exécution loyale, renvoi aux axes"


def _nouvelle_version(app: Flask, org: str = "a") -> None:
    """A new validated wording of plan_progres.objet in the organisation's library."""
    racine = Path(app.extensions["clausegen.config"].bibliotheques)
    couche = racine / f"organisation-{compte(app, 'acheteur', org).organisation_id}"
    fragment = couche / "fragments" / "plan_progres.objet" / f"{NEW}.md"
    fragment.parent.mkdir(parents=True, exist_ok=True)
    fragment.write_text(_objet_1_1(), encoding="utf-8")
    (couche / "CHANGELOG.md").write_text(f"# Journal\n\n## À paraître\n\n{JOURNAL}\n", encoding="utf-8")


def _envoyer(client: Client, numero: int, data: bytes, nom: str = "mon-ccap.docx",
             piece: str = "ccap", jeton: str | None = None) -> tuple[int, str]:
    """The form as a browser sends it (raw bytes: the test client makes no temporary file)."""
    corps = (f'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
             f'{jeton or client.jeton()}\r\n--B\r\nContent-Disposition: form-data; name="document"; '
             f'filename="{nom}"\r\nContent-Type: application/octet-stream\r\n\r\n').encode()
    reponse = client.http.post(f"/generations/{numero}/{piece}/actualisation",
                               data=corps + data + b"\r\n--B--\r\n",
                               content_type="multipart/form-data; boundary=B")
    return reponse.status_code, reponse.get_data(as_text=True)


def _telecharge(page: str) -> bytes:
    found = re.search(r'href="data:application/vnd[^;]+;base64,([^"]+)" download="([^"]+)"', page)
    assert found, page
    return base64.b64decode(found.group(1))


def _texte(page: str) -> str:
    """The page as read: tags dropped, entities, non-breaking spaces and apostrophes plain."""
    lu = html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").replace("\u2019", "'")
    return re.sub(r"\s+", " ", lu)


def _aujourd_hui() -> str:
    return date_longue(dt.date.today()).replace("\u00a0", " ")


def _scenario(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    _, numero = _generer(client)
    genere = client.get(f"/generations/{numero}/ccap.docx").get_data()
    page = client.get(f"/generations/{numero}").get_data(as_text=True)
    assert f"Révisions datées d'aujourd'hui, {_aujourd_hui()}" in _texte(page)
    _nouvelle_version(app)
    theirs = _edited(genere, *EDIT)
    statut, page = _envoyer(client, numero, theirs)
    assert statut == 200, _texte(page)
    lu = _texte(page)
    assert f"CCAP actualisé le {_aujourd_hui()}" in lu
    assert "plan_progres.objet" in lu
    assert JOURNAL.removeprefix("- ") in lu
    assert "Appliqué (révision de la bibliothèque) : 4" in lu
    assert "En conflit (votre texte gardé, celui de la bibliothèque proposé, commentaire) : 0" in lu
    assert "Conservé (vos modifications, telles quelles) : 1" in lu
    assert "porte en priorité sur" in lu  # the kept paragraph is quoted
    assert "[plan_progres.objet]" in lu
    # the generated CCAP has a sommaire: Word is asked to update it (issue 19 item 1)
    assert ("Le sommaire sera mis à jour à l'ouverture dans Word (accepter la mise à jour des "
            "champs) ; dans LibreOffice : Outils › Actualiser › Tout actualiser.") in lu
    actualise = _telecharge(page)
    accepte = dump_text(_resolve(actualise, accept=True))
    assert "porte en priorité sur" in accepte  # the buyer's edit kept
    assert "met en œuvre loyalement pendant" in accepte  # the library's change applied
    assert "met en œuvre loyalement pendant" not in dump_text(genere)
    assert dump_text(_resolve(actualise, accept=False)) == dump_text(theirs)
    assert 'download="mon-ccap-actualise.docx"' in page
    with sessions_de(app)() as db:
        entree = db.scalars(select(EntreeJournal).where(EntreeJournal.action == "actualisation")).one()
        assert entree.details["generation"] == numero
        assert entree.details["piece"] == "ccap"
        assert entree.details["paragraphes"] == {"appliqué": 4, "conflit": 0, "conservé": 1}


def test_the_buyers_edit_is_kept_and_the_library_change_applied(app: Flask, client: Client) -> None:
    _scenario(app, client)


def test_the_same_update_on_postgresql(app_postgresql: Flask) -> None:
    _scenario(app_postgresql, Client(app_postgresql.test_client()))


@pytest.fixture
def generation(app: Flask, client: Client) -> tuple[int, bytes]:
    """A generation by org a's buyer, its CCAP; the client is logged out afterwards."""
    client.connecter("acheteur")
    _, numero = _generer(client)
    genere = client.get(f"/generations/{numero}/ccap.docx").get_data()
    client.post("/deconnexion")
    return numero, genere


def test_refusals_other_organisation_titulaire_anonymous(app: Flask, client: Client,
                                                         generation: tuple[int, bytes]) -> None:
    numero, genere = generation
    statut, _ = _envoyer(client, numero, genere)
    assert statut == 302  # anonymous: to the login page
    client.connecter("acheteur", "b")
    assert _envoyer(client, numero, genere)[0] == 404  # another organisation: not revealed
    client.post("/deconnexion")
    compte_titulaire(app)
    connecter_titulaire(client)
    assert _envoyer(client, numero, genere)[0] == 404
    with sessions_de(app)() as db:
        assert not db.scalars(select(EntreeJournal).where(EntreeJournal.action == "actualisation")).all()


def test_a_form_without_its_csrf_token_is_refused(app: Flask, client: Client,
                                                 generation: tuple[int, bytes]) -> None:
    numero, genere = generation
    client.connecter("acheteur")
    statut, page = _envoyer(client, numero, genere, jeton="faux")
    assert statut == 400
    assert "jeton de sécurité" in page


def _bombe() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" + b"a" * 20_000_000 + b"/>")
    return out.getvalue()


@pytest.mark.parametrize(("nom", "contenu", "statut", "attendu"), [
    ("ccap.pdf", b"%PDF-1.7", 422, "« ccap.pdf » n'est pas un document Word : fichier .docx attendu"),
    ("ccap.docx", b"pas un zip", 422, "ce n'est pas un document Word (.docx)"),
    ("ccap.docx", "bombe", 422, "archive suspecte"),
    ("ccap.docx", b"x" * (1024 * 1024 + 10), 413, "le fichier dépasse 1 Mo"),
])
def test_bad_uploads_are_refused_in_french_naming_the_field(
        client: Client, generation: tuple[int, bytes], nom: str, contenu: bytes | str, statut: int,
        attendu: str) -> None:
    numero, _ = generation
    client.connecter("acheteur")
    data = _bombe() if contenu == "bombe" else contenu
    assert isinstance(data, bytes)
    code, page = _envoyer(client, numero, data, nom)
    assert code == statut
    assert "Champ « Votre CCAP modifié (.docx) »" in _texte(page)
    assert attendu in _texte(page)
    assert "Traceback" not in page


def test_a_missing_file_is_refused(client: Client, generation: tuple[int, bytes]) -> None:
    numero, _ = generation
    client.connecter("acheteur")
    reponse = client.post(f"/generations/{numero}/ccap/actualisation", {}, content_type="multipart/form-data")
    assert reponse.status_code == 422
    lu = _texte(reponse.get_data(as_text=True))
    assert "Champ « Votre CCAP modifié (.docx) » : choisissez le fichier" in lu


def test_a_document_of_another_generation_is_refused(client: Client, generation: tuple[int, bytes]) -> None:
    numero, genere = generation
    client.connecter("acheteur")
    cctp = client.get(f"/generations/{numero}/cctp.docx").get_data()
    code, page = _envoyer(client, numero, cctp)  # the CCTP sent as the CCAP
    assert code == 422
    assert "ce document ne provient pas de cette génération" in _texte(page)
    archive = zipfile.ZipFile(io.BytesIO(genere))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as copie:  # the CCAP of another dossier (another hash)
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename == "docProps/custom.xml":
                data = re.sub(rb"[0-9a-f]{64}", b"0" * 64, data, count=1)
            copie.writestr(info, data)
    code, page = _envoyer(client, numero, out.getvalue())
    assert code == 422
    assert "ce document ne provient pas de cette génération" in _texte(page)


def test_a_document_with_a_broken_body_is_refused_in_french(client: Client,
                                                            generation: tuple[int, bytes]) -> None:
    numero, genere = generation
    client.connecter("acheteur")
    archive = zipfile.ZipFile(io.BytesIO(genere))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as copie:  # its provenance, a body that is not XML
        for info in archive.infolist():
            data = archive.read(info.filename)
            copie.writestr(info, b"<w:document garbage" if info.filename == "word/document.xml" else data)
    code, page = _envoyer(client, numero, out.getvalue())
    assert code == 422
    assert "Champ « Votre CCAP modifié (.docx) » : « mon-ccap.docx » : document illisible" in _texte(page)
