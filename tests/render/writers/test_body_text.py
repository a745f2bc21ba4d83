"""The digest of the body's text (``corps_sha256``): put together while writing, it must be
the digest that ``verifier-document`` reads back from the written part."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clausegen.cli import cli
from clausegen.render.writers import package
from clausegen.render.writers.body_text import PLACEHOLDER, assembled_digest, body_digest
from tests.conftest import EXAMPLES, NETTOYAGE

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MARK = "\ue000corps\ue000"


def _recorded_and_read(docx: Path) -> tuple[str, str]:
    data = docx.read_bytes()
    custom = (package.read_part(data, "docProps/custom.xml") or b"").decode("utf-8")
    found = re.search(r'name="clausegen\.corps_sha256"><vt:lpwstr>([0-9a-f]{64})<', custom)
    assert found, docx
    body = package.read_part(data, package.BODY_PART)
    assert body is not None
    return found.group(1), body_digest(body)


def test_every_piece_records_the_digest_of_its_written_body(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    documents = []
    for index, example in enumerate(sorted(EXAMPLES.glob("*.yml"))):
        out = tmp_path / f"e{index}"
        options = ["--suivi"] if example == NETTOYAGE else ["--forcer"]
        result = runner.invoke(cli, ["pieces", "--sans-pagination", str(example), "-o", str(out), *options])
        assert result.exit_code == 0, (example.name, result.output)
        documents += sorted(out.rglob("*.docx"))
    assert len(documents) >= 19  # CCAP and CCTP of each example, the follow-up's pieces (7)
    for docx in documents:
        recorded, read = _recorded_and_read(docx)
        assert recorded == read, docx.relative_to(tmp_path)


def test_writing_a_piece_does_not_parse_its_body_again(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def parsed(_xml: bytes) -> str:
        raise AssertionError("the written body was parsed whole")

    monkeypatch.setattr(package, "body_digest", parsed)
    out = tmp_path / "ccap.docx"
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    monkeypatch.undo()
    recorded, read = _recorded_and_read(out)
    assert recorded == read


def _document(inner: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f"<w:document {W}><w:body>{inner}</w:body></w:document>")


PIECES = ['<w:p><w:r><w:t xml:space="preserve">Article 1 – </w:t><w:tab/><w:t>Objet</w:t></w:r></w:p>',
          "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Case</w:t><w:br/><w:t>&amp; suite</w:t></w:r></w:p></w:tc>"
          "<w:tc><w:p/></w:tc></w:tr></w:tbl>",
          "<w:p><w:pPr><w:pStyle w:val=\"Normal\"/></w:pPr></w:p>"]


@pytest.mark.parametrize("inner", [
    f"<w:p><w:r><w:t>Page de garde</w:t></w:r></w:p>{MARK}<w:p><w:r><w:t>Fin</w:t></w:r></w:p>",
    f"<w:tbl><w:tr><w:tc>{MARK}<w:p/></w:tc></w:tr></w:tbl><w:sectPr/>",
    MARK,
])
def test_put_together_equals_the_whole_part_read(inner: str) -> None:
    around = _document(inner)
    whole = around.replace(MARK, "".join(PIECES)).encode("utf-8")
    assert assembled_digest(around, MARK, PIECES) == body_digest(whole)


@pytest.mark.parametrize("inner", [
    # the body inside a paragraph (a text box): that paragraph's line holds the body's text
    f"<w:p><w:r><w:t>Cadre</w:t><w:txbxContent>{MARK}</w:txbxContent></w:r></w:p>",
    f"{MARK}<w:p/>{MARK}",  # two places
    f"<w:p><w:r><w:t>{PLACEHOLDER}</w:t></w:r></w:p>{MARK}",  # a value holding the placeholder
    f"<w:p><w:r><w:t>non fermé</w:t></w:r>{MARK}",  # not well-formed
])
def test_cannot_be_put_together_where_the_body_is_not_a_sibling(inner: str) -> None:
    assert assembled_digest(_document(inner), MARK, PIECES) is None


def test_a_main_namespace_under_another_prefix_is_read_whole() -> None:
    around = ('<x:document xmlns:x="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
              f"<x:body><x:p><x:r><x:t>Garde</x:t></x:r></x:p>{MARK}</x:body></x:document>")
    assert assembled_digest(around, MARK, ["<x:p><x:r><x:t>Texte</x:t></x:r></x:p>"]) is None
