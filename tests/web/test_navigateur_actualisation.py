"""Issue 21 item 6 in Debian's Chromium: the buyer sends an edited CCAP from the generation's
page and downloads it updated. Each page goes through axe-core (no violation at all here) and
is photographed (``$CLAUSEGEN_CAPTURES``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from clausegen.render.readers.inspect import dump_text
from tests.render.revisions.test_actualiser import _edited, _resolve
from tests.web import test_navigateur as _navigateur
from tests.web.conftest import Client
from tests.web.test_actualisation_web import EDIT, JOURNAL, _nouvelle_version
from tests.web.test_navigateur import AXE, Visite
from tests.web.test_pieces import _generer

pytestmark = [pytest.mark.navigateur]

serveur = _navigateur.serveur
navigateur = _navigateur.navigateur
captures = _navigateur.captures
visite = _navigateur.visite


def _sans_violation(page: Any) -> None:
    """axe-core finds nothing, whatever the impact."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    resultat = page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: "
                             "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})")
    assert [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in resultat["violations"]] == []


def test_buyer_uploads_an_edited_ccap_and_downloads_it_updated(app: Flask, visite: Visite,
                                                              tmp_path: Path) -> None:
    client = Client(app.test_client())
    client.connecter("acheteur")
    _, numero = _generer(client)
    genere = client.get(f"/generations/{numero}/ccap.docx").get_data()
    _nouvelle_version(app)
    theirs = tmp_path / "mon-ccap.docx"
    theirs.write_bytes(_edited(genere, *EDIT))
    mauvais = tmp_path / "mon-ccap.pdf"
    mauvais.write_bytes(b"%PDF-1.7")

    page = visite.page
    visite.connecter("acheteur")
    visite.aller(f"/generations/{numero}")
    visite.verifier("21-generation-actualiser")
    _sans_violation(page)

    champ = page.get_by_label("Votre CCAP modifié (.docx)", exact=True)
    champ.set_input_files(str(mauvais))
    page.get_by_role("button", name="Actualiser le CCAP").click()
    page.wait_for_load_state()
    erreur = page.locator("#erreur-ccap").inner_text().replace("\u00a0", " ").replace("\u2019", "'")
    assert "n'est pas un document Word : fichier .docx attendu" in erreur
    visite.verifier("22-actualiser-refus")
    _sans_violation(page)

    page.get_by_label("Votre CCAP modifié (.docx)", exact=True).set_input_files(str(theirs))
    page.get_by_role("button", name="Actualiser le CCAP").click()
    page.wait_for_load_state()
    resume = page.locator(".resultat-actualisation")
    resume.scroll_into_view_if_needed()
    texte = resume.inner_text().replace("\u00a0", " ")
    assert "plan_progres.objet" in texte
    assert JOURNAL.removeprefix("- ") in texte
    assert "Appliqué (révision de la bibliothèque) : 4" in texte
    assert "Conservé (vos modifications, telles quelles) : 1" in texte
    resume.screenshot(path=str(visite.captures / "23-actualiser-resume.png"))
    visite.verifier("23-actualiser-resultat")
    _sans_violation(page)

    with page.expect_download() as attente:
        page.get_by_role("link", name="Télécharger mon-ccap-actualise.docx").click()
    assert attente.value.suggested_filename == "mon-ccap-actualise.docx"
    actualise = Path(attente.value.path()).read_bytes()
    accepte = dump_text(_resolve(actualise, accept=True))
    assert "porte en priorité sur" in accepte
    assert "met en œuvre loyalement pendant" in accepte
