"""Page numbers in the cached table of contents of a Word document (the sommaire).

The sommaire is a ``TOC`` field whose cached result lists the headings (numbering.toc_xml);
page numbers cannot be known when the document is written. Word shows the cached result until
the table is updated; LibreOffice 7.4 shows it as it is, in a plain ``soffice --convert-to``
too: it refreshes the table neither on opening nor for ``w:dirty`` or ``w:updateFields``
(tried, docs/documents-vivants.md). So LibreOffice lays the document out once (UNO bridge: a
converter kept running, or one run for all the documents of a command), updates its indexes
and reports their text; each entry of the cached result then gets a tab and a ``PAGEREF``
field whose cached value is that page: the file shows its page numbers on first opening, in
Word (until an update recomputes them with Word's own layout) and in LibreOffice. The page
numbers are LibreOffice's layout, never an estimate; the provenance records which LibreOffice
made them (``pagination``), since another version may break a page elsewhere.

A document whose sommaire has no page numbers (pagination not asked for, or LibreOffice
missing) carries ``w:updateFields`` in its settings
(:func:`clausegen.render.writers.settings.with_update_fields`): Word offers to update its fields
on opening, which fills them in; pagination takes that setting away.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from clausegen.errors import PdfError
from clausegen.render.writers.body_text import body_digest
from clausegen.render.writers.numbering import NSW, TOC_INSTRUCTION, W
from clausegen.render.writers.package import BODY_PART, finalize_parts, read_custom_properties
from clausegen.render.writers.settings import SETTINGS_PART, without_update_fields

if TYPE_CHECKING:
    from clausegen.render.converters.converter import Converter

PROVENANCE_KEY = "pagination"
"""Provenance property naming the LibreOffice that gave the sommaire's page numbers."""
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_ENTRY = re.compile(r"^(.*)\t(\d+)$")


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def has_toc(docx: bytes) -> bool:
    """Whether the document holds clausegen's table of contents."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return TOC_INSTRUCTION.encode() in archive.read(BODY_PART)


def sommaire_sans_pages(docx: bytes) -> bool:
    """Whether the document has a sommaire whose cached entries have no page numbers."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        body = archive.read(BODY_PART)
    if TOC_INSTRUCTION.encode() not in body:
        return False
    entries = _toc_entries(etree.fromstring(body, _PARSER))
    return bool(entries) and not any(_has_page(e) for e in entries)


def _has_page(entry: etree._Element) -> bool:
    return entry.find(f"{_q('r')}/{_q('tab')}") is not None


def _toc_entries(body: etree._Element) -> list[etree._Element]:
    """The hyperlinks of the cached TOC result, in order."""
    entries: list[etree._Element] = []
    inside = False
    for paragraph in body.iter(_q("p")):
        if not inside:
            instructions = "".join(t.text or "" for t in paragraph.iter(_q("instrText")))
            inside = TOC_INSTRUCTION in instructions
            if not inside:
                continue
        entries += paragraph.findall(_q("hyperlink"))
        ends = paragraph.xpath("w:r/w:fldChar[@w:fldCharType='end']", namespaces={"w": W})
        if ends:
            return entries
    return entries


def pages_from_index(text: str) -> list[int]:
    """Page numbers of an updated index's text, one per entry line (« Titre<TAB>3 »)."""
    return [int(m.group(2)) for line in text.splitlines() if (m := _ENTRY.match(line))]


def with_pages(docx: bytes, pages: Sequence[int], logiciel: str) -> bytes:
    """The document with one page number per cached TOC entry, without ``w:updateFields``, its
    provenance saying which office suite laid it out (``logiciel``) and its body digest renewed.
    Unchanged if the counts differ or if the entries already have their numbers."""
    archive = zipfile.ZipFile(io.BytesIO(docx))
    root = etree.fromstring(archive.read(BODY_PART), _PARSER)
    entries = _toc_entries(root)
    if not entries or len(entries) != len(pages) or any(_has_page(e) for e in entries):
        return docx
    for entry, page in zip(entries, pages, strict=True):
        target = entry.get(_q("anchor"), "")
        runs = ('<w:r><w:tab/></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                f'<w:r><w:instrText xml:space="preserve"> PAGEREF {target} \\h </w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                f'<w:r><w:t>{page}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')
        for run in etree.fromstring(f"<w:x {NSW}>{runs}</w:x>", _PARSER):
            entry.append(run)
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts = []
    for info in archive.infolist():
        data = archive.read(info.filename)
        if info.filename == BODY_PART:
            data = body
        elif info.filename == SETTINGS_PART:
            data = without_update_fields(data)
        parts.append((info.filename, data))
    record = read_custom_properties(docx)
    record[PROVENANCE_KEY] = logiciel
    return finalize_parts(parts, record, body_digest(body))


def _paginated(data: bytes, reply: dict[str, object]) -> bytes:
    """``data`` with the page numbers of office_uno.py's reply (its first index)."""
    texts, logiciel = reply.get("index"), reply.get("logiciel")
    if not isinstance(texts, list) or not texts or not isinstance(logiciel, str):
        return data
    return with_pages(data, pages_from_index(str(texts[0])), logiciel)


def paginate(documents: Sequence[tuple[str, bytes]], converter: Converter | None = None) -> list[bytes]:
    """Each (name, .docx) with page numbers in its sommaire, laid out by ``converter`` (a
    LibreOffice kept running) when given, else by one LibreOffice run for all those that have
    one (the others are returned unchanged).

    Raises :class:`~clausegen.errors.PdfError` (LibreOffice or its ``uno`` module missing, or
    LibreOffice failing); see :func:`unavailable` to check first."""
    todo = [index for index, (_, data) in enumerate(documents) if has_toc(data)]
    results = [data for _, data in documents]
    if not todo:
        return results
    if converter is not None:
        for index in todo:
            name, data = documents[index]
            results[index] = _paginated(data, converter.index_texts(data, name))
        return results
    from clausegen.render.converters.pdf import (
        PAGES,
        UNO_SCRIPT,
        _run,
        prepare_workdir,
        require_soffice,
        uno_python,
    )
    from clausegen.render.converters.pdf import PAGES_LABEL as LABEL

    name = documents[todo[0]][0]
    require_soffice(name, LABEL)
    python = uno_python()
    if python is None:
        raise PdfError(path=name, reason="le module uno de LibreOffice est absent (installez python3-uno)",
                       target=LABEL)
    with tempfile.TemporaryDirectory(prefix="clausegen-pagination-") as work:
        workdir = Path(work)
        sources = prepare_workdir(workdir, [(f"document-{index}.docx", documents[index][1])
                                            for index in todo])
        timeout = 180 + 60 * (len(sources) - 1)
        try:
            run = _run([python, str(UNO_SCRIPT), (workdir / "profil").as_uri(), PAGES, "{}", "json",
                        *map(str, sources)], timeout)
        except subprocess.TimeoutExpired:
            raise PdfError(path=name, reason=f"LibreOffice n'a pas répondu en {timeout} s",
                           target=LABEL) from None
        for index, source in zip(todo, sources, strict=True):
            produced = source.with_suffix(".json")
            if run.returncode != 0 or not produced.is_file():
                raise PdfError(path=documents[index][0], reason="LibreOffice a échoué", target=LABEL)
            results[index] = _paginated(results[index], json.loads(produced.read_text(encoding="utf-8")))
    return results


def unavailable() -> str | None:
    """Why LibreOffice cannot paginate here (French, with what to install), or None."""
    from clausegen.render.converters.pdf import INSTALL_HINT, find_soffice, uno_python

    if find_soffice() is None:
        return f"LibreOffice n'est pas installé (installez-le : {INSTALL_HINT})"
    if uno_python() is None:
        return "le module uno de LibreOffice est absent (installez python3-uno)"
    return None
