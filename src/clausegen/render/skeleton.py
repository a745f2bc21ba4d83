"""Checks on a Word skeleton (modèle) before docxtpl opens it."""

from __future__ import annotations

import zipfile
from pathlib import Path

from clausegen.errors import TemplateFileError

MAX_SKELETON_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200
BODY_SLOT = "{{p corps }}"
PLACEHOLDERS = ("acheteur", "adresse_acheteur", "titre_piece", "sigle", "reference", "objet",
                "sous_titre", "mention_plan", "mention_projet")
"""Fields a skeleton may use; ``{{p corps }}`` is the one mandatory slot."""


def check_skeleton(path: Path) -> bytes:
    """Read a skeleton after refusing what is not a safe .docx with a body slot."""
    try:
        if path.stat().st_size > MAX_SKELETON_BYTES:
            raise TemplateFileError(path=path, reason="fichier trop volumineux (maximum 20 Mio)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise TemplateFileError(path=path, reason="fichier introuvable") from None
    except OSError as exc:
        raise TemplateFileError(path=path, reason=f"lecture impossible ({exc.strerror})") from None
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise TemplateFileError(path=path, reason="ce n'est pas un document Word (.docx)") from None
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_RATIO:
        raise TemplateFileError(path=path, reason="archive suspecte (taux de compression anormal)")
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise TemplateFileError(path=path, reason="ce n'est pas un document Word (.docx)")
    body = archive.read("word/document.xml").decode("utf-8", errors="replace")
    if "{{p corps }}" not in body and "{{p corps}}" not in body:
        raise TemplateFileError(
            path=path,
            reason=f"emplacement du corps absent : ajoutez un paragraphe contenant « {BODY_SLOT} »",
        )
    return data
