"""Deflated parts are remembered by name and content: same bytes in, same entry out."""

from __future__ import annotations

import zlib

from clausegen.render.writers.package import MAX_CACHED_PART_BYTES, deflate, deflate_cached


def test_a_remembered_entry_is_the_entry_deflate_makes() -> None:
    data = b'<?xml version="1.0"?><Types>' + b"<Override/>" * 50 + b"</Types>"
    remembered = deflate_cached("[Content_Types].xml", data)
    assert remembered == deflate("[Content_Types].xml", data)
    assert zlib.decompress(remembered.data, -15) == data


def test_entries_are_keyed_by_content_not_by_name_alone() -> None:
    first = deflate_cached("word/header1.xml", b"<w:hdr>Ville A</w:hdr>")
    again = deflate_cached("word/header1.xml", b"<w:hdr>Ville " + b"A</w:hdr>")  # equal, not the same
    other = deflate_cached("word/header1.xml", b"<w:hdr>Ville B</w:hdr>")
    renamed = deflate_cached("word/header2.xml", b"<w:hdr>Ville A</w:hdr>")
    assert again is first  # not compressed again
    assert zlib.decompress(other.data, -15) == b"<w:hdr>Ville B</w:hdr>"
    assert other.crc != first.crc
    assert renamed.name == "word/header2.xml"
    assert renamed.data == first.data


def test_large_parts_are_compressed_every_time() -> None:
    data = bytes(range(256)) * (MAX_CACHED_PART_BYTES // 256 + 1)
    first = deflate_cached("word/media/image1.png", data)
    second = deflate_cached("word/media/image1.png", data)
    assert first == second
    assert first is not second
