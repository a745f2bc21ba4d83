"""Deterministic packaging of a .docx and its provenance (custom document properties).

The zip is rewritten with fixed timestamps, so the same input gives the same bytes.
Provenance goes into ``docProps/custom.xml``, visible in Word under
Fichier › Informations › Propriétés › Propriétés avancées › Personnalisation.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from xml.sax.saxutils import escape

CUSTOM_PART = "docProps/custom.xml"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
NS_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
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


def _with_override(content_types: bytes) -> bytes:
    text = content_types.decode("utf-8")
    if f'PartName="/{CUSTOM_PART}"' in text:
        return content_types
    override = f'<Override PartName="/{CUSTOM_PART}" ContentType="{CUSTOM_CT}"/>'
    return text.replace("</Types>", override + "</Types>").encode("utf-8")


def _with_relationship(rels: bytes) -> bytes:
    text = rels.decode("utf-8")
    if CUSTOM_REL in text:
        return rels
    rel = f'<Relationship Id="rIdClausegenCustom" Type="{CUSTOM_REL}" Target="{CUSTOM_PART}"/>'
    return text.replace("</Relationships>", rel + "</Relationships>").encode("utf-8")


def finalize_package(docx: bytes, provenance: Mapping[str, str]) -> bytes:
    """Rewrite the package with fixed timestamps and the provenance properties.

    Existing custom properties of the skeleton are replaced: a generated document
    describes its own origin only.
    """
    source = zipfile.ZipFile(io.BytesIO(docx))

    def entries() -> Iterator[tuple[str, bytes]]:
        for item in source.infolist():
            if item.filename == CUSTOM_PART:
                continue
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = _with_override(data)
            elif item.filename == "_rels/.rels":
                data = _with_relationship(data)
            yield item.filename, data
        yield CUSTOM_PART, _custom_xml({PREFIX + k: v for k, v in provenance.items()})

    return rezip(entries())


def rezip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of the given entries with fixed timestamps and modes (same entries, same bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, data, compresslevel=6)
    return out.getvalue()


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
