"""Checks on a Word skeleton (modèle) before docxtpl opens it.

A skeleton given with ``--modele`` is as untrusted as a fragment. Before anything is
rendered, it must be a regular file of bounded size (not a device or a FIFO), a zip whose
members all read back (CRC, compression method, no encryption) under safe names, without
duplicates; every XML part must parse without a DTD or an entity; a relationship may point
outside the package only for a hyperlink. Members that the package does not declare are
dropped, so the document carries only the skeleton's real parts. Its Jinja fields then render
in the same bounded sandbox as fragments (:func:`clausegen.templating.skeleton_environment`).
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path, PurePosixPath

from clausegen.errors import InputFileError, TemplateFileError
from clausegen.render.writers.package import rezip
from clausegen.yaml_files import read_bytes

MAX_SKELETON_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 1000
BODY_SLOT = "{{p corps }}"
PLACEHOLDERS = ("acheteur", "adresse_acheteur", "titre_piece", "sigle", "reference", "objet",
                "sous_titre", "mention_plan", "mention_projet")
"""Fields a skeleton may use; ``{{p corps }}`` is the one mandatory slot."""

HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_EXTERNAL = re.compile(rb"<Relationship\b[^>]*>", re.S)
_DECLARED = re.compile(r'<(Default|Override)\b[^>]*?(Extension|PartName)="([^"]+)"')


class _Refused(Exception):
    """The reason a skeleton is refused (French)."""


def check_skeleton(path: Path) -> bytes:
    """Read a skeleton and return its cleaned bytes, after refusing what is not a safe .docx
    with a body slot (see the module's docstring). A file accepted before in this process and
    unchanged since (same device, inode, size and modification time) is not read again."""
    signature = _signature(path)
    if signature is not None and (accepted := _ACCEPTED.get(signature)) is not None:
        return accepted
    cleaned = _checked(path)
    if signature is not None:
        if len(_ACCEPTED) >= MAX_ACCEPTED:
            _ACCEPTED.clear()
        _ACCEPTED[signature] = cleaned
    return cleaned


MAX_ACCEPTED = 16
_ACCEPTED: dict[tuple[str, int, int, int, int], bytes] = {}
"""Skeletons accepted in this process, by :func:`_signature`."""


def _signature(path: Path) -> tuple[str, int, int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None  # reading it says why, in French
    if not stat.S_ISREG(info.st_mode):
        return None
    return str(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def _checked(path: Path) -> bytes:
    try:
        data = read_bytes(path, max_bytes=MAX_SKELETON_BYTES)
    except InputFileError as exc:
        raise TemplateFileError(path=path, reason=exc.reason.replace(
            f"maximum {MAX_SKELETON_BYTES}", "maximum 20 Mio")) from None
    try:
        return _cleaned(data)
    except _Refused as exc:
        raise TemplateFileError(path=path, reason=str(exc)) from None


@lru_cache(maxsize=8)
def _cleaned(data: bytes) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise _Refused("ce n'est pas un document Word (.docx)") from None
    _check_members(infos)
    names = {i.filename for i in infos}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise _Refused("ce n'est pas un document Word (.docx)")
    parts: dict[str, bytes] = {}
    for info in infos:
        try:
            parts[info.filename] = archive.read(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, zlib.error, EOFError,
                ValueError, OSError):
            raise _Refused(f"archive illisible (membre « {info.filename} » endommagé, chiffré ou "
                           "compressé d'une façon inconnue)") from None
    for name, content in parts.items():
        if name.endswith((".xml", ".rels")):
            _check_xml(name, content)
    body = parts["word/document.xml"].decode("utf-8", errors="replace")
    if "{{p corps }}" not in body and "{{p corps}}" not in body:
        raise _Refused(f"emplacement du corps absent : ajoutez un paragraphe contenant « {BODY_SLOT} »")
    declared = _declared(parts["[Content_Types].xml"])
    kept = [(name, content) for name, content in parts.items() if _is_declared(name, declared)]
    if len(kept) == len(parts):
        return data
    return rezip(kept)


def _check_members(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise _Refused(f"archive suspecte (plus de {MAX_MEMBERS} membres)")
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_RATIO:
        raise _Refused("archive suspecte (taux de compression anormal)")
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        pure = PurePosixPath(name)
        if (name.startswith("/") or "\\" in name or ".." in pure.parts or ":" in name
                or not name or name.endswith("/") and info.file_size):
            raise _Refused(f"archive suspecte (nom de membre « {name} » interdit)")
        if name in seen:
            raise _Refused(f"archive suspecte (membre « {name} » en double)")
        seen.add(name)
        if info.flag_bits & 0x1:
            raise _Refused(f"archive chiffrée (membre « {name} »)")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Refused(f"archive illisible (membre « {name} » compressé d'une façon inconnue)")


def _check_xml(name: str, content: bytes) -> None:
    """Well-formed, without DTD or entity, and no external target other than a hyperlink."""
    from lxml import etree

    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise _Refused(f"partie « {name} » : déclaration DOCTYPE ou ENTITY interdite")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise _Refused(f"partie « {name} » : XML invalide ({exc.msg})") from None
    if name.endswith(".rels"):
        for relationship in _EXTERNAL.findall(content):
            if b'TargetMode="External"' in relationship and HYPERLINK.encode() not in relationship:
                raise _Refused(f"partie « {name} » : lien vers un fichier extérieur au document "
                               "interdit (seuls les liens hypertexte le sont)")


def _declared(content_types: bytes) -> tuple[set[str], set[str]]:
    """Extensions with a default content type, and part names with an override."""
    extensions: set[str] = set()
    overrides: set[str] = set()
    for kind, _, value in _DECLARED.findall(content_types.decode("utf-8", errors="replace")):
        (extensions if kind == "Default" else overrides).add(value.lower().lstrip("/"))
    return extensions, overrides


def _is_declared(name: str, declared: tuple[set[str], set[str]]) -> bool:
    extensions, overrides = declared
    if name == "[Content_Types].xml":
        return True
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
    return name.lower() in overrides or suffix in extensions
