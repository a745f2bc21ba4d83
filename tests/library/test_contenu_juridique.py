"""Tender pieces a procurement lawyer signs: the major findings of the legal review of
7 December 2026 (issue 19, items 3 to 5), checked on the text of the pieces the CLI writes."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.render.readers.inspect import dump_text
from tests.conftest import EXAMPLES, NETTOYAGE, example_data

AC_MS = EXAMPLES / "accord-cadre-marches-subsequents.yml"
TRAVAUX = EXAMPLES / "travaux-clause-insertion.yml"


def _piece(runner: CliRunner, tmp_path: Path, dossier: Path, *args: str) -> tuple[str, str]:
    """(document text, stderr) of one piece written by the CLI."""
    out = tmp_path / f"{args[0]}-{len(list(tmp_path.iterdir()))}.docx"
    result = runner.invoke(cli, [args[0], str(dossier), *args[1:], "-o", str(out)])
    assert result.exit_code == 0, result.output + result.stderr
    return " ".join(dump_text(out.read_bytes()).split()), result.stderr


# --- NM3: the plan the buyer imposes is bounded --------------------------------------------


def test_imposed_plan_holds_only_the_titulaires_own_proposals(runner: CliRunner,
                                                               tmp_path: Path) -> None:
    text, _ = _piece(runner, tmp_path, NETTOYAGE, "ccap")
    assert "les actions décrites au CCTP pour chaque axe retenu" not in text
    assert ("que des actions que celui-ci a lui-même proposées, dans son offre, dans son projet "
            "de plan ou au cours des échanges") in text
    assert ("ni porter le volume d’heures d’insertion au-delà de l’engagement fixé à "
            "l’article 6.2") in text


# --- NM4: the insertion volume follows what is ordered and how long the market runs --------


def test_volume_of_an_accord_cadre_by_orders_follows_the_amount_executed(
        runner: CliRunner, tmp_path: Path) -> None:
    text, _ = _piece(runner, tmp_path, NETTOYAGE, "ccap")
    assert "6 000 heures de travail sur la durée du marché" not in text
    assert ("il est égal à 6 000 heures multipliées par le rapport entre le montant hors taxes "
            "des prestations exécutées en vertu des bons de commande à cette date et le montant "
            "estimé de 1 200 000,00 € HT, sans pouvoir excéder 6 000 heures") in text
    assert "que le marché ne soit pas reconduit ou qu’il soit résilié" in text


def test_volume_of_an_ordinary_market_is_prorated_when_it_ends_early(
        runner: CliRunner, tmp_path: Path, write_dossier: Callable[..., Path]) -> None:
    data = example_data()
    data["marche"]["forme"] = "marche_ordinaire"
    data["administratif"]["reconduction"] = {"nombre": 2, "duree_mois": 12, "preavis_mois": 3}
    data["administratif"].pop("montant_maximum_ht", None)
    data["administratif"].pop("montant_minimum_ht", None)
    text, _ = _piece(runner, tmp_path, write_dossier(data), "ccap")
    assert ("Lorsque l’exécution du marché prend fin avant ce terme, notamment par "
            "non-reconduction ou par résiliation, le volume dû est ramené au prorata de la durée "
            "d’exécution effective.") in text


# --- NM5: one engagement per subsequent contract ------------------------------------------


def test_accord_cadre_with_subsequent_contracts_fixes_one_engagement_per_contract(
        runner: CliRunner, tmp_path: Path) -> None:
    text, _ = _piece(runner, tmp_path, AC_MS, "ccap")
    assert "2 400 heures de travail sur la durée du marché" not in text
    assert ("L’engagement d’insertion est fixé pour chaque marché subséquent et à la charge de "
            "son titulaire : un volume minimal de 2 400 heures de travail pour un marché "
            "subséquent d’une durée de 36 mois (3 ans)") in text
    assert "Chaque marché subséquent est conclu pour une durée de 36 mois (3 ans) au plus" in text
    assert ("Le volume d’heures d’insertion fixé à l’article 6 s’entend pour chacun de ces "
            "marchés subséquents") in text


# --- NM6: derogations name their CCAG article, or say it is to be completed ----------------


def test_derogations_print_article_a_completer_and_generation_warns(runner: CliRunner,
                                                                    tmp_path: Path) -> None:
    text, stderr = _piece(runner, tmp_path, NETTOYAGE, "ccap")
    assert "Par dérogation à la stipulation" not in text
    assert ("Par dérogation à l’article [à compléter] du CCAG-FCS, relatif au plafonnement des "
            "pénalités à 10 % du montant du marché,") in text
    assert ("| 9.2 | [à compléter] – stipulation relative à l’exonération des pénalités") in text
    assert "prévue par l’article 14.1.1 du CCAG-FCS" in text  # a verified number stays printed
    assert "Avertissement : le CCAP laisse 8 numéros d'article du CCAG « [à compléter] »" in stderr


def test_the_cap_of_social_penalties_has_one_reading(runner: CliRunner, tmp_path: Path) -> None:
    text, _ = _piece(runner, tmp_path, NETTOYAGE, "ccap")
    assert "ne se cumule pas" not in text
    assert ("Ce plafond s’applique aux seules pénalités du présent article ; les pénalités de "
            "retard d’exécution restent soumises au plafond du CCAG-FCS.") in text


# --- NM8: the letters do not widen the penalty base --------------------------------------


def test_letter_applies_penalties_to_the_titulaires_actions_and_transmissions(
        runner: CliRunner, tmp_path: Path) -> None:
    text, _ = _piece(runner, tmp_path, NETTOYAGE, "lettre", "--annee", "1")
    assert "aux engagements qu’il fixe" not in text
    assert ("les pénalités prévues à l’article 9 du CCAP s’appliquent, dans les conditions de "
            "cet article, aux seules actions que le plan inscrit à la charge de votre société et "
            "aux transmissions prévues par le marché ; la non-atteinte d’un objectif chiffré "
            "n’est pas sanctionnée en elle-même.") in text
    assert "plan de progrès en matière sociale convenu lors de la réunion" in text


# --- NM9: the acceptance mention and the signature on one page ----------------------------


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="LibreOffice et poppler requis")
def test_acceptance_mention_and_signature_are_on_the_same_page(runner: CliRunner,
                                                               tmp_path: Path) -> None:
    """The example's year-1 letter ends at the foot of page 1: before the fix the mention was
    there and the signature on page 2. Converted with plain LibreOffice, page by page."""
    out = tmp_path / "lettre-1.docx"
    result = runner.invoke(cli, ["lettre", str(NETTOYAGE), "--annee", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    profile = tmp_path / "profil-lo"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    pages = subprocess.run(["pdftotext", "-layout", str(tmp_path / "lettre-1.pdf"), "-"],
                           check=True, capture_output=True, text=True).stdout.split("\f")
    mention = [i for i, page in enumerate(pages) if "Mention manuscrite" in page]
    signature = [i for i, page in enumerate(pages) if "Signature :" in page]
    assert mention
    assert mention == signature


# --- Item 4: what published CCAPs carry ---------------------------------------------------


def test_complete_ccap_carries_execution_invoicing_and_general_clauses(
        runner: CliRunner, tmp_path: Path) -> None:
    text, _ = _piece(runner, tmp_path, NETTOYAGE, "ccap")
    for expected in (
            "Article 10 – Exécution des prestations", "10.1. Vérification et admission des prestations",
            "l’acheteur prononce l’admission, l’ajournement, la réfaction ou le rejet des prestations",
            "10.2. Reprise du personnel",
            "l’article 7 (ancienne annexe 7) de la convention collective nationale des entreprises "
            "de propreté et services associés",
            "Les salariés repris ne sont comptés au titre de l’engagement d’insertion que si",
            "En application des articles L. 8222-1 et D. 8222-5 du code du travail",
            "tous les six mois jusqu’à la fin de son exécution",
            "articles D. 8254-2 à D. 8254-5 du code du travail",
            "Article 11 – Pénalités relatives à l’exécution des prestations",
            "Les pénalités de retard dans l’exécution des prestations sont celles de l’article 14 "
            "du CCAG-FCS",
            "| Prestation commandée ou planifiée et non exécutée | 150,00 € HT par prestation |",
            "| Retard d’intervention | 40,00 € HT par heure de retard | Au-delà d’un délai "
            "d’intervention de 4 heures",
            "7.4. Demandes de paiement", "Le titulaire établit une demande de paiement chaque mois",
            "7.5. Cession ou nantissement de créances", "un exemplaire unique du marché ou un "
            "certificat de cessibilité",
            "16.1. Modification et cession du marché", "16.3. Langue et monnaie",
            "l’acheteur est représenté par la direction du patrimoine bâti",
            "par le profil d’acheteur (https://marches.saint-aubin-sur-loire.fr)"):
        assert expected in text, expected
    # services, not IT: no data-processing contract, no reversibility, no service levels
    for absent in ("article 28 du règlement", "Réversibilité", "vérification d’aptitude"):
        assert absent not in text, absent


def test_it_market_carries_gdpr_processor_clause_reversibility_and_service_levels(
        runner: CliRunner, tmp_path: Path, write_dossier: Callable[..., Path]) -> None:
    data = example_data()
    data["marche"]["ccag"] = "tic"
    data["administratif"]["execution"]["niveaux_service"] = [
        {"indicateur": "disponibilité du service", "seuil": "99,5 % par mois", "penalite": 200}]
    text, _ = _piece(runner, tmp_path, write_dossier(data), "ccap")
    for expected in (
            "l’acheteur est responsable du traitement et le titulaire sous-traitant, au sens de "
            "l’article 28 du règlement (UE) 2016/679",
            "ne recourt à un autre sous-traitant qu’avec l’autorisation écrite préalable de "
            "l’acheteur",
            "Réversibilité", "dans un format ouvert et documenté",
            "une vérification d’aptitude puis d’une vérification de service régulier",
            "| disponibilité du service | 99,5 % par mois |",
            "| Niveau de service non atteint : disponibilité du service (99,5 % par mois) | "
            "200,00 € HT par période de mesure |",
            "politique de sécurité des systèmes d’information de l’acheteur",
            "l’article 14 du CCAG-TIC"):
        assert expected in text, expected


def test_without_options_only_the_ccag_delay_penalties_apply(runner: CliRunner,
                                                             tmp_path: Path) -> None:
    text, _ = _piece(runner, tmp_path, AC_MS, "ccap")
    assert ("Les pénalités de retard dans l’exécution des prestations sont celles de l’article 14 "
            "du CCAG-FCS, dans les limites de plafond et d’exonération qu’il fixe.") in text
    assert "En outre, l’acheteur applique les pénalités suivantes" not in text
    assert "Reprise du personnel" not in text
    assert "le service ou la personne qu’il désigne lors de la notification" in text


def test_intervention_penalty_without_its_delay_is_refused(
        runner: CliRunner, write_dossier: Callable[..., Path]) -> None:
    data = example_data()
    del data["administratif"]["execution"]["penalites_prestation"]["delai_intervention_heures"]
    result = runner.invoke(cli, ["ccap", str(write_dossier(data)), "-o", "-"])
    assert result.exit_code == 2
    assert "delai_intervention_heures" in result.output + result.stderr
    assert "Traceback" not in result.output + result.stderr
