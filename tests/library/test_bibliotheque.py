"""The legal team's library through the CLI: workflow, releases, pinning, overlays, redlines."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.render.readers.inspect import dump_text, read_provenance
from clausegen.resources import library_dir
from tests.conftest import sans_pagination

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BUNDLED = library_dir() / "fragments" / "general.objet" / "1.0.0.md"
NEW_WORDING = ("Le CCAP du marché {{ marche.reference }} ({{ marche.objet }}, {{ marche.nature }}, "
               "{{ marche.lieu_execution }}) de {{ acheteur.nom }} suit la rédaction de "
               "l'organisation.\n")


def run(runner: CliRunner, *args: str | Path) -> object:
    return runner.invoke(cli, sans_pagination(args))


def put_version(overlay: Path, version: str, *, statut: str = "valide", body: str | None = None,
                fragment: Path = BUNDLED) -> Path:
    """Write general.objet@version into an overlay: the bundled text, re-versioned."""
    text = fragment.read_text(encoding="utf-8")
    text = re.sub(r"^version: .*$", f"version: {version}", text, count=1, flags=re.M)
    text = re.sub(r"^statut: .*$", f"statut: {statut}", text, count=1, flags=re.M)
    if body is not None:
        text = text.split("\n---\n", 1)[0] + "\n---\n" + body
    path = overlay / "fragments" / "general.objet" / f"{version}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def overlay(tmp_path: Path) -> Path:
    """An organisation library holding the bundled general.objet@1.0.0, unchanged."""
    root = tmp_path / "orga"
    put_version(root, "1.0.0")
    return root


@pytest.fixture
def pinned_dossier(write_dossier) -> Path:  # type: ignore[no-untyped-def]
    return write_dossier(bibliotheque="9.0.0")  # type: ignore[no-any-return]


def publish(runner: CliRunner, overlay: Path, version: str = "9.0.0") -> None:
    result = run(runner, "bibliotheque", "publier", version, "--le", "2026-11-30",
                 "--bibliotheque", overlay)
    assert result.exit_code == 0, result.output


# --- verifier ------------------------------------------------------------------------------


def test_a_template_syntax_error_is_reported_in_french_by_verifier_and_publier(
        runner: CliRunner, overlay: Path) -> None:
    put_version(overlay, "1.1.0", statut="valide", body="Voir {{ marche.reference | montant_ht \n")
    for args in (("verifier",), ("publier", "9.0.0", "--le", "2026-11-30")):
        result = run(runner, "bibliotheque", *args, "--bibliotheque", overlay)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "general.objet@1.1.0" in result.output
        assert "syntaxe incorrecte" in result.output
    assert not (overlay / "releases" / "9.0.0.yml").exists()


def test_statut_refuses_a_draft_that_would_break_the_documents(runner: CliRunner,
                                                                overlay: Path) -> None:
    path = put_version(overlay, "1.1.0", statut="brouillon",
                       body="Le marché {{ marche.reference }} {{ marche.inexistant }}.\n")
    before = path.read_bytes()
    result = run(runner, "bibliotheque", "statut", "general.objet@1.1.0", "en_revue",
                 "--bibliotheque", overlay)
    assert result.exit_code == 2, result.output
    assert "passage au statut « en_revue » refusé(e)" in result.output
    assert "avec l'exemple « " in result.output
    assert "variable inconnue" in result.output
    assert str(overlay) not in result.output
    assert path.read_bytes() == before
    retire = run(runner, "bibliotheque", "statut", "general.objet@1.1.0", "retire",
                 "--bibliotheque", overlay)
    assert retire.exit_code == 0, retire.output  # a broken draft can always be retired


def test_bundled_library_passes_verifier(runner: CliRunner) -> None:
    result = run(runner, "bibliotheque", "verifier")
    assert result.exit_code == 0, result.output
    assert "aucune erreur" in result.output


def test_edited_valide_version_is_caught(runner: CliRunner, overlay: Path) -> None:
    publish(runner, overlay)
    path = overlay / "fragments" / "general.objet" / "1.0.0.md"
    path.write_text(path.read_text(encoding="utf-8").replace("fixe", "définit"), encoding="utf-8")
    result = run(runner, "bibliotheque", "verifier", "--bibliotheque", overlay)
    assert result.exit_code == 2
    assert "general.objet@1.0.0" in result.output
    assert "modifiée après sa publication en 9.0.0" in result.output


def test_edit_hidden_from_the_parse_cache_is_still_caught(runner: CliRunner, overlay: Path,
                                                          tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Same size, same modification time: the cache would serve the old parse, not verifier."""
    import os

    monkeypatch.setenv("CLAUSEGEN_CACHE", str(tmp_path / "cache"))
    path = overlay / "fragments" / "general.objet" / "1.0.0.md"
    os.utime(path, (1_700_000_000, 1_700_000_000))
    publish(runner, overlay)
    assert run(runner, "bibliotheque", "lister", "--bibliotheque", overlay).exit_code == 0
    text = path.read_text(encoding="utf-8")
    assert "fixe" in text
    path.write_text(text.replace("fixe", "lixe"), encoding="utf-8")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    result = run(runner, "bibliotheque", "verifier", "--bibliotheque", overlay)
    assert result.exit_code == 2
    assert "modifiée après sa publication en 9.0.0" in result.output


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Voir {{ marche.inexistant }}.\n", "champ « marche.inexistant » absent du modèle"),
        ("Voir {{ inconnu }}.\n", "champ « inconnu » inconnu du contexte"),
        ("Voir l'article {{ article('nulle_part') }}.\n", "renvoi article('nulle_part') absent"),
        ("Texte sans variable.\n", "variable déclarée « marche.reference » non utilisée"),
        ("Voir {{ marche.reference | montant_ht \n", "syntaxe incorrecte"),
    ],
    ids=["unknown-path", "unknown-name", "broken-cross-reference", "unused-variable",
         "template-syntax-error"],
)
def test_verifier_reports_fragment_errors(runner: CliRunner, tmp_path: Path, body: str,
                                          expected: str) -> None:
    root = tmp_path / "orga"
    put_version(root, "1.0.0", body=body)
    result = run(runner, "bibliotheque", "verifier", "--bibliotheque", root)
    assert result.exit_code == 2
    assert expected in result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Le 2ème bilan.", "2ème"), ("Le 01/02/2026.", "date en chiffres"),
     ("Deux  espaces.", "double espace"), ('Le "plan".', "guillemets droits")],
    ids=["ordinal", "numeric-date", "double-space", "straight-quotes"],
)
def test_verifier_warns_on_typography_and_strict_fails(runner: CliRunner, tmp_path: Path,
                                                       text: str, expected: str) -> None:
    root = tmp_path / "orga"
    put_version(root, "1.0.0", body=f"{{{{ marche.reference }}}} {{{{ marche.objet }}}} "
                f"{{{{ marche.nature }}}} {{{{ marche.lieu_execution }}}} {{{{ acheteur.nom }}}} {text}\n")
    lenient = run(runner, "bibliotheque", "verifier", "--bibliotheque", root)
    strict = run(runner, "bibliotheque", "verifier", "--strict", "--bibliotheque", root)
    assert lenient.exit_code == 0, lenient.output
    assert expected in lenient.output
    assert strict.exit_code == 2


# --- status-gated builds and overlays ------------------------------------------------------


def test_newer_draft_is_used_only_with_brouillon(runner: CliRunner, overlay: Path, tmp_path: Path,
                                                 write_dossier) -> None:  # type: ignore[no-untyped-def]
    put_version(overlay, "2.0.0", statut="brouillon", body=NEW_WORDING)
    dossier = write_dossier()
    final, draft = tmp_path / "final.docx", tmp_path / "projet.docx"
    assert run(runner, "ccap", dossier, "-o", final, "--bibliotheque", overlay).exit_code == 0
    result = run(runner, "ccap", dossier, "-o", draft, "--bibliotheque", overlay, "--brouillon")
    assert result.exit_code == 0, result.output
    assert "de l'organisation" not in dump_text(final.read_bytes())
    assert "PROJET" not in dump_text(final.read_bytes())
    assert "de l’organisation" in dump_text(draft.read_bytes())
    assert "[En-tête] PROJET \u2014 clauses non validées" in dump_text(draft.read_bytes())


def test_unvalidated_override_is_refused_without_brouillon(runner: CliRunner, tmp_path: Path,
                                                           write_dossier) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "orga"
    put_version(root, "1.0.0", statut="en_revue", body=NEW_WORDING)
    out = tmp_path / "ccap.docx"
    result = run(runner, "ccap", write_dossier(), "-o", out, "--bibliotheque", root)
    assert result.exit_code == 2
    assert "la surcouche « orga » le remplace mais n'en a aucune version validée" in result.output
    assert not out.exists()


def test_overlay_wins_over_bundled_fragment(runner: CliRunner, tmp_path: Path,
                                            write_dossier) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "orga"
    put_version(root, "0.1.0", body=NEW_WORDING)
    out = tmp_path / "ccap.docx"
    assert run(runner, "ccap", write_dossier(), "-o", out, "--bibliotheque", root).exit_code == 0
    assert "de l’organisation" in dump_text(out.read_bytes())
    assert read_provenance(out.read_bytes())["fragment.general.objet"].endswith(
        " valide surcouche:orga")


def test_config_file_adds_overlay_and_lister_shows_layer(runner: CliRunner, overlay: Path,
                                                         tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".clausegen.yml").write_text("bibliotheques: [orga]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run(runner, "bibliotheque", "lister", "--piece", "ccap", "--statut", "valide")
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("general.objet@1.0.0"))
    assert line.split()[-1] == "surcouche:orga"
    assert "cctp.objet" not in result.output


# --- releases, pinning, provenance ---------------------------------------------------------


def test_pinned_regeneration_gives_identical_bytes(runner: CliRunner, overlay: Path, tmp_path: Path,
                                                   pinned_dossier: Path, write_dossier) -> None:  # type: ignore[no-untyped-def]
    publish(runner, overlay)
    first, again, latest = (tmp_path / n for n in ("first.docx", "again.docx", "latest.docx"))
    assert run(runner, "ccap", pinned_dossier, "-o", first, "--bibliotheque", overlay).exit_code == 0
    put_version(overlay, "1.1.0", body=NEW_WORDING)
    assert run(runner, "ccap", pinned_dossier, "-o", again, "--bibliotheque", overlay).exit_code == 0
    assert run(runner, "ccap", write_dossier(), "-o", latest, "--bibliotheque",
               overlay).exit_code == 0
    assert again.read_bytes() == first.read_bytes()
    assert "de l’organisation" in dump_text(latest.read_bytes())
    assert read_provenance(first.read_bytes())["bibliotheque"] == "9.0.0"


def test_pin_to_unknown_release_is_refused(runner: CliRunner, tmp_path: Path,
                                           pinned_dossier: Path) -> None:
    result = run(runner, "ccap", pinned_dossier, "-o", tmp_path / "x.docx")
    assert result.exit_code == 2
    assert "Publication 9.0.0 de la bibliothèque : manifeste introuvable" in result.output


def test_verifier_document_reads_provenance_and_newer_versions(runner: CliRunner, overlay: Path,
                                                               tmp_path: Path,
                                                               write_dossier) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "ccap.docx"
    assert run(runner, "ccap", write_dossier(), "-o", out, "--bibliotheque", overlay).exit_code == 0
    put_version(overlay, "1.1.0", body=NEW_WORDING)
    result = run(runner, "verifier-document", out, "--bibliotheque", overlay)
    assert result.exit_code == 1, result.output  # a newer validated version: to be examined
    assert "piece : ccap" in result.output
    assert re.search(r"dossier_sha256 : [0-9a-f]{64}", result.output)
    assert "general.objet@1.0.0 (valide) \u2014 version validée plus récente : 1.1.0" in result.output
    assert "  plan_progres.objet@1.1.0 (valide)\n" in result.output


def test_publier_writes_manifest_changelog_and_version(runner: CliRunner, overlay: Path) -> None:
    publish(runner, overlay)
    put_version(overlay, "1.1.0", body=NEW_WORDING)
    publish(runner, overlay, "9.1.0")
    manifest = (overlay / "releases" / "9.1.0.yml").read_text(encoding="utf-8")
    changelog = (overlay / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(r"general.objet:\n    version: 1.1.0\n    sha256: [0-9a-f]{64}", manifest)
    assert changelog.index("## 9.1.0 \u2014 2026-11-30") < changelog.index("## 9.0.0")
    assert "- Modifié : `general.objet` 1.0.0 → 1.1.0" in changelog
    assert (overlay / "VERSION").read_text(encoding="utf-8") == "9.1.0\n"


def test_publier_refuses_existing_release_without_remplacer(runner: CliRunner, overlay: Path) -> None:
    publish(runner, overlay)
    result = run(runner, "bibliotheque", "publier", "9.0.0", "--bibliotheque", overlay)
    assert result.exit_code == 2
    assert "déjà publiée" in result.output
    replaced = run(runner, "bibliotheque", "publier", "9.0.0", "--remplacer", "--le", "2026-11-30",
                   "--bibliotheque", overlay)
    assert replaced.exit_code == 0, replaced.output


def test_republishing_keeps_the_hand_written_notes(runner: CliRunner, overlay: Path) -> None:
    publish(runner, overlay)
    changelog = overlay / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    title = "## 9.0.0 \u2014 2026-11-30\n\n"
    assert title in text
    changelog.write_text(text.replace(title, title + "Relu par le service juridique.\n\n"),
                         encoding="utf-8")
    replaced = run(runner, "bibliotheque", "publier", "9.0.0", "--remplacer", "--le", "2026-11-30",
                   "--bibliotheque", overlay)
    assert replaced.exit_code == 0, replaced.output
    after = changelog.read_text(encoding="utf-8")
    assert after.count("Relu par le service juridique.") == 1
    generated = text.split(title, 1)[1].splitlines()[0]
    assert generated.startswith("- ")
    assert after.count(generated) == 1
    assert after.index("Relu par") < after.index(generated)


def test_publier_refuses_a_fragment_without_valide_version(runner: CliRunner, tmp_path: Path) -> None:
    root = tmp_path / "orga"
    put_version(root, "1.0.0", statut="brouillon")
    result = run(runner, "bibliotheque", "publier", "9.0.0", "--bibliotheque", root)
    assert result.exit_code == 2
    assert "aucune version validée pour general.objet" in result.output
    assert not (root / "releases").exists()


# --- workflow ------------------------------------------------------------------------------


def test_status_workflow_from_new_version_to_valide(runner: CliRunner, overlay: Path) -> None:
    opts = ("--bibliotheque", overlay)
    # The bundled library holds general.objet@1.1.0: the overlay takes the latest version first,
    # so that the new version is written there (never into the bundled library).
    put_version(overlay, "1.1.0")
    assert run(runner, "bibliotheque", "nouvelle-version", "general.objet", "--version", "1.2.0",
               *opts).exit_code == 0
    path = overlay / "fragments" / "general.objet" / "1.2.0.md"
    assert "statut: brouillon" in path.read_text(encoding="utf-8")
    skipped = run(runner, "bibliotheque", "statut", "general.objet@1.2.0", "valide", *opts)
    assert skipped.exit_code == 2
    assert "transitions permises : en_revue, retire" in skipped.output
    assert run(runner, "bibliotheque", "statut", "general.objet@1.2.0", "en_revue",
               *opts).exit_code == 0
    done = run(runner, "bibliotheque", "statut", "general.objet@1.2.0", "valide", "--par",
               "Maître Durand", "--le", "2026-12-01", *opts)
    assert done.exit_code == 0, done.output
    history = run(runner, "bibliotheque", "historique", "general.objet", *opts).output
    assert "1.2.0      valide     revue par Maître Durand le 2026-12-01" in history
    assert path.read_text(encoding="utf-8").split("\n---\n")[1] == BUNDLED.read_text(
        encoding="utf-8").split("\n---\n")[1]


def test_valide_requires_reviewer(runner: CliRunner, tmp_path: Path) -> None:
    root = tmp_path / "orga"
    put_version(root, "1.0.0", statut="en_revue")
    result = run(runner, "bibliotheque", "statut", "general.objet@1.0.0", "valide",
                 "--bibliotheque", root)
    assert result.exit_code == 2
    assert "--par NOM --le AAAA-MM-JJ" in result.output


# --- redlines ------------------------------------------------------------------------------

OLD_BODY = "Premier paragraphe conservé.\n\nLe titulaire remet son bilan annuel.\n\nParagraphe supprimé.\n"
NEW_BODY = ("Premier paragraphe conservé.\n\nLe titulaire remet son bilan final.\n\n"
            "Paragraphe ajouté.\n\nEncore un.\n")


def _resolve(document: ElementTree.Element, *, accept: bool) -> list[str]:
    """The paragraphs' text once every revision is accepted (or rejected)."""
    drop, keep = (f"{W}del", f"{W}ins") if accept else (f"{W}ins", f"{W}del")
    texts = []
    for paragraph in document.iter(f"{W}p"):
        mark = paragraph.find(f"{W}pPr/{W}rPr/{drop}")
        if mark is not None:
            continue
        parts = []
        for child in paragraph:
            if child.tag == drop:
                continue
            if child.tag in (keep, f"{W}r"):
                parts += [n.text or "" for n in child.iter() if n.tag in (f"{W}t", f"{W}delText")]
        texts.append("".join(parts))
    return texts


@pytest.fixture
def redline(runner: CliRunner, tmp_path: Path) -> ElementTree.Element:
    root = tmp_path / "orga"
    put_version(root, "1.0.0", body=OLD_BODY)
    put_version(root, "1.1.0", body=NEW_BODY)
    out = tmp_path / "revue.docx"
    result = run(runner, "bibliotheque", "comparer", "general.objet@1.0.0", "general.objet@1.1.0",
                 "-o", out, "--auteur", "Service juridique", "--le", "2026-12-01",
                 "--bibliotheque", root)
    assert result.exit_code == 0, result.output
    assert "-Le titulaire remet son bilan annuel." in result.output
    xml = zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("word/document.xml")
    return ElementTree.fromstring(xml)


def test_redline_has_tracked_insertions_and_deletions(redline: ElementTree.Element) -> None:
    marks = [*redline.iter(f"{W}ins"), *redline.iter(f"{W}del")]
    assert {m.tag for m in marks} == {f"{W}ins", f"{W}del"}
    assert {m.get(f"{W}author") for m in marks} == {"Service juridique"}
    assert {m.get(f"{W}date") for m in marks} == {"2026-12-01T00:00:00Z"}
    ids = [int(m.get(f"{W}id", "0")) for m in marks]
    assert len(set(ids)) == len(ids)
    deleted = "".join(t.text or "" for d in redline.iter(f"{W}del") for t in d.iter(f"{W}delText"))
    assert "annuel" in deleted
    assert not [t for d in redline.iter(f"{W}del") for t in d.iter(f"{W}t")]


@pytest.mark.parametrize(("accept", "body"), [(True, NEW_BODY), (False, OLD_BODY)],
                         ids=["accept-all-gives-new", "reject-all-gives-old"])
def test_redline_resolves_to_each_wording(redline: ElementTree.Element, accept: bool,
                                          body: str) -> None:
    texts = _resolve(redline, accept=accept)
    start = texts.index("Premier paragraphe conservé.")
    assert texts[start:] == [p for p in body.splitlines() if p]


def test_redline_is_the_same_document_in_memory_and_from_the_command(runner: CliRunner,
                                                                   tmp_path: Path) -> None:
    """The web page and ``comparer -o`` call the same facade: bytes in memory, written by the CLI."""
    import datetime as dt

    from clausegen.api.bibliotheque import compare_versions, render_redline

    root = tmp_path / "orga"
    put_version(root, "1.0.0", body=OLD_BODY)
    put_version(root, "1.1.0", body=NEW_BODY)
    comparison = compare_versions("general.objet@1.0.0", "general.objet@1.1.0", [root])
    data = render_redline(comparison, author="Service juridique", date=dt.date(2026, 12, 1))
    out = tmp_path / "revue.docx"
    assert run(runner, "bibliotheque", "comparer", "general.objet@1.0.0", "general.objet@1.1.0",
               "-o", out, "--auteur", "Service juridique", "--le", "2026-12-01",
               "--bibliotheque", root).exit_code == 0
    assert out.read_bytes() == data
    assert sorted(tmp_path.iterdir()) == [root, out]  # nothing else written on the way


def test_release_comparison_lists_each_changed_fragment(runner: CliRunner, overlay: Path,
                                                        tmp_path: Path) -> None:
    publish(runner, overlay)
    put_version(overlay, "1.1.0", body=NEW_WORDING)
    publish(runner, overlay, "9.1.0")
    out = tmp_path / "releases.docx"
    result = run(runner, "bibliotheque", "comparer", "9.0.0", "9.1.0", "-o", out,
                 "--bibliotheque", overlay)
    assert result.exit_code == 0, result.output
    text = dump_text(out.read_bytes())
    assert "[Heading 1] general.objet : 1.0.0 \u2192 1.1.0" in text
    assert text.count("[Heading 1]") == 1


def test_dossier_pinned_to_bundled_release_generates(runner: CliRunner, tmp_path: Path,
                                                     write_dossier) -> None:  # type: ignore[no-untyped-def]
    # The CCAP chapter as the release built it: its canevas is the release's, without the
    # notes for the drafter added since (general.notes_redacteur, not yet published).
    release = (library_dir() / "VERSION").read_text(encoding="utf-8").strip()
    out = tmp_path / "ccap.docx"
    dossier = write_dossier(bibliotheque=release, administratif={"reexamen": None})
    result = run(runner, "ccap", dossier, "-o", out, "--chapitre", "--premier-article", "7")
    assert result.exit_code == 0, result.output
    record = read_provenance(out.read_bytes())
    assert (record["bibliotheque"], record["bibliotheque_epinglee"]) == (release, "oui")
    manifest = yaml.safe_load((library_dir() / "releases" / f"{release}.yml").read_text(encoding="utf-8"))
    used = {k.removeprefix("fragment."): v.split()[0] for k, v in record.items() if k.startswith("fragment.")}
    assert used
    assert all(manifest["fragments"][i]["version"] == v for i, v in used.items())


def test_dossier_pinned_to_an_older_release_builds_that_release_s_ccap(
        runner: CliRunner, tmp_path: Path, write_dossier) -> None:  # type: ignore[no-untyped-def]
    # 1.1.0 had no general.forme: its own canevas did not ask for it.
    out = tmp_path / "x.docx"
    result = run(runner, "ccap", write_dossier(bibliotheque="1.1.0"), "-o", out)
    assert result.exit_code == 0, result.output
    record = read_provenance(out.read_bytes())
    assert record["bibliotheque"] == "1.1.0"
    assert "fragment.general.forme" not in record
    assert "fragment.general.objet" in record


def _ccap_canevas_without_an_article(overlay: Path) -> None:
    """An organisation canevas for the CCAP: the installed one without its article « durée »."""
    data = yaml.safe_load((library_dir() / "canevas" / "ccap.yml").read_text(encoding="utf-8"))
    data["articles"] = [a for a in data["articles"] if a.get("cle") != "duree"]
    (overlay / "canevas").mkdir(parents=True, exist_ok=True)
    (overlay / "canevas" / "ccap.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_a_canevas_change_after_a_release_does_not_change_a_pinned_document(
        runner: CliRunner, tmp_path: Path, write_dossier) -> None:  # type: ignore[no-untyped-def]
    release = (library_dir() / "VERSION").read_text(encoding="utf-8").strip()
    pinned, latest = write_dossier(bibliotheque=release), write_dossier()
    before, after = tmp_path / "avant.docx", tmp_path / "apres.docx"
    plain, changed = tmp_path / "courant.docx", tmp_path / "courant-modifie.docx"
    assert run(runner, "ccap", pinned, "-o", before).exit_code == 0
    assert run(runner, "ccap", latest, "-o", plain).exit_code == 0
    overlay = tmp_path / "orga"
    _ccap_canevas_without_an_article(overlay)
    result = run(runner, "ccap", pinned, "-o", after, "--bibliotheque", overlay)
    assert result.exit_code == 0, result.output
    assert run(runner, "ccap", latest, "-o", changed, "--bibliotheque", overlay).exit_code == 0
    assert after.read_bytes() == before.read_bytes()
    assert dump_text(changed.read_bytes()).count("[Heading 1]") == dump_text(
        plain.read_bytes()).count("[Heading 1]") - 1  # the change itself is seen unpinned


def test_publier_records_each_canevas_and_an_edited_copy_is_refused(
        runner: CliRunner, overlay: Path, tmp_path: Path, pinned_dossier: Path) -> None:
    _ccap_canevas_without_an_article(overlay)
    publish(runner, overlay)
    manifest = yaml.safe_load((overlay / "releases" / "9.0.0.yml").read_text(encoding="utf-8"))
    copy = overlay / "releases" / "9.0.0" / "canevas" / "ccap.yml"
    assert manifest["canevas"]["ccap"]["couche"] == "surcouche:orga"
    assert manifest["canevas"]["ccap"]["sha256"] == hashlib.sha256(copy.read_bytes()).hexdigest()
    assert copy.read_bytes() == (overlay / "canevas" / "ccap.yml").read_bytes()
    assert set(manifest["canevas"]) >= {"ccap", "cctp", "plan", "lettre"}
    out = tmp_path / "ccap.docx"
    assert run(runner, "ccap", pinned_dossier, "-o", out, "--bibliotheque", overlay).exit_code == 0
    copy.write_text(copy.read_text(encoding="utf-8") + "\n# modifié\n", encoding="utf-8")
    result = run(runner, "bibliotheque", "verifier", "--bibliotheque", overlay)
    assert result.exit_code != 0
    assert "copie publiée en 9.0.0 modifiée après la publication" in result.output
    result = run(runner, "ccap", pinned_dossier, "-o", tmp_path / "x.docx", "--bibliotheque", overlay)
    assert result.exit_code == 2
    assert "canevas « ccap » modifié depuis la publication" in result.output
    assert not (tmp_path / "x.docx").exists()
