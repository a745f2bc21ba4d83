"""PDF export through LibreOffice headless (``soffice --convert-to pdf``).

The conversion runs in a private temporary directory with its own LibreOffice profile
(several conversions may run at once), then the PDF is moved into place atomically:
a failed conversion leaves no file behind.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from clausegen.errors import PdfError
from clausegen.output import write_atomic

SOFFICE_NAMES = ("soffice", "libreoffice")
INSTALL_HINT = "sudo apt-get install libreoffice-writer-nogui"
TIMEOUT_SECONDS = 180


def find_soffice() -> str | None:
    """The LibreOffice executable on the PATH, if any."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_soffice(path: Path | str = "") -> str:
    """The LibreOffice executable, or a French error saying how to install it."""
    soffice = find_soffice()
    if soffice is None:
        raise PdfError(path=path, reason=f"LibreOffice n'est pas installé (installez-le : {INSTALL_HINT})")
    return soffice


def convert_to_pdf(docx: Path, pdf: Path | None = None) -> Path:
    """Convert ``docx`` into ``pdf`` (default: same name, ``.pdf``); return the PDF path."""
    target = pdf or docx.with_suffix(".pdf")
    soffice = require_soffice(docx)
    with tempfile.TemporaryDirectory(prefix="clausegen-pdf-") as work:
        workdir = Path(work)
        source = workdir / "document.docx"
        shutil.copyfile(docx, source)
        command = [soffice, f"-env:UserInstallation={(workdir / 'profil').as_uri()}", "--headless",
                   "--norestore", "--convert-to", "pdf", "--outdir", str(workdir), str(source)]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                                 check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PdfError(path=docx, reason=f"LibreOffice n'a pas répondu en {TIMEOUT_SECONDS} s") from None
        produced = workdir / "document.pdf"
        if run.returncode != 0 or not produced.is_file():
            detail = (run.stderr or run.stdout).strip().splitlines()[-1:] or ["aucun message"]
            raise PdfError(path=docx, reason=f"LibreOffice a échoué ({detail[0]})")
        return write_atomic(target, produced.read_bytes())
