"""The text of a document's body and its digest (``corps_sha256`` in the provenance).

The digest covers one line per paragraph (``w:p``, in document order): its runs' text joined,
tabs and breaks kept. A wording changed after generation shows; a change of formatting does
not. ``verifier-document`` reads it back by parsing the whole body (:func:`body_digest`).

When a document is written, the same lines are put together from what made the body
(:func:`assembled_digest`): the skeleton's part around the body, parsed with a placeholder
paragraph where the body goes, and the XML of each block, parsed once per distinct block
(blocks recur from one dossier to the next). A paragraph's line is the text of its own
descendants, so the lines of sibling elements follow each other: the result is the digest of
the whole part, without parsing the whole part for every document (what parsing and walking
the body cost a web generation: docs/performance-web.md). Where the body does not stand
where a paragraph can (inside a paragraph's text box), :func:`assembled_digest` answers
``None`` and the written part is parsed whole.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _T, _TAB, _BR = f"{_W}p", f"{_W}t", f"{_W}tab", f"{_W}br"

PLACEHOLDER = "\ue000clausegen-texte-du-corps\ue000"
"""The text of the paragraph standing for the body while the part around it is read."""
_PLACEHOLDER_P = f"<w:p><w:r><w:t>{PLACEHOLDER}</w:t></w:r></w:p>"
_ROOT_START = re.compile(r"<((?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*)(?:\s[^<>]*)?>")
"""The root element's start tag (after the XML declaration: ``?`` cannot start a name)."""

MAX_KEPT_BLOCKS = 4096
"""Blocks whose lines are kept (the XML of each is held by the skeleton's written blocks)."""


def safe_parser() -> Any:
    """lxml's parser without DTD, entities or network (documents are untrusted)."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def text_lines(root: Any) -> list[str]:
    """One line per paragraph under ``root`` (an lxml element), in document order."""
    lines = []
    for paragraph in root.iter(_P):
        pieces = []
        for node in paragraph.iter(_T, _TAB, _BR):
            tag = node.tag
            pieces.append(node.text or "" if tag == _T else "\t" if tag == _TAB else "\n")
        lines.append("".join(pieces))
    return lines


def digest_of_lines(lines: Sequence[str]) -> str:
    """SHA-256 of the lines joined by newlines (UTF-8)."""
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def body_digest(document_xml: bytes) -> str:
    """SHA-256 of the body's text: one line per paragraph, runs joined, tabs and breaks kept."""
    from lxml import etree

    return digest_of_lines(text_lines(etree.fromstring(document_xml, safe_parser())))


def assembled_digest(around: str, mark: str, pieces: Sequence[str]) -> str | None:
    """:func:`body_digest` of ``around`` with ``mark`` replaced by the ``pieces`` (XML of
    sibling elements), or ``None`` where it cannot be put together (then parse the part)."""
    from lxml import etree

    start = _ROOT_START.search(around)
    if start is None or around.count(mark) != 1:
        return None
    opening, closing = start.group(0), f"</{start.group(1)}>"
    try:
        outer = text_lines(etree.fromstring(around.replace(mark, _PLACEHOLDER_P).encode("utf-8"),
                                            safe_parser()))
    except etree.XMLSyntaxError:
        return None
    hits = [index for index, line in enumerate(outer) if PLACEHOLDER in line]
    if len(hits) != 1 or outer[hits[0]] != PLACEHOLDER:
        return None  # the body would sit inside another paragraph, or a value holds the placeholder
    body: list[str] = []
    for piece in pieces:
        lines = _piece_lines(opening, closing, piece)
        if lines is None:
            return None
        body.extend(lines)
    return digest_of_lines([*outer[:hits[0]], *body, *outer[hits[0] + 1:]])


@lru_cache(maxsize=MAX_KEPT_BLOCKS)
def _piece_lines(opening: str, closing: str, piece: str) -> tuple[str, ...] | None:
    """The lines of one block's XML, read inside the part's own root element (its namespaces)."""
    from lxml import etree

    try:
        return tuple(text_lines(etree.fromstring((opening + piece + closing).encode("utf-8"),
                                                 safe_parser())))
    except etree.XMLSyntaxError:
        return None
