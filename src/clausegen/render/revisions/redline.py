"""A review document with real Word tracked changes (``w:ins`` / ``w:del``).

This is the one module that writes revision XML. python-docx has no API for tracked
changes, so each paragraph's runs are built here as OOXML elements (ECMA-376 §17.13.5):

- unchanged text: ``<w:r><w:t xml:space="preserve">…</w:t></w:r>``;
- inserted text: ``<w:ins w:id w:author w:date><w:r><w:t>…</w:t></w:r></w:ins>``;
- deleted text: ``<w:del w:id w:author w:date><w:r><w:delText>…</w:delText></w:r></w:del>``
  (deleted text must be in ``w:delText``, not ``w:t``, or Word reports a corrupt file);
- a whole paragraph inserted or deleted also marks its paragraph mark
  (``<w:pPr><w:rPr><w:ins …/></w:rPr></w:pPr>``), so accepting or rejecting removes the
  empty paragraph too.

Revision ids are sequential and the date is given by the caller: the same comparison gives
the same bytes. Word and LibreOffice show these as revisions to accept or reject.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import count

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from clausegen.library.diff import DiffParagraph, Op
from clausegen.render.writers.package import DESCRIPTION, LANGUAGE, finalize_package


@dataclass(frozen=True)
class RedlineSection:
    """The comparison of one fragment: a heading, a line of context, its paragraphs."""

    title: str
    subtitle: str
    paragraphs: tuple[DiffParagraph, ...]


class Revisions:
    """Makes ``w:ins`` / ``w:del`` elements with sequential ids, one author and one date."""

    def __init__(self, author: str, date: datetime) -> None:
        self.author = author
        self.date = date.strftime("%Y-%m-%dT%H:%M:%SZ")
        self._ids = count(1)

    def mark(self, op: Op):  # type: ignore[no-untyped-def]
        element = OxmlElement("w:ins" if op is Op.ajout else "w:del")
        element.set(qn("w:id"), str(next(self._ids)))
        element.set(qn("w:author"), self.author)
        element.set(qn("w:date"), self.date)
        return element


def _run(text: str, *, deleted: bool):  # type: ignore[no-untyped-def]
    run = OxmlElement("w:r")
    content = OxmlElement("w:delText" if deleted else "w:t")
    content.set(qn("xml:space"), "preserve")
    content.text = text
    run.append(content)
    return run


def tracked_paragraph(element, diff: DiffParagraph, revisions: Revisions) -> None:  # type: ignore[no-untyped-def]
    """Append the runs of ``diff`` to the paragraph element ``element`` as tracked changes."""
    if diff.op is not Op.egal:
        properties = element.get_or_add_pPr()
        run_properties = OxmlElement("w:rPr")
        run_properties.append(revisions.mark(diff.op))
        properties.append(run_properties)
    for segment in diff.segments:
        run = _run(segment.text, deleted=segment.op is Op.suppression)
        if segment.op is Op.egal:
            element.append(run)
        else:
            wrapper = revisions.mark(segment.op)
            wrapper.append(run)
            element.append(wrapper)


def render_redline(title: str, sections: Sequence[RedlineSection], *, author: str,
                   date: datetime, provenance: Mapping[str, str],
                   skeleton: bytes | None = None) -> bytes:
    """A .docx whose body shows every change as a tracked revision.

    ``skeleton`` is a .docx with the project's styles and an empty body (``templates/revue.docx``);
    python-docx's default document is used without one.
    """
    document = Document(io.BytesIO(skeleton)) if skeleton else Document()
    document.add_paragraph(title, style="Title")
    revisions = Revisions(author, date)
    for section in sections:
        document.add_heading(section.title, level=1)
        document.add_paragraph(section.subtitle, style="Quote")
        for diff in section.paragraphs:
            tracked_paragraph(document.add_paragraph()._p, diff, revisions)
    core = document.core_properties
    core.title, core.author, core.last_modified_by = title[:255], author[:255], "clausegen"
    core.created = core.modified = date
    core.comments, core.language = DESCRIPTION, LANGUAGE
    core.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return finalize_package(buffer.getvalue(), provenance)
