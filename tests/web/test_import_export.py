"""YAML import and export: the CLI's format both ways; bad files refused, nothing created."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from sqlalchemy import func, select

from clausegen.api.marche import dump_dossier, read_dossier_text
from clausegen.db import DossierWeb
from clausegen.web.app import sessions_de
from tests.conftest import NETTOYAGE
from tests.web.conftest import Client


def _nombre(app: Flask) -> int:
    with sessions_de(app)() as db:
        return db.scalar(select(func.count()).select_from(DossierWeb)) or 0


def importer(client: Client, contenu: bytes, nom: str = "dossier.yml") -> tuple[int, str, str]:
    reponse = client.post("/dossiers/importer", {"fichier": (io.BytesIO(contenu), nom)},
                          content_type="multipart/form-data")
    return reponse.status_code, reponse.headers.get("Location", ""), reponse.get_data(as_text=True)


def test_import_then_export_gives_the_clis_dossier(client: Client) -> None:
    client.connecter("acheteur")
    statut, lieu, _ = importer(client, NETTOYAGE.read_bytes(), "nettoyage-4-ans.yml")
    assert statut == 302
    exporte = client.get(f"{lieu}/dossier.yml").get_data(as_text=True)
    original = read_dossier_text(NETTOYAGE.read_text(encoding="utf-8"), "nettoyage-4-ans.yml").dossier
    assert read_dossier_text(exporte, "exporte.yml").dossier == original
    assert exporte == dump_dossier(original)


def test_export_import_export_is_identical(client: Client) -> None:
    client.connecter("acheteur")
    _, lieu, _ = importer(client, NETTOYAGE.read_bytes())
    premier = client.get(f"{lieu}/dossier.yml").get_data()
    _, lieu2, _ = importer(client, premier)
    assert client.get(f"{lieu2}/dossier.yml").get_data() == premier


@pytest.mark.parametrize(("contenu", "message"), [
    (b"acheteur: [\n  nom: x", "YAML invalide (ligne"),
    (b"acheteur:\n  nom: Ville\n", "marche : champ obligatoire manquant"),
    (b"- une liste\n", "ensemble de champs"),
    ("nom: \u00e9".encode("latin-1"), "texte UTF-8 attendu"),
    (b"", "ensemble de champs"),
], ids=["syntaxe", "champ-manquant", "liste", "latin-1", "vide"])
def test_bad_files_are_refused_and_nothing_is_created(app: Flask, client: Client, contenu: bytes,
                                                       message: str) -> None:
    client.connecter("acheteur")
    avant = _nombre(app)
    statut, _, page = importer(client, contenu)
    assert statut == 422
    assert message in page.replace("\u00a0", " ")
    assert 'id="fichier-erreur"' in page
    assert _nombre(app) == avant


def test_oversized_upload_is_refused(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    jeton = client.jeton()
    corps = (f'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{jeton}\r\n'
             '--B\r\nContent-Disposition: form-data; name="fichier"; filename="gros.yml"\r\n\r\n'
             ).encode() + b"#" * (1024 * 1024 + 10) + b"\r\n--B--\r\n"
    reponse = client.http.post("/dossiers/importer", data=corps,  # bytes: no temporary file
                               content_type="multipart/form-data; boundary=B")
    statut, page = reponse.status_code, reponse.get_data(as_text=True)
    assert statut == 413
    assert "dépasse 1 Mo" in page
    with sessions_de(app)() as db:
        assert db.scalar(select(func.count()).select_from(DossierWeb)) == 0


def test_missing_file_is_named(client: Client) -> None:
    client.connecter("acheteur")
    reponse = client.post("/dossiers/importer", {}, content_type="multipart/form-data")
    assert reponse.status_code == 422
    assert "fichier .yml attendu" in reponse.get_data(as_text=True)


@pytest.mark.parametrize("role", ["juriste", "facilitateur", "administrateur"])
def test_only_buyers_import(client: Client, role: str) -> None:
    client.connecter(role)
    statut, _, _ = importer(client, NETTOYAGE.read_bytes())
    assert statut == 403


def test_other_organisation_cannot_export(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    _, lieu, _ = importer(client, NETTOYAGE.read_bytes())
    autre = Client(app.test_client())
    autre.connecter("juriste", "b")
    assert autre.get(f"{lieu}/dossier.yml").status_code == 404
