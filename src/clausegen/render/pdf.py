"""PDF and ODT export through LibreOffice headless, every document of a command in one call.

``soffice --convert-to`` takes several files: starting LibreOffice costs about a second,
so a command's documents are converted together (docs/performance.md). The conversion runs
in a private temporary directory with its own LibreOffice profile (several conversions may
run at once); the results are moved into place only when every document converted: a
failed conversion leaves no file behind.

- PDF: PDF/A-2b (archivable, fonts embedded), tagged (structure for screen readers), with
  the document's title, author and language, through the ``writer_pdf_Export`` filter's
  JSON options (LibreOffice 7.4 or later).
- ODT: OpenDocument Text (``writer8`` filter), the format the State's interoperability
  framework (RGI) recommends to administrations.

Before conversion, cross-references to whole articles are fixed to their (correct) current
value: LibreOffice ignores Word's ``\\t`` switch and would show the whole label
(« Article 4 – ») where the text expects « 4 » (docs/documents-vivants.md).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from clausegen.errors import PdfError
from clausegen.output import write_atomic

SOFFICE_NAMES = ("soffice", "libreoffice")
INSTALL_HINT = "sudo apt-get install libreoffice-writer-nogui"
TIMEOUT_SECONDS = 180
TIMEOUT_PER_DOCUMENT = 60
PDF_OPTIONS = {
    "SelectPdfVersion": {"type": "long", "value": "2"},  # PDF/A-2b
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "ExportBookmarks": {"type": "boolean", "value": "true"},
}
FILTERS = {
    (".docx", "pdf"): ("pdf", "pdf:writer_pdf_Export:" + json.dumps(PDF_OPTIONS, separators=(",", ":"))),
    (".docx", "odt"): ("odt", "odt:writer8"),
    (".xlsx", "odt"): ("ods", "ods:calc8"),
}
"""(document suffix, requested format) → (suffix written, LibreOffice filter). A workbook's
OpenDocument version is a spreadsheet (.ods)."""
LABELS = {"pdf": "PDF", "odt": "ODT"}


def convertible(path: Path, fmt: str) -> bool:
    """Whether ``path`` has a ``fmt`` version (Word documents; workbooks for OpenDocument)."""
    return (path.suffix.lower(), fmt) in FILTERS
PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Common/Save/ODF"><prop oor:name="DefaultVersion" oor:op="fuse">\
<value>10</value></prop></item>
</oor:items>
"""
"""The private profile writes ODF 1.3 without LibreOffice's extensions (« 1.3 étendu » adds
``loext:`` elements that the ODF schema does not know)."""


def find_soffice() -> str | None:
    """The LibreOffice executable on the PATH, if any."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_soffice(path: Path | str = "", target: str = "PDF") -> str:
    """The LibreOffice executable, or a French error saying how to install it."""
    soffice = find_soffice()
    if soffice is None:
        raise PdfError(path=path, reason=f"LibreOffice n'est pas installé (installez-le : {INSTALL_HINT})",
                       target=target)
    return soffice


def convert_documents(documents: Sequence[Path], fmt: str) -> list[Path]:
    """Convert ``documents`` to ``fmt`` (« pdf », « odt »): one LibreOffice call for the Word
    documents, one for the workbooks (.xlsx → .ods), if any.

    Each result goes beside its document (same name, new suffix); the paths are returned in
    the same order. Nothing is written unless every document of a call converted.
    """
    written: dict[Path, Path] = {}
    for suffix in (".docx", ".xlsx"):
        group = [d for d in documents if d.suffix.lower() == suffix and convertible(d, fmt)]
        if group:
            written.update(zip(group, _convert(group, suffix, fmt), strict=True))
    return [written[d] for d in documents if d in written]


def _convert(documents: Sequence[Path], suffix: str, fmt: str) -> list[Path]:
    from clausegen.render.numbering import freeze_article_references

    label = LABELS[fmt]
    target, filter_name = FILTERS[(suffix, fmt)]
    soffice = require_soffice(documents[0], label)
    with tempfile.TemporaryDirectory(prefix="clausegen-conversion-") as work:
        workdir = Path(work)
        (workdir / "profil" / "user").mkdir(parents=True)
        (workdir / "profil" / "user" / "registrymodifications.xcu").write_text(PROFILE_SETTINGS,
                                                                            encoding="utf-8")
        sources = []
        for index, document in enumerate(documents):
            source = workdir / f"document-{index}{suffix}"
            data = document.read_bytes()
            source.write_bytes(freeze_article_references(data) if suffix == ".docx" else data)
            sources.append(source)
        command = [soffice, f"-env:UserInstallation={(workdir / 'profil').as_uri()}", "--headless",
                   "--norestore", "--convert-to", filter_name, "--outdir", str(workdir),
                   *map(str, sources)]
        timeout = TIMEOUT_SECONDS + TIMEOUT_PER_DOCUMENT * (len(sources) - 1)
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                 check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PdfError(path=documents[0], reason=f"LibreOffice n'a pas répondu en {timeout} s",
                           target=label) from None
        produced = [source.with_suffix(f".{target}") for source in sources]
        for document, result in zip(documents, produced, strict=True):
            if run.returncode != 0 or not result.is_file():
                detail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["aucun message"]
                raise PdfError(path=document, reason=f"LibreOffice a échoué ({detail[0]})", target=label)
        return [write_atomic(document.with_suffix(f".{target}"), result.read_bytes())
                for document, result in zip(documents, produced, strict=True)]
