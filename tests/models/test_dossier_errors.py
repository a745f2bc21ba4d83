"""A broken dossier is refused with a French message naming the file and the field path,
exit code 2, no traceback and no output file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clausegen.cli import cli
from tests.conftest import example_data


def _broken(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return data


CASES = [
    ("duree-texte", "marche.duree_mois", "quatre ans", "marche.duree_mois", "nombre entier attendu"),
    ("duree-negative", "marche.duree_mois", -3, "marche.duree_mois", "supérieure ou égale à 1"),
    ("forme-inconnue", "marche.forme", "concession", "marche.forme", "valeur attendue parmi"),
    ("objet-manquant", "marche.objet", KeyError, "marche.objet", "champ obligatoire manquant"),
    ("cle-inconnue", "marche.duree", 12, "marche.duree", "champ inconnu"),
    ("date-invalide", "marche.date_notification", "31/12/2026", "marche.date_notification",
     "AAAA-MM-JJ"),
    ("montant-texte", "marche.montant_estime_ht", "beaucoup", "marche.montant_estime_ht",
     "montant attendu"),
    ("axe-inconnu", "plan_de_progres.axes", [{"code": "climat"}], "plan_de_progres.axes[0].code",
     "valeur attendue parmi"),
]


@pytest.mark.parametrize(("field", "value", "shown_path", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", ["ccap", "cctp"])
def test_broken_dossier_is_refused(runner, write_dossier, tmp_path: Path, command: str,  # type: ignore[no-untyped-def]
                                   field: str, value: Any, shown_path: str, expected: str) -> None:
    dossier = write_dossier(_broken(example_data(), field, value))
    output = tmp_path / "sortie" / "piece.docx"
    result = runner.invoke(cli, [command, str(dossier), "-o", str(output)])
    assert result.exit_code == 2
    assert str(dossier) in result.output
    assert shown_path in result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert not output.exists()
    assert not list(tmp_path.glob("sortie/*"))


def test_yaml_syntax_error_names_line(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dossier = tmp_path / "casse.yml"
    dossier.write_text("acheteur:\n  nom: [ouvert\nmarche: {}\n", encoding="utf-8")
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(dossier), "-o", str(tmp_path / "x.docx")])
    assert result.exit_code == 2
    assert "YAML invalide" in result.output
    assert "ligne" in result.output
    assert not (tmp_path / "x.docx").exists()


def test_missing_dossier_file(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, ["faisabilite", str(tmp_path / "absent.yml")])
    assert result.exit_code == 2
    assert "fichier introuvable" in result.output


def test_dossier_that_is_not_a_mapping(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dossier = tmp_path / "liste.yml"
    dossier.write_text("- a\n- b\n", encoding="utf-8")
    result = runner.invoke(cli, ["faisabilite", str(dossier)])
    assert result.exit_code == 2
    assert "dossier invalide" in result.output


def test_subsequent_duration_required_for_ms(runner, write_dossier) -> None:  # type: ignore[no-untyped-def]
    dossier = write_dossier(marche={"forme": "accord_cadre_multi_attributaire_marches_subsequents"})
    result = runner.invoke(cli, ["faisabilite", str(dossier)])
    assert result.exit_code == 2
    assert "duree_marches_subsequents_mois est obligatoire" in result.output


def test_existing_output_survives_a_failed_run(runner, write_dossier, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "ccap.docx"
    output.write_bytes(b"ancienne version")
    dossier = write_dossier(_broken(example_data(), "marche.duree_mois", "x"))
    result = runner.invoke(cli, ["ccap", "--sans-pagination", str(dossier), "-o", str(output)])
    assert result.exit_code == 2
    assert output.read_bytes() == b"ancienne version"


_PLACEHOLDER_TEXTS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["À COMPLÉTER", "  à compléter : nom", "À compléter", "A COMPLETER", "ß à compléter"]),
)
_PLACEHOLDER_DATA = st.recursive(
    _PLACEHOLDER_TEXTS | st.integers() | st.none() | st.dates(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(_PLACEHOLDER_DATA)
def test_the_quick_placeholder_check_never_misses_one(data: object) -> None:
    """The JSON pre-check may only skip the walk when the walk would find nothing."""
    from pathlib import Path

    from clausegen.models.validation import _may_hold_placeholder, _placeholders
    from clausegen.yaml_files import YamlDocument

    if _placeholders(YamlDocument(data=data, path=Path("d.yml"), text="-")):
        assert _may_hold_placeholder(data)
