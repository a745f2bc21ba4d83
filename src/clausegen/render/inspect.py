"""Read a generated .docx back: a normalised text dump and the provenance record."""

from __future__ import annotations

import io

from docx import Document

from clausegen.render.package import read_custom_properties


def dump_text(docx: bytes) -> str:
    """One line per paragraph, ``[Style] text``, tables as ``| a | b |``; headers first.

    Used for golden files: stable across runs, readable in a diff, free of XML noise.
    """
    document = Document(io.BytesIO(docx))
    lines: list[str] = []
    for section in document.sections:
        for paragraph in section.header.paragraphs:
            if paragraph.text.strip():
                lines.append(f"[En-tête] {paragraph.text}")
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            from docx.text.paragraph import Paragraph

            paragraph = Paragraph(child, document)
            if paragraph.text.strip():
                lines.append(f"[{paragraph.style.name if paragraph.style else ''}] {paragraph.text}")
        elif tag == "tbl":
            from docx.table import Table

            for row in Table(child, document).rows:
                lines.append("| " + " | ".join(c.text for c in row.cells) + " |")
    return "\n".join(lines) + "\n"


def read_provenance(docx: bytes) -> dict[str, str]:
    """The clausegen provenance record stored in a document's custom properties."""
    return read_custom_properties(docx)
