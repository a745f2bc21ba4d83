"""Minor findings of the legal review of 2026-12-07 (issue 19, item 6): m2, m3, m4, m6, m7, m9,
m11, m12. (m1 is in tests/domain/test_dates.py, m5 in tests/models/test_dossier_juriste.py, m10 in
tests/render/writers/test_renvois_libreoffice.py.)"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from clausegen.api import open_library, read_dossier, render_piece
from clausegen.cli import cli
from clausegen.render.readers.inspect import dump_text
from tests.conftest import EXAMPLES, NETTOYAGE

ACCORD_CADRE = EXAMPLES / "accord-cadre-marches-subsequents.yml"
RESERVE = EXAMPLES / "marche-reserve.yml"
TOUS = EXAMPLES / "tous-axes-toutes-variantes.yml"


def _text(data: bytes) -> str:
    return dump_text(data).replace("\u00a0", " ").replace("\u202f", " ")


def _piece(dossier: Path, piece: str) -> str:
    data, _ = render_piece(read_dossier(dossier), piece, library=open_library())
    return _text(data)


def _cli(tmp_path: Path, *args: str) -> str:
    out = tmp_path / "piece.docx"
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return _text(out.read_bytes())


def test_m2_a_plan_agreed_by_letters_is_convenu(tmp_path: Path) -> None:
    text = _cli(tmp_path, "plan", str(NETTOYAGE), "--annee", "1")
    assert "il a été convenu lors de la réunion du 4 février 2027" in text
    assert "arrêté lors de la réunion" not in text


def test_m3_the_launch_letter_reminds_that_the_titulaire_organises(tmp_path: Path) -> None:
    text = _cli(tmp_path, "convocation", str(NETTOYAGE), "--reunion", "2027-02-15")
    assert "Rappel – réunion de lancement du plan de progrès en matière sociale" in text
    assert "il appartient à votre société d’organiser" in text
    assert "l’acheteur et le facilitateur sont disponibles le 15 février 2027" in text
    assert "je vous propose de tenir cette réunion" not in text


def test_m4_agreement_function_case_and_plural(tmp_path: Path) -> None:
    convocation = _cli(tmp_path, "convocation", str(ACCORD_CADRE), "--marche-subsequent", "1",
                       "--reunion", "2027-05-18")
    assert "Sophie Morel, gérante, accompagnée de son correspondant" in convocation
    bilan = _cli(tmp_path, "bilan", str(NETTOYAGE), "--annee", "1")
    assert "| Pour l’acheteur | Claire Martin, maire de Saint-Aubin-sur-Loire |" in bilan
    workbook = tmp_path / "suivi.xlsx"
    assert CliRunner().invoke(cli, ["tableau-de-bord", str(NETTOYAGE), "-o", str(workbook)]).exit_code == 0
    cells = [c for sheet in load_workbook(workbook) for row in sheet.iter_rows(values_only=True)
             for c in row if isinstance(c, str) and c.startswith("écart de")]
    assert "écart de 1\u00a0immersion" in cells
    assert "écart de 270\u00a0heures" in cells


def test_m6_the_cctp_record_no_longer_offers_co_traitance() -> None:
    text = _piece(NETTOYAGE, "cctp")
    assert "| Modalité | Embauche directe, mise à disposition ou sous-traitance |" in text
    assert "co-traitance" not in text


def test_m7_no_eligible_candidate_excuse_where_the_market_has_no_insertion_action() -> None:
    assert "aucun candidat éligible" not in _piece(RESERVE, "ccap")
    assert "notamment lorsqu’aucun candidat éligible n’a pu lui être proposé" in _piece(NETTOYAGE, "ccap")


def test_m9_the_facilitator_contact_is_a_short_paragraph_of_its_own() -> None:
    for piece in ("ccap", "cctp"):
        lines = _piece(NETTOYAGE, piece).splitlines()
        contact = [line for line in lines if "Coordonnées du facilitateur" in line]
        assert len(contact) == 1, piece
        assert contact[0].startswith("[Normal] Coordonnées du facilitateur : courriel ")
        assert not any("(courriel :" in line for line in lines), piece


def test_m11_the_contract_states_rules_without_arguing() -> None:
    assert "trop courte pour une démarche" not in _piece(ACCORD_CADRE, "ccap")
    reserve = _piece(RESERVE, "ccap")
    assert "étant déjà" not in reserve
    assert "Le plan de progrès en matière sociale ne fixe pas d’objectif en heures d’insertion" in reserve


def test_m12_renewal_is_a_faculty_at_most_n_times() -> None:
    text = _piece(TOUS, "ccap")
    assert "Il peut être reconduit tacitement " in text
    assert " fois au plus, par période de " in text or "reconduit tacitement une fois, par période" in text
    assert "Il est reconduit tacitement" not in text


def test_m8_the_accord_cadre_states_how_subsequent_contracts_are_competed() -> None:
    text = _piece(ACCORD_CADRE, "ccap")
    assert "règlement de la consultation" not in text  # not a contractual piece
    # never a closed list that leaves out the price (R. 2152-7) or any environmental criterion
    # (L. 2152-7 as amended by the loi Climat et résilience, from 22 August 2026 at the latest)
    assert "les critères sont choisis parmi" not in text
    assert "les autres titulaires consultés" not in text
    for expected in ("remise en concurrence des titulaires de l’accord-cadre dans les conditions "
                     "suivantes :",
                     "l’acheteur consulte par écrit, par le profil d’acheteur, tous les titulaires",
                     "la date limite de remise des offres, qui ne peut être fixée moins de dix jours "
                     "après l’envoi de la lettre",
                     "les critères comprennent toujours le prix des prestations et au moins un "
                     "critère prenant en compte les caractéristiques environnementales de l’offre",
                     "la lettre peut y ajouter la valeur technique des prestations",
                     "le titulaire consulté qui ne remet pas d’offre en indique le motif par écrit",
                     "l’offre est économiquement la plus avantageuse au regard de ces critères",
                     # only a titulaire who submitted an offer has an offer to reject
                     "les titulaires qui ont remis une offre non retenue sont informés du rejet de "
                     "celle-ci",
                     "Chaque marché subséquent précise les termes de l’accord-cadre sans les modifier"):
        assert expected in text, expected
    # the other forms keep their own execution sentence
    assert "remise en concurrence" not in _piece(TOUS, "ccap")


def test_m13_works_chapter_reads_the_deadline_rule_of_the_plan_ccap() -> None:
    works = _piece(EXAMPLES / "travaux-clause-insertion.yml", "ccap_insertion")
    plan = _piece(TOUS, "ccap")
    for rule in ("un jour férié ou chômé", "prolongé jusqu’à la fin du premier jour ouvrable qui suit",
                 "court de quantième à quantième", "commence à courir le lendemain du jour où s’est "
                 "produit le fait qui lui sert de point de départ"):
        assert rule in works, rule
        assert rule in plan.replace("\n[List Bullet] ", " "), rule
    for old in ("prorogé", "premier jour ouvré"):
        assert old not in works, old


def test_m14_follow_up_of_the_insertion_only_works_market_is_written(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["pieces", str(EXAMPLES / "travaux-clause-insertion.yml"),
                                      "--suivi", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = {p.name for p in tmp_path.iterdir()}
    assert {"ccap.docx", "cctp.docx", "bilan-final.docx", "echeancier.ics",
            "tableau-de-bord.xlsx"} <= written
