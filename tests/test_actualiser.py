"""``clausegen actualiser``: tracked changes against the old document; accept all = regenerated,
reject all = old text."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from packaging.version import Version

from clausegen.cli import cli
from clausegen.render.inspect import dump_text
from tests.conftest import NETTOYAGE, ROOT
from tests.docx_xml import with_document_xml
from tests.office import office_text, uno_available

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _resolve(docx: bytes, *, accept: bool) -> bytes:
    """Accept (or reject) every revision, as Word's « Accepter toutes les modifications » does."""
    kept, dropped = ("ins", "del") if accept else ("del", "ins")
    archive = zipfile.ZipFile(io.BytesIO(docx))
    root = etree.fromstring(archive.read("word/document.xml"))
    for mark in list(root.iter(_q(dropped))):
        parent = mark.getparent()
        if parent is None:
            continue
        holder = etree.QName(parent).localname
        if holder == "rPr" and etree.QName(parent.getparent()).localname == "pPr":
            paragraph = parent.getparent().getparent()  # paragraph mark: the paragraph goes
            if paragraph.getparent() is not None:
                paragraph.getparent().remove(paragraph)
        elif holder == "trPr":
            row = parent.getparent()
            table = row.getparent()
            table.remove(row)
            if not table.findall(_q("tr")):
                table.getparent().remove(table)
        else:
            parent.remove(mark)  # run-level wrapper with its runs
    for mark in list(root.iter(_q(kept))):
        parent = mark.getparent()
        if etree.QName(parent).localname in ("rPr", "trPr"):
            parent.remove(mark)
            continue
        for child in list(mark):
            mark.addprevious(child)
        parent.remove(mark)
    if not accept:
        for node in root.iter(_q("delText"), _q("delInstrText")):
            node.tag = _q("t") if node.tag == _q("delText") else _q("instrText")
    return with_document_xml(docx, root)


LATEST = max((p.stem for p in (ROOT / "clause_library" / "fragments" / "plan_progres.objet").glob("*.md")),
             key=Version)
"""The bundled library's latest version of the fragment the organisation layer rewrites."""
NEW = f"{Version(LATEST).major + 1}.0.0"
RELEASE = (ROOT / "clause_library" / "VERSION").read_text(encoding="utf-8").strip()
"""The latest published release (its fragments and canevas)."""


def _objet_1_1() -> str:
    """A new wording of plan_progres.objet: one sentence reworded, one paragraph removed, one added,
    one plain paragraph changed by two words."""
    source = ROOT / "clause_library" / "fragments" / "plan_progres.objet" / f"{LATEST}.md"
    text = source.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("Le plan de progrès est une démarche")]
    text = "\n".join(lines).replace(f"version: {LATEST}", f"version: {NEW}")
    text = text.replace("met en œuvre pendant", "met en œuvre loyalement pendant")
    text = text.replace("leur détail technique figure", "leur détail technique et pratique figure")
    added = "Les stipulations du plan s'interprètent à la lumière de l'article {{ article('axes') }}."
    return f"{text}\n\n{added}\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An old CCAP beside its dossier, and an organisation layer with a new wording."""
    shutil.copyfile(NETTOYAGE, tmp_path / NETTOYAGE.name)
    runner = CliRunner()
    result = runner.invoke(cli, ["ccap", str(tmp_path / NETTOYAGE.name), "-o", str(tmp_path / "ancien.docx")])
    assert result.exit_code == 0, result.output
    fragment = tmp_path / "org" / "fragments" / "plan_progres.objet" / f"{NEW}.md"
    fragment.parent.mkdir(parents=True)
    fragment.write_text(_objet_1_1(), encoding="utf-8")
    (tmp_path / "org" / "CHANGELOG.md").write_text(
        f"# Journal\n\n## À paraître\n\n- Modifié : `plan_progres.objet` {NEW} — exécution loyale, renvoi "
        "aux axes\n- Ajouté : `plan_progres.objet` 1.0.0\n", encoding="utf-8")
    result = runner.invoke(cli, ["ccap", str(tmp_path / NETTOYAGE.name), "-o",
                                 str(tmp_path / "regenere.docx"), "--bibliotheque", str(tmp_path / "org")])
    assert result.exit_code == 0, result.output
    return tmp_path


def _update(workspace: Path, name: str = "nouveau.docx") -> tuple[str, bytes]:
    result = CliRunner().invoke(cli, [
        "actualiser", str(workspace / "ancien.docx"), "-o", str(workspace / name), "--le", "2027-01-15",
        "--auteur", "Service juridique", "--bibliotheque", str(workspace / "org")])
    assert result.exit_code == 0, result.output
    return result.output, (workspace / name).read_bytes()


def test_accepting_every_revision_gives_the_regenerated_document(workspace: Path) -> None:
    output, updated = _update(workspace)
    regenerated = (workspace / "regenere.docx").read_bytes()
    old = (workspace / "ancien.docx").read_bytes()
    assert dump_text(regenerated) != dump_text(old)
    assert dump_text(_resolve(updated, accept=True)) == dump_text(regenerated)
    assert dump_text(_resolve(updated, accept=False)) == dump_text(old)
    assert f"plan_progres.objet : {LATEST} \u2192 {NEW}" in output
    assert f"- Modifié : `plan_progres.objet` {NEW} — exécution loyale" in output
    assert "1.0.0\n" not in output.replace("1.0.0 \u2192", "")  # older journal lines left out


def test_revisions_carry_the_given_author_and_date_and_are_deterministic(workspace: Path) -> None:
    _, updated = _update(workspace)
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(updated)).read("word/document.xml"))
    marks = [*body.iter(_q("ins")), *body.iter(_q("del"))]
    assert len(marks) >= 4
    assert {m.get(_q("author")) for m in marks} == {"Service juridique"}
    assert {m.get(_q("date")) for m in marks} == {"2027-01-15T00:00:00Z"}
    ids = [int(m.get(_q("id"))) for m in marks]
    assert len(set(ids)) == len(ids)
    # Word-level changes: in a paragraph of plain text, « et pratique » inserted; in one holding
    # a cross-reference field, « loyalement » inserted and the field kept, not deleted.
    inserted = ["".join(m.itertext()) for m in body.iter(_q("ins"))]
    assert any(text.strip() == "et pratique" for text in inserted)
    assert any(text.strip() == "loyalement" for text in inserted)
    reworded = next(p for p in body.iter(_q("p")) if "loyalement" in "".join(p.itertext()))
    assert reworded.find(f"{_q('r')}/{_q('instrText')}") is not None  # live REF field, unchanged
    assert reworded.find(f".//{_q('delInstrText')}") is None
    deleted = "".join("".join(m.itertext()) for m in body.iter(_q("del")))
    assert "démarche d\u2019amélioration continue" in deleted
    # Bookmark names stay unique (deleted copies lose theirs).
    names = [b.get(_q("name")) for b in body.iter(_q("bookmarkStart"))]
    assert len(names) == len(set(names))
    _, again = _update(workspace, "encore.docx")
    assert again == updated


def test_a_document_without_provenance_is_refused_in_french(tmp_path: Path) -> None:
    plain = tmp_path / "autre.docx"
    shutil.copyfile(ROOT / "templates" / "revue.docx", plain)
    result = CliRunner().invoke(cli, ["actualiser", str(plain), str(NETTOYAGE), "-o",
                                      str(tmp_path / "x.docx"), "--le", "2027-01-15"])
    assert result.exit_code == 2
    assert "aucune provenance clausegen" in result.output
    assert not (tmp_path / "x.docx").exists()


def test_the_dossier_is_required_when_it_is_not_beside_the_document(workspace: Path) -> None:
    (workspace / NETTOYAGE.name).unlink()
    result = CliRunner().invoke(cli, ["actualiser", str(workspace / "ancien.docx"), "-o",
                                      str(workspace / "x.docx"), "--le", "2027-01-15"])
    assert result.exit_code == 2
    assert f"indiquez le dossier du marché (« {NETTOYAGE.name} » introuvable" in result.output


@pytest.mark.skipif(not uno_available(), reason="LibreOffice et python3-uno absents")
def test_libreoffice_accept_all_and_reject_all_give_new_and_old_texts(workspace: Path) -> None:
    """The same check in LibreOffice itself (« Accepter tout », « Rejeter tout », fields updated)."""
    _update(workspace)

    def text(name: str, action: str = "") -> str:
        return office_text(workspace / name, workspace / f"{name}-{action or 'tel'}.txt", action)

    new, old = text("regenere.docx"), text("ancien.docx")
    assert new != old
    assert text("nouveau.docx", "accepter") == new
    assert text("nouveau.docx", "refuser") == old


def test_a_given_release_is_used_and_an_unchanged_document_gets_no_revision(workspace: Path) -> None:
    # The old CCAP as the release built it (dossier pinned to it): its fragments and its canevas,
    # whatever was validated or added to the canevas since.
    pinned = workspace / "epingle.yml"
    pinned.write_text(NETTOYAGE.read_text(encoding="utf-8") + f"\nbibliotheque: {RELEASE}\n",
                      encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["ccap", str(pinned), "-o", str(workspace / "publie.docx")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["actualiser", str(workspace / "publie.docx"), "-o",
                                 str(workspace / "meme.docx"), "--le", "2027-01-15",
                                 "--publication", RELEASE])
    assert result.exit_code == 0, result.output
    assert "Aucun fragment n'a changé de version." in result.output
    same = (workspace / "meme.docx").read_bytes()
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(same)).read("word/document.xml"))
    assert not [*body.iter(_q("ins")), *body.iter(_q("del"))]
    assert dump_text(same) == dump_text((workspace / "publie.docx").read_bytes())
    provenance = zipfile.ZipFile(io.BytesIO(same)).read("docProps/custom.xml").decode("utf-8")
    assert "clausegen.bibliotheque_epinglee" in provenance  # regenerated with the latest release


def test_a_chapter_keeps_its_first_article_number(workspace: Path) -> None:
    from clausegen.api import open_library, read_dossier, render_piece

    data, _ = render_piece(read_dossier(workspace / NETTOYAGE.name), "ccap_chapitre",
                           library=open_library(), premier_article=7, sommaire=False)
    (workspace / "chapitre.docx").write_bytes(data)
    result = CliRunner().invoke(cli, ["actualiser", str(workspace / "chapitre.docx"), "-o",
                                      str(workspace / "chapitre-2027.docx"), "--le", "2027-01-15",
                                      "--bibliotheque", str(workspace / "org")])
    assert result.exit_code == 0, result.output
    accepted = dump_text(_resolve((workspace / "chapitre-2027.docx").read_bytes(), accept=True))
    assert "[Heading 1] Article\u00a07 \u2013 Condition d\u2019exécution à caractère social" in accepted
    assert "l\u2019article\u00a08.6" in accepted
    assert "Avertissement" not in result.output  # same dossier
