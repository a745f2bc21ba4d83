"""Checks on an untrusted .docx before python-docx opens it (actualiser, importer).

python-docx reads every part into memory: a small zip that inflates to gigabytes (a « zip
bomb ») or a file that is not a Word document is refused here first, with a French message.
Its XML is then parsed without DTDs or entities (python-docx's parser).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from clausegen.errors import InputFileError

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 5_000


def check_docx(data: bytes, path: Path | str) -> None:
    """Refuse what is not a plausible, reasonably sized Word document."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError):
        raise InputFileError(path=path, reason="ce n'est pas un document Word (.docx)") from None
    if len(infos) > MAX_MEMBERS:
        raise InputFileError(path=path, reason="archive suspecte (trop de parties)")
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_RATIO:
        raise InputFileError(path=path, reason="archive suspecte (taux de compression anormal)")
    if "word/document.xml" not in {i.filename for i in infos}:
        raise InputFileError(path=path, reason="ce n'est pas un document Word (.docx)")
