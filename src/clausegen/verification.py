"""``clausegen bibliotheque verifier``: static checks of the clause library.

Everything is reported at once, as a list of problems (error or warning) naming the
fragment version and its file. Checks:

- placeholders: top-level names unknown to the fragment context, and dotted paths
  (``marche.reference``) unknown to the dossier model;
- declared ``variables`` that the body does not use (or that do not exist);
- cross-references: ``article('cle')`` keys no canevas of the fragment's pieces defines,
  ``ccag_ref('cle')`` keys absent from ``ccag.yml``;
- legal references: a body citing an article of a code with no ``references`` (error), a
  CCAP fragment with no reference at all (warning);
- workflow: ``valide`` without ``revue``; a published version edited or missing, or sent
  back before ``valide`` (immutability, against every manifest of ``releases/``);
- typography (warnings): double space, « : » stuck to the word, « 2ème », dates in
  figures, straight double quotes. Straight apostrophes are accepted in sources.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass

from jinja2 import nodes
from pydantic import BaseModel

from clausegen.errors import FragmentNotFoundError
from clausegen.library.index import Library
from clausegen.models.dossier import Dossier
from clausegen.models.fragment import Fragment, Statut
from clausegen.models.release import ReleaseManifest
from clausegen.templating import make_environment, undeclared_variables

ASSEMBLY_NAMES = frozenset({"article", "piece", "derogations"})
"""Names :func:`clausegen.assembly.assemble` adds to the dossier context."""

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_LEGAL_CITATION = re.compile(r"\barticles? [LRD]\.?\s?\d|\bcode (du|de la|des) ", re.I)
TYPOGRAPHY = (
    (re.compile(r"\S {2,}\S"), "double espace"),
    (re.compile(r"\w:(?=\s|$)"), "« : » sans espace avant"),
    (re.compile(r"\b\d+\s?(?:ème|eme|ième|è)\b"), "ordinal à écrire « 2e » (et non « 2ème »)"),
    (re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"), "date en chiffres (écrire « 23 novembre 2026 »)"),
    (re.compile(r"\""), "guillemets droits (utiliser « … »)"),
)


@dataclass(frozen=True, order=True)
class Problem:
    """One finding of the library check."""

    ref: str
    niveau: str
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"  - [{self.niveau}] {self.ref}{where} : {self.message}"


def _problem(fragment: Fragment, message: str, niveau: str = ERREUR) -> Problem:
    return Problem(fragment.ref, niveau, message, str(fragment.path))


# --- placeholders and variables ----------------------------------------------------------


def _dotted(node: nodes.Node) -> str | None:
    """``marche.reference`` for a Getattr chain rooted at a name, else None."""
    parts: list[str] = []
    while isinstance(node, nodes.Getattr):
        parts.append(node.attr)
        node = node.node
    if not isinstance(node, nodes.Name):
        return None
    return ".".join([node.name, *reversed(parts)])


def used_paths(body: str) -> set[str]:
    """Every dotted path and top-level name a body reads from its context."""
    tree = make_environment().parse(body)
    names = undeclared_variables(body)
    paths = {p for n in tree.find_all(nodes.Getattr) if (p := _dotted(n))}
    return names | {p for p in paths if p.split(".")[0] in names}


def _model_of(annotation: object) -> type[BaseModel] | None:
    """The model class behind ``X``, ``X | None``; None for lists and plain values."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        models = [m for a in typing.get_args(annotation) if (m := _model_of(a))]
        return models[0] if models else None
    return None


def path_exists(path: str) -> bool:
    """Whether a dotted path rooted at a dossier section exists in the dossier model."""
    model: type[BaseModel] | None = Dossier
    for attr in path.split("."):
        if model is None:
            return True
        if attr not in model.model_fields:
            return hasattr(model, attr) and not attr.startswith("_")
        model = _model_of(model.model_fields[attr].annotation)
    return True


def _placeholder_problems(fragment: Fragment, known: Set[str]) -> Iterator[Problem]:
    used = used_paths(fragment.body)
    sections = set(Dossier.model_fields)
    for name in sorted(n for n in used if "." not in n and n not in known):
        yield _problem(fragment, f"champ « {name} » inconnu du contexte des fragments")
    for path in sorted(p for p in used if "." in p and p.split(".")[0] in sections):
        if not path_exists(path):
            yield _problem(fragment, f"champ « {path} » absent du modèle de dossier")
    for declared in fragment.meta.variables:
        root = declared.split(".")[0]
        if root not in known or (root in sections and not path_exists(declared)):
            yield _problem(fragment, f"variable déclarée « {declared} » inconnue")
        elif not any(u == declared or u.startswith(declared + ".") for u in used):
            yield _problem(fragment, f"variable déclarée « {declared} » non utilisée")


# --- cross-references and legal references -----------------------------------------------


def _constant_calls(body: str, function: str) -> set[str]:
    tree = make_environment().parse(body)
    return {
        call.args[0].value
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Name) and call.node.name == function
        and call.args and isinstance(call.args[0], nodes.Const) and isinstance(call.args[0].value, str)
    }


def article_keys(library: Library, piece: str) -> set[str]:
    """Every key ``article()`` can resolve in a piece (articles, sections, fragment ids)."""
    keys: set[str] = set()
    for article in library.canevas(piece).articles:
        keys |= {article.cle, *article.fragments}
        for section in article.sections:
            keys |= {section.cle or section.fragments[0], *section.fragments}
    return keys


def _reference_problems(fragment: Fragment, library: Library) -> Iterator[Problem]:
    for piece in (p for p in fragment.meta.pieces if p in library.pieces):
        keys = article_keys(library, piece)
        for key in sorted(_constant_calls(fragment.body, "article") - keys):
            yield _problem(fragment, f"renvoi article('{key}') absent du canevas « {piece} »")
    ccag_keys = set().union(*(_constant_calls(fragment.body, name)
                              for name in ("ccag_ref", "ccag_numero", "ccag_article", "ccag_libelle")))
    for key in sorted(ccag_keys - set(library.ccag.articles)):
        yield _problem(fragment, f"clé CCAG « {key} » absente de ccag.yml")
    meta = fragment.meta
    if not (meta.references or meta.references_non_verifiees):
        if _LEGAL_CITATION.search(_JINJA.sub("", fragment.body)):
            yield _problem(fragment, "le texte cite un article de code mais « references » est vide")
        elif "ccap" in meta.pieces:
            yield _problem(fragment, "clause du CCAP sans référence juridique", AVERTISSEMENT)


# --- typography ---------------------------------------------------------------------------


def _typography_problems(fragment: Fragment) -> Iterator[Problem]:
    for offset, line in enumerate(fragment.body.splitlines()):
        text = _JINJA.sub("X", line).strip()
        if text.startswith("|"):
            continue
        for pattern, what in TYPOGRAPHY:
            if match := pattern.search(text):
                yield _problem(fragment, f"ligne {fragment.body_line + offset} : {what} "
                               f"(« {match.group(0)} »)", AVERTISSEMENT)


# --- workflow and immutability ------------------------------------------------------------


def _workflow_problems(fragment: Fragment) -> Iterator[Problem]:
    if fragment.meta.statut is Statut.valide and fragment.meta.revue is None:
        yield _problem(fragment, "version « valide » sans revue (par, le)")


def immutability_problems(library: Library, manifests: Iterable[ReleaseManifest]) -> Iterator[Problem]:
    """Published versions must still exist, unchanged, and not be sent back before valide."""
    for manifest in manifests:
        for fragment_id, entry in manifest.fragments.items():
            ref = f"{fragment_id}@{entry.version}"
            try:
                fragment: Fragment | None = library.get_in_layer(fragment_id, entry.version,
                                                                 entry.couche)
            except FragmentNotFoundError:
                fragment = None
            if fragment is None:
                yield Problem(ref, ERREUR, f"version publiée en {manifest.version} introuvable")
            elif fragment.sha256 != entry.sha256:
                yield _problem(fragment, f"modifiée après sa publication en {manifest.version} : "
                               "créez une nouvelle version au lieu de modifier celle-ci")
            elif fragment.meta.statut in (Statut.brouillon, Statut.en_revue):
                yield _problem(fragment, f"publiée « valide » en {manifest.version}, elle ne peut "
                               f"pas revenir à « {fragment.meta.statut.value} »")


def check_library(library: Library, manifests: Iterable[ReleaseManifest],
                  known_names: Set[str]) -> list[Problem]:
    """Every problem of the library, sorted by fragment then severity."""
    known = set(known_names) | ASSEMBLY_NAMES
    problems: list[Problem] = []
    for fragment in library:
        problems += _placeholder_problems(fragment, known)
        problems += _reference_problems(fragment, library)
        problems += _typography_problems(fragment)
        problems += _workflow_problems(fragment)
    problems += immutability_problems(library, manifests)
    return sorted(set(problems))


def summary(problems: Iterable[Problem]) -> tuple[int, int]:
    """(errors, warnings)."""
    found = list(problems)
    errors = sum(p.niveau == ERREUR for p in found)
    return errors, len(found) - errors



