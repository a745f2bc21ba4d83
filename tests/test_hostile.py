"""Hostile input, as a table of named cases: each one gives a clear French error, the
right exit code, no traceback, and leaves no file behind (no partial .docx, no temporary).

Valid but awkward strings (XML specials, emoji, right-to-left, 10 000 characters) must
instead render into a document that reopens and shows them.
"""

from __future__ import annotations

import errno
import io
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from clausegen.cli import cli
from clausegen.render.readers.inspect import dump_text
from tests.conftest import NETTOYAGE, ROOT, example_data

LIBRARY = ROOT / "clause_library"
OBJET_FRAGMENT = LIBRARY / "fragments" / "general.objet" / "1.0.0.md"


def _files_left(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _assert_refused(result, code: int, message: str, folder: Path) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Erreur" in result.output or "Échec" in result.output
    assert "Traceback" not in result.output
    assert _files_left(folder) == []


# --- awkward but valid strings render ----------------------------------------------------

VALID_STRINGS = [
    ("xml-speciaux", "Société A & B <C> \"D\" 'E'"),
    ("emoji", "Ville 🏛️ de Lyon 👷🏽‍♀️"),
    ("droite-a-gauche", "بلدية المدينة שלום"),
    ("dix-mille-caracteres", "N" * 10_000),
    ("jinja-et-markdown", "{{ 7*7 }} {% if %} *gras* | [x](y)"),
]


@pytest.mark.parametrize("value", [v for _, v in VALID_STRINGS], ids=[i for i, _ in VALID_STRINGS])
def test_awkward_strings_render_and_reopen(runner, write_dossier, tmp_path: Path, value: str) -> None:  # type: ignore[no-untyped-def]
    dossier = write_dossier(acheteur={"nom": value}, marche={"objet": value})
    out = tmp_path / "sortie"
    result = runner.invoke(cli, ["pieces", "--sans-pagination", str(dossier), "-o", str(out)])
    assert result.exit_code == 0, result.output
    for piece in ("ccap", "cctp"):
        text = dump_text((out / f"{piece}.docx").read_bytes())
        assert value in text


# --- refused dossiers -------------------------------------------------------------------


def _dossier_with(text: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "dossier.yml"
        path.write_text(text, encoding="utf-8")
        return path
    return make


def _dossier_bytes(data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "dossier.yml"
        path.write_bytes(data)
        return path
    return make


def _dossier_fifo(folder: Path) -> Path:
    """A named pipe: reading it naively would wait forever for a writer."""
    import os

    path = folder / "dossier.yml"
    os.mkfifo(path)
    return path


def _dossier_field(section: str, key: str, value: str) -> Callable[[Path], Path]:
    content = example_data()
    content[section][key] = value
    return _dossier_with(yaml.safe_dump(content, allow_unicode=False))


ALIAS_BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10))

DOSSIER_CASES = [
    ("caractere-nul", _dossier_field("acheteur", "nom", "Ville\x00de X"),
     "acheteur.nom : texte sans caractère de contrôle attendu (U+0000 trouvé)"),
    ("sequence-ansi", _dossier_field("marche", "objet", "Objet \x1b[31mrouge"),
     "marche.objet : texte sans caractère de contrôle attendu (U+001B trouvé)"),
    ("non-caractere-fffe", _dossier_field("marche", "objet", "Objet \ufffe"),
     "U+FFFE trouvé"),
    ("alias-yaml-imbriques", _dossier_with(ALIAS_BOMB), "alias YAML imbriqués"),
    ("crochets-imbriques", _dossier_with("a: " + "[" * 50_000 + "]" * 50_000 + "\n"),
     "structure YAML trop profondément imbriquée"),
    ("fichier-trop-gros", _dossier_with("# " + "x" * 3_000_000 + "\n"), "fichier trop volumineux"),
    ("pas-utf8", _dossier_bytes(b"acheteur:\n  nom: \xff\xfe\n"), "encodage invalide (UTF-8 attendu"),
    ("octets-binaires", _dossier_bytes(b"\x00\x01\x02\x03"), "Fichier"),
    ("tube-nomme", _dossier_fifo, "ce n'est pas un fichier"),
]


@pytest.mark.parametrize(("make", "message"), [c[1:] for c in DOSSIER_CASES],
                         ids=[c[0] for c in DOSSIER_CASES])
def test_hostile_dossier_is_refused(runner, tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    dossier = make(tmp_path)
    out = tmp_path / "sortie"
    result = runner.invoke(cli, ["pieces", "--sans-pagination", str(dossier), "-o", str(out)])
    _assert_refused(result, 2, message, out)
    assert not out.exists()


def test_control_characters_are_never_echoed_raw(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dossier = _dossier_field("marche", "objet", "Objet \x1b[31mrouge\x07")(tmp_path)
    result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                 str(dossier), "-o", str(tmp_path / "ccap.docx")])
    assert result.exit_code == 2
    assert "\x1b" not in result.output
    assert "\x07" not in result.output
    assert "\\x1b[31mrouge\\x07" in result.output


# --- hostile fragments in an overlay library (--bibliotheque) -----------------------------

SANDBOX_CASES = [
    ("mro", "{{ ''.__class__.__mro__ }}", "bac à sable"),
    ("subclasses", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "bac à sable"),
    ("model-dump", "{{ marche.model_dump() }}", "bac à sable"),
    ("model-copy", "{{ marche.model_copy(update={'objet': 'x'}) }}", "bac à sable"),
    ("cycler-globals", "{{ cycler.__init__.__globals__.os.popen('id').read() }}", "bac à sable"),
    ("joiner-globals", "{{ joiner.__init__.__globals__ }}", "bac à sable"),
    ("namespace-globals", "{{ namespace.__init__.__globals__ }}", "bac à sable"),
    ("lipsum-globals", "{{ lipsum.__globals__['os'] }}", "variable inconnue ('lipsum' is undefined)"),
    ("filtre-attr", "{{ marche|attr('__class__') }}", "bac à sable"),
    ("dict-prive", "{{ marche.__dict__ }}", "bac à sable"),
    ("self-globals", "{{ self.__init__.__globals__ }}", "bac à sable"),
    ("format-classe", "{{ '{0.__class__}'.format(marche) }}", "bac à sable"),
    ("format-largeur", "{{ '{:>999999999}'.format(1) }}", "bac à sable"),
    ("printf-largeur", "{{ '%*d' % (999999999, 1) }}", "formatage « % » interdit"),
    ("repetition", "{{ 'x' * 10**10 }}", "répétition trop longue"),
    ("liste-repetee", "{{ [1] * 10**9 }}", "répétition trop longue"),
    ("methode-ljust", "{{ 'x'.ljust(10**9) }}", "argument 1000000000 trop grand"),
    ("filtre-center", "{{ 'x'|center(10**9) }}", "No filter named 'center'"),
    ("range-geant", "{% for i in range(10**9) %}x{% endfor %}", "trop grand"),
    ("sortie-geante", "{% for i in range(99999) %}{{ 'x' * 99 }}{% endfor %}", "texte produit trop long"),
    ("include-fichier", "{% include '/etc/passwd' %}", "erreur de rendu"),
    ("variable-inconnue", "{{ config }}", "variable inconnue"),
]


def _overlay(folder: Path, body: str, *, fragment_id: str = "general.objet",
             directory: str = "general.objet", name: str = "1.0.0") -> Path:
    head = OBJET_FRAGMENT.read_text(encoding="utf-8").split("---\n")[1]
    head = head.replace("id: general.objet", f"id: {fragment_id}")
    target = folder / "surcouche" / "fragments" / directory
    target.mkdir(parents=True)
    (target / f"{name}.md").write_text(f"---\n{head}---\n{body}\n", encoding="utf-8")
    return folder / "surcouche"


@pytest.mark.parametrize(("body", "message"), [c[1:] for c in SANDBOX_CASES],
                         ids=[c[0] for c in SANDBOX_CASES])
def test_fragment_cannot_escape_the_sandbox(runner, tmp_path: Path, body: str, message: str) -> None:  # type: ignore[no-untyped-def]
    overlay = _overlay(tmp_path / "bib", body)
    out = tmp_path / "sortie"
    out.mkdir()
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(out / "ccap.docx"),
                                 "--bibliotheque", str(overlay)])
    _assert_refused(result, 2, message, out)
    assert "Fragment « general.objet »" in result.output


def test_runaway_loop_is_interrupted(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Loops that print nothing pass every size check: the time limit stops them."""
    from clausegen import templating

    monkeypatch.setattr(templating, "RENDER_TIME_LIMIT", 0.5)
    body = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    overlay = _overlay(tmp_path / "bib", body)
    out = tmp_path / "sortie"
    out.mkdir()
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(out / "ccap.docx"),
                                 "--bibliotheque", str(overlay)])
    _assert_refused(result, 2, "rendu interrompu après 0.5 s", out)


LIBRARY_CASES = [
    ("id-traversee", dict(fragment_id="../../x"), "id : identifiant en minuscules"),
    ("dossier-different", dict(directory="general.autre"),
     "le fichier doit se trouver en fragments/general.objet/1.0.0.md"),
    ("version-differente", dict(name="9.9.9"),
     "le fichier doit se trouver en fragments/general.objet/1.0.0.md"),
    ("caractere-de-controle", dict(body="Texte \x07 sonore"), "caractère de contrôle U+0007 interdit"),
]


@pytest.mark.parametrize(("changes", "message"), [c[1:] for c in LIBRARY_CASES],
                         ids=[c[0] for c in LIBRARY_CASES])
def test_malformed_fragment_file_is_refused(runner, tmp_path: Path, changes: dict[str, str],  # type: ignore[no-untyped-def]
                                            message: str) -> None:
    body = changes.pop("body", "Texte.")
    overlay = _overlay(tmp_path / "bib", body, **changes)
    out = tmp_path / "sortie"
    out.mkdir()
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(out / "ccap.docx"),
                                 "--bibliotheque", str(overlay)])
    _assert_refused(result, 2, message, out)


def test_canevas_cannot_point_outside_templates(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    canevas = tmp_path / "bib" / "canevas"
    canevas.mkdir(parents=True)
    text = (LIBRARY / "canevas" / "ccap.yml").read_text(encoding="utf-8")
    (canevas / "ccap.yml").write_text(text.replace("modele: piece.docx", "modele: ../../../etc/passwd"),
                                      encoding="utf-8")
    out = tmp_path / "sortie"
    out.mkdir()
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(out / "ccap.docx"),
                                 "--bibliotheque", str(tmp_path / "bib")])
    _assert_refused(result, 2, "modele : nom de fichier .docx sans chemin", out)


# --- hostile Word skeletons (--modele) -----------------------------------------------------


def _docx_with(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _skeleton_without_slot() -> bytes:
    with zipfile.ZipFile(ROOT / "templates" / "piece.docx") as source:
        parts = {i.filename: source.read(i.filename) for i in source.infolist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"{{p corps }}", b"(rien)")
    return _docx_with(parts)


def _skeleton_without_style(name: str) -> bytes:
    import re

    with zipfile.ZipFile(ROOT / "templates" / "piece.docx") as source:
        parts = {i.filename: source.read(i.filename) for i in source.infolist()}
    styles = parts["word/styles.xml"].decode("utf-8")
    pattern = rf'<w:style [^>]*>(?:(?!</w:style>).)*?<w:name w:val="{name}"/>.*?</w:style>'
    parts["word/styles.xml"] = re.sub(pattern, "", styles, flags=re.S).encode("utf-8")
    return _docx_with(parts)


SKELETON_CASES = [
    ("pas-un-zip", lambda: b"ceci n'est pas un zip", "ce n'est pas un document Word"),
    ("zip-vide", lambda: _docx_with({}), "ce n'est pas un document Word"),
    ("zip-sans-document", lambda: _docx_with({"a.txt": b"x"}), "ce n'est pas un document Word"),
    ("bombe-zip", lambda: _docx_with({"word/document.xml": b"\0" * 150_000_000}), "archive suspecte"),
    ("sans-emplacement-corps", _skeleton_without_slot, "emplacement du corps absent"),
    ("style-manquant", lambda: _skeleton_without_style("List Bullet"),
     "style « List Bullet » absent du modèle"),
    ("xml-casse", lambda: _docx_with({"[Content_Types].xml": b"<Types",
                                      "word/document.xml": b"<w:document>{{p corps }}"}),
     "XML invalide"),
]


@pytest.mark.parametrize(("make", "message"), [c[1:] for c in SKELETON_CASES],
                         ids=[c[0] for c in SKELETON_CASES])
def test_hostile_skeleton_is_refused(runner, tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    modele = tmp_path / "modele.docx"
    modele.write_bytes(make())
    out = tmp_path / "sortie"
    out.mkdir()
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(out / "ccap.docx"),
                                 "--modele", str(modele)])
    _assert_refused(result, 2, message, out)


# --- output paths and disks ---------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """An OSError raised where the temporary output file is written."""

    code: int

    def __call__(self, *args: object, **kwargs: object) -> None:
        raise OSError(self.code, "simulated")


OUTPUT_CASES = [
    ("disque-plein", "os.fsync", errno.ENOSPC, "plus d'espace disque"),
    ("lecture-seule", "os.chmod", errno.EROFS, "système de fichiers en lecture seule"),
    ("permission-refusee", "os.chmod", errno.EACCES, "permission refusée"),
    ("quota-depasse", "os.replace", errno.EDQUOT, "quota disque dépassé"),
]


@pytest.mark.parametrize(("target", "code", "message"), [c[1:] for c in OUTPUT_CASES],
                         ids=[c[0] for c in OUTPUT_CASES])
def test_output_failure_leaves_nothing(runner, tmp_path: Path, monkeypatch, target: str,  # type: ignore[no-untyped-def]
                                       code: int, message: str) -> None:
    module, name = target.split(".")
    monkeypatch.setattr(f"clausegen.output.{module}.{name}", Failure(code))
    out = tmp_path / "sortie"
    out.mkdir()
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(out / "ccap.docx")])
    _assert_refused(result, 1, message, out)


def test_real_read_only_directory(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os

    if os.geteuid() == 0:
        pytest.skip("root ignore les droits du répertoire (cas simulé par lecture-seule)")
    out = tmp_path / "sortie"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                     str(NETTOYAGE), "-o", str(out / "ccap.docx")])
        _assert_refused(result, 1, "permission refusée", out)
    finally:
        out.chmod(0o755)


PATH_CASES = [
    ("sortie-est-un-repertoire", lambda d: d / "existant", "c'est un répertoire"),
    ("parent-est-un-fichier", lambda d: d / "fichier.txt" / "ccap.docx", "n'est pas un répertoire"),
    ("nom-trop-long", lambda d: d / ("x" * 300 + ".docx"), "nom de fichier trop long"),
]


@pytest.mark.parametrize(("make", "message"), [c[1:] for c in PATH_CASES],
                         ids=[c[0] for c in PATH_CASES])
def test_impossible_output_path(runner, tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "sortie"
    (out / "existant").mkdir(parents=True)
    (out / "fichier.txt").write_text("x", encoding="utf-8")
    before = _files_left(out)
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(make(out))])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert _files_left(out) == before


def test_lot_dossier_name_cannot_leave_the_output_directory(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "dossiers"
    folder.mkdir()
    shutil.copyfile(NETTOYAGE, folder / "...yml")
    out = tmp_path / "a" / "sortie"
    result = runner.invoke(cli, ["lot", "--sans-pagination", str(folder), "-o", str(out), "-j", "1"])
    assert result.exit_code == 1
    assert "nom de dossier inutilisable comme répertoire de sortie" in result.output
    assert _files_left(tmp_path / "a") == []
