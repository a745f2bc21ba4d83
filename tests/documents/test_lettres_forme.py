"""French administrative letters: blocks, window-envelope position, date certaine, signature;
typography helpers (plural of units, function titles mid-sentence)."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.render.readers.inspect import dump_text
from clausegen.text.french import fonction, formule_appel, pluriel, typographie
from tests.conftest import NETTOYAGE

NB = "\u00a0"


@pytest.fixture(scope="module")
def lettre(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("lettre") / "lettre-1.docx"
    result = CliRunner().invoke(cli, ["lettre", str(NETTOYAGE), "--annee", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_letter_blocks_follow_french_administrative_usage(lettre: bytes) -> None:
    text = dump_text(lettre)
    assert f"Affaire suivie par{NB}: Sophie Leroy" in text
    assert "[Destinataire] Lettre recommandée avec accusé de réception" in text
    assert f"À l’attention de M.{NB}Jean Dupuis, directeur général" in text
    assert f"[Destinataire] Saint-Aubin-sur-Loire, le 4{NB}février 2027" in text
    assert f"N/Réf.{NB}: marché n°{NB}2026-0142" in text
    assert "Monsieur le Directeur général," in text
    assert "Je vous prie d’agréer, Monsieur le Directeur général, l’expression" in text
    signature = re.search(r"\[Signataire\] Maire de Saint-Aubin-sur-Loire\n((?:\n)+)Claire Martin",
                          text)
    assert signature
    assert len(signature.group(1)) >= 4  # room to sign and stamp


def test_letter_first_page_has_no_running_header(lettre: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(lettre)) as package:
        document = package.read("word/document.xml").decode()
        assert "<w:titlePg/>" in document
        first = re.search(r'<w:headerReference w:type="first" r:id="(rId\d+)"/>', document)
        assert first
        rels = package.read("word/_rels/document.xml.rels").decode()
        target = re.search(rf'Id="{first.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
            rf'Target="([^"]+)"[^>]*Id="{first.group(1)}"', rels)
        assert target
        header = package.read(f"word/{target.group(1)}").decode()
    assert "Marché n°" not in header


def test_table_rows_never_split_across_pages(lettre: bytes) -> None:
    document = zipfile.ZipFile(io.BytesIO(lettre)).read("word/document.xml").decode()
    rows = document.count("<w:tr>")
    assert rows > 5
    assert document.count("<w:cantSplit/>") == rows


@pytest.mark.parametrize(("quantite", "mot", "attendu"), [
    (1, "salarié", f"1{NB}salarié"), (Decimal("1.5"), "heure", f"1,5{NB}heure"),
    (2, "salarié", f"2{NB}salariés"), (120, "heure", f"120{NB}heures"), (3, "fois", f"3{NB}fois"),
])
def test_plural_from_two(quantite: int | Decimal, mot: str, attendu: str) -> None:
    assert pluriel(quantite, mot) == attendu


def test_function_titles_and_forms_of_address() -> None:
    assert fonction("Directeur général") == "directeur général"
    assert fonction("Maire de Saint-Aubin") == "maire de Saint-Aubin"
    assert fonction("DGS") == "DGS"
    assert formule_appel("M.", "directeur général") == "Monsieur le Directeur général"
    assert formule_appel("Mme", "Directrice") == "Madame la Directrice"
    assert formule_appel(None, "Directeur") == "Madame, Monsieur"


def test_numbers_units_and_phone_numbers_do_not_break() -> None:
    assert typographie("1 000 € HT") == f"1\u202f000{NB}€{NB}HT"
    assert typographie("02 41 00 00 00") == f"02{NB}41{NB}00{NB}00{NB}00"
    assert typographie("10 h 00") == f"10{NB}h{NB}00"
    assert typographie("6 jours et 100 %") == f"6{NB}jours et 100{NB}%"


def test_convocation_needs_no_dispatch_mode(tmp_path: Path) -> None:
    out = tmp_path / "convocation.docx"
    assert CliRunner().invoke(cli, ["convocation", str(NETTOYAGE), "-o", str(out)]).exit_code == 0
    assert "recommandée" not in dump_text(out.read_bytes())


def test_exchange_of_letters_is_not_dated_on_a_deadline_by_default(tmp_path: Path,
                                                                    write_dossier) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import example_data

    data = example_data()
    del data["plans"][0]["date_validation"]
    result = CliRunner().invoke(cli, ["lettre", str(write_dossier(data)), "--annee", "1", "-o",
                                      str(tmp_path / "l.docx")])
    assert result.exit_code == 2
    assert "--date" in result.output
    assert "date_validation" in result.output


def test_the_annex_starts_on_a_page_of_its_own_with_no_spacer_left_before_it(lettre: bytes) -> None:
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(lettre)).read("word/document.xml"))
    annex = next(p for p in body.iter(f"{w}p") if "".join(p.itertext()).startswith("Annexe \u2013"))
    assert annex.find(f"{w}pPr/{w}pageBreakBefore") is not None
    assert annex.getprevious().tag == f"{w}tbl"  # the acceptance table, without its spacer paragraph
    assert all(b.get(f"{w}type") != "page" for b in body.iter(f"{w}br"))  # no break character
