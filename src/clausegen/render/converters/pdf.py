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

Cross-references stay fields: those to whole articles point at each article's number marker
and read « 4 » in LibreOffice as in Word (docs/documents-vivants.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import zlib
from collections.abc import Sequence
from datetime import datetime
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
PAGES = "sommaire"
"""office_uno.py's pseudo filter: the updated indexes' text instead of an export
(:mod:`clausegen.render.converters.pagination`)."""
PAGES_LABEL = "pour la pagination du sommaire"
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


def prepare_workdir(workdir: Path, files: Sequence[tuple[str, bytes]]) -> list[Path]:
    """A private LibreOffice profile in ``workdir`` (several runs may go at once) and the
    files to convert written there; their paths, in order."""
    (workdir / "profil" / "user").mkdir(parents=True)
    (workdir / "profil" / "user" / "registrymodifications.xcu").write_text(PROFILE_SETTINGS,
                                                                        encoding="utf-8")
    sources = []
    for name, data in files:
        source = workdir / name
        source.write_bytes(data)
        sources.append(source)
    return sources


def _convert(documents: Sequence[Path], suffix: str, fmt: str) -> list[Path]:
    label = LABELS[fmt]
    target, _ = FILTERS[(suffix, fmt)]
    soffice = require_soffice(documents[0], label)
    with tempfile.TemporaryDirectory(prefix="clausegen-conversion-") as work:
        workdir = Path(work)
        sources = prepare_workdir(workdir, [(f"document-{index}{suffix}", document.read_bytes())
                                            for index, document in enumerate(documents)])
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
        return [write_atomic(document.with_suffix(f".{target}"), finished(document, result, target))
                for document, result in zip(documents, produced, strict=True)]


def finished(document: Path, result: Path, target: str) -> bytes:
    """What is written for ``document`` from LibreOffice's ``result``: a PDF with the clock
    taken out (:func:`reproducible_pdf`), anything else as it is."""
    data = result.read_bytes()
    return reproducible_pdf(data, document_date(document.read_bytes())) if target == "pdf" else data


_CORE_DATE = re.compile(rb"<dcterms:(?:modified|created)\b[^>]*>(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)")


def document_date(docx: bytes) -> datetime:
    """The date of a generated document (its core properties, from the dossier): the date its
    PDF carries, never the clock. 1 January 1980 (the package's own fixed time) without one."""
    from clausegen.render.writers.package import FIXED_TIME, read_part

    try:
        core = read_part(docx, "docProps/core.xml") or b""
    except ValueError:
        core = b""
    found = _CORE_DATE.search(core)
    if found is None:
        return datetime(*FIXED_TIME)
    year, month, day, hour, minute, second = (int(part) for part in found.groups())
    return datetime(year, month, day, hour, minute, second)


_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_OBJECT = re.compile(rb"\s*(\d+) (\d+) obj\b")
ROLES = ((b"/Contents#20Heading/P\n", b"/Contents#20Heading/H1\n"), (b"/Title/P\n", b"/Title/H1\n"))
"""Paragraph styles LibreOffice tags as plain paragraphs that are headings: the table of
contents' title (« Sommaire ») and the cover title."""


def _icc_dated(stream: bytes, when: datetime) -> bytes | None:
    """An ICC profile (inflated) with its creation date set to ``when`` and its profile id
    recomputed (ICC.1 §7.2.18), or None when ``stream`` is not one."""
    if len(stream) < 128 or stream[36:40] != b"acsp":
        return None
    profile = bytearray(stream)
    profile[24:36] = struct.pack(">6H", when.year, when.month, when.day, when.hour, when.minute,
                                 when.second)
    if any(profile[84:100]):
        blanked = bytearray(profile)
        blanked[44:48] = blanked[64:68] = b"\0" * 4
        blanked[84:100] = b"\0" * 16
        profile[84:100] = hashlib.md5(bytes(blanked), usedforsecurity=False).digest()
    return bytes(profile)


def reproducible_pdf(pdf: bytes, when: datetime) -> bytes:
    """LibreOffice's PDF with the clock taken out: creation and modification dates (document
    information, XMP metadata, the output intent's ICC profile) set to ``when``, the file
    identifier a digest of the content; and the table of contents' title and the cover title
    tagged as headings. The same document gives the same bytes. A PDF whose layout is not
    the plain one LibreOffice writes (one cross-reference table) is returned unchanged."""
    starts = pdf.rfind(b"startxref")
    table = pdf.rfind(b"\nxref\n", 0, starts) + 1
    if starts < 0 or table <= 0 or pdf.count(b"startxref") != 1:
        return pdf
    header = pdf[table + 5:table + 64].split(b"\n", 1)[0].split()
    if len(header) != 2 or header[0] != b"0":
        return pdf
    entries = _XREF_ENTRY.findall(pdf, table, starts)
    used = sorted((int(offset), number) for number, (offset, _, kind) in enumerate(entries) if kind == b"n")
    if not used or len(entries) != int(header[1]):
        return pdf
    bounds = [offset for offset, _ in used] + [table]
    objects = {number: pdf[start:end] for (start, number), end in zip(used, bounds[1:], strict=True)}
    stamp = when.strftime("%Y%m%d%H%M%S").encode()
    iso = when.strftime("%Y-%m-%dT%H:%M:%S").encode()
    lengths: dict[int, int] = {}
    for number, data in objects.items():
        data = re.sub(rb"(/(?:CreationDate|ModDate)\s*\(D:)\d{14}", rb"\g<1>" + stamp, data)
        data = re.sub(rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d",
                      rb"\g<1>" + iso, data)
        for old, new in ROLES:
            if b"/RoleMap" in data:
                data = data.replace(old, new)
        stream = re.search(rb"/Length (\d+) 0 R/Filter/FlateDecode>>\nstream\n", data)
        if stream is not None:
            body = data[stream.end():data.rfind(b"endstream")].removesuffix(b"\n")
            with contextlib.suppress(zlib.error):
                profile = _icc_dated(zlib.decompress(body), when)
                if profile is not None:
                    packed = zlib.compress(profile, 9)
                    data = data[:stream.end()] + packed + b"\n" + data[data.rfind(b"endstream"):]
                    lengths[int(stream.group(1))] = len(packed)
        objects[number] = data
    for number, length in lengths.items():
        found = _OBJECT.match(objects.get(number, b""))
        if found is not None:
            objects[number] = objects[number][:found.end()] + f"\n{length}\nendobj\n\n".encode()
    out = bytearray(pdf[:used[0][0]])
    offsets = {}
    for _, number in used:
        offsets[number] = len(out)
        out += objects[number]
    digest = hashlib.md5(bytes(out), usedforsecurity=False).hexdigest().upper().encode()
    trailer = pdf[pdf.find(b"trailer", table):starts]
    trailer = re.sub(rb"/ID\s*\[\s*<[0-9A-Fa-f]*>\s*<[0-9A-Fa-f]*>\s*\]",
                     b"/ID [ <" + digest + b">\n<" + digest + b"> ]", trailer)
    trailer = re.sub(rb"/DocChecksum\s*/[0-9A-Fa-f]+", b"/DocChecksum /" + digest, trailer)
    position = len(out)
    out += b"xref\n0 %d\n" % len(entries)
    for number, (_, generation, kind) in enumerate(entries):
        out += b"%010d %s %s \n" % (offsets.get(number, 0), generation, kind)
    out += trailer + b"startxref\n%d\n%%%%EOF\n" % position
    return bytes(out)
