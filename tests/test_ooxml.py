"""Every document type clausegen writes is a valid OOXML package, tagged French.

No maintained OOXML validator installs here (the Open XML SDK needs .NET; PyPI and npm offer
none), so the package-level parts are validated with lxml against schemas written from
ECMA-376 Part 2 in ``tests/schemas/`` (core and custom properties, content types,
relationships), and the package structure is checked: every part declared, every internal
relationship resolved, every XML part well-formed, the language fr-FR. See
docs/validation-ooxml.md.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from clausegen.cli import cli
from tests.conftest import NETTOYAGE

SCHEMAS = Path(__file__).parent / "schemas"
PACKAGE_SCHEMAS = {
    "docProps/core.xml": "core-properties.xsd",
    "docProps/custom.xml": "custom-properties.xsd",
    "[Content_Types].xml": "content-types.xsd",
}
NS_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
NS_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@cache
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def problems(package: bytes) -> list[str]:
    """Everything wrong with a package (empty when valid)."""
    found: list[str] = []
    archive = zipfile.ZipFile(io.BytesIO(package))
    names = archive.namelist()
    parts = {name: archive.read(name) for name in names}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    trees = {}
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")):
            try:
                trees[name] = etree.fromstring(data, parser)
            except etree.XMLSyntaxError as exc:
                found.append(f"{name}: XML mal formé ({exc})")
    for name, schema in PACKAGE_SCHEMAS.items():
        if name in trees and not _schema(schema).validate(trees[name]):
            found.append(f"{name}: {_schema(schema).error_log.last_error}")
    rels_schema = _schema("relationships.xsd")
    for name, tree in trees.items():
        if name.endswith(".rels"):
            if not rels_schema.validate(tree):
                found.append(f"{name}: {rels_schema.error_log.last_error}")
            found += _dangling(name, tree, names)
    types = trees["[Content_Types].xml"]
    defaults = {e.get("Extension").lower() for e in types.iter(f"{NS_CT}Default")}
    overrides = {e.get("PartName") for e in types.iter(f"{NS_CT}Override")}
    for name in names:
        if name != "[Content_Types].xml" and f"/{name}" not in overrides \
                and name.rsplit(".", 1)[-1].lower() not in defaults:
            found.append(f"{name}: type de contenu non déclaré")
    found += [f"{p}: déclaré mais absent" for p in overrides if p.lstrip("/") not in names]
    return found


def _dangling(name: str, tree: etree._Element, names: list[str]) -> list[str]:
    source_dir = posixpath.dirname(posixpath.dirname(name))
    missing = []
    for rel in tree.iter(f"{NS_REL}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(source_dir, target))
        if path not in names:
            missing.append(f"{name}: relation vers « {target} » absente")
    return missing


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("ooxml")
    runner = CliRunner()
    result = runner.invoke(cli, ["pieces", str(NETTOYAGE), "-o", str(folder), "--suivi"])
    assert result.exit_code == 0, result.output
    redline = folder / "revue.docx"
    result = runner.invoke(cli, ["bibliotheque", "comparer", "1.0.0", "1.1.0", "-o", str(redline)])
    assert result.exit_code == 0, result.output
    found = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".docx", ".xlsx")}
    kinds = {re.sub(r"-\d+$", "", Path(n).stem) for n in found}
    assert kinds >= {"ccap", "cctp", "convocation", "plan", "lettre", "bilan", "tableau-de-bord", "revue"}
    return found


def test_every_document_is_a_valid_package(outputs: dict[str, bytes]) -> None:
    assert {name: problems(data) for name, data in outputs.items()} == {n: [] for n in outputs}


def test_every_document_is_tagged_french(outputs: dict[str, bytes]) -> None:
    for name, data in outputs.items():
        archive = zipfile.ZipFile(io.BytesIO(data))
        core = archive.read("docProps/core.xml")
        language = etree.fromstring(core).find("{http://purl.org/dc/elements/1.1/}language")
        assert language is not None, name
        assert language.text == "fr-FR", name
        assert b"python-docx" not in core, name
        if name.endswith(".docx"):
            styles = archive.read("word/styles.xml")
            settings = archive.read("word/settings.xml")
            assert re.findall(rb'<w:lang [^>]*w:val="([^"]+)"', styles) == [b"fr-FR"], name
            assert b'<w:themeFontLang w:val="fr-FR"' in settings, name


def test_the_validator_catches_the_core_properties_of_the_docxcompose_bug() -> None:
    """The core.xml python-docx wrote once docxcompose had rebound ``cp`` (review 2026-11-30)."""
    core = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
            b'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title><cp:keywords/>'
            b'<cp:keywords xmlns:cp="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'custom-properties">k</cp:keywords></cp:coreProperties>')
    assert not _schema("core-properties.xsd").validate(etree.fromstring(core))
