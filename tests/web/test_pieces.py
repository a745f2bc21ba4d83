"""Pieces: generation recorded, preview from the blocks, downloads byte-identical to the CLI."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from clausegen.cli import cli
from clausegen.db import Generation, PieceGeneree
from clausegen.web.app import sessions_de
from tests.conftest import NETTOYAGE, PONCTUEL, sans_pagination
from tests.web.conftest import Client
from tests.web.test_import_export import importer


def _generer(client: Client, source: Path = NETTOYAGE) -> tuple[str, int]:
    _, lieu, _ = importer(client, source.read_bytes())
    reponse = client.post(f"{lieu}/generations")
    assert reponse.status_code == 302, reponse.get_data(as_text=True)
    found = re.search(r"/generations/(\d+)$", reponse.headers["Location"])
    assert found
    return lieu, int(found.group(1))


def test_generation_is_recorded_with_its_provenance(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    lieu, numero = _generer(client)
    with sessions_de(app)() as db:
        generation = db.get(Generation, numero)
        assert generation is not None
        assert generation.compte.courriel == "acheteur@a.fr"
        assert generation.bibliotheque == "1.1.0" or re.match(r"^\d+\.\d+\.\d+$", generation.bibliotheque)
        assert len(generation.dossier_sha256) == 64
        assert [p.piece for p in generation.pieces] == ["ccap", "cctp"]
        assert all(v.split()[1].startswith("sha256:") for v in generation.pieces[0].fragments.values())
    page = client.get(f"/generations/{numero}").get_data(as_text=True)
    assert "Objet du marché" in page
    assert "Acheteur A" in page


def test_downloads_are_byte_identical_to_the_cli(client: Client, runner: CliRunner, tmp_path: Path) -> None:
    client.connecter("acheteur")
    lieu, numero = _generer(client)
    export = client.get(f"{lieu}/dossier.yml")
    # Saved under its download name, which the provenance records (clausegen.dossier, read by actualiser).
    nom = export.headers["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert nom == f"dossier-{lieu.rstrip('/').rsplit('/', 1)[1]}.yml"
    yml = tmp_path / nom
    yml.write_bytes(export.get_data())
    for piece in ("ccap", "cctp"):
        sortie = tmp_path / f"{piece}.docx"
        assert runner.invoke(cli, sans_pagination([piece, str(yml), "-o", str(sortie)])).exit_code == 0
        premier = client.get(f"/generations/{numero}/{piece}.docx")
        # named after the market reference (examples/nettoyage-4-ans.yml: 2026-0142)
        nom_attendu = f"{piece.upper()}-2026-0142.docx"
        assert premier.headers["Content-Disposition"] == f'attachment; filename="{nom_attendu}"'
        assert premier.get_data() == sortie.read_bytes()
        assert client.get(f"/generations/{numero}/{piece}.docx").get_data() == premier.get_data()


def test_zip_holds_both_pieces_and_the_dossier(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    lieu, numero = _generer(client)
    reponse = client.get(f"/generations/{numero}.zip")
    assert reponse.headers["Content-Disposition"] == 'attachment; filename="pieces-2026-0142.zip"'
    archive = zipfile.ZipFile(io.BytesIO(reponse.get_data()))
    nom = f"dossier-{lieu.rstrip('/').rsplit('/', 1)[1]}.yml"  # the name the provenance records
    assert archive.namelist() == ["CCAP-2026-0142.docx", "CCTP-2026-0142.docx", nom]
    assert archive.read("CCAP-2026-0142.docx") == client.get(f"/generations/{numero}/ccap.docx").get_data()
    assert archive.read(nom) == client.get(f"{lieu}/dossier.yml").get_data()
    provenance = zipfile.ZipFile(io.BytesIO(archive.read("CCAP-2026-0142.docx"))).read("docProps/custom.xml")
    assert f"<vt:lpwstr>{nom}</vt:lpwstr>".encode() in provenance
    # every entry dated when the generation was recorded (Paris time, as the page shows it),
    # never 1980 and never the clock: downloading again gives the same bytes
    with sessions_de(app)() as db:
        generation = db.get(Generation, numero)
        assert generation is not None
        cree = generation.cree_le.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Paris"))
    attendu = (cree.year, cree.month, cree.day, cree.hour, cree.minute, cree.second // 2 * 2)
    assert {i.date_time for i in archive.infolist()} == {attendu}
    assert client.get(f"/generations/{numero}.zip").get_data() == reponse.get_data()


def test_download_names_follow_the_reference_safely(app: Flask, client: Client) -> None:
    """A reference with separators, accents or quotes gives a safe name, accents kept in
    ``filename*`` (RFC 6266); one with nothing usable falls back on the dossier's number."""
    client.connecter("acheteur")
    texte = NETTOYAGE.read_text(encoding="utf-8")
    for reference, nom_ascii, nom_utf8 in (
            ("2027/AC/017", "CCAP-2027-AC-017.docx", None),
            ("Réf. n° 12 : « lot 3 »", "CCAP-Ref.-n-12-lot-3.docx",
             "CCAP-R%C3%A9f.-n%C2%B0-12-lot-3.docx"),
            ("../..", None, None)):
        source = texte.replace("reference: 2026-0142", f"reference: '{reference}'", 1)
        _, lieu, _ = importer(client, source.encode("utf-8"))
        numero = client.post(f"{lieu}/generations").headers["Location"].rsplit("/", 1)[1]
        entete = client.get(f"/generations/{numero}/ccap.docx").headers["Content-Disposition"]
        if nom_ascii is None:  # nothing usable in the reference: « dossier-N »
            dossier = lieu.rstrip("/").rsplit("/", 1)[1]
            assert entete == f'attachment; filename="CCAP-dossier-{dossier}.docx"'
        elif nom_utf8 is None:
            assert entete == f'attachment; filename="{nom_ascii}"'
        else:
            assert entete == f"attachment; filename=\"{nom_ascii}\"; filename*=UTF-8''{nom_utf8}"


def test_unsuited_market_is_refused_and_nothing_recorded(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    _, lieu, _ = importer(client, PONCTUEL.read_bytes())
    reponse = client.post(f"{lieu}/generations")
    assert reponse.status_code == 409
    assert "achat isolé ou prestation ponctuelle" in reponse.get_data(as_text=True)
    with sessions_de(app)() as db:
        assert db.scalar(select(func.count()).select_from(PieceGeneree)) == 0


@pytest.mark.parametrize("role", ["juriste", "administrateur"])
def test_readers_download_but_do_not_generate(app: Flask, client: Client, role: str) -> None:
    client.connecter("acheteur")
    lieu, numero = _generer(client)
    lecteur = Client(app.test_client())
    lecteur.connecter(role)
    assert lecteur.get(f"/generations/{numero}/ccap.docx").status_code == 200
    assert lecteur.post(f"{lieu}/generations").status_code == 403


def test_other_organisation_sees_no_generation(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    lieu, numero = _generer(client)
    autre = Client(app.test_client())
    autre.connecter("acheteur", "b")
    for url in (f"/generations/{numero}", f"/generations/{numero}/ccap.docx", f"/generations/{numero}.zip",
                f"/generations/{numero}/ccap.pdf"):
        assert autre.get(url).status_code == 404, url
    assert autre.post(f"{lieu}/generations").status_code == 404


def test_facilitator_not_following_sees_no_generation(app: Flask, client: Client) -> None:
    client.connecter("acheteur")
    _, numero = _generer(client)
    facilitateur = Client(app.test_client())
    facilitateur.connecter("facilitateur")
    assert facilitateur.get(f"/generations/{numero}").status_code == 404


def test_unknown_piece_is_404(client: Client) -> None:
    client.connecter("acheteur")
    _, numero = _generer(client)
    assert client.get(f"/generations/{numero}/lettre.docx").status_code == 404


@pytest.mark.slow
def test_pdf_download_when_libreoffice_is_there(client: Client) -> None:
    import shutil

    client.connecter("acheteur")
    _, numero = _generer(client)
    reponse = client.get(f"/generations/{numero}/ccap.pdf")
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        assert reponse.status_code == 503
        assert "LibreOffice" in reponse.get_data(as_text=True)
        return
    assert reponse.status_code == 200
    assert reponse.mimetype == "application/pdf"
    assert reponse.get_data()[:5] == b"%PDF-"
