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

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from functools import lru_cache
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
UNO_FILTERS = {
    (".docx", "pdf"): ("writer_pdf_Export", {"SelectPdfVersion": 2, "UseTaggedPDF": True,
                                             "ExportBookmarks": True}),
    (".docx", "odt"): ("writer8", {}),
}
"""The same conversions through the UNO bridge, which also updates tables of contents."""
SYSTEM_PYTHON = "/usr/bin/python3"
UNO_SCRIPT = Path(__file__).with_name("office_uno.py")


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


@lru_cache(maxsize=1)
def uno_python() -> str | None:
    """A Python with LibreOffice's ``uno`` module (``python3-uno``), if there is one."""
    python = shutil.which("python3", path=str(Path(SYSTEM_PYTHON).parent)) or SYSTEM_PYTHON
    try:
        found = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30,
                               check=False, stdin=subprocess.DEVNULL).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return None
    return python if found else None


def _command(soffice: str, profile: Path, sources: Sequence[Path], suffix: str, fmt: str,
             workdir: Path) -> list[str]:
    """One LibreOffice run for all ``sources``: through UNO (tables of contents get their page
    numbers) when the system Python has ``uno``, else ``soffice --convert-to``."""
    python = uno_python() if (suffix, fmt) in UNO_FILTERS else None
    target, filter_name = FILTERS[(suffix, fmt)]
    if python is not None and shutil.which("soffice"):
        name, data = UNO_FILTERS[(suffix, fmt)]
        return [python, str(UNO_SCRIPT), profile.as_uri(), name, json.dumps(data), target,
                *map(str, sources)]
    return [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
            "--convert-to", filter_name, "--outdir", str(workdir), *map(str, sources)]


def _run(command: list[str], timeout: int) -> subprocess.CompletedProcess[str]:
    """Run LibreOffice in its own process group: on timeout the whole group is killed
    (``soffice`` starts ``soffice.bin``, which would otherwise outlive its parent)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


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


def convert_bytes(docx: bytes, name: str, fmt: str = "pdf") -> bytes:
    """Convert a .docx held in memory to ``fmt``; ``name`` is the file name LibreOffice sees
    (and messages name). The work is done in a private temporary directory."""
    with tempfile.TemporaryDirectory(prefix="clausegen-memoire-") as work:
        source = Path(work) / Path(name).name
        source.write_bytes(docx)
        (converted,) = convert_documents([source], fmt)
        return converted.read_bytes()


def write_profile(profile: Path) -> None:
    """A new private LibreOffice profile in ``profile`` (:data:`PROFILE_SETTINGS`)."""
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(PROFILE_SETTINGS, encoding="utf-8")


def prepare_source(document: Path, source: Path) -> Path:
    """Copy ``document`` to ``source``, the file LibreOffice opens; a Word document's
    references to whole articles are frozen first (see the module's docstring)."""
    from clausegen.render.numbering import freeze_article_references

    data = document.read_bytes()
    source.write_bytes(freeze_article_references(data) if source.suffix == ".docx" else data)
    return source


def _convert(documents: Sequence[Path], suffix: str, fmt: str) -> list[Path]:
    label = LABELS[fmt]
    target, _ = FILTERS[(suffix, fmt)]
    soffice = require_soffice(documents[0], label)
    with tempfile.TemporaryDirectory(prefix="clausegen-conversion-") as work:
        workdir = Path(work)
        write_profile(workdir / "profil")
        sources = [prepare_source(document, workdir / f"document-{index}{suffix}")
                   for index, document in enumerate(documents)]
        command = _command(soffice, workdir / "profil", sources, suffix, fmt, workdir)
        timeout = TIMEOUT_SECONDS + TIMEOUT_PER_DOCUMENT * (len(sources) - 1)
        try:
            run = _run(command, timeout)
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
