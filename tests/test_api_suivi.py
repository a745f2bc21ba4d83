"""The facilitator's facade in memory (issue 24, item 1): objects in, RenderedPiece out, no
temporary file, messages naming the dossier as the caller names it."""

from __future__ import annotations

import hashlib
import tempfile
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from clausegen.api import read_dossier
from clausegen.api import suivi as api_suivi
from clausegen.api.marche import LoadedDossier
from clausegen.errors import SuiviInputError
from clausegen.render.inspect import read_provenance
from tests.conftest import NETTOYAGE


def _no_temporary_files(*_: Any, **__: Any) -> Any:
    raise AssertionError("no temporary file in the facade")


def test_every_piece_is_made_in_memory_with_the_fragments_of_its_provenance(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "TemporaryDirectory", _no_temporary_files)
    monkeypatch.setattr(tempfile, "mkdtemp", _no_temporary_files)
    suivi = api_suivi.open_suivi(read_dossier(NETTOYAGE))
    pieces = [api_suivi.render_convocation(suivi)[0], api_suivi.render_plan(suivi, 1),
              api_suivi.render_lettre(suivi, 1), api_suivi.render_bilan(suivi, 1)[0],
              api_suivi.render_lettre_bilan(suivi, 1)[0]]
    assert [p.piece for p in pieces] == ["convocation", "plan-1", "lettre-1", "bilan-1", "lettre-bilan-1"]
    for piece in pieces:
        recorded = read_provenance(piece.docx)
        assert piece.fragments == {k.removeprefix("fragment."): v for k, v in recorded.items()
                                   if k.startswith("fragment.")}
        assert piece.fragments
        assert piece.bibliotheque == recorded["bibliotheque"]
    names = [name for name, _ in api_suivi.render_suivi_pieces(suivi)]
    assert names[:2] == ["convocation.docx", "echeancier.ics"]
    assert names[-1] == "tableau-de-bord.xlsx"


def test_messages_name_the_dossier_as_the_caller_names_it() -> None:
    loaded = read_dossier(NETTOYAGE)
    marche = loaded.dossier.marche.model_copy(update={"date_notification": None})
    sans_notification = LoadedDossier(dossier=loaded.dossier.model_copy(update={"marche": marche}),
                                      path=Path("dossier-7.yml"), sha256=loaded.sha256)
    with pytest.raises(SuiviInputError) as refus:
        api_suivi.open_suivi(sans_notification)
    assert str(refus.value).startswith("Fichier « dossier-7.yml », marche.date_notification")


def _draft() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    dossier = read_dossier(NETTOYAGE).dossier.model_dump(mode="json", exclude_none=True)
    plans = {str(p["annee"]): p for p in dossier.pop("plans")}
    bilans = {str(b["annee"]): b for b in dossier.pop("bilans")}
    return dossier, dossier.pop("titulaire"), plans, bilans


def test_a_composed_dossier_records_late_documents_and_the_years_procedure() -> None:
    brouillon, titulaire, plans, bilans = _draft()
    notification = date.fromisoformat(brouillon["marche"]["date_notification"])
    evenements = [SimpleNamespace(annee=1, genre="document_recu", libelle="Relevé de mars",
                                  attendu_le=date(2025, 4, 10), le=date(2025, 4, 16)),
                  SimpleNamespace(annee=1, genre="mise_en_demeure", libelle="Mise en demeure",
                                  attendu_le=None, le=date(2025, 4, 12)),
                  SimpleNamespace(annee=2, genre="document_recu", libelle="Relevé d'une autre année",
                                  attendu_le=date(2026, 4, 10), le=date(2026, 4, 20))]
    compose = api_suivi.compose_dossier(brouillon, "dossier-3.yml", titulaire=titulaire,
                                        date_notification=notification, plans=plans,
                                        resultats=bilans, evenements=evenements, jusqu_a=1)
    assert compose.loaded is not None
    assert not compose.problems
    assert compose.loaded.path == Path("dossier-3.yml")
    assert compose.loaded.sha256 == hashlib.sha256(compose.text.encode("utf-8")).hexdigest()
    (annee_1,) = compose.loaded.dossier.bilans
    assert [(r.document, r.jours) for r in annee_1.retards] == [("Relevé de mars", 6)]
    assert annee_1.retards[0].procedure is not None
    assert annee_1.retards[0].procedure.mise_en_demeure == date(2025, 4, 12)
    bilan = api_suivi.compute_bilan(api_suivi.open_suivi(compose.loaded), 1)
    assert any("Relevé de mars" in p.manquement for p in bilan.penalites)


def test_a_composed_dossier_says_what_is_missing() -> None:
    brouillon, _, plans, bilans = _draft()
    del brouillon["marche"]["objet"]
    compose = api_suivi.compose_dossier(brouillon, "dossier-3.yml", titulaire={},
                                        date_notification=None, plans=plans, resultats=bilans,
                                        evenements=[])
    assert compose.loaded is None
    assert compose.text == ""
    assert any(p.path == "marche.objet" for p in compose.problems)
