"""Render blocks into a Word skeleton: the skeleton's fields filled, the body in its slot.

One writer (:mod:`clausegen.render.writers.fast`) writes every document; the named styles blocks map to
are listed in :mod:`clausegen.render.writers.styles`. python-docx reads the skeleton (style ids, which
parts hold fields) and writes the core properties; docxtpl's ``patch_xml`` turns the skeleton's
``{{p corps }}``-style tags into Jinja before our sandboxed environment compiles them. A skeleton
the writer cannot use is refused with a French message naming it (:class:`TemplateFileError`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import docxtpl  # noqa: F401 - imported before the namespace fix below, which it would undo
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import nsmap
from jinja2 import TemplateError

from clausegen.blocks import Block
from clausegen.errors import TemplateFileError
from clausegen.render.writers import fast
from clausegen.render.writers.package import finalize_parts
from clausegen.templating import (
    RenderBoundError,
    bounded_rendering,
    describe_error,
    skeleton_environment,
)

CORE_PROPERTIES_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
# docxtpl[subdoc] imports docxcompose, whose ``utils`` module rebinds python-docx's ``cp`` prefix
# to the custom-properties namespace at import time: python-docx would then write keywords,
# lastModifiedBy and revision into docProps/core.xml in the wrong namespace (a file Word
# repairs). Upstream: docxcompose#101, python-docx#1037. Put the prefix back once imported.
nsmap["cp"] = CORE_PROPERTIES_NS


@dataclass(frozen=True)
class DocumentProperties:
    """Core properties written into the document (derived from the dossier)."""

    title: str
    subject: str
    author: str
    keywords: str = ""
    created: datetime | None = None


def _field_error(exc: Exception) -> str:
    """French reason for a failure inside the skeleton's own fields."""
    if isinstance(exc, RenderBoundError):
        return str(exc)
    return "champ invalide : " + describe_error(exc)


def _prepared(skeleton: bytes, source: str) -> fast.PreparedSkeleton:
    """The prepared skeleton, or a :class:`TemplateFileError` saying why it cannot be used."""
    try:
        return fast.prepare(skeleton, skeleton_environment())
    except fast.UnusableSkeleton as exc:
        raise TemplateFileError(path=source, reason=str(exc)) from None
    except TemplateError as exc:  # a field of the skeleton that Jinja cannot compile
        raise TemplateFileError(path=source, reason=_field_error(exc)) from None
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:
        # python-docx, zipfile and lxml on a broken package (lxml's XMLSyntaxError is a SyntaxError)
        raise TemplateFileError(path=source, reason=f"document illisible ({exc})") from None


def render_docx(
    skeleton: bytes,
    blocks: Sequence[Block],
    fields: Mapping[str, str],
    properties: DocumentProperties,
    provenance: Mapping[str, str],
    *,
    source: str = "(modèle)",
) -> bytes:
    """Fill the skeleton's fields, put the blocks in its body slot, return the .docx bytes."""
    prepared = _prepared(skeleton, source)
    try:
        with bounded_rendering("champ du modèle"):
            rendered = fast.render_fields(prepared, fields)
    except Exception as exc:  # noqa: BLE001 - any failure of the skeleton's own expressions
        raise TemplateFileError(path=source, reason=_field_error(exc)) from None
    packaged = fast.package_parts(prepared, blocks, rendered, properties)
    return finalize_parts(packaged.parts, provenance, packaged.body_sha256)
