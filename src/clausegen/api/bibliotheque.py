"""The legal team's facade (juriste): the clause library's versions, statuses, comparisons and
releases, for ``clausegen bibliotheque …``, ``clausegen verifier-document`` and the web
application's library pages alike.

Like :mod:`clausegen.api`: everything is computed in memory first, then written with
``write_atomic``; documents are returned as bytes (:func:`render_redline`); no Click, no Flask.

Writes go to an organisation library (an overlay layer, see :mod:`clausegen.library.overlays`),
never to the bundled one. Concurrent edits (two lawyers, or a lawyer and the command line): every
write takes an exclusive lock on ``DIR/.verrou`` (:mod:`clausegen.library.verrou`) and re-reads
the files under it; a caller that shows a version before changing it (the web page) passes the
SHA-256 the person saw (:func:`fragment_token`) or the newest version they saw, and nothing is
written when it changed meanwhile (compare-and-swap).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from clausegen.api import open_library
from clausegen.api.marche import LoadedDossier, read_dossier
from clausegen.context import SUIVI_NAMES, ccag_functions, dossier_context
from clausegen.dossier_file import parse_dossier
from clausegen.errors import (
    ClausegenError,
    FragmentNotFoundError,
    FragmentRenderError,
    LibraryError,
    LibraryWriteError,
    OrganisationLibraryError,
    ReleaseError,
)
from clausegen.library import Library, releases, workflow
from clausegen.library import diff as textdiff
from clausegen.library.loader import parse_fragment, split_front_matter
from clausegen.library.overlays import overlay_roots
from clausegen.library.verrou import racine_de, verrou
from clausegen.models.fragment import Fragment, Statut
from clausegen.output import write_atomic
from clausegen.render.readers.inspect import read_provenance
from clausegen.render.revisions import redline
from clausegen.render.revisions.redline import RedlineSection
from clausegen.resources import examples_dir, templates_dir
from clausegen.verification import ERREUR, Problem, check_library, syntax_error
from clausegen.yaml_files import read_bytes, read_text


def parse_ref(library: Library, ref: str) -> Fragment:
    """``id@version`` → that version; ``id`` → its newest version (any status)."""
    fragment_id, _, version = ref.partition("@")
    return library.get(fragment_id, version) if version else library.versions(fragment_id)[-1]


def list_fragments(overlays: Sequence[Path] = (), *, categorie: str | None = None,
                   statut: str | None = None, piece: str | None = None,
                   organisation: bool | None = None) -> list[Fragment]:
    """Every fragment version matching the filters, by id then version; ``organisation``:
    only the versions of the organisation libraries (True) or of the bundled one (False)."""
    return [f for f in open_library(overlays)
            if (categorie is None or f.meta.categorie.value == categorie)
            and (statut is None or f.meta.statut.value == statut)
            and (piece is None or piece in f.meta.pieces)
            and (organisation is None or is_organisation_version(f, overlays) == organisation)]


def list_versions(fragment_id: str, overlays: Sequence[Path] = ()) -> list[tuple[Fragment, list[str]]]:
    """Each version of a fragment with the releases that published it."""
    library = open_library(overlays)
    manifests = releases.load_manifests(library)
    return [(f, [m.version for m in manifests
                 if (e := m.fragments.get(fragment_id)) and e.version == f.meta.version])
            for f in library.versions(fragment_id)]


def next_version(fragment_id: str, overlays: Sequence[Path] = ()) -> str:
    """The next minor version number after a fragment's newest one."""
    newest = Version(open_library(overlays).versions(fragment_id)[-1].meta.version)
    return f"{newest.major}.{newest.minor + 1}.0"


def allowed_statuts(fragment: Fragment) -> list[Statut]:
    """The statuses a version may move to (brouillon → en_revue → valide → retire)."""
    return sorted(workflow.TRANSITIONS[fragment.meta.statut], key=list(Statut).index)


def fragment_token(fragment: Fragment) -> str:
    """The SHA-256 of a version's file as it is now (what a page sends back with a change)."""
    return hashlib.sha256(fragment.path.read_bytes()).hexdigest()


def known_names() -> set[str]:
    """Top-level names a fragment may use, taken from a real context (the starting dossier)."""
    from clausegen.models.validation import PLACEHOLDER

    path = templates_dir() / "dossier.yml"  # its « À COMPLÉTER » values stand for any text
    dossier = parse_dossier(read_text(path).replace(PLACEHOLDER, "Exemple"), path)
    library = open_library()
    return (set(dossier_context(dossier)) | set(ccag_functions(library.ccag, dossier.marche.ccag))
            | SUIVI_NAMES)


# --- checking a version's wording before it is kept --------------------------------------


@dataclass(frozen=True)
class FragmentProblem:
    """Why a wording would break documents: the line of the fragment's file when known, the
    reason, and the bundled example dossier it failed with (empty for a syntax error)."""

    line: int | None
    reason: str
    exemple: str = ""

    def __str__(self) -> str:
        where = [f"ligne {self.line}"] if self.line else []
        if self.exemple:
            where.append(f"avec l'exemple « {self.exemple} »")
        return f"{', '.join(where)} : {self.reason}" if where else self.reason


class FragmentCheckError(ClausegenError):
    """A version's wording is refused: it does not parse, or fails to render an example."""

    def __init__(self, *, ref: str, action: str, problems: Sequence[FragmentProblem]) -> None:
        super().__init__(f"Fragment « {ref} » : {action} refusé(e), la rédaction casserait les "
                         "documents :\n" + "\n".join(f"  - {p}" for p in problems))
        self.ref = ref
        self.problems = list(problems)


SUIVI_PIECES = ("convocation", "plan", "lettre", "bilan", "lettre_bilan")


def _example_documents(loaded: LoadedDossier, pieces: Sequence[str], library: Library) -> Iterator[bytes]:
    """The .docx of every piece of ``pieces`` the example dossier has data for, rendered with
    ``library`` (a piece that does not apply to the example is passed over; a fragment's
    failure is raised)."""
    from clausegen.api.marche import render_piece
    from clausegen.api.suivi import (
        Cible,
        open_suivi,
        render_bilan,
        render_convocation,
        render_lettre,
        render_lettre_bilan,
        render_plan,
    )

    def attempt(render: Callable[..., Any], *args: object, **kwargs: object) -> Iterator[bytes]:
        try:
            made = render(*args, **kwargs)
        except FragmentRenderError:
            raise
        except ClausegenError:
            return  # the piece does not apply to this example (not suited, no plan…)
        made = made[0] if isinstance(made, tuple) else made
        yield made if isinstance(made, bytes) else made.docx

    for piece in dict.fromkeys(p.split("_")[0] for p in pieces if not p.startswith(SUIVI_PIECES)):
        yield from attempt(render_piece, loaded, piece, library=library, allow_drafts=True)
    dossier = loaded.dossier
    if not any(p in SUIVI_PIECES for p in pieces) or dossier.marche.date_notification is None \
            or dossier.titulaire is None:
        return
    try:
        suivi = dataclasses.replace(open_suivi(loaded, Cible(forcer=True)), library=library)
    except ClausegenError:
        return  # no plan de progrès in this example (clause d'insertion alone…)
    if "convocation" in pieces:
        yield from attempt(render_convocation, suivi)
    for plan in dossier.plans[:1]:
        if "plan" in pieces:
            yield from attempt(render_plan, suivi, plan.annee)
        if "lettre" in pieces:
            yield from attempt(render_lettre, suivi, plan.annee)
    for bilan in dossier.bilans[:1]:
        if "bilan" in pieces:
            yield from attempt(render_bilan, suivi, bilan.annee)
        if "lettre_bilan" in pieces and bilan.reunion is not None:
            yield from attempt(render_lettre_bilan, suivi, bilan.annee)


def list_exemples() -> list[str]:
    """The bundled example dossiers' file names (previews and test renders use them)."""
    return sorted(p.name for p in examples_dir().glob("*.yml"))


def check_fragment(fragment: Fragment, overlays: Sequence[Path] = ()) -> list[FragmentProblem]:
    """What would break if this wording were used: its Jinja syntax, then a test render of
    every piece it belongs to for each bundled example dossier (:func:`examples_dir`), with
    this version in force. Empty when the wording is sound."""
    syntax = syntax_error(fragment)
    if syntax is not None:
        return [FragmentProblem(*syntax)]
    library = open_library(overlays).trying(fragment)
    problems: list[FragmentProblem] = []
    for path in sorted(examples_dir().glob("*.yml")):
        loaded = read_dossier(path)
        if loaded.dossier.bibliotheque:  # pinned to a release: it would not use this wording
            continue
        try:
            for _ in _example_documents(loaded, fragment.meta.pieces, library):
                pass
        except FragmentRenderError as exc:
            if exc.fragment_id != fragment.meta.id:
                continue  # another fragment's failure is not this wording's
            problem = _render_problem(fragment, exc, path.name)
            if all((p.line, p.reason) != (problem.line, problem.reason) for p in problems):
                problems.append(problem)
    return problems


_START, _END = "CLAUSEGENDEBUTDUFRAGMENT", "CLAUSEGENFINDUFRAGMENT"


def render_fragment_text(fragment: Fragment, exemple: str, overlays: Sequence[Path] = ()) -> str:
    """The wording of ``fragment`` as it reads, rendered, in the first of its pieces that the
    bundled example ``exemple`` (a name of :func:`list_exemples`) has data for, with this
    version in force: one paragraph per line (list items start with « – », table rows with
    « | »). A refusal in French when the example uses no piece of this clause or when the
    wording does not render."""
    from clausegen.render.readers.inspect import dump_text

    if exemple not in list_exemples():
        raise OrganisationLibraryError(ref=fragment.ref, reason=f"exemple « {exemple[:60]} » inconnu "
                                       f"(attendu : {', '.join(list_exemples())}).")
    syntax = syntax_error(fragment)
    if syntax is not None:
        raise FragmentCheckError(ref=fragment.ref, action="aperçu", problems=[FragmentProblem(*syntax)])
    marked = dataclasses.replace(fragment, body=f"{_START}\n\n{fragment.body}\n\n{_END}\n")
    library = open_library(overlays).trying(marked)
    loaded = read_dossier(examples_dir() / exemple)
    try:
        for data in _example_documents(loaded, fragment.meta.pieces, library):
            lines = dump_text(data).splitlines()
            starts = [i for i, line in enumerate(lines) if _START in line]
            ends = [i for i, line in enumerate(lines) if _END in line]
            if starts and ends:
                return "\n".join(_plain(line) for line in lines[starts[0] + 1:ends[0]]) + "\n"
    except FragmentRenderError as exc:
        raise FragmentCheckError(ref=fragment.ref, action="aperçu", problems=[
            _render_problem(fragment, exc, exemple)]) from None
    raise OrganisationLibraryError(ref=fragment.ref, reason=f"l'exemple « {exemple} » n'a aucune "
                                   "pièce où figure cette clause (condition non remplie ou données "
                                   "absentes) ; choisissez un autre exemple.")


def exemple_for(fragment: Fragment, overlays: Sequence[Path] = ()) -> str | None:
    """The first bundled example in which ``fragment`` appears (for a preview), or None."""
    for exemple in list_exemples():
        try:
            render_fragment_text(fragment, exemple, overlays)
        except FragmentCheckError:
            return exemple  # it appears there, and the preview will say why it fails
        except ClausegenError:
            continue
        return exemple
    return None


def _plain(line: str) -> str:
    """A line of :func:`dump_text` as a person reads it: the style name dropped."""
    if not line.startswith("["):
        return line
    style, _, text = line[1:].partition("] ")
    return f"– {text}" if "List" in style or "Liste" in style else text


def compare_rendered(old_ref: str, new_ref: str, exemple: str,
                     overlays: Sequence[Path] = ()) -> Comparison:
    """Two versions compared as they read once rendered for the example ``exemple``, paragraph
    by paragraph (the source comparison is :func:`compare_versions`)."""
    library = open_library(overlays)
    old, new = parse_ref(library, old_ref), parse_ref(library, new_ref)
    before = render_fragment_text(old, exemple, overlays)
    after = render_fragment_text(new, exemple, overlays)
    paragraphs = textdiff.compare_paragraphs(before.replace("\n", "\n\n"), after.replace("\n", "\n\n"))
    section = RedlineSection(f"{new.meta.id} : {old.meta.version} \u2192 {new.meta.version}",
                             f"{new.meta.titre} (texte rendu avec l'exemple « {exemple} »)",
                             tuple(paragraphs))
    revue = new.meta.revue
    return Comparison(title=f"Comparaison de {old.ref} et {new.ref}, texte rendu",
                      terminal=textdiff.unified(before, after, old.ref, new.ref), sections=(section,),
                      author=revue.par if revue else "clausegen", date=revue.le if revue else None)


_NO_ATTRIBUTE = re.compile(r"'(?:[\w.]+\.)?(\w+) object' has no attribute '(\w+)'")
_UNDEFINED = re.compile(r"'(\w+)' is undefined")


def _render_problem(fragment: Fragment, exc: FragmentRenderError, exemple: str) -> FragmentProblem:
    """A render failure in a juriste's words: Jinja's English for an unknown name rephrased,
    and the line of the file that names it when Jinja gave none."""
    reason, line, name = exc.reason, exc.line, None
    if found := _NO_ATTRIBUTE.search(reason):
        name = found.group(2)
        reason = f"variable inconnue (« {name} » n'existe pas dans « {found.group(1)} »)"
    elif found := _UNDEFINED.search(reason):
        name = found.group(1)
        reason = f"variable inconnue (« {name} » n'existe pas dans le dossier)"
    if line is None and name is not None:
        line = next((fragment.body_line + i for i, text in enumerate(fragment.body.splitlines())
                     if re.search(rf"\b{re.escape(name)}\b", text)), None)
    return FragmentProblem(line, reason, exemple)


def _refuse_if_broken(fragment: Fragment, overlays: Sequence[Path], action: str) -> None:
    problems = check_fragment(fragment, overlays)
    if problems:
        raise FragmentCheckError(ref=fragment.ref, action=action, problems=problems)


def verify_library(overlays: Sequence[Path] = ()) -> list[Problem]:
    """Every problem of the library (see :mod:`clausegen.verification`)."""
    library = open_library(overlays, use_cache=False)
    problems = check_library(library, releases.load_manifests(library), known_names())
    return problems + [Problem(ref, ERREUR, message)
                       for ref, message in releases.canevas_problems(library)]


def writable_roots(overlays: Sequence[Path] = ()) -> list[Path]:
    """The libraries the legal team's commands may write to, lowest first: the organisation
    libraries named by ``--bibliotheque``, ``.clausegen.yml`` or ``$CLAUSEGEN_BIBLIOTHEQUES``.

    The bundled library (in the installed package) is never one of them, so that a
    ``pip install -U`` loses nothing; in a source checkout, maintainers name it explicitly
    (``--bibliotheque ./clause_library``) to work on the library that ships.
    """
    return overlay_roots(overlays)


def ensure_bibliotheque(root: Path) -> Path:
    """Create an organisation library directory if needed (``fragments/`` inside): the web
    application's organisations get theirs on first use."""
    (root / "fragments").mkdir(parents=True, exist_ok=True)
    return root


def is_organisation_version(fragment: Fragment, overlays: Sequence[Path] = ()) -> bool:
    """Whether a version lives in an organisation library (and may be written)."""
    resolved = fragment.path.resolve()
    return any(resolved.is_relative_to(root) for root in writable_roots(overlays))


def _writable_target(overlays: Sequence[Path], what: str) -> Path:
    roots = writable_roots(overlays)
    if not roots:
        raise LibraryWriteError(what=what)
    return roots[-1]


def _writable(ref: str, overlays: Sequence[Path], what: str) -> Fragment:
    """The version named by ``ref``, if it lives in an organisation library."""
    fragment = parse_ref(open_library(overlays), ref)
    if not is_organisation_version(fragment, overlays):
        raise LibraryWriteError(what=f"{what} de {fragment.ref}", path=fragment.path)
    return fragment


def _current(ref: str, overlays: Sequence[Path], expected_sha256: str | None) -> Fragment:
    """The version, read again from its file (under the caller's lock), if it is still the one
    the person saw (when ``expected_sha256`` is given)."""
    fragment = parse_ref(open_library(overlays, use_cache=False), ref)
    if expected_sha256 is not None and fragment_token(fragment) != expected_sha256:
        raise OrganisationLibraryError(ref=ref, reason="la version a été modifiée entre-temps "
                                       "(par une autre personne ou la ligne de commande) ; "
                                       "rechargez la page pour voir son état actuel.")
    return fragment


def publish_release(release: str, on: dt.date, *, replace: bool = False,
                    overlays: Sequence[Path] = ()) -> releases.PreparedRelease:
    """Check, then write the manifest, the CHANGELOG entry and VERSION of a release (into the
    organisation library on top, never into the bundled one)."""
    releases.check_release_number(release)
    target = _writable_target(overlays, f"publier la version {release}")
    problems = [p for p in verify_library(overlays) if p.niveau == ERREUR]
    if problems:
        raise ReleaseCheckError(release=release, problems=problems)
    library = open_library(overlays, use_cache=False)
    if library.roots[-1] != target:
        raise LibraryWriteError(what=f"publier la version {release}")
    with verrou(library.roots[-1], release):
        prepared = releases.prepare_release(library, release, on, replace=replace)
        for path, text in prepared.files.items():
            write_atomic(path, text.encode("utf-8"))
    return prepared


class ReleaseCheckError(ReleaseError):
    """A release refused because the library check finds errors (kept in ``problems``, so a
    page can list them without the files' paths)."""

    def __init__(self, *, release: str, problems: Sequence[Problem]) -> None:
        super().__init__(release=release, reason="refusée, la vérification trouve des erreurs :\n"
                         + "\n".join(str(p) for p in problems))
        self.problems = list(problems)


def is_deletable(fragment: Fragment, overlays: Sequence[Path] = ()) -> bool:
    """A version of an organisation library that was never validated (no review in its
    header) nor published: nothing generated can have used it."""
    if not is_organisation_version(fragment, overlays) or fragment.meta.statut is Statut.valide \
            or fragment.meta.revue is not None:
        return False
    return not any(published for f, published in list_versions(fragment.meta.id, overlays)
                   if f.meta.version == fragment.meta.version)


def delete_version(ref: str, *, overlays: Sequence[Path] = (),
                   expected_sha256: str | None = None) -> Fragment:
    """Delete a version that was never validated nor published (:func:`is_deletable`);
    the version deleted."""
    fragment = _writable(ref, overlays, "supprimer la version")
    with verrou(racine_de(fragment.path), ref):
        fragment = _current(ref, overlays, expected_sha256)
        if not is_deletable(fragment, overlays):
            raise OrganisationLibraryError(ref=ref, reason="seule une version jamais validée ni "
                                           "publiée se supprime ; retirez celle-ci (statut « retiré »).")
        fragment.path.unlink()
    return fragment


def list_releases(overlays: Sequence[Path] = ()) -> list[str]:
    """The releases published in the organisation library on top, oldest first."""
    roots = writable_roots(overlays)
    if not roots:
        return []
    return sorted((p.stem for p in (roots[-1] / releases.RELEASES_DIR).glob("*.yml")), key=Version)


def next_release(overlays: Sequence[Path] = ()) -> str:
    """A release number above every release of every layer (minor step)."""
    published = releases.manifest_paths(open_library(overlays))
    if not published:
        return "1.0.0"
    newest = max(Version(v) for v in published)
    return f"{newest.major}.{newest.minor + 1}.0"


def read_changelog(overlays: Sequence[Path] = ()) -> str:
    """The CHANGELOG of the organisation library on top (empty before its first release)."""
    roots = writable_roots(overlays)
    path = roots[-1] / releases.CHANGELOG if roots else None
    return path.read_text(encoding="utf-8") if path is not None and path.is_file() else ""


def set_statut(ref: str, target: Statut, *, par: str | None, le: dt.date | None,
               overlays: Sequence[Path] = (), expected_sha256: str | None = None) -> Fragment:
    """Apply a workflow transition to one version's file (in an organisation library; reviewer
    and date recorded in its header when it becomes ``valide``); the version as changed."""
    fragment = _writable(ref, overlays, "changer le statut")
    with verrou(racine_de(fragment.path), ref):
        fragment = _current(ref, overlays, expected_sha256)
        text = workflow.change_status(fragment, read_text(fragment.path), target, par=par, le=le)
        if target in (Statut.en_revue, Statut.valide):  # retiring or sending back is always possible
            _refuse_if_broken(fragment, overlays, f"passage au statut « {target.value} »")
        write_atomic(fragment.path, text.encode("utf-8"))
    return parse_fragment(text, fragment.path, layer=fragment.layer)


def edit_brouillon(ref: str, corps: str, *, overlays: Sequence[Path] = (),
                   expected_sha256: str | None = None) -> Fragment:
    """Replace the wording of a ``brouillon`` version; any other status is never edited."""
    fragment = _writable(ref, overlays, "modifier le texte")
    with verrou(racine_de(fragment.path), ref):
        fragment = _current(ref, overlays, expected_sha256)
        if fragment.meta.statut is not Statut.brouillon:
            raise OrganisationLibraryError(ref=ref, reason=f"version « {fragment.meta.statut.value} » :"
                                           " seule une version en brouillon se modifie ; créez "
                                           "une nouvelle version.")
        head, _, _ = split_front_matter(read_text(fragment.path), fragment.path)
        corps = corps.replace("\r\n", "\n").strip("\n") + "\n"
        text = f"---\n{head}---\n\n{corps}"
        edited = parse_fragment(text, fragment.path, layer=fragment.layer)
        _refuse_if_broken(edited, overlays, "enregistrement")
        write_atomic(fragment.path, text.encode("utf-8"))
    return edited


def create_version(fragment_id: str, version: str, overlays: Sequence[Path] = (), *,
                   newest_seen: str | None = None) -> Fragment:
    """Copy the newest version of a fragment into a new ``brouillon`` version, written in the
    organisation library on top (whatever layer the newest version comes from).

    ``newest_seen`` is the newest version the person saw (web page): if another one appeared
    since, the request is refused rather than silently based on a text nobody read."""
    ref = f"{fragment_id}@{version}"
    target = _writable_target(overlays, f"créer la version {version} de {fragment_id}")
    with verrou(target, ref):
        library = open_library(overlays, use_cache=False)
        newest = library.versions(fragment_id)[-1]
        if newest_seen is not None and newest.meta.version != newest_seen:
            raise OrganisationLibraryError(ref=ref, reason=f"une version {newest.meta.version} a "
                                           "été créée entre-temps ; rechargez la page.")
        path, text = workflow.new_version(library, fragment_id, version)
        destination = target / "fragments" / path.parent.name / path.name
        if destination.exists():
            raise OrganisationLibraryError(ref=ref, reason="cette version existe déjà.")
        fragment = parse_fragment(text, destination, layer=f"surcouche:{target.name}")
        write_atomic(destination, text.encode("utf-8"))
    return fragment


def init_library(directory: Path, *, config: Path | None = None) -> list[Path]:
    """Create an empty organisation library (and, when ``config`` is given and absent, a
    ``.clausegen.yml`` naming it); nothing is overwritten."""
    from clausegen.errors import OutputError

    if directory.exists() and any(directory.iterdir()):
        raise OutputError(path=directory, reason="le répertoire existe et n'est pas vide")
    written = [write_atomic(directory / "README.md", ORGANISATION_README.encode("utf-8"))]
    for name in ("fragments", "canevas", "releases"):
        (directory / name).mkdir(parents=True, exist_ok=True)
        written.append(write_atomic(directory / name / ".gitkeep", b""))
    if config is not None and not config.exists():
        entry = os.path.relpath(directory.resolve(), config.parent.resolve())
        written.append(write_atomic(config, CONFIG_TEXT.format(entry=entry).encode("utf-8")))
    return written


ORGANISATION_README = """# Bibliothèque de clauses de l'organisation

Créée par « clausegen bibliotheque init ». Elle s'ajoute à la bibliothèque fournie avec
clausegen, qui reste en lecture seule : une mise à jour de clausegen ne perd rien d'ici.

- `fragments/<id>/<version>.md` : vos versions de clauses (« clausegen bibliotheque
  nouvelle-version ID --version X.Y.Z » copie la dernière version ici, en brouillon) ;
- `canevas/` : vos canevas de pièces, s'ils remplacent ceux fournis ;
- `releases/` : vos publications (« clausegen bibliotheque publier X.Y.Z »).

Gardez ce répertoire sous gestion de versions (git) : c'est le travail de vos juristes.
"""

CONFIG_TEXT = """# Configuration de clausegen pour ce répertoire (annoncée à chaque commande).
bibliotheques:
  - {entry}
"""


# --- comparisons ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Two wordings compared: a terminal diff and the sections of a redline document."""

    title: str
    terminal: str
    sections: tuple[RedlineSection, ...]
    author: str
    date: dt.date | None


def _section(fragment_id: str, old: Fragment | None, new: Fragment | None) -> RedlineSection:
    versions = f"{old.meta.version if old else '(absent)'} \u2192 {new.meta.version if new else '(retiré)'}"
    title = (new or old).meta.titre if (new or old) else ""  # type: ignore[union-attr]
    paragraphs = textdiff.compare_paragraphs(old.body if old else "", new.body if new else "")
    return RedlineSection(f"{fragment_id} : {versions}", title, tuple(paragraphs))


def _fragment_diff(old: Fragment | None, new: Fragment | None, fragment_id: str) -> str:
    return textdiff.unified(old.body if old else "", new.body if new else "",
                            old.ref if old else f"{fragment_id} (absent)",
                            new.ref if new else f"{fragment_id} (retiré)")


def _compare_fragments(library: Library, old_ref: str, new_ref: str) -> Comparison:
    old, new = parse_ref(library, old_ref), parse_ref(library, new_ref)
    revue = new.meta.revue
    return Comparison(
        title=f"Comparaison de {old.ref} et {new.ref}",
        terminal=_fragment_diff(old, new, new.meta.id),
        sections=(_section(new.meta.id, old, new),),
        author=revue.par if revue else "clausegen", date=revue.le if revue else None,
    )


def _compare_releases(library: Library, old_release: str, new_release: str) -> Comparison:
    before = releases.find_manifest(library, old_release).fragments
    after_manifest = releases.find_manifest(library, new_release)
    after = after_manifest.fragments
    sections, terminal = [], []
    for fragment_id in sorted(set(before) | set(after)):
        old_entry, new_entry = before.get(fragment_id), after.get(fragment_id)
        if old_entry and new_entry and old_entry == new_entry:
            continue
        old = library.get(fragment_id, old_entry.version) if old_entry else None
        new = library.get(fragment_id, new_entry.version) if new_entry else None
        sections.append(_section(fragment_id, old, new))
        terminal.append(_fragment_diff(old, new, fragment_id))
    return Comparison(
        title=f"Bibliothèque de clauses : publication {old_release} \u2192 {new_release}",
        terminal="".join(terminal), sections=tuple(sections), author="clausegen",
        date=after_manifest.date,
    )


def compare_versions(old: str, new: str, overlays: Sequence[Path] = ()) -> Comparison:
    """``ID@V1 ID@V2`` compares two versions; ``R1 R2`` compares two releases."""
    library = open_library(overlays)
    if "@" in old or "@" in new:
        return _compare_fragments(library, old, new)
    return _compare_releases(library, old, new)


def render_redline(comparison: Comparison, *, author: str | None = None, date: dt.date | None = None,
                   default_date: dt.date | None = None) -> bytes:
    """The comparison as .docx bytes with Word tracked changes (project's review skeleton).

    The revisions are dated ``date``, else by the comparison (review or release date), else
    ``default_date``; signed ``author``, else by the comparison's reviewer."""
    when = date or comparison.date or default_date
    if when is None:
        raise ClausegenError("Date des révisions inconnue (ni revue ni publication datée) : "
                             "indiquez --le AAAA-MM-JJ.")
    return redline.render_redline(comparison.title, comparison.sections,
                                  author=author or comparison.author,
                                  date=dt.datetime.combine(when, dt.time()),
                                  provenance={"comparaison": comparison.title},
                                  skeleton=(templates_dir() / "revue.docx").read_bytes())


# --- provenance of a generated document ------------------------------------------------------


@dataclass(frozen=True)
class UsedVersion:
    """One fragment recorded in a document, compared with the installed library."""

    id: str
    version: str
    statut: str
    newer: str | None
    """The newest ``valide`` version when it is newer than the one used."""
    changed: bool
    """The installed file of that version no longer has the recorded content hash."""


def _used_version(library: Library, fragment_id: str, value: str) -> UsedVersion:
    version, digest, statut = (value.split() + ["", "", ""])[:3]
    try:
        current = library.resolve(fragment_id)
        newer = current.meta.version if Version(current.meta.version) > Version(version) else None
    except (LibraryError, InvalidVersion):
        newer = None
    try:
        changed = library.get(fragment_id, version).sha256 != digest.removeprefix("sha256:")
    except FragmentNotFoundError:
        changed = True
    return UsedVersion(fragment_id, version, statut, newer, changed)


MAX_DOCUMENT_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class DocumentReport:
    """What ``verifier-document`` found: the provenance, each fragment, and the text check."""

    record: dict[str, str]
    used: list[UsedVersion]
    problems: list[str]
    """Integrity problems: wording changed since generation, fragment entries removed…"""

    @property
    def intact(self) -> bool:
        """No integrity problem and every clause still current."""
        return not self.problems and not any(u.newer or u.changed for u in self.used)


def verify_document(path: Path, overlays: Sequence[Path] = ()) -> DocumentReport:
    """The provenance record of a .docx, what changed in the library since, and whether the
    body's text is still the one generated (``corps_sha256``)."""
    from clausegen.errors import InputFileError
    from clausegen.render.readers.inspect import pending_revisions
    from clausegen.render.writers.body_text import body_digest
    from clausegen.render.writers.package import BODY_DIGEST, BODY_PART, read_part

    data = read_bytes(path, max_bytes=MAX_DOCUMENT_BYTES)
    try:
        record = read_provenance(data)
        body = read_part(data, BODY_PART) if record else None
        digest = body_digest(body) if body is not None else None
    except ValueError as exc:
        raise InputFileError(path=path, reason=f"document illisible ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - lxml raises its own errors on a broken body
        raise InputFileError(path=path, reason=f"document illisible ({type(exc).__name__})") from None
    if not record:
        raise InputFileError(path=path, reason="aucune provenance clausegen dans ce document")
    library = open_library(overlays, use_cache=False)
    used = [_used_version(library, key.removeprefix("fragment."), value)
            for key, value in sorted(record.items()) if key.startswith("fragment.")]
    problems = []
    try:
        revisions = pending_revisions(data)
    except ValueError as exc:
        raise InputFileError(path=path, reason=f"document illisible ({exc})") from None
    if revisions:
        authors = ", ".join(f"{author} ({count})" for author, count in revisions.items())
        problems.append(f"{sum(revisions.values())} révisions en attente, à accepter ou refuser "
                        f"(auteurs : {authors})")
    if BODY_DIGEST not in record:
        problems.append("empreinte du texte absente : le texte ne peut pas être vérifié")
    elif digest != record[BODY_DIGEST]:
        problems.append("texte modifié depuis la génération (ajout, suppression ou changement "
                        "de rédaction)")
    if record.get("fragments", "").isdigit() and int(record["fragments"]) != len(used):
        problems.append(f"provenance incomplète : {record['fragments']} fragments annoncés, "
                        f"{len(used)} décrits")
    return DocumentReport(record, used, problems)


def compare_document_text(report: DocumentReport, docx: Path, dossier_path: Path,
                 overlays: Sequence[Path] = ()) -> str:
    """The body regenerated from the recorded provenance (same fragment versions; for a
    document pinned to a release, that release's canevas) and the dossier, compared paragraph
    by paragraph with the document (:func:`~clausegen.render.readers.inspect.readable_diff`: what a save
    rewrites does not count, pending revisions read inline), empty when the wording is the
    generated one. For the CCAP and the CCTP (other pieces need the year's plan and results);
    the default Word skeleton is used (the body does not depend on it).
    """
    from clausegen.api.marche import PIECES, read_dossier, render_piece
    from clausegen.errors import InputFileError
    from clausegen.render.readers.inspect import readable_diff

    piece = report.record.get("piece", "")
    if piece not in PIECES:
        raise InputFileError(path=docx, reason=f"comparaison détaillée possible pour le CCAP et le "
                             f"CCTP seulement (pièce : {piece or 'inconnue'})")
    loaded = read_dossier(dossier_path)
    if loaded.recorded_sha256(piece) != report.record.get("dossier_sha256"):
        raise InputFileError(path=dossier_path, reason="ce n'est pas le dossier dont le document a "
                             "été généré (empreinte différente)")
    library = open_library(overlays, use_cache=False)
    entries = {}
    for key, value in report.record.items():
        if key.startswith("fragment."):
            version, digest, _, *layer = (value.split() + ["", "", ""])[:4]
            entries[key.removeprefix("fragment.")] = (version, digest.removeprefix("sha256:"),
                                                      layer[0] if layer and layer[0] else "bibliotheque")
    release = report.record.get("bibliotheque", library.release)
    if report.record.get("bibliotheque_epinglee") == "oui":  # the release's canevas too
        pinned = releases.pin(library, release)
    else:  # the installed canevas: an unpinned document does not record which one it had
        pinned = library.pinned(release, entries)
    first = report.record.get("premier_article", "1")
    regenerated, _ = render_piece(loaded, piece, library=pinned, allow_drafts=True,
                                  premier_article=int(first) if first.isdigit() else 1)
    return readable_diff(regenerated, read_bytes(docx, max_bytes=MAX_DOCUMENT_BYTES))
