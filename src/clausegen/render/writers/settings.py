"""The document settings part (``word/settings.xml``): whether Word updates the fields (the
sommaire's entries and page numbers) when the file is opened."""

from __future__ import annotations

import re

SETTINGS_PART = "word/settings.xml"
UPDATE_FIELDS = b'<w:updateFields w:val="true"/>'
_UPDATE_FIELDS = re.compile(rb"<w:updateFields\b[^>]*/>")
_AFTER_UPDATE_FIELDS = re.compile(
    rb"<(?:m:mathPr|w:(?:hdrShapeDefaults|footnotePr|endnotePr|compat|docVars|rsids|attachedSchema"
    rb"|themeFontLang|clrSchemeMapping|doNotIncludeSubdocsInStats|doNotAutoCompressPictures"
    rb"|forceUpgrade|captions|readModeInkLockDown|smartTagType|schemaLibrary|shapeDefaults"
    rb"|doNotEmbedSmartTags|decimalSymbol|listSeparator))\b")
"""The elements that follow ``w:updateFields`` in ``CT_Settings`` (ECMA-376 §17.15.1.78)."""


def with_update_fields(settings: bytes) -> bytes:
    """The settings part with ``w:updateFields`` (Word offers to update the fields on opening),
    at its place in the schema's order."""
    if _UPDATE_FIELDS.search(settings):
        return settings
    follower = _AFTER_UPDATE_FIELDS.search(settings)  # the first of them
    if follower is None:
        return settings.replace(b"</w:settings>", UPDATE_FIELDS + b"</w:settings>")
    return settings[:follower.start()] + UPDATE_FIELDS + settings[follower.start():]


def without_update_fields(settings: bytes) -> bytes:
    """The settings part without ``w:updateFields``."""
    return _UPDATE_FIELDS.sub(b"", settings)
