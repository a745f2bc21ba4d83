"""Deterministic packaging of a .docx and its provenance (custom document properties).

The zip is rewritten with fixed timestamps, so the same input gives the same bytes.
Provenance goes into ``docProps/custom.xml``, visible in Word under
Fichier › Informations › Propriétés › Propriétés avancées › Personnalisation.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

CUSTOM_PART = "docProps/custom.xml"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
NS_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_DOS_TIME = FIXED_TIME[3] << 11 | FIXED_TIME[4] << 5 | FIXED_TIME[5] // 2
_DOS_DATE = (FIXED_TIME[0] - 1980) << 9 | FIXED_TIME[1] << 5 | FIXED_TIME[2]
COMPRESS_LEVEL = 6
EXTERNAL_ATTR = 0o600 << 16
PREFIX = "clausegen."


def _custom_xml(properties: Mapping[str, str]) -> bytes:
    items = "".join(
        f'<property fmtid="{FMTID}" pid="{pid}" name="{escape(name, {chr(34): "&quot;"})}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(properties.items(), start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{NS_CUSTOM}" xmlns:vt="{NS_VT}">{items}</Properties>'
    ).encode()


def with_override(content_types: bytes, part: str, content_type: str) -> bytes:
    """``[Content_Types].xml`` with an override for ``part`` (unchanged when it has one)."""
    text = content_types.decode("utf-8")
    if f'PartName="/{part}"' in text:
        return content_types
    override = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
    return text.replace("</Types>", override + "</Types>").encode("utf-8")


def with_relationship(rels: bytes, rel_id: str, rel_type: str, target: str) -> bytes:
    """A relationships part with one of ``rel_type`` (unchanged when it has one)."""
    text = rels.decode("utf-8")
    if rel_type in text:
        return rels
    rel = f'<Relationship Id="{rel_id}" Type="{rel_type}" Target="{target}"/>'
    return text.replace("</Relationships>", rel + "</Relationships>").encode("utf-8")


@dataclass(frozen=True)
class ZipEntry:
    """One deflated member of a package, ready to be written (and reused across documents)."""

    name: str
    crc: int
    size: int
    data: bytes


def deflate(name: str, data: bytes) -> ZipEntry:
    """Compress one member as ``zipfile`` does with ``ZIP_DEFLATED`` at level 6."""
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)
    return ZipEntry(name, zlib.crc32(data), len(data), compressor.compress(data) + compressor.flush())


def write_zip(entries: Iterable[ZipEntry]) -> bytes:
    """The zip archive of already deflated entries, with fixed timestamps.

    ``zipfile`` cannot take data that is already compressed, and the skeleton's large
    unchanging parts (styles, theme) would be recompressed for every document; this
    writes the same bytes ``zipfile`` would (checked by the determinism tests), so those
    parts are compressed once per skeleton.
    """
    out = io.BytesIO()
    central = []
    for entry in entries:
        name = entry.name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800
        offset = out.tell()
        fields = (20, 0, flags, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE, entry.crc,
                  len(entry.data), entry.size, len(name), 0)
        out.write(struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", *fields) + name + entry.data)
        central.append(struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, flags,
                                   zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE, entry.crc,
                                   len(entry.data), entry.size, len(name), 0, 0, 0, 0,
                                   EXTERNAL_ATTR, offset) + name)
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central),
                          len(directory), start, 0))
    return out.getvalue()


def package_entries(parts: Iterable[tuple[str, bytes | ZipEntry]],
                    provenance: Mapping[str, str]) -> list[ZipEntry]:
    """Deflate the parts (in order) that are not yet, add the provenance properties.

    Existing custom properties of the skeleton are replaced: a generated document
    describes its own origin only.
    """
    entries = []
    for name, data in parts:
        if name == CUSTOM_PART:
            continue
        if isinstance(data, ZipEntry):
            entries.append(data)
            continue
        if name == "[Content_Types].xml":
            data = with_override(data, CUSTOM_PART, CUSTOM_CT)
        elif name == "_rels/.rels":
            data = with_relationship(data, "rIdClausegenCustom", CUSTOM_REL, CUSTOM_PART)
        entries.append(deflate(name, data))
    entries.append(deflate(CUSTOM_PART, _custom_xml({PREFIX + k: v for k, v in provenance.items()})))
    return entries


def finalize_parts(parts: Iterable[tuple[str, bytes | ZipEntry]], provenance: Mapping[str, str]) -> bytes:
    """Zip the package parts (in order) with fixed timestamps and the provenance properties."""
    return write_zip(package_entries(parts, provenance))


def finalize_package(docx: bytes, provenance: Mapping[str, str]) -> bytes:
    """Rewrite a saved .docx with fixed timestamps and the provenance properties."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    return finalize_parts(((i.filename, source.read(i.filename)) for i in source.infolist()),
                          provenance)


def rezip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of the given entries with fixed timestamps and modes (same entries, same bytes)."""
    return write_zip(deflate(name, data) for name, data in entries)


def read_custom_properties(docx: bytes) -> dict[str, str]:
    """The clausegen properties of a .docx (empty when it has none)."""
    from xml.etree import ElementTree

    archive = zipfile.ZipFile(io.BytesIO(docx))
    if CUSTOM_PART not in archive.namelist():
        return {}
    root = ElementTree.fromstring(archive.read(CUSTOM_PART))
    found: dict[str, str] = {}
    for prop in root.findall(f"{{{NS_CUSTOM}}}property"):
        name = prop.get("name", "")
        value = prop.find(f"{{{NS_VT}}}lpwstr")
        if name.startswith(PREFIX) and value is not None:
            found[name[len(PREFIX):]] = value.text or ""
    return found
