"""Fragment markup → block model."""

from __future__ import annotations

from clausegen.blocks import Heading, ListItem, Paragraph, Table, parse_blocks, plain_text


def test_paragraphs_with_bold_and_italic() -> None:
    blocks = parse_blocks("Un **gras** et un *italique*.\n\nSecond paragraphe.")
    assert len(blocks) == 2
    first = blocks[0]
    assert isinstance(first, Paragraph)
    assert [(r.text, r.bold, r.italic) for r in first.runs] == [
        ("Un ", False, False), ("gras", True, False), (" et un ", False, False),
        ("italique", False, True), (".", False, False)]


def test_numbered_list_restarts_and_keeps_labels() -> None:
    blocks = parse_blocks("1. un\n2. deux\n\ntexte\n\n1. encore")
    labels = [b.label for b in blocks if isinstance(b, ListItem)]
    assert labels == ["1.", "2.", "1."]


def test_nested_bullets_have_depth() -> None:
    blocks = parse_blocks("- a\n  - b\n- c")
    assert [(plain_text(b.runs), b.depth) for b in blocks if isinstance(b, ListItem)] == [
        ("a", 0), ("b", 1), ("c", 0)]


def test_table_header_and_rows() -> None:
    blocks = parse_blocks("| A | B |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |")
    table = blocks[0]
    assert isinstance(table, Table)
    assert [plain_text(c) for c in table.header] == ["A", "B"]
    assert [[plain_text(c) for c in row] for row in table.rows] == [["1", "2"], ["3", "4"]]


def test_heading_inside_fragment_is_level_three() -> None:
    assert parse_blocks("### Titre") == [Heading(level=3, text="Titre")]


def test_raw_html_is_text() -> None:
    blocks = parse_blocks("<script>alert(1)</script>")
    assert isinstance(blocks[0], Paragraph)
    assert "<script>" in plain_text(blocks[0].runs)
