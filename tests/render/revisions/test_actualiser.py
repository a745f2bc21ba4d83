"""``clausegen actualiser``: tracked changes against the old document; accept all = regenerated,
reject all = old text."""

from __future__ import annotations

import copy
import io
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree
from packaging.version import Version

from clausegen.cli import cli
from clausegen.render.readers.inspect import dump_text
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
    result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                 str(tmp_path / NETTOYAGE.name), "-o", str(tmp_path / "ancien.docx")])
    assert result.exit_code == 0, result.output
    fragment = tmp_path / "org" / "fragments" / "plan_progres.objet" / f"{NEW}.md"
    fragment.parent.mkdir(parents=True)
    fragment.write_text(_objet_1_1(), encoding="utf-8")
    (tmp_path / "org" / "CHANGELOG.md").write_text(
        f"# Journal\n\n## À paraître\n\n- Modifié : `plan_progres.objet` {NEW} — exécution loyale, renvoi "
        "aux axes\n- Ajouté : `plan_progres.objet` 1.0.0\n", encoding="utf-8")
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(tmp_path / NETTOYAGE.name), "-o",
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


def _rezipped(docx: bytes, change: object) -> bytes:
    """The package with each member passed through ``change(name, data)`` (None drops it)."""
    archive = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in archive.infolist():
            data = change(info.filename, archive.read(info.filename))  # type: ignore[operator]
            if data is not None:
                target.writestr(info, data)
    return out.getvalue()


def _older(docx: bytes) -> bytes:
    """The document as an older clausegen wrote it: without the dossier it was generated from."""
    return _rezipped(docx, lambda name, data: None if b"urn:clausegen:dossier" in data else data)


def test_the_dossier_is_required_when_it_is_not_beside_an_older_document(workspace: Path) -> None:
    (workspace / "ancien.docx").write_bytes(_older((workspace / "ancien.docx").read_bytes()))
    (workspace / NETTOYAGE.name).unlink()
    result = CliRunner().invoke(cli, ["actualiser", str(workspace / "ancien.docx"), "-o",
                                      str(workspace / "x.docx"), "--le", "2027-01-15"])
    assert result.exit_code == 2
    assert f"indiquez le dossier du marché (« {NETTOYAGE.name} » introuvable" in result.output


def _changed_dossier(workspace: Path) -> Path:
    """The dossier file moved on since the generation (a new market subject)."""
    path = workspace / NETTOYAGE.name
    text = path.read_text(encoding="utf-8")
    objet = yaml.safe_load(text)["marche"]["objet"]
    path.write_text(text.replace(objet, objet + " et vitrerie"), encoding="utf-8")
    return path


def test_the_document_carries_its_dossier_so_a_dossier_that_moved_on_is_no_obstacle(workspace: Path) -> None:
    """The base is rebuilt from the dossier the document carries: without a dossier, the update
    is the library's; with the new dossier, its changes are revisions too."""
    _changed_dossier(workspace)
    output, updated = _update(workspace)
    assert "Appliqué (révision de la bibliothèque) : 4" in output
    assert dump_text(_resolve(updated, accept=True)) == dump_text((workspace / "regenere.docx").read_bytes())
    result = CliRunner().invoke(cli, [
        "actualiser", str(workspace / "ancien.docx"), str(workspace / NETTOYAGE.name), "-o",
        str(workspace / "avec-dossier.docx"), "--le", "2027-01-15", "--bibliotheque", str(workspace / "org")])
    assert result.exit_code == 0, result.output
    assert "ses changements apparaissent aussi en révisions" in result.output
    regenerated = CliRunner().invoke(cli, ["ccap", "--sans-pagination", str(workspace / NETTOYAGE.name), "-o",
                                           str(workspace / "regenere-2.docx"), "--bibliotheque",
                                           str(workspace / "org")])
    assert regenerated.exit_code == 0, regenerated.output
    accepted = dump_text(_resolve((workspace / "avec-dossier.docx").read_bytes(), accept=True))
    assert accepted == dump_text((workspace / "regenere-2.docx").read_bytes())
    assert "et vitrerie" in accepted


def test_C3_a_named_dossier_is_read_only_when_its_hash_matches(workspace: Path) -> None:
    """A received document naming a sibling file: that file is never quoted, and used only when
    it is the dossier of the generation."""
    secret = workspace / "secret.yml"
    secret.write_text("secret: TOPSECRET-LINE-42\n", encoding="utf-8")

    def naming_secret(name: str, data: bytes) -> bytes | None:
        if name == "docProps/custom.xml":
            return data.replace(f">{NETTOYAGE.name}<".encode(), b">secret.yml<")
        return None if b"urn:clausegen:dossier" in data else data

    received = workspace / "recu.docx"
    received.write_bytes(_rezipped((workspace / "ancien.docx").read_bytes(), naming_secret))
    result = CliRunner().invoke(cli, ["actualiser", str(received), "-o", str(workspace / "x.docx"),
                                      "--le", "2027-01-15"])
    assert result.exit_code == 2
    assert "TOPSECRET" not in result.output
    assert "le dossier « secret.yml » qu'il nomme n'est pas celui dont il a été généré" in result.output
    assert not (workspace / "x.docx").exists()
    _changed_dossier(workspace)  # the dossier beside an older document moved on: refused too
    (workspace / "ancien.docx").write_bytes(_older((workspace / "ancien.docx").read_bytes()))
    result = CliRunner().invoke(cli, ["actualiser", str(workspace / "ancien.docx"), "-o",
                                      str(workspace / "x.docx"), "--le", "2027-01-15"])
    assert result.exit_code == 2
    assert "(empreinte différente) : indiquez le dossier à utiliser" in result.output


def test_C2_an_invalid_version_in_the_provenance_is_reported_in_french(workspace: Path) -> None:
    import re

    def altered(name: str, data: bytes) -> bytes:
        if name != "docProps/custom.xml":
            return data
        return re.sub(rb'(name="clausegen\.fragment\.general\.avance"><vt:lpwstr>)[^ <]+', rb"\1abc", data)

    path = workspace / "altere.docx"
    path.write_bytes(_rezipped((workspace / "ancien.docx").read_bytes(), altered))
    result = CliRunner().invoke(cli, ["actualiser", str(path), "-o", str(workspace / "x.docx"),
                                      "--le", "2027-01-15"])
    assert result.exit_code == 2, result.output
    assert "provenance altérée : version « abc » invalide pour le fragment general.avance" in result.output
    assert "Traceback" not in result.output


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
    result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                 str(pinned), "-o", str(workspace / "publie.docx")])
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


# --- a corpus of the buyer's edits (issue 21) ---------------------------------------------------

BUYER = "Acheteur"
BUYER_DATE = "2027-01-02T10:00:00Z"
ADDED = "Le titulaire désigne, dès la notification, un référent unique chargé du plan de progrès."
APPENDED = " et d\u2019arrêter le calendrier des comités de suivi"


def _paragraph(root: etree._Element, containing: str) -> etree._Element:
    return next(p for p in root.iter(_q("p")) if containing in "".join(p.itertext()))


def _new_paragraph(text: str) -> etree._Element:
    paragraph = etree.Element(_q("p"))
    etree.SubElement(paragraph, _q("pPr"))
    run = etree.SubElement(paragraph, _q("r"))
    etree.SubElement(run, _q("t")).text = text
    return paragraph


def _revision(tag: str, number: int) -> etree._Element:
    return etree.Element(_q(tag), {_q("id"): str(900 + number), _q("author"): BUYER, _q("date"): BUYER_DATE})


def _reword(root: etree._Element, old: str, new: str, *, tracked: bool = False) -> None:
    """A sentence changed (as Word writes it, tracked or not)."""
    node = next(t for t in root.iter(_q("t")) if old in (t.text or ""))
    if not tracked:
        node.text = node.text.replace(old, new)
        return
    run = node.getparent()
    before, after = node.text.split(old, 1)
    node.text = before
    node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    deleted, inserted = _revision("del", 1), _revision("ins", 2)
    etree.SubElement(etree.SubElement(deleted, _q("r")), _q("delText")).text = old
    etree.SubElement(etree.SubElement(inserted, _q("r")), _q("t")).text = new
    tail = etree.Element(_q("r"))
    etree.SubElement(tail, _q("t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"}).text = after
    run.addnext(deleted)
    deleted.addnext(inserted)
    inserted.addnext(tail)


def _add(root: etree._Element, *, tracked: bool = False) -> None:
    """A paragraph added after the first paragraph of the article on duration."""
    heading = [p for p in root.iter(_q("p")) if "Durée et reconduction" in "".join(p.itertext())][-1]
    paragraph = _new_paragraph(ADDED)
    if tracked:
        etree.SubElement(paragraph.find(_q("pPr")), _q("rPr")).append(_revision("ins", 3))
        run = paragraph.find(_q("r"))
        wrapper = _revision("ins", 4)
        run.addprevious(wrapper)
        wrapper.append(run)
    heading.getnext().addnext(paragraph)


SUBSTITUE = "Le plan ne se substitue à aucune obligation"


def _delete(root: etree._Element, *, tracked: bool = False) -> None:
    paragraph = _paragraph(root, SUBSTITUE)
    if not tracked:
        paragraph.getparent().remove(paragraph)
        return
    ppr = paragraph.find(_q("pPr"))
    etree.SubElement(ppr, _q("rPr")).append(_revision("del", 5))
    wrapper = _revision("del", 6)
    runs = paragraph.findall(_q("r"))
    runs[0].addprevious(wrapper)
    for run in runs:
        for node in run.iter(_q("t")):
            node.tag = _q("delText")
        wrapper.append(run)


def _move(root: etree._Element) -> None:
    paragraph = _paragraph(root, SUBSTITUE)
    _paragraph(root, "Le plan de progrès porte exclusivement").addprevious(paragraph)


def _article(root: etree._Element) -> None:
    """A whole article added by the buyer before the plan's: every later number shifts."""
    title = "Plan de progrès en matière sociale"
    heading = [p for p in root.iter(_q("p")) if "".join(p.itertext()) == title][-1]
    added = copy.deepcopy(heading)
    for mark in list(added.iter(_q("bookmarkStart"), _q("bookmarkEnd"))):
        mark.getparent().remove(mark)
    next(added.iter(_q("t"))).text = "Clause locale de propreté"
    heading.addprevious(added)
    heading.addprevious(_new_paragraph("Le titulaire laisse les locaux propres après chaque intervention."))


def _append(root: etree._Element) -> None:
    """The buyer's addition to the paragraph the library also rewrites (a conflict)."""
    paragraph = _paragraph(root, "leur détail technique")
    node = [t for t in paragraph.iter(_q("t")) if (t.text or "").strip()][-1]
    node.text = node.text.rstrip(".") + APPENDED + "."


def _edited(docx: bytes, *edits: object) -> bytes:
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    for edit in edits:
        edit(root)  # type: ignore[operator]
    return with_document_xml(docx, root)


SCENARIOS = {
    "phrase": (lambda r: _reword(r, "porte exclusivement sur", "porte en priorité sur"),),
    "ajout": (_add,),
    "suppression": (_delete,),
    "deplacement": (_move,),
    "article": (_article,),
    "tout": (lambda r: _reword(r, "porte exclusivement sur", "porte en priorité sur"), _add, _delete),
}


def _actualise(workspace: Path, theirs: bytes, name: str) -> tuple[str, bytes]:
    (workspace / f"{name}-acheteur.docx").write_bytes(theirs)
    result = CliRunner().invoke(cli, [
        "actualiser", str(workspace / f"{name}-acheteur.docx"), "-o", str(workspace / f"{name}.docx"),
        "--le", "2027-01-15", "--auteur", "Service juridique", "--bibliotheque", str(workspace / "org")])
    assert result.exit_code == 0, result.output
    return result.output, (workspace / f"{name}.docx").read_bytes()


def _revisions(docx: bytes) -> list[etree._Element]:
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    return [*body.iter(_q("ins")), *body.iter(_q("del"))]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_buyers_edits_stay_and_only_the_library_changes_are_revisions(workspace: Path,
                                                                          scenario: str) -> None:
    """Accept all = the buyer's edits on the regenerated text; reject all = the buyer's file."""
    edits = SCENARIOS[scenario]
    theirs = _edited((workspace / "ancien.docx").read_bytes(), *edits)
    output, updated = _actualise(workspace, theirs, scenario)
    expected = _edited((workspace / "regenere.docx").read_bytes(), *edits)
    assert dump_text(_resolve(updated, accept=True)) == dump_text(expected)
    assert dump_text(_resolve(updated, accept=False)) == dump_text(theirs)
    assert {m.get(_q("author")) for m in _revisions(updated)} == {"Service juridique"}
    assert "En conflit (votre texte gardé, celui de la bibliothèque proposé, commentaire) : 0" in output
    assert "Appliqué (révision de la bibliothèque) : 4" in output
    assert "Conservé (vos modifications, telles quelles) : 0" not in output


def _comments(docx: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(docx)).read("word/comments.xml").decode("utf-8")


def test_a_paragraph_both_changed_at_the_same_place_keeps_the_buyers_text_and_offers_the_librarys(
        workspace: Path) -> None:
    same_place = (lambda r: _reword(r, "met en œuvre pendant", "met en œuvre scrupuleusement pendant"),)
    theirs = _edited((workspace / "ancien.docx").read_bytes(), *same_place)
    output, updated = _actualise(workspace, theirs, "conflit")
    assert dump_text(_resolve(updated, accept=False)) == dump_text(theirs)
    accepted = dump_text(_resolve(updated, accept=True)).splitlines()
    mine = next(i for i, line in enumerate(accepted) if "scrupuleusement" in line)
    assert "loyalement" not in accepted[mine]  # the buyer's paragraph as they wrote it
    assert "met en œuvre loyalement pendant" in accepted[mine + 1]  # then the library's
    assert "leur détail technique et pratique figure" in "".join(accepted)  # the others applied
    comments = _comments(updated)
    assert f"Conflit de mise à jour (plan_progres.objet {LATEST} \u2192 {NEW})" in comments
    assert "w:author=\"Service juridique\"" in comments
    body = zipfile.ZipFile(io.BytesIO(updated)).read("word/document.xml").decode("utf-8")
    assert body.count("<w:commentReference") == 1
    types = zipfile.ZipFile(io.BytesIO(updated)).read("[Content_Types].xml").decode("utf-8")
    assert 'PartName="/word/comments.xml"' in types
    assert "En conflit (votre texte gardé, celui de la bibliothèque proposé, commentaire) : 1" in output
    assert "- modifié [plan_progres.objet] : « Le plan de progrès en matière sociale" in output


def test_a_paragraph_both_changed_in_different_places_is_merged_word_by_word(workspace: Path) -> None:
    """The buyer's addition at the end, the library's in the middle: one paragraph, the buyer's
    words untracked, the library's tracked, a comment saying so."""
    theirs = _edited((workspace / "ancien.docx").read_bytes(), _append)
    output, updated = _actualise(workspace, theirs, "fusion")
    assert dump_text(_resolve(updated, accept=False)) == dump_text(theirs)
    accepted = dump_text(_resolve(updated, accept=True))
    assert f"leur détail technique et pratique figure au CCTP{APPENDED}." in accepted
    assert accepted.count("Le principe du plan, son champ") == 1
    expected = _edited((workspace / "regenere.docx").read_bytes(),
                       lambda r: _reword(r, "figure au CCTP.", f"figure au CCTP{APPENDED}."))
    assert accepted == dump_text(expected)
    assert f"Mise à jour (plan_progres.objet {LATEST} \u2192 {NEW}) : vous avez modifié" in _comments(updated)
    inserted = ["".join(m.itertext()) for m in _revisions(updated) if m.tag == _q("ins")]
    assert not any("arrêter" in text for text in inserted)  # the buyer's words are not revisions
    assert "- fusionné [plan_progres.objet] : « Le principe du plan" in output


def test_the_buyers_tracked_changes_are_kept_with_their_author_and_date(workspace: Path) -> None:
    tracked = (lambda r: _reword(r, "exclusivement", "en priorité", tracked=True),
               lambda r: _add(r, tracked=True), lambda r: _delete(r, tracked=True))
    theirs = _edited((workspace / "ancien.docx").read_bytes(), *tracked)
    output, updated = _actualise(workspace, theirs, "suivi")
    buyer = sorted(etree.tostring(m) for m in _revisions(updated) if m.get(_q("author")) == BUYER)
    assert buyer == sorted(etree.tostring(m) for m in _revisions(theirs))  # same marks, same places
    plain = _edited((workspace / "regenere.docx").read_bytes(),
                    lambda r: _reword(r, "porte exclusivement sur", "porte en priorité sur"), _add, _delete)
    assert dump_text(_resolve(updated, accept=True)) == dump_text(plain)
    assert dump_text(_resolve(updated, accept=False)) == dump_text((workspace / "ancien.docx").read_bytes())
    assert "Conservé (vos modifications, telles quelles) : 3" in output


def _saved_by_libreoffice(source: Path, folder: Path) -> bytes:
    """The file opened and saved once by LibreOffice (« Enregistrer » in Word format)."""
    import subprocess

    folder.mkdir()
    subprocess.run(["soffice", f"-env:UserInstallation={(folder / 'profil').as_uri()}", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180)
    return (folder / source.name).read_bytes()


@pytest.mark.skipif(not uno_available(), reason="LibreOffice et python3-uno absents")
def test_a_file_saved_by_libreoffice_gets_only_the_library_changes(workspace: Path) -> None:
    """After one LibreOffice save (styles, rsids, fields, bookmarks, lists and the table of
    contents rewritten), the update has the revisions of an unedited file, no more; accepted and
    rejected in LibreOffice, the text (numbers and cross-references updated) is the buyer's with
    the library's changes, and the buyer's."""
    phrase = (*SCENARIOS["phrase"], _article)
    (workspace / "edite.docx").write_bytes(_edited((workspace / "ancien.docx").read_bytes(), *phrase))
    theirs = _saved_by_libreoffice(workspace / "edite.docx", workspace / "lo")
    _, plain = _actualise(workspace, (workspace / "ancien.docx").read_bytes(), "temoin")
    output, updated = _actualise(workspace, theirs, "lo-actualise")
    assert len(_revisions(updated)) == len(_revisions(plain))
    assert "Conservé (vos modifications, telles quelles) : 3" in output
    assert "- modifié : « Le plan de progrès porte en priorité sur" in output
    assert "- ajouté : « Clause locale de propreté »" in output
    (workspace / "attendu.docx").write_bytes(_edited((workspace / "regenere.docx").read_bytes(), *phrase))

    def text(name: str, action: str = "") -> str:
        return office_text(workspace / name, workspace / f"{name}-{action or 'tel'}.txt", action)

    accepted = text("lo-actualise.docx", "accepter")
    assert accepted == text("attendu.docx")
    # The library's new cross-reference follows the buyer's numbering (axes: article 6 now), and
    # LibreOffice reads it as the number alone (docs/documents-vivants.md).
    assert "Les stipulations du plan s’interprètent à la lumière de l’article\u00a06" in accepted
    assert "Article\u00a06 \u2013 Axes de progrès\t" in accepted
    assert text("lo-actualise.docx", "refuser") == text("lo/edite.docx")


@pytest.mark.skipif(not uno_available(), reason="LibreOffice et python3-uno absents")
def test_the_buyers_tracked_changes_survive_accept_all_in_libreoffice(workspace: Path) -> None:
    """The review's corruption (a heading merged, Article 4 gone, every later number shifted)
    does not happen: in LibreOffice, accepting all gives the buyer's edits on the new text."""
    tracked = (lambda r: _reword(r, "exclusivement", "en priorité", tracked=True),
               lambda r: _add(r, tracked=True), lambda r: _delete(r, tracked=True))
    _actualise(workspace, _edited((workspace / "ancien.docx").read_bytes(), *tracked), "suivi")
    (workspace / "attendu.docx").write_bytes(_edited(
        (workspace / "regenere.docx").read_bytes(),
        lambda r: _reword(r, "porte exclusivement sur", "porte en priorité sur"), _add, _delete))

    def text(name: str, action: str = "") -> str:
        return office_text(workspace / name, workspace / f"{name}-{action or 'tel'}.txt", action)

    accepted = text("suivi.docx", "accepter")
    assert accepted == text("attendu.docx")
    assert "Article\u00a04 \u2013 Plan de progrès en matière sociale\t" in accepted  # the index, updated
    assert text("suivi.docx", "refuser") == text("ancien.docx")


def test_verifier_document_names_pending_revisions_and_never_says_intact(workspace: Path) -> None:
    tracked = (lambda r: _reword(r, "exclusivement", "en priorité", tracked=True),)
    _actualise(workspace, _edited((workspace / "ancien.docx").read_bytes(), *tracked), "suivi")
    result = CliRunner().invoke(cli, ["verifier-document", str(workspace / "suivi.docx"),
                                      "--bibliotheque", str(workspace / "org")])
    assert result.exit_code == 1
    assert "Document intact" not in result.output
    assert "révisions en attente, à accepter ou refuser (auteurs : " in result.output
    assert "Acheteur (2)" in result.output
    assert "Service juridique (" in result.output
    detail = CliRunner().invoke(cli, ["verifier-document", str(workspace / "suivi.docx"), "--dossier",
                                      str(workspace / NETTOYAGE.name), "--bibliotheque",
                                      str(workspace / "org")])
    assert detail.exit_code == 1
    lines = detail.output.splitlines()
    # Each pending change reads inline, the deleted and the inserted words both there.
    assert any(line.startswith("+ Le plan de progrès porte [-exclusivement-][+en priorité+] sur")
               for line in lines), detail.output
    assert any("met en œuvre [+loyalement +]pendant" in line for line in lines), detail.output


@pytest.mark.skipif(not uno_available(), reason="LibreOffice absent")
def test_verifier_document_diff_of_a_file_saved_by_libreoffice_shows_only_the_edit(workspace: Path) -> None:
    (workspace / "edite.docx").write_bytes(_edited((workspace / "ancien.docx").read_bytes(),
                                                   *SCENARIOS["phrase"]))
    (workspace / "lo.docx").write_bytes(_saved_by_libreoffice(workspace / "edite.docx", workspace / "lo"))
    result = CliRunner().invoke(cli, ["verifier-document", str(workspace / "lo.docx"), "--dossier",
                                      str(workspace / NETTOYAGE.name)])
    assert result.exit_code == 1
    changed = [line for line in result.output.splitlines() if line[:2] in ("- ", "+ ")]
    assert len(changed) == 2, result.output
    assert "porte exclusivement sur" in changed[0]
    assert "porte en priorité sur" in changed[1]


def test_the_date_defaults_to_today_and_says_so(workspace: Path) -> None:
    import datetime as dt

    from clausegen.text.french import date_longue

    result = CliRunner().invoke(cli, ["actualiser", str(workspace / "ancien.docx"), "-o",
                                      str(workspace / "aujourdhui.docx"), "--bibliotheque",
                                      str(workspace / "org")])
    assert result.exit_code == 0, result.output
    today = dt.date.today()
    assert f"Révisions datées d'aujourd'hui, {date_longue(today)}" in result.output
    dates = {m.get(_q("date")) for m in _revisions((workspace / "aujourdhui.docx").read_bytes())}
    assert dates == {f"{today.isoformat()}T00:00:00Z"}


# --- the sommaire after an update (issue 19 item 1, issue 21) -----------------------------------

SOMMAIRE = ("Le sommaire sera mis à jour à l'ouverture dans Word (accepter la mise à jour des "
            "champs)\u00a0; dans LibreOffice\u00a0: Outils › Actualiser › Tout actualiser.")


def _settings(docx: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(docx)).read("word/settings.xml")


@pytest.mark.parametrize("saved", ["mis à jour et enregistré dans Word", "champs figés"])
def test_an_update_asks_word_to_refresh_the_buyers_sommaire(workspace: Path, saved: str,
                                                            tmp_path: Path) -> None:
    """The buyer's sommaire keeps its cached page numbers (Word drops ``w:updateFields`` once it
    has updated them and the file is saved; or it was set to false): the updated document asks
    Word again, at the schema's place, still valid and byte-reproducible."""
    import re

    from tests.render.writers.test_ooxml import audit

    def settle(name: str, data: bytes) -> bytes:
        if name != "word/settings.xml":
            return data
        if saved == "champs figés":
            return data.replace(b'<w:updateFields w:val="true"/>', b'<w:updateFields w:val="false"/>')
        return re.sub(rb"<w:updateFields\b[^>]*/>", b"", data)

    old = (workspace / "ancien.docx").read_bytes()
    assert b"w:instrText" in zipfile.ZipFile(io.BytesIO(old)).read("word/document.xml")
    theirs = _rezipped(old, settle)
    assert b'<w:updateFields w:val="true"/>' not in _settings(theirs)
    (workspace / "ancien.docx").write_bytes(theirs)
    output, updated = _update(workspace, "sommaire.docx")
    settings = _settings(updated)
    assert settings.count(b"<w:updateFields") == 1
    assert b'<w:updateFields w:val="true"/>' in settings
    assert SOMMAIRE in output
    assert audit("sommaire.docx", updated, tmp_path) == []
    _, again = _update(workspace, "sommaire-encore.docx")
    assert again == updated


def test_a_document_without_sommaire_is_left_without_update_fields(workspace: Path) -> None:
    from clausegen.api import open_library, read_dossier, render_piece

    data, _ = render_piece(read_dossier(workspace / NETTOYAGE.name), "ccap_chapitre",
                           library=open_library(), premier_article=7, sommaire=False)
    assert b"TOC \\" not in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    output, updated = _actualise(workspace, data, "chapitre")
    assert b"updateFields" not in _settings(updated)
    assert "sommaire" not in output.lower()
