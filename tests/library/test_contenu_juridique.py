"""Tender pieces a procurement lawyer signs: the major findings of the legal review of
7 December 2026 (issue 19, items 3 to 5), checked on the text of the pieces the CLI writes."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.render.readers.inspect import dump_text
from tests.conftest import EXAMPLES, NETTOYAGE, example_data, sans_pagination

AC_MS = EXAMPLES / "accord-cadre-marches-subsequents.yml"
TRAVAUX = EXAMPLES / "travaux-clause-insertion.yml"


def _piece(runner: CliRunner, tmp_path: Path, dossier: Path, *args: str) -> tuple[str, str]:
    """(document text, stderr) of one piece written by the CLI."""
    out = tmp_path / f"{args[0]}-{len(list(tmp_path.iterdir()))}.docx"
    result = runner.invoke(cli, sans_pagination([args[0], str(dossier), *args[1:], "-o", str(out)]))
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
    assert "Il est conclu pour une durée de 36 mois (3 ans) au plus, fixée par le marché subséquent" in text
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
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(write_dossier(data)), "-o", "-"])
    assert result.exit_code == 2
    assert "delai_intervention_heures" in result.output + result.stderr
    assert "Traceback" not in result.output + result.stderr


# --- Issue 19, item 4 (second pass): intellectual property, post-August-2026 sentence ------


def test_it_market_states_the_ccag_intellectual_property_regime_by_default(
        runner: CliRunner, tmp_path: Path, write_dossier: Callable[..., Path]) -> None:
    data = example_data()
    data["marche"]["ccag"] = "tic"
    text, warning = _piece(runner, tmp_path, write_dossier(data), "ccap")
    assert "Propriété intellectuelle" in text
    assert ("sont régis par les stipulations du CCAG-TIC relatives à l’utilisation des résultats, "
            "sans dérogation : l’acheteur utilise les résultats pour ses besoins exprimés dans le "
            "marché ou découlant de l’objet des prestations, sans exclusivité") in text
    assert "Les données que l’acheteur confie au titulaire pour l’exécution du marché ne sont pas " \
           "des résultats" in text
    assert "cède à l’acheteur" not in text
    assert "régime des droits de propriété intellectuelle" not in text  # no derogation listed
    # A services market under CCAG-FCS without the option has no such article.
    plain, _ = _piece(runner, tmp_path, NETTOYAGE, "ccap")
    assert "Propriété intellectuelle" not in plain


def test_exclusive_assignment_is_a_listed_derogation_with_its_number_to_complete(
        runner: CliRunner, tmp_path: Path, write_dossier: Callable[..., Path]) -> None:
    data = example_data()
    data["marche"]["ccag"] = "tic"
    default, default_warning = _piece(runner, tmp_path, write_dossier(data), "ccap")
    data["administratif"]["execution"]["propriete_intellectuelle"] = "cession"
    text, warning = _piece(runner, tmp_path, write_dossier(data), "ccap")
    assert ("Par dérogation à l’article [à compléter] du CCAG-TIC, relatif au régime des droits de "
            "propriété intellectuelle sur les résultats, le titulaire cède à l’acheteur, à titre "
            "exclusif") in text
    # the rights assigned, their extent, purpose, territory and duration are each stated
    for expected in ("les droits de reproduction, de représentation, d’adaptation, de modification",
                     "sur tout support et par tout procédé", "pour le monde entier",
                     "pour toute la durée de protection des droits",
                     "Le prix de la cession est compris dans les prix du marché",
                     "Les connaissances antérieures du titulaire ou des tiers incorporées aux "
                     "résultats ne sont pas cédées"):
        assert expected in text, expected
    assert ("[à compléter] – stipulation relative au régime des droits de propriété intellectuelle "
            "sur les résultats | Les droits patrimoniaux sur les résultats sont cédés à l’acheteur "
            "à titre exclusif") in text
    # the warning at generation counts the two new « [à compléter] » (sentence and table row)
    count = int(warning.split("laisse ")[1].split(" ")[0])
    assert count == int(default_warning.split("laisse ")[1].split(" ")[0]) + 2


def test_assignment_under_ccag_moe_does_not_describe_the_unread_moe_regime(
        runner: CliRunner, tmp_path: Path, write_dossier: Callable[..., Path]) -> None:
    data = example_data()
    data["marche"]["ccag"] = "moe"
    data["administratif"]["execution"]["propriete_intellectuelle"] = "cession"
    text, _ = _piece(runner, tmp_path, write_dossier(data), "ccap")
    assert ("sur les résultats | Les droits patrimoniaux sur les résultats sont cédés à l’acheteur "
            "à titre exclusif.") in text
    assert "droit d’utilisation sans exclusivité du CCAG" not in text  # MOE clause not read


def test_unknown_intellectual_property_option_is_refused_with_its_field(
        runner: CliRunner, write_dossier: Callable[..., Path]) -> None:
    data = example_data()
    data["administratif"]["execution"]["propriete_intellectuelle"] = "option_b"
    result = runner.invoke(cli, ["ccap", str(write_dossier(data)), "-o", "-"])
    assert result.exit_code == 2
    assert "propriete_intellectuelle" in result.output + result.stderr
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize("piece", [("ccap",), ("ccap", "--chapitre")])
def test_the_social_condition_meets_the_post_august_2026_obligation_citing_the_law_only(
        runner: CliRunner, tmp_path: Path, piece: tuple[str, ...]) -> None:
    text, _ = _piece(runner, tmp_path, NETTOYAGE, *piece)
    assert ("Pour un marché dont la valeur estimée atteint les seuils européens, cette condition "
            "d’exécution constitue la prise en compte de considérations relatives au domaine social "
            "ou à l’emploi que la loi n° 2021-1104 du 22 août 2021 (article 35) rend obligatoire "
            "dans les conditions d’exécution de ces marchés au plus tard à compter du 22 août "
            "2026.") in text
    assert "L. 2112-2-1" not in text  # the code article's number is not verified (brief [U])


def test_works_chapter_has_the_sentence_and_no_presupposed_ccag_travaux_stipulation(
        runner: CliRunner, tmp_path: Path) -> None:
    text, _ = _piece(runner, tmp_path, TRAVAUX, "ccap")
    assert "que la loi n° 2021-1104 du 22 août 2021 (article 35) rend obligatoire" in text
    assert "globalisation des heures, dans les conditions de la stipulation" not in text
    assert "du montant hors taxes des travaux exécutés" in text
    assert "prestations exécutés" not in text


# --- Issue 20, wording reservations of the second reading ---------------------------------


def _legend_patterns(text: str) -> list[re.Pattern[str]]:
    """The quoted labels of the bilan's legend, « … » standing for any date or amount."""
    bullets = [line for line in text.splitlines() if line.startswith("[List Bullet] « ")]
    items = [item for line in bullets for item in re.findall(r"« (.+?) »", line.split(" » : ")[0] + " »")]
    return [re.compile(re.escape(item).replace("…", ".+?") + r"$") for item in items]


def _state_cells(text: str) -> list[str]:
    """The « État de la procédure » cells of the penalties table (total rows have none)."""
    lines = text.splitlines()
    start = lines.index("| Manquement | Calcul (HT) | Montant (HT) | État de la procédure |") + 1
    cells = []
    for line in lines[start:]:
        if not line.startswith("| "):
            break
        cell = line.split(" | ")[3].rstrip(" |").strip()
        if cell:
            cells.append(cell)
    return cells


@pytest.mark.parametrize(("dossier", "args"), [
    (NETTOYAGE, ("--annee", "1")), (TRAVAUX, ("--annee", "2"))])
def test_bilan_legend_quotes_every_state_label_its_table_prints(
        runner: CliRunner, tmp_path: Path, dossier: Path, args: tuple[str, ...]) -> None:
    out = tmp_path / "bilan.docx"
    result = runner.invoke(cli, ["bilan", str(dossier), *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = dump_text(out.read_bytes()).replace("\u00a0", " ").replace("\u202f", " ")
    patterns = _legend_patterns(text)
    assert len(patterns) == 8
    cells = _state_cells(text)
    assert cells, text
    for cell in cells:
        if ", donc sans pénalité (" in cell:  # the legend says the reason may follow in brackets
            cell = cell[:cell.index(" (")]
        assert any(p.match(cell) for p in patterns), cell
    assert "la ligne « dont en cours de procédure » les pénalités constatées et celles sur " \
           "lesquelles des observations ont été demandées" in text


def test_works_final_bilan_speaks_of_the_works_and_their_reception(runner: CliRunner,
                                                                   tmp_path: Path) -> None:
    out = tmp_path / "bf.docx"
    assert runner.invoke(cli, ["bilan", str(TRAVAUX), "--annee", "2", "-o", str(out)]).exit_code == 0
    text = " ".join(dump_text(out.read_bytes()).replace("\u00a0", " ").replace("\u202f", " ").split())
    assert "la durée du marché, achevée le" not in text  # the works market is not settled yet
    assert ("mesure l’exécution de l’action d’insertion pendant l’exécution des travaux, achevée le "
            "12 juin 2028") in text
    # the example records the réception (11 August 2028), before the bilan (5 September 2028)
    assert ("le fait établir dans le mois qui suit la date d’effet de la réception des travaux, soit "
            "au plus tard le 11 septembre 2028, la réception ayant pris effet le 11 août 2028.") in text
    assert "pour une réception prenant effet à la fin de l’exécution" not in text
    assert "10 % du montant hors taxes des travaux exécutés" in text
    assert ("l’acheteur notifie sa décision sur ces pénalités avant de notifier le décompte général "
            "du marché, dans lequel elles sont portées") in text


def test_works_final_bilan_without_a_recorded_reception_says_what_it_assumes(runner: CliRunner,
                                                                            tmp_path: Path) -> None:
    data = yaml.safe_load(TRAVAUX.read_text(encoding="utf-8"))
    del data["clause_insertion"]["reception_travaux"]
    dossier = tmp_path / "travaux.yml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "bf.docx"
    result = runner.invoke(cli, ["bilan", str(dossier), "--annee", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(dump_text(out.read_bytes()).replace("\u00a0", " ").replace("\u202f", " ").split())
    # the deadline stated is the one of the assumption stated: end 12 June 2028 + 1 month
    assert ("soit au plus tard le 12 juillet 2028 pour une réception prenant effet à la fin de "
            "l’exécution") in text
    # a réception recorded after the bilan: the deadline would be counted from a fact the bilan,
    # dated 5 September, cannot state (1.2.0 printed « 20 octobre 2028 pour une réception prenant
    # effet à la fin de l'exécution », false): the bilan is refused, nothing is written
    data["clause_insertion"]["reception_travaux"] = "2028-09-20"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    late = tmp_path / "late.docx"
    result = runner.invoke(cli, ["bilan", str(dossier), "--annee", "2", "-o", str(late)])
    assert result.exit_code == 2, result.output
    assert "bilan_final.date_bilan" in result.output
    assert "réception des travaux, le 20\u00a0septembre 2028" in result.output
    assert not late.exists()


def test_works_penalty_decision_carries_the_amount_into_the_decompte(runner: CliRunner,
                                                                     tmp_path: Path) -> None:
    out = tmp_path / "d.docx"
    result = runner.invoke(cli, ["decision-penalites", str(TRAVAUX), "--date", "2028-10-02",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(dump_text(out.read_bytes()).split())
    assert "Conformément aux articles 2.6 et 3 du CCAP, il est porté au décompte général du marché." in text
    assert "titre de recette" not in text
    services = tmp_path / "s.docx"
    result = runner.invoke(cli, ["decision-penalites", str(NETTOYAGE), "--annee", "1", "--date", "2027-06-01",
                                 "-o", str(services)])
    assert result.exit_code == 0, result.output
    assert "recouvré par l’émission d’un titre de recette" in dump_text(services.read_bytes())


def test_insertion_only_decision_at_the_cap_speaks_of_the_whole_market(
        runner: CliRunner, tmp_path: Path) -> None:
    """The chapter caps insertion penalties over the whole market, not per year."""
    data = yaml.safe_load(TRAVAUX.read_text(encoding="utf-8"))
    data["marche"]["montant_estime_ht"] = 60000.0
    data["bilan_final"]["montant_execute_ht"] = 60000.0
    dossier = tmp_path / "travaux-petit.yml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "d.docx"
    result = runner.invoke(cli, ["decision-penalites", str(dossier), "--date", "2028-10-02",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(dump_text(out.read_bytes()).replace("\u202f", " ").replace("\u00a0", " ").split())
    # one reading: the amount decided, the cumulated amount, the cap and its article, then the only
    # amount this decision makes due (800 € HT already applied on 7 February 2028 + 5 200 = the cap)
    assert ("Les pénalités décidées ci-dessus s’élèvent à 7 692,80 € HT avant plafonnement ; avec les "
            "pénalités déjà décidées au titre du marché, le montant cumulé atteint 8 492,80 € HT. "
            "Le plafond fixé pour l’ensemble du marché par l’article 3 du CCAP étant de 6 000,00 € HT, "
            "le montant appliqué par la présente décision est de 5 200,00 € HT, ce qui porte la somme "
            "due au titre du marché à 6 000,00 € HT. Conformément aux articles 2.6 et 3 du CCAP, ce "
            "montant est porté au décompte général du marché.") in text
    assert "au titre de l’année" not in text
    assert "7 692,80 € HT. Conformément" not in text  # the uncapped amount is never the one carried


def test_decision_once_the_cap_is_reached_makes_nothing_due(runner: CliRunner, tmp_path: Path) -> None:
    data = yaml.safe_load(TRAVAUX.read_text(encoding="utf-8"))
    data["marche"]["montant_estime_ht"] = 5000.0
    data["bilan_final"]["montant_execute_ht"] = 5000.0  # cap 500 € HT, reached on 7 February 2028
    dossier = tmp_path / "travaux-minuscule.yml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    texts = []
    for jour in ("2028-02-07", "2028-10-02"):
        out = tmp_path / f"d-{jour}.docx"
        result = runner.invoke(cli, ["decision-penalites", str(dossier), "--date", jour, "-o", str(out)])
        assert result.exit_code == 0, result.output
        texts.append(" ".join(dump_text(out.read_bytes()).replace("\u202f", " ")
                              .replace("\u00a0", " ").split()))
    premiere, seconde = texts
    assert ("Les pénalités décidées ci-dessus s’élèvent à 800,00 € HT avant plafonnement. Le plafond "
            "fixé pour l’ensemble du marché par l’article 3 du CCAP étant de 500,00 € HT, le montant "
            "appliqué par la présente décision est de 500,00 € HT. Conformément") in premiere
    assert ("étant de 500,00 € HT, ce plafond était déjà atteint : aucune somme n’est due au titre de "
            "la présente décision.") in seconde
    # 800 € HT were decided on 7 February 2028 but only 500 € HT applied: the cumul is of decided
    # penalties, never announced as already applied
    assert ("avec les pénalités déjà décidées au titre du marché, le montant cumulé atteint "
            "8 492,80 € HT") in seconde
    assert "déjà appliquées" not in seconde
    assert "décompte général" not in seconde.split("avant plafonnement")[1]
