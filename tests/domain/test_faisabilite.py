"""Feasibility verdicts (seed 000, §2.1), as a table of cases, through the pure function
and through ``clausegen faisabilite``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from clausegen.domain.faisabilite import Niveau, Verdict, assess_faisabilite
from clausegen.models.dossier import Marche

BASE: dict[str, Any] = {
    "reference": "T-1", "objet": "Nettoyage", "nature": "services",
    "forme": "accord_cadre_mono_attributaire", "prestation": "recurrente", "duree_mois": 48,
    "montant_estime_ht": "1200000", "ccag": "fcs",
}
MS = "accord_cadre_multi_attributaire_marches_subsequents"
BC = "accord_cadre_multi_attributaire_bons_de_commande"

CASES = [
    ("ac-mono-4-ans", {}, Verdict.adapte, None),
    ("ponctuel-12-mois", {"prestation": "ponctuelle", "duree_mois": 12, "forme": "marche_ordinaire"},
     Verdict.non_adapte, "continuité d'exécution"),
    ("multi-bons-de-commande", {"forme": BC}, Verdict.non_adapte, "stabilité du titulaire"),
    ("multi-ms-3-ans", {"forme": MS, "duree_marches_subsequents_mois": 36},
     Verdict.adapte_avec_reserves, None),
    ("multi-ms-10-mois", {"forme": MS, "duree_marches_subsequents_mois": 10},
     Verdict.non_adapte, "stabilité du titulaire"),
    ("marche-18-mois", {"forme": "marche_ordinaire", "duree_mois": 18},
     Verdict.adapte_avec_reserves, None),
    ("marche-8-mois", {"forme": "marche_ordinaire", "duree_mois": 8}, Verdict.non_adapte, "durée"),
    ("petit-montant", {"montant_estime_ht": "15000", "duree_mois": 36}, Verdict.adapte, None),
]


@pytest.mark.parametrize(("changes", "verdict", "blocking"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_verdict_table(changes: dict[str, Any], verdict: Verdict, blocking: str | None) -> None:
    result = assess_faisabilite(Marche.model_validate({**BASE, **changes}))
    assert result.verdict is verdict
    if blocking:
        assert blocking in {r.critere for r in result.bloquantes}
    assert {r.critere for r in result.raisons} == {
        "nature", "continuité d'exécution", "stabilité du titulaire", "durée", "montant"}


def test_amount_is_never_blocking() -> None:
    result = assess_faisabilite(Marche.model_validate({**BASE, "montant_estime_ht": "0"}))
    montant = next(r for r in result.raisons if r.critere == "montant")
    assert montant.niveau is Niveau.favorable


def test_cli_json_gives_verdict_and_reasons(runner, write_dossier) -> None:  # type: ignore[no-untyped-def]
    from clausegen.cli import cli

    path = write_dossier(marche={"forme": MS, "duree_marches_subsequents_mois": 10})
    result = runner.invoke(cli, ["faisabilite", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["verdict"] == "non_adapte"
    assert payload["libelle"] == "non adapté"
    assert any(r["niveau"] == "bloquant" and "10 mois" in r["message"] for r in payload["raisons"])


def test_cli_text_names_every_criterion(runner) -> None:  # type: ignore[no-untyped-def]
    from clausegen.cli import cli
    from tests.conftest import PONCTUEL

    result = runner.invoke(cli, ["faisabilite", str(PONCTUEL)])
    assert result.exit_code == 0
    assert "Verdict : non adapté" in result.output
    for critere in ("nature", "continuité d'exécution", "stabilité du titulaire", "durée", "montant"):
        assert critere in result.output
