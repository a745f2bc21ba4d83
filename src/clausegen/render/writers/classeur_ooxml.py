"""Two corrections to the parts openpyxl writes, so that Excel opens the workbook as it is.

- Font properties in the order of the Open XML SDK's ``CT_Font`` sequence (openpyxl writes
  ``name`` and ``color`` before ``sz``; ECMA-376's schema allows any order, the SDK and Excel
  do not).
- Text cells in a shared-strings table instead of inline strings (openpyxl 3.1 writes
  ``t="inlineStr"``; Excel rewrites every such sheet on its next save).

See docs/validation-ooxml.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from clausegen.render.writers.package import with_override, with_relationship

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STYLES_PART = "xl/styles.xml"
SHARED_STRINGS_PART = "xl/sharedStrings.xml"
SHARED_STRINGS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"
FONT_ORDER = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz",
              "color", "name", "family", "charset", "scheme")
"""Children of ``font`` in the order of the Open XML SDK's schema."""
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _serialise(root: etree._Element, original: bytes) -> bytes:
    declared = original.lstrip().startswith(b"<?xml")
    return bytes(etree.tostring(root, xml_declaration=declared, encoding="UTF-8",
                                standalone=True if declared else None))


def ordered_fonts(styles: bytes) -> bytes:
    """``xl/styles.xml`` with each font's properties in the schema's order."""
    root = etree.fromstring(styles, _PARSER)
    rank = {_q(name): index for index, name in enumerate(FONT_ORDER)}
    for font in root.iter(_q("font")):
        children = list(font)
        font[:] = sorted(children, key=lambda child: rank.get(child.tag, len(rank)))
    return _serialise(root, styles)


def with_shared_strings(parts: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The workbook's parts with every inline string moved to ``xl/sharedStrings.xml``
    (same text, same formatting; equal strings stored once)."""
    index: dict[bytes, int] = {}
    items: list[etree._Element] = []
    count = 0
    out = []
    for name, data in parts:
        if _WORKSHEET.fullmatch(name) and b'"inlineStr"' in data:
            root = etree.fromstring(data, _PARSER)
            for cell in root.iter(_q("c")):
                inline = cell.find(_q("is"))
                if cell.get("t") != "inlineStr" or inline is None:
                    continue
                key = b"".join(etree.tostring(child) for child in inline)
                if key not in index:
                    index[key] = len(items)
                    item = etree.Element(_q("si"), nsmap={None: NS})
                    item[:] = list(inline)
                    items.append(item)
                cell.remove(inline)
                cell.set("t", "s")
                etree.SubElement(cell, _q("v")).text = str(index[key])
                count += 1
            data = _serialise(root, data)
        out.append((name, data))
    if not items:
        return out
    table = etree.Element(_q("sst"), nsmap={None: NS}, count=str(count), uniqueCount=str(len(items)))
    table[:] = items
    out = [(name, with_override(data, SHARED_STRINGS_PART, SHARED_STRINGS_CT) if name == CONTENT_TYPES
            else with_relationship(data, "rIdClausegenStrings", SHARED_STRINGS_REL,
                                   "sharedStrings.xml") if name == WORKBOOK_RELS
            else data) for name, data in out]
    strings = bytes(etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True))
    return [*out, (SHARED_STRINGS_PART, strings)]


def corrected_parts(parts: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """openpyxl's parts with both corrections applied."""
    return with_shared_strings((name, ordered_fonts(data) if name == STYLES_PART else data)
                               for name, data in parts)
