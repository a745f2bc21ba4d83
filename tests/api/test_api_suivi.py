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
from clausegen.render.readers.inspect import read_provenance
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


def _evenement(annee: int, genre: str, libelle: str, le: date, attendu_le: date | None = None,
               manquement: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(annee=annee, genre=genre, libelle=libelle, le=le, attendu_le=attendu_le,
                           manquement=manquement, montant=None)


def test_a_composed_dossier_gives_each_failing_its_own_procedure() -> None:
    brouillon, titulaire, plans, bilans = _draft()
    notification = date.fromisoformat(brouillon["marche"]["date_notification"])
    mars, avril = "État du personnel de mars", "État du personnel d'avril"
    evenements = [_evenement(1, "document_recu", mars, date(2027, 5, 18), date(2027, 4, 12)),
                  _evenement(1, "mise_en_demeure", "Mise en demeure", date(2027, 4, 19),
                             manquement=f"document:{mars}"),
                  _evenement(1, "mise_en_demeure_recue", "Avis de réception", date(2027, 4, 20),
                             manquement=f"document:{mars}"),
                  _evenement(1, "document_recu", avril, date(2027, 5, 20), date(2027, 5, 10)),
                  _evenement(2, "document_recu", "Relevé d'une autre année", date(2028, 4, 20),
                             date(2028, 4, 10))]
    compose = api_suivi.compose_dossier(brouillon, "dossier-3.yml", titulaire=titulaire,
                                        date_notification=notification, plans=plans,
                                        resultats=bilans, evenements=evenements, jusqu_a=1,
                                        reunions={"1": {"date_reunion": "2028-01-13", "lieu": "Mairie",
                                                        "participants": ["Mme Roux"]}})
    assert compose.loaded is not None, compose.problems
    assert compose.loaded.path == Path("dossier-3.yml")
    assert compose.loaded.sha256 == hashlib.sha256(compose.text.encode("utf-8")).hexdigest()
    (annee_1,) = compose.loaded.dossier.bilans
    assert annee_1.reunion is not None
    assert annee_1.reunion.lieu == "Mairie"
    mars, avril = (r for r in annee_1.retards if r.document.startswith("État du personnel"))
    # the mise en demeure concerns March's statement only; days are never typed (review J3)
    assert (mars.mise_en_demeure, mars.mise_en_demeure_recue_le, mars.recu_le, mars.jours) == \
        (date(2027, 4, 19), date(2027, 4, 20), date(2027, 5, 18), None)
    assert (avril.mise_en_demeure, avril.jours) == (None, None)
    bilan = api_suivi.compute_bilan(api_suivi.open_suivi(compose.loaded), 1)
    lignes = {p.manquement: p for p in bilan.penalites if "État du personnel" in p.manquement}
    assert [p.quantite for m, p in lignes.items() if "personnel de mars" in m] == [13]  # 18 May − 5 May
    assert [p.sans_penalite is not None for m, p in lignes.items() if "personnel d'avril" in m] == [True]


def test_an_event_without_its_failing_is_refused_naming_it() -> None:
    brouillon, titulaire, plans, bilans = _draft()
    evenements = [_evenement(1, "invitation_observations", "Invitation", date(2027, 6, 1))]
    compose = api_suivi.compose_dossier(brouillon, "dossier-3.yml", titulaire=titulaire,
                                        date_notification=None, plans=plans, resultats=bilans,
                                        evenements=evenements, jusqu_a=1)
    assert compose.loaded is None
    assert any("manquement concerné attendu" in p.expected and "juin 2027" in p.path
               for p in compose.problems)


def test_a_composed_dossier_says_what_is_missing() -> None:
    brouillon, _, plans, bilans = _draft()
    del brouillon["marche"]["objet"]
    compose = api_suivi.compose_dossier(brouillon, "dossier-3.yml", titulaire={},
                                        date_notification=None, plans=plans, resultats=bilans,
                                        evenements=[])
    assert compose.loaded is None
    assert compose.text == ""
    assert any(p.path == "marche.objet" for p in compose.problems)
