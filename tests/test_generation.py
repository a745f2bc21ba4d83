"""CCAP and CCTP generation end to end, through the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clausegen.cli import cli
from clausegen.render.readers.inspect import dump_text, read_provenance
from tests.conftest import NETTOYAGE, PONCTUEL

LEFTOVER = re.compile(r"\{\{|\{%|%\}|\}\}")


@pytest.fixture(scope="module")
def pieces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("pieces")
    result = CliRunner().invoke(cli, ["pieces", "--sans-pagination", str(NETTOYAGE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return {p: (out / f"{p}.docx").read_bytes() for p in ("ccap", "cctp")}


@pytest.mark.parametrize("piece", ["ccap", "cctp"])
def test_no_template_syntax_left(pieces: dict[str, bytes], piece: str) -> None:
    text = dump_text(pieces[piece])
    assert not LEFTOVER.search(text), LEFTOVER.search(text)


@pytest.mark.parametrize("piece", ["ccap", "cctp"])
def test_articles_are_numbered_without_gaps(pieces: dict[str, bytes], piece: str) -> None:
    text = dump_text(pieces[piece])
    articles = [int(n) for n in re.findall(r"^\[Heading 1\] Article\s(\d+) ", text, re.M)]
    assert articles == list(range(1, len(articles) + 1))
    assert len(articles) >= 5
    for number in articles:
        sections = [int(n) for n in re.findall(rf"^\[Heading 2\] {number}\.(\d+)\. ", text, re.M)]
        assert sections == list(range(1, len(sections) + 1))


def test_cross_references_point_to_existing_articles(pieces: dict[str, bytes]) -> None:
    text = dump_text(pieces["ccap"])
    headings = set(re.findall(r"^\[Heading [12]\] (?:Article\s)?(\d+(?:\.\d+)?)", text, re.M))
    cited = {number for number, code in re.findall(r"l’article\s(\d+(?:\.\d+)*)( du [A-Z]+)?", text)
             if code in ("", " du CCAP")}
    assert cited, "the CCAP should cite its own articles"
    assert cited <= headings


def test_ccap_content_reads_as_a_plan_de_progres_piece(pieces: dict[str, bytes]) -> None:
    text = dump_text(pieces["ccap"])
    assert "[Title] Cahier des clauses administratives particulières" in text
    assert "article L.\u00a02112-2 du code de la commande publique" in text
    assert "décembre 2026" not in text  # the notification date is award data (M10)
    assert "montant maximum de 1\u202f500\u202f000,00\u00a0€\u00a0HT" in text
    assert "un million cinq cent mille euros" in text
    assert "indicatif" not in text
    assert "6\u202f000\u00a0heures de travail" in text
    assert "[En-tête] CCAP – Marché n°\u00a02026-0142" in text
    assert "PROJET" not in text


def test_provenance_is_recorded(pieces: dict[str, bytes]) -> None:
    record = read_provenance(pieces["ccap"])
    assert record["piece"] == "ccap"
    assert re.fullmatch(r"[0-9a-f]{64}", record["dossier_sha256"])
    fragments = {k: v for k, v in record.items() if k.startswith("fragment.")}
    assert int(record["fragments"]) == len(fragments) > 10
    assert all(re.fullmatch(r"\d+\.\d+\.\d+ sha256:[0-9a-f]{64} valide", v)
               for v in fragments.values())


def test_two_runs_give_identical_bytes(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("a.docx", "b.docx"):
        result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()


def test_unsuited_market_stops_without_forcer(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "ccap.docx"
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(PONCTUEL), "-o", str(output)])
    assert result.exit_code == 1
    assert "n'est pas adapté" in result.output
    assert "achat isolé" in result.output
    assert not output.exists()


def test_forcer_generates_with_a_warning(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "ccap.docx"
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(PONCTUEL), "-o", str(output), "--forcer"])
    assert result.exit_code == 0, result.output
    assert "Avertissement" in result.output
    assert "non adapté" in result.output
    assert output.exists()


def test_insertion_article_follows_the_dossier(runner, write_dossier, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dossier = write_dossier(plan_de_progres={"axes": [{"code": "sante_securite"}],
                                             "insertion": None})
    output = tmp_path / "ccap.docx"
    assert runner.invoke(cli, ["ccap", "--sans-pagination", str(dossier), "-o", str(output)]).exit_code == 0
    text = dump_text(output.read_bytes())
    assert "Action d'insertion professionnelle" not in text
    assert "Santé et sécurité au travail" in text


def test_buyer_skeleton_is_used(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    modele = tmp_path / "modele.docx"
    document = Document()
    document.add_paragraph("EN-TÊTE MAISON {{ acheteur }}")
    document.add_paragraph("{{p corps }}")
    document.save(str(modele))
    output = tmp_path / "ccap.docx"
    result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                 str(NETTOYAGE), "-o", str(output), "--modele", str(modele)])
    assert result.exit_code == 0, result.output
    text = dump_text(output.read_bytes())
    assert "EN-TÊTE MAISON Ville de Saint-Aubin-sur-Loire" in text
    assert "Article\u00a01 – Objet et forme du marché" in text


@pytest.mark.parametrize(("content", "message"), [
    (b"pas un zip", "ce n'est pas un document Word"),
    (None, "emplacement du corps absent"),
], ids=["pas-un-zip", "sans-emplacement"])
def test_bad_skeleton_is_refused(runner, tmp_path: Path, content: bytes | None,  # type: ignore[no-untyped-def]
                                 message: str) -> None:
    from docx import Document

    modele = tmp_path / "modele.docx"
    if content is None:
        document = Document()
        document.add_paragraph("Pas d'emplacement")
        document.save(str(modele))
    else:
        modele.write_bytes(content)
    output = tmp_path / "ccap.docx"
    result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                 str(NETTOYAGE), "-o", str(output), "--modele", str(modele)])
    assert result.exit_code == 2
    assert message in result.output
    assert not output.exists()


def test_user_strings_cannot_inject_markup(runner, write_dossier, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dossier = write_dossier(marche={"objet": "Lot *gras* & {{ 7*7 }} <b>x</b> | 1. [lien](x)"})
    output = tmp_path / "ccap.docx"
    assert runner.invoke(cli, ["ccap", "--sans-pagination", str(dossier), "-o", str(output)]).exit_code == 0
    text = dump_text(output.read_bytes())
    assert "Lot *gras* & {{ 7*7 }} <b>x</b> | 1. [lien](x)" in text


def test_pieces_with_suivi_writes_every_piece(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from icalendar import Calendar
    from openpyxl import load_workbook

    result = runner.invoke(cli, ["pieces", "--sans-pagination",
                                 str(NETTOYAGE), "-o", str(tmp_path), "--suivi"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["bilan-1.docx", "ccap.docx", "cctp.docx", "convocation.docx",
                     # issue 20: the procedure letters the dossier records a step for
                     "decision-penalites-1-2027-06-01.docx", "decision-penalites-1-2028-02-07.docx",
                     "echeancier.ics", "invitation-observations-1-2027-05-12.docx",
                     "lettre-1.docx", "lettre-2.docx", "lettre-bilan-1.docx",
                     "mise-en-demeure-1-2027-04-19.docx", "plan-1.docx", "plan-2.docx",
                     "tableau-de-bord.xlsx"]
    for docx in tmp_path.glob("*.docx"):
        assert "Marché n°\u00a02026-0142" in dump_text(docx.read_bytes())
    events = Calendar.from_ical((tmp_path / "echeancier.ics").read_bytes()).walk("VEVENT")
    assert len(events) >= 9
    assert load_workbook(tmp_path / "tableau-de-bord.xlsx").sheetnames


def test_pieces_with_suivi_needs_an_awarded_market(runner, write_dossier, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dossier = write_dossier(titulaire=None, plans=[], bilans=[])
    output = tmp_path / "sortie"
    result = runner.invoke(cli, ["pieces", "--sans-pagination", str(dossier), "-o", str(output), "--suivi"])
    assert result.exit_code == 2
    assert "titulaire" in result.output
    assert not output.exists()
