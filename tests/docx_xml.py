"""Test helper: a .docx with its ``word/document.xml`` replaced (edits a test makes by hand)."""

from __future__ import annotations

import io
import zipfile

from lxml import etree


def with_document_xml(docx: bytes, root: etree._Element) -> bytes:
    """The same package with ``root`` as its main document part."""
    archive = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename == "word/document.xml":
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, data)
    return out.getvalue()
