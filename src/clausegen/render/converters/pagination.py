"""Page numbers in the cached table of contents of a Word document (``--paginer``).

The sommaire is a ``TOC`` field whose cached result lists the headings (numbering.toc_xml);
page numbers cannot be known when the document is written. Word shows them after a field
update; LibreOffice shows the cached result as it is, even in a plain ``soffice --convert-to``.
Here LibreOffice lays the document out once (UNO bridge, all the documents of a command in
one run), updates its indexes and reports their text; each entry of the cached result then
gets a tab and a ``PAGEREF`` field whose cached value is that page: the file shows its page
numbers on first opening, in Word (until an update recomputes them) and in LibreOffice.

Requires LibreOffice and the system Python's ``uno`` module; the page numbers are
LibreOffice's layout (Word may differ by a line break until its own update).
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

from lxml import etree

from clausegen.errors import PdfError
from clausegen.render.writers.numbering import NSW, TOC_INSTRUCTION, W
from clausegen.render.writers.package import rezip

LABEL = "pour la pagination du sommaire"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_ENTRY = re.compile(r"^(.*)\t(\d+)$")


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def has_toc(docx: bytes) -> bool:
    """Whether the document holds clausegen's table of contents."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return TOC_INSTRUCTION.encode() in archive.read("word/document.xml")


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


def with_pages(docx: bytes, pages: Sequence[int]) -> bytes:
    """The document with one page number per cached TOC entry (unchanged if counts differ or if
    the entries already have theirs)."""
    archive = zipfile.ZipFile(io.BytesIO(docx))
    root = etree.fromstring(archive.read("word/document.xml"), _PARSER)
    entries = _toc_entries(root)
    if not entries or len(entries) != len(pages) or any(e.find(f"{_q('r')}/{_q('tab')}") is not None
                                                      for e in entries):
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
    return rezip((info.filename, body if info.filename == "word/document.xml"
                  else archive.read(info.filename)) for info in archive.infolist())


def paginate(documents: Sequence[tuple[str, bytes]]) -> list[bytes]:
    """Each (name, .docx) with page numbers in its sommaire; one LibreOffice run for all those
    that have one (the others are returned unchanged)."""
    from clausegen.render.converters.pdf import UNO_SCRIPT, _run, prepare_workdir, require_soffice, uno_python

    todo = [index for index, (_, data) in enumerate(documents) if has_toc(data)]
    results = [data for _, data in documents]
    if not todo:
        return results
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
            run = _run([python, str(UNO_SCRIPT), (workdir / "profil").as_uri(), "sommaire", "{}", "json",
                        *map(str, sources)], timeout)
        except subprocess.TimeoutExpired:
            raise PdfError(path=name, reason=f"LibreOffice n'a pas répondu en {timeout} s",
                           target=LABEL) from None
        for index, source in zip(todo, sources, strict=True):
            produced = source.with_suffix(".json")
            if run.returncode != 0 or not produced.is_file():
                raise PdfError(path=documents[index][0], reason="LibreOffice a échoué", target=LABEL)
            texts = json.loads(produced.read_text(encoding="utf-8"))
            if texts:
                results[index] = with_pages(results[index], pages_from_index(texts[0]))
    return results
