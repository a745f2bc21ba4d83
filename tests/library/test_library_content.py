"""The clause library's legal content: every fragment renders, every option changes the text
as intended, cross-references land on the right article, the review and coverage records hold.

Documents are rendered through the public API (``read_dossier`` + ``render_piece``) and read
back as text with ``dump_text``, exactly as a user would get them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clausegen.api import open_library, read_dossier, render_piece
from clausegen.models.fragment import Statut
from clausegen.render.readers.inspect import dump_text
from clausegen.templating import undeclared_variables
from tests.conftest import EXAMPLES, NETTOYAGE, ROOT, example_data

TOUS = EXAMPLES / "tous-axes-toutes-variantes.yml"
LIBRARY = ROOT / "clause_library"
NBSP, NNBSP = "\u00a0", "\u202f"
AXES = ["insertion", "decouverte_metiers", "egalite", "sante_securite", "illettrisme"]
AXIS_TITLES = {
    "insertion": "Recrutement et maintien dans l’emploi des personnes en insertion",
    "decouverte_metiers": "Découverte et sensibilisation des métiers",
    "egalite": "Lutte contre les discriminations et égalité professionnelle entre les femmes "
               "et les hommes",
    "sante_securite": "Santé et sécurité au travail",
    "illettrisme": "Lutte contre l’illettrisme",
}
# Names every fragment may use without declaring them (provided by the assembler).
PROVIDED = {"article", "ccag_ref", "ccag_numero", "ccag_nom", "derogations", "piece"}


def render(path: Path, piece: str) -> str:
    """The text of one generated piece."""
    data, _ = render_piece(read_dossier(path), piece, library=open_library())
    return dump_text(data)


def plan(**changes: Any) -> dict[str, Any]:
    """The example dossier with ``plan_de_progres`` sub-sections updated (one level deep)."""
    data = example_data()
    for key, value in changes.items():
        current = data["plan_de_progres"].get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            data["plan_de_progres"][key] = {**current, **value}
        else:
            data["plan_de_progres"][key] = copy.deepcopy(value)
    return data


@pytest.fixture
def ccap_of(write_dossier: Callable[..., Path]) -> Callable[..., str]:
    def build(piece: str = "ccap", **changes: Any) -> str:
        return render(write_dossier(plan(**changes)), piece)
    return build


# --- every fragment renders -----------------------------------------------------------


def _post_award_fragments() -> set[str]:
    """Fragments of the facilitator’s pieces (issue 4) for the cleaning example."""
    from clausegen.api import suivi as api_suivi

    suivi = api_suivi.open_suivi(read_dossier(NETTOYAGE))
    pieces = [api_suivi.render_convocation(suivi)[0], api_suivi.render_plan(suivi, 1),
              api_suivi.render_lettre(suivi, 1), api_suivi.render_bilan(suivi, 1)[0],
              api_suivi.render_lettre_bilan(suivi, 1)[0],
              *api_suivi.render_procedure_letters(suivi)]  # issue 20: the procedure letters
    travaux = api_suivi.open_suivi(read_dossier(NETTOYAGE.parent / "travaux-clause-insertion.yml"))
    pieces.append(api_suivi.render_bilan_final(travaux)[0])  # and the final bilan
    return {fragment for piece in pieces for fragment in piece.fragments}


def test_examples_together_use_every_fragment_of_the_library() -> None:
    used: set[str] = set()
    for path in sorted(EXAMPLES.glob("*.yml")):  # every kind of market the examples describe
        chapters = ("ccap_chapitre", "cctp_chapitre") if path in (NETTOYAGE, TOUS) else ()
        for piece in ("ccap", "cctp", *chapters):
            _, document = render_piece(read_dossier(path), piece, library=open_library())
            used |= {f.id for f in document.fragments}
    used |= _post_award_fragments()
    # Replaced by general.forme and general.duree (issue 9); kept for the published releases.
    # The insertion clause alone is a chapter to insert (issue 19, item 3): its form, duration
    # and contractual pieces are the buyer's CCAP's.
    assert used == set(open_library().ids) - {"general.forme_duree", "insertion_seule.forme_duree",
                                               "insertion_seule.pieces_contractuelles"}


@pytest.mark.parametrize("piece", ["ccap", "cctp"])
@pytest.mark.parametrize("example", [NETTOYAGE, TOUS], ids=["nettoyage", "tous-axes"])
def test_example_renders_without_leftover_markup(example: Path, piece: str) -> None:
    text = render(example, piece)
    assert not re.search(r"\{\{|\{%|%\}|\}\}|\*\*", text)
    assert "PROJET" not in text


@pytest.mark.parametrize("changes", [
    {"engagement": "moyens"},
    {"insertion": {"mode": "actions", "volume_heures": None, "actions_par_an": 1}},
    {"insertion": {"mode": "actions", "volume_heures": None, "actions_par_an": 3},
     "engagement": "resultats"},
    {"axes": [{"code": "sante_securite"}], "insertion": None},
    {"axes": [{"code": "illettrisme"}, {"code": "egalite"}], "insertion": None},
    {"penalites": {"formule_heure": "smic", "coefficient_smic": "1.5"}},
], ids=["moyens", "actions-1", "actions-3-resultats", "sans-insertion", "deux-axes-sans-insertion",
        "smic-decimal"])
@pytest.mark.parametrize("piece", ["ccap", "cctp"])
def test_variant_renders_with_resolvable_cross_references(
        ccap_of: Callable[..., str], piece: str, changes: dict[str, Any]) -> None:
    text = ccap_of(piece, **changes)
    headings = set(re.findall(r"^\[Heading [12]\] (?:Article )?(\d+(?:\.\d+)?)", text, re.M))
    cited = {n for n, ccag in re.findall(r"l’article (\d+(?:\.\d+)*)( du CCAG)?", text) if not ccag}
    assert cited <= headings
    assert not re.search(r"\{\{|\{%", text)


# --- each option changes the output as intended --------------------------------------


@pytest.mark.parametrize(("changes", "present", "absent"), [
    ({"engagement": "moyens"}, ["une obligation de moyens"],
     ["une obligation de résultat\u00a0:", "par objectif"]),
    ({"engagement": "resultats"}, ["une obligation de résultat\u00a0:",
                                   "500,00\u00a0€\u00a0HT par objectif, multipliés par la part",
                                   "sa non-atteinte n’est sanctionnée que par la pénalité par heure",
                                   "caractères de la force majeure"],
     ["une obligation de moyens", "obligation de résultats", "circonstance extérieure"]),
    ({}, ["6\u202f000\u00a0heures de travail", "Heure d’insertion non réalisée"],
     ["Action d’insertion non réalisée"]),
    ({"insertion": {"mode": "actions", "volume_heures": None, "actions_par_an": 2}},
     ["au moins 2\u00a0actions d’insertion", "Action d’insertion non réalisée dans l’année"],
     ["Heure d’insertion non réalisée", "heures de travail sur la durée"]),
    ({"insertion": {"mode": "actions", "volume_heures": None, "actions_par_an": 1}},
     ["au moins 1\u00a0action d’insertion, choisie"], ["1\u00a0actions"]),
    ({"penalites": {"exoneration_ccag": True}},
     ["s’applique aussi aux pénalités du présent article"],
     ["dès le premier euro"]),
    ({"penalites": {"exoneration_ccag": False}},
     ["n’est pas exonéré des pénalités du présent article dont le montant total ne dépasse "
      "pas 1\u202f000\u00a0€\u00a0HT", "dès le premier euro",
      "stipulation relative à l’exonération des pénalités"],
     ["s’applique aussi aux pénalités", "14.1.1 |", "14.1.3", "en tant que de besoin"]),
    ({"penalites": {"formule_heure": "smic"}},
     ["deux fois le montant du SMIC horaire brut en vigueur à la date du constat",
      "Le SMIC horaire brut retenu"], ["50,00\u00a0€\u00a0HT par heure"]),
    ({"penalites": {"formule_heure": "smic", "coefficient_smic": "1.5"}},
     ["1,5\u00a0fois le montant du SMIC horaire brut"], []),
    ({"penalites": {"formule_heure": "forfait"}}, ["50,00\u00a0€\u00a0HT par heure"], ["SMIC"]),
    ({"insertion": {"globalisation": False}}, ["n’est pas admise pour le présent marché"],
     ["peut demander au facilitateur la globalisation"]),
    ({"insertion": {"globalisation": True}}, ["peut demander au facilitateur la globalisation"],
     ["n’est pas admise pour le présent marché"]),
    ({"insertion": None, "axes": [{"code": "egalite"}]}, ["Article\u00a08 – Pénalités"],
     ["Action d’insertion professionnelle", "Heure d’insertion", "16.1.5"]),
], ids=["moyens", "resultats", "heures", "actions", "une-action", "exoneration-appliquee",
        "exoneration-ecartee", "smic", "smic-decimal", "forfait", "globalisation-refusee",
        "globalisation-admise", "sans-insertion"])
def test_option_changes_the_ccap(ccap_of: Callable[..., str], changes: dict[str, Any],
                                 present: list[str], absent: list[str]) -> None:
    text = ccap_of(**changes)
    for expected in present:
        assert expected in text
    for unexpected in absent:
        assert unexpected not in text


@pytest.mark.parametrize(("penalites", "expected"), [
    ({"heure_non_realisee": "1234.5"}, "1\u202f234,50\u00a0€\u00a0HT par heure"),
    ({"action_non_realisee": "750"}, "750,00\u00a0€\u00a0HT par action"),
    ({"retard_par_jour": "80"}, "80,00\u00a0€\u00a0HT par jour calendaire de retard"),
    ({"plafond_pourcentage": "7.5"}, "7,5\u00a0% du montant hors taxes"),
], ids=["heure", "action", "retard", "plafond"])
def test_penalty_amounts_appear_formatted(ccap_of: Callable[..., str], penalites: dict[str, str],
                                          expected: str) -> None:
    assert expected in ccap_of(penalites=penalites)


@pytest.mark.parametrize("axe", AXES)
@pytest.mark.parametrize("piece", ["ccap", "cctp"])
def test_retained_axis_has_its_own_section(ccap_of: Callable[..., str], piece: str,
                                           axe: str) -> None:
    text = ccap_of(piece, axes=[{"code": axe}])
    assert re.search(rf"^\[Heading 2\] \d+\.\d+\. {re.escape(AXIS_TITLES[axe])}$", text, re.M)


@pytest.mark.parametrize("axe", AXES)
@pytest.mark.parametrize("piece", ["ccap", "cctp"])
def test_axis_not_retained_has_no_section(ccap_of: Callable[..., str], piece: str,
                                          axe: str) -> None:
    others = [{"code": a} for a in AXES if a != axe]
    text = ccap_of(piece, axes=others)
    assert not re.search(rf"^\[Heading 2\] .*{re.escape(AXIS_TITLES[axe])}$", text, re.M)


# --- cross-references and consistency between the pieces -----------------------------


def _heading_titles(text: str) -> dict[str, str]:
    titles = {n: t for n, t in re.findall(r"^\[Heading 1\] Article\s(\d+) – (.+)$", text, re.M)}
    titles.update(re.findall(r"^\[Heading 2\] (\d+\.\d+)\. (.+)$", text, re.M))
    return titles


@pytest.mark.parametrize(("lead", "title"), [
    ("formalisé dans les conditions de l’article", "Formalisation du plan de progrès"),
    ("donne lieu à la pénalité prévue à l’article", "Pénalités relatives à la condition sociale"),
    ("engagement minimal d’insertion fixé à l’article", "Volume de l’engagement d’insertion"),
    ("sanctionnée dans les conditions de l’article", "Pénalités relatives à l’action d’insertion"),
    ("pour chaque axe de progrès retenu à l’article", "Axes de progrès"),
    ("bilan final prévu à l’article", "Bilan final"),
    ("réunion de lancement prévue à l’article", "Élaboration du plan initial"),
    ("non réalisée prévue à l’article", "Montants des pénalités"),
    ("annoncée à l’article", "Condition d’exécution à caractère social"),
], ids=["formalisation", "penalites", "volume", "penalites-insertion", "axes", "bilan-final",
        "lancement", "montants", "condition-sociale"])
def test_cross_reference_lands_on_the_right_article(lead: str, title: str) -> None:
    text = render(TOUS, "ccap")
    numbers = re.findall(re.escape(lead) + r"\s(\d+(?:\.\d+)?)", text)
    titles = _heading_titles(text)
    assert numbers
    assert all(titles[n] == title for n in numbers)


def test_derogations_are_the_last_article_of_the_ccap() -> None:
    text = render(NETTOYAGE, "ccap")
    last = re.findall(r"^\[Heading 1\] (.+)$", text, re.M)[-1]
    assert last.endswith("Dérogations au CCAG")


def test_indicators_required_by_the_ccap_exist_in_the_cctp_catalogue() -> None:
    ccap, cctp = render(TOUS, "ccap"), render(TOUS, "cctp")
    required = {name.lower() for line in ccap.splitlines() if "du catalogue du CCTP" in line
                for name in re.findall(f"«{NBSP}(.+?){NBSP}»", line)}
    catalogue = {row.split(" | ")[1].lower() for row in cctp.splitlines()
                 if row.startswith("| ") and row.count(" | ") == 3}
    assert len(required) >= 9
    assert required <= catalogue


def test_ccap_typography_uses_non_breaking_spaces() -> None:
    text = render(TOUS, "ccap")
    body = "\n".join(line.split("] ", 1)[-1] for line in text.splitlines())
    assert not re.search(r"[ ][:;!?»]|«[ ]", body)
    assert not re.search(r"\w[;:](?=\s)", body)
    assert not re.search(r"\([^()]*\([^()]*\)[^()]*\)", body), "nested parentheses"


# --- library records: review, variables, coverage -----------------------------------


def _fragments() -> list[Any]:
    return list(open_library())


@pytest.mark.parametrize("fragment", _fragments(), ids=lambda f: f.ref)
def test_valid_fragment_was_reviewed_against_the_checklist(fragment: Any) -> None:
    if fragment.meta.statut is not Statut.valide:
        pytest.skip("not valide")
    assert fragment.meta.revue is not None
    assert (ROOT / fragment.meta.revue.grille).is_file()
    assert fragment.meta.references or fragment.meta.id.startswith(("general.objet", "cctp.objet"))


@pytest.mark.parametrize("fragment", _fragments(), ids=lambda f: f.ref)
def test_fragment_declares_the_dossier_variables_it_uses(fragment: Any) -> None:
    used = undeclared_variables(fragment.body) - PROVIDED
    declared = fragment.meta.variables
    missing = {n for n in used if not any(v == n or v.startswith(n + ".") for v in declared)}
    assert not missing


def test_coverage_table_cites_only_existing_fragments() -> None:
    readme = (LIBRARY / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Table de couverture"):]
    cited = set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)+)`", table))
    assert cited
    assert cited <= set(open_library().ids)


def test_coverage_table_has_no_empty_row() -> None:
    readme = (LIBRARY / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Table de couverture"):]
    rows = [r for r in table.splitlines() if r.startswith("| ") and not r.startswith("| §")]
    assert len(rows) > 50
    for row in rows:
        carrier = row.rstrip(" |").rsplit(" | ", 1)[-1]
        assert "`" in carrier or carrier.startswith("hors pièce"), row


def test_review_log_lists_every_fragment() -> None:
    log = (LIBRARY / "REVUES.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z_.]+)` \|", log, re.M))
    assert listed == set(open_library().ids)


@pytest.mark.parametrize(("ccag", "nature", "expected", "unexpected"), [
    ("travaux", "travaux", "catégorie des travaux", "catégorie des CCAG-Travaux"),
    ("fcs", "fournitures", "catégorie des fournitures", "catégorie des CCAG"),
], ids=["travaux", "fournitures"])
def test_enum_values_shared_by_two_enums_keep_their_own_wording(
        write_dossier: Callable[..., Path], ccag: str, nature: str, expected: str,
        unexpected: str) -> None:
    text = render(write_dossier(marche={"ccag": ccag, "nature": nature}), "ccap")
    assert expected in text
    assert unexpected not in text
    assert f"(CCAG-{'Travaux' if ccag == 'travaux' else 'FCS'})" in text


def test_unverified_ccag_numbers_are_never_printed(write_dossier: Callable[..., Path]) -> None:
    text = render(write_dossier(marche={"ccag": "travaux", "nature": "travaux"}), "ccap")
    assert "la stipulation du CCAG-Travaux relative à l’action d’insertion professionnelle" in text
    assert not re.search(r"16\.1[.\d]* du CCAG", text)  # (the CCAP's own 16.1 may exist)
