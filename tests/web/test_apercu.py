"""The HTML preview comes from the same blocks as the Word body: same texts, escaped."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import docx
import pytest

from clausegen.api.marche import dump_brouillon, open_library, read_dossier_text, render_brouillon
from clausegen.blocks import Heading, ListItem, Paragraph, Run
from clausegen.render.writers.html import blocks_to_html
from tests.conftest import NETTOYAGE


class _Textes(HTMLParser):
    """Text of each heading, paragraph and table cell of the preview."""

    BALISES = ("h2", "h3", "h4", "p", "td", "th")

    def __init__(self) -> None:
        super().__init__()
        self.textes: list[str] = []
        self._courant: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BALISES:
            self._courant = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BALISES and self._courant is not None:
            self.textes.append("".join(self._courant).strip())
            self._courant = None

    def handle_data(self, data: str) -> None:
        if self._courant is not None:
            self._courant.append(data)


def _textes_word(contenu: bytes) -> set[str]:
    """Each paragraph as Word shows it: a numbered heading with its list label."""
    from clausegen.render.readers.inspect import ArticleNumbers

    document = docx.Document(io.BytesIO(contenu))
    numeros = ArticleNumbers(document)
    textes = {f"{numeros.label(p)} {p.text}".strip() for p in document.paragraphs}
    for table in document.tables:
        textes |= {cellule.text.strip() for ligne in table.rows for cellule in ligne.cells}
    return textes


@pytest.mark.parametrize("piece", ["ccap", "cctp"])
def test_every_preview_text_is_in_the_word_document(piece: str) -> None:
    charge = read_dossier_text(NETTOYAGE.read_text(encoding="utf-8"), "d.yml")
    produit = render_brouillon(dump_brouillon(charge.dossier), "d.yml", open_library(), paginer=False)
    rendu = next(p for p in produit.pieces if p.piece == piece)
    lecteur = _Textes()
    lecteur.feed(str(rendu.preview))
    textes_word = _textes_word(rendu.docx)
    assert len(lecteur.textes) > 20
    absents = [t for t in lecteur.textes if t and t not in textes_word]
    assert absents == []


def test_preview_escapes_text_and_groups_lists() -> None:
    html = str(blocks_to_html([
        Heading(level=1, text="Article 1 – <Objet>", number="1"),
        Paragraph(runs=(Run("a & b", bold=True), Run(" <script>", italic=True))),
        ListItem(runs=(Run("premier"),), ordered=True, label="1."),
        ListItem(runs=(Run("second"),), ordered=True, label="2."),
        Paragraph(runs=(Run("fin"),)),
    ]))
    assert "<h2>Article 1 – &lt;Objet&gt;</h2>" in html
    assert "<strong>a &amp; b</strong><em> &lt;script&gt;</em>" in html
    assert html.count("<ol") == 1
    assert html.count("<li") == 2
    assert "<script>" not in html
