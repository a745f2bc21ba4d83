"""Every document type clausegen writes is a valid OOXML package, tagged French.

Each document type is validated with openxml-audit (schemas and semantic rules of the Open XML
SDK, plus the checks that predict a Word or Excel repair prompt): no error, no warning. The
package-level parts are also validated with lxml against the stricter schemas written from
ECMA-376 Part 2 in ``tests/schemas/`` (core properties in ``xs:all``: each element at most once,
in its namespace). See docs/validation-ooxml.md.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree
from packaging.version import Version

from clausegen.cli import cli
from tests.conftest import NETTOYAGE, ROOT

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
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


def _skeleton(folder: Path) -> Path:
    """A buyer's skeleton made with python-docx's default template (which has Word 2010's
    ``stylesWithEffects.xml``, like a skeleton saved by Word 2010)."""
    from docx import Document

    modele = folder / "modele.docx"
    document = Document()
    document.add_paragraph("EN-TÊTE MAISON {{ acheteur }}")
    document.add_paragraph("{{p corps }}")
    document.save(str(modele))
    return modele


def _organisation(folder: Path) -> Path:
    """An organisation library with a new wording of one CCAP fragment, so that ``actualiser``
    writes tracked changes."""
    bundled = ROOT / "clause_library" / "fragments" / "plan_progres.objet"
    latest = max((p.stem for p in bundled.glob("*.md")), key=Version)
    new = f"{Version(latest).major + 1}.0.0"
    text = (bundled / f"{latest}.md").read_text(encoding="utf-8")
    fragment = folder / "fragments" / "plan_progres.objet" / f"{new}.md"
    fragment.parent.mkdir(parents=True)
    fragment.write_text(text.replace(f"version: {latest}", f"version: {new}")
                        + "\nLe titulaire met le plan en œuvre loyalement.\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    from clausegen.api import open_library, read_dossier, render_piece

    folder = tmp_path_factory.mktemp("ooxml")
    runner = CliRunner()
    commands = [
        ["pieces", str(NETTOYAGE), "-o", str(folder), "--suivi"],
        ["bibliotheque", "comparer", "1.0.0", "1.1.0", "-o", str(folder / "revue.docx")],
        ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(folder / "modele-acheteur.docx"), "--modele",
         str(_skeleton(tmp_path_factory.mktemp("modele")))],
        ["actualiser", str(folder / "ccap.docx"), str(NETTOYAGE), "-o", str(folder / "actualise.docx"),
         "--le", "2027-01-15", "--bibliotheque", str(_organisation(tmp_path_factory.mktemp("org")))],
    ]
    for command in commands:
        result = runner.invoke(cli, command)
        assert result.exit_code == 0, result.output
    if "--chapitre" in runner.invoke(cli, ["ccap", "--help"]).output:  # issue 9's chapter alone
        result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                     str(NETTOYAGE), "-o", str(folder / "chapitre.docx"),
                                     "--chapitre", "--premier-article", "7"])
        assert result.exit_code == 0, result.output
    else:
        data, _ = render_piece(read_dossier(NETTOYAGE), "ccap", library=open_library(),
                               premier_article=7, sommaire=False)
        (folder / "chapitre.docx").write_bytes(data)
    found = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".docx", ".xlsx")}
    assert b"<w:ins " in zipfile.ZipFile(io.BytesIO(found["actualise.docx"])).read("word/document.xml")
    kinds = {_kind(n) for n in found}
    assert DOCUMENT_KINDS <= kinds <= DOCUMENT_KINDS | LATER_KINDS  # none left unvalidated
    return found


def _kind(name: str) -> str:
    """``plan-2.docx`` → ``plan``; ``mise-en-demeure-1-2027-04-19.docx`` → ``mise-en-demeure``."""
    return re.sub(r"(-\d+)+$", "", Path(name).stem)


DOCUMENT_KINDS = {"ccap", "cctp", "convocation", "plan", "lettre", "bilan", "tableau-de-bord",
                  "mise-en-demeure", "invitation-observations", "decision-penalites",
                  "revue", "modele-acheteur", "actualise", "chapitre"}
LATER_KINDS = {"lettre-bilan"}
"""Written by later versions of ``pieces --suivi`` (the renewal letter apart from the bilan)."""
SPEC_VALID = {("/word/document.xml", "Numbering definition '0' referenced but not found")}
"""openxml-audit findings on markup that ECMA-376 Part 1 prescribes: ``<w:numId w:val="0"/>``
switches a heading's numbering off (§17.9.18 numId: « A value of 0 ... shall only be used to
designate the removal of numbering properties »), as Word itself writes it."""


@cache
def _validator() -> Any:
    from openxml_audit import FileFormat, OpenXmlValidator

    return OpenXmlValidator(file_format=FileFormat.MICROSOFT_365, max_errors=0,
                            security_validation=True)


def audit(name: str, data: bytes, folder: Path) -> list[str]:
    """openxml-audit's errors and warnings on one document (the spec-valid findings left out)."""
    path = folder / name
    path.write_bytes(data)
    result = _validator().validate(path)
    return [f"{e.severity.value} {e.part_uri} {e.path}: {e.description}" for e in result.errors
            if (e.part_uri, e.description) not in SPEC_VALID]


@pytest.mark.parametrize("kind", sorted(DOCUMENT_KINDS | LATER_KINDS))
def test_every_document_type_passes_openxml_audit(outputs: dict[str, bytes], kind: str,
                                                  tmp_path: Path) -> None:
    names = [n for n in outputs if _kind(n) == kind]
    if kind in LATER_KINDS and not names:
        pytest.skip(f"{kind} : pas produit par cette version")
    assert names
    assert {n: audit(n, outputs[n], tmp_path) for n in names} == {n: [] for n in names}


def _rebuilt(package: bytes, changes: dict[str, bytes]) -> bytes:
    """The package with some parts replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            archive.writestr(name, changes.get(name, source.read(name)))
        for name in changes.keys() - set(source.namelist()):
            archive.writestr(name, changes[name])
    return out.getvalue()


def test_no_document_keeps_a_stale_styles_with_effects_part(outputs: dict[str, bytes]) -> None:
    for name, data in outputs.items():
        archive = zipfile.ZipFile(io.BytesIO(data))
        assert not [n for n in archive.namelist() if "stylesWithEffects" in n], name
        for part in ("[Content_Types].xml", "word/_rels/document.xml.rels"):
            if part in archive.namelist():
                assert b"stylesWithEffects" not in archive.read(part), (name, part)


def test_the_audit_catches_a_stale_styles_with_effects_part(outputs: dict[str, bytes],
                                                            tmp_path: Path) -> None:
    """The python-docx skeleton's own ``stylesWithEffects.xml`` put back beside clausegen's
    French ``styles.xml``: Word would repair the file, and the audit says so."""
    from docx import Document

    stale = io.BytesIO()
    Document().save(stale)
    document = zipfile.ZipFile(io.BytesIO(outputs["cctp.docx"]))
    rebuilt = _rebuilt(outputs["cctp.docx"], {
        "word/stylesWithEffects.xml": zipfile.ZipFile(stale).read("word/stylesWithEffects.xml"),
        "[Content_Types].xml": document.read("[Content_Types].xml").replace(
            b"</Types>", b'<Override PartName="/word/stylesWithEffects.xml" ContentType='
            b'"application/vnd.ms-word.stylesWithEffects+xml"/></Types>'),
        "word/_rels/document.xml.rels": document.read("word/_rels/document.xml.rels").replace(
            b"</Relationships>", b'<Relationship Id="rIdStale" Type="http://schemas.microsoft.com/'
            b'office/2007/relationships/stylesWithEffects" Target="stylesWithEffects.xml"/>'
            b"</Relationships>")})
    findings = audit("stale.docx", rebuilt, tmp_path)
    assert any("docDefaults differ" in finding for finding in findings), findings


def test_only_numbering_zero_is_excused(outputs: dict[str, bytes], tmp_path: Path) -> None:
    """The excused finding does not hide a paragraph pointing to a list that does not exist."""
    body = zipfile.ZipFile(io.BytesIO(outputs["ccap.docx"])).read("word/document.xml")
    rebuilt = _rebuilt(outputs["ccap.docx"], {"word/document.xml": body.replace(
        b'<w:numId w:val="0"/>', b'<w:numId w:val="999"/>')})
    findings = audit("numero.docx", rebuilt, tmp_path)
    assert any("Numbering definition '999'" in finding for finding in findings), findings


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
