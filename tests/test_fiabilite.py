"""The reproductions of the hostile-input review (../shared/reviews/2026-11-30-fiabilite.md),
one named test per finding (``test_M7_…``), plus the YAML traps of the newcomer review."""

from __future__ import annotations

from pathlib import Path

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
    result = runner.invoke(cli, ["pieces", str(dossier), "-o", str(tmp_path / "out")])
    _refused(result, 2, "date impossible « 2027-02-30 »", "ligne")
    assert not (tmp_path / "out").exists()


def test_M1_impossible_date_in_config_and_fragment_and_lot(runner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".clausegen.yml").write_text("bibliotheques: []\nle: 2027-02-30\n", encoding="utf-8")
    result = runner.invoke(cli, ["ccap", str(NETTOYAGE), "-o", "c.docx"])
    _refused(result, 2, ".clausegen.yml", "date impossible")
    (tmp_path / ".clausegen.yml").unlink()
    lot = tmp_path / "lot"
    lot.mkdir()
    _nettoyage_with(lot, "date_notification: 2026-12-14", "date_notification: 2027-02-30")
    result = runner.invoke(cli, ["lot", str(lot), "-o", str(tmp_path / "sortie"), "-j", "1"])
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
