"""The legal desk's writes to an organisation's library (the web application's juriste pages).

An organisation's library is a directory (an overlay layer, see
:mod:`clausegen.library.overlays`) on top of the bundled library, which is never written:
new versions, status changes, draft edits and releases all go to that directory, so
``clausegen bibliotheque … --bibliotheque DIR`` and the application see the same files.

Concurrent edits (two lawyers, or a lawyer and the command line): every write takes an
exclusive lock on ``DIR/.verrou`` (:mod:`clausegen.library.verrou`; the CLI's writes take
it too), then checks that the file is still the one the person saw
(its SHA-256, sent back by the page: compare-and-swap); if it changed meanwhile, nothing
is written and the person is told to reload. Files are replaced atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from clausegen.api import open_library
from clausegen.api.bibliotheque import Comparison, compare, parse_ref, publish, redline_docx
from clausegen.errors import OrganisationLibraryError
from clausegen.library import Library, releases, workflow
from clausegen.library.loader import parse_fragment, split_front_matter
from clausegen.library.verrou import verrou
from clausegen.models.fragment import Fragment, Statut
from clausegen.output import write_atomic


def preparer(racine: Path) -> Path:
    """Create the organisation's library directory if needed (``fragments/`` inside)."""
    (racine / "fragments").mkdir(parents=True, exist_ok=True)
    return racine


def ouvrir(racine: Path) -> Library:
    """The bundled library with the organisation's layer on top (as the CLI with
    ``--bibliotheque racine``)."""
    return open_library([preparer(racine)])


def jeton(fragment: Fragment) -> str:
    """The SHA-256 of a version's file as it is now (what the page sends back)."""
    return hashlib.sha256(fragment.path.read_bytes()).hexdigest()


def de_l_organisation(racine: Path, fragment: Fragment) -> bool:
    """Whether a version lives in the organisation's layer (and may be written)."""
    return fragment.path.resolve().is_relative_to(racine.resolve())


def _verrou(racine: Path, ref: str) -> AbstractContextManager[None]:
    return verrou(preparer(racine), ref)


def _courante(racine: Path, ref: str, attendu: str) -> Fragment:
    """The version, re-read under the lock, if it is still the one the person saw."""
    fragment = parse_ref(open_library([racine], use_cache=False), ref)
    if not de_l_organisation(racine, fragment):
        raise OrganisationLibraryError(ref=ref, reason="cette version appartient à la bibliothèque "
                                       "fournie, en lecture seule ; créez une nouvelle version "
                                       "dans la bibliothèque de l'organisation.")
    if jeton(fragment) != attendu:
        raise OrganisationLibraryError(ref=ref, reason="la version a été modifiée entre-temps "
                                       "(par une autre personne ou la ligne de commande) ; "
                                       "rechargez la page pour voir son état actuel.")
    return fragment


def transitions(fragment: Fragment) -> list[Statut]:
    """The statuses a version may move to (brouillon → en_revue → valide → retire)."""
    return sorted(workflow.TRANSITIONS[fragment.meta.statut], key=list(Statut).index)


def version_suivante(library: Library, fragment_id: str) -> str:
    """The next minor version number after the newest one."""
    derniere = Version(library.versions(fragment_id)[-1].meta.version)
    return f"{derniere.major}.{derniere.minor + 1}.0"


def nouvelle_version(racine: Path, fragment_id: str, version: str, *, derniere: str) -> Fragment:
    """A ``brouillon`` copy of the newest version, written to the organisation's layer.

    ``derniere`` is the newest version the person saw: if another one appeared since, the
    request is refused rather than silently based on a text nobody read."""
    ref = f"{fragment_id}@{version}"
    with _verrou(racine, ref):
        library = open_library([racine], use_cache=False)
        latest = library.versions(fragment_id)[-1]
        if latest.meta.version != derniere:
            raise OrganisationLibraryError(ref=ref, reason=f"une version {latest.meta.version} a "
                                           "été créée entre-temps ; rechargez la page.")
        _, text = workflow.new_version(library, fragment_id, version)
        path = racine / "fragments" / fragment_id / f"{version}.md"
        if path.exists():
            raise OrganisationLibraryError(ref=ref, reason="cette version existe déjà.")
        fragment = parse_fragment(text, path, layer=f"surcouche:{racine.name}")
        write_atomic(path, text.encode("utf-8"))
    return fragment


def changer_statut(racine: Path, ref: str, cible: Statut, *, attendu: str, par: str,
                   le: dt.date) -> Fragment:
    """Move one version of the organisation's layer to ``cible`` (reviewer and date
    recorded in its header when it becomes ``valide``)."""
    with _verrou(racine, ref):
        fragment = _courante(racine, ref, attendu)
        text = workflow.change_status(fragment, fragment.path.read_text(encoding="utf-8"), cible,
                                      par=par, le=le)
        write_atomic(fragment.path, text.encode("utf-8"))
    return parse_fragment(text, fragment.path, layer=fragment.layer)


def modifier_brouillon(racine: Path, ref: str, corps: str, *, attendu: str) -> Fragment:
    """Replace the wording of a ``brouillon`` version; any other status is never edited."""
    with _verrou(racine, ref):
        fragment = _courante(racine, ref, attendu)
        if fragment.meta.statut is not Statut.brouillon:
            raise OrganisationLibraryError(ref=ref, reason=f"version « {fragment.meta.statut.value} » :"
                                           " seule une version en brouillon se modifie ; créez "
                                           "une nouvelle version.")
        head, _, _ = split_front_matter(fragment.path.read_text(encoding="utf-8"), fragment.path)
        corps = corps.replace("\r\n", "\n").strip("\n") + "\n"
        text = f"---\n{head}---\n\n{corps}"
        nouveau = parse_fragment(text, fragment.path, layer=fragment.layer)
        write_atomic(fragment.path, text.encode("utf-8"))
    return nouveau


def publier(racine: Path, version: str, le: dt.date) -> releases.PreparedRelease:
    """Publish a release of the organisation's library (manifest, CHANGELOG, VERSION in
    ``racine``), after the same verification as ``clausegen bibliotheque publier``."""
    return publish(version, le, overlays=[preparer(racine)])  # takes the lock itself


def publications(racine: Path) -> list[str]:
    """The releases published in the organisation's directory, oldest first."""
    return sorted((p.stem for p in (racine / releases.RELEASES_DIR).glob("*.yml")), key=Version)


def prochaine_publication(racine: Path) -> str:
    """A version number above every release of every layer (minor step)."""
    publiees = releases.manifest_paths(ouvrir(racine))
    if not publiees:
        return "1.0.0"
    derniere = max(Version(v) for v in publiees)
    return f"{derniere.major}.{derniere.minor + 1}.0"


def journal_des_modifications(racine: Path) -> str:
    """The organisation's CHANGELOG (empty before its first release)."""
    path = racine / releases.CHANGELOG
    return path.read_text(encoding="utf-8") if path.is_file() else ""


@dataclass(frozen=True)
class Redline:
    """A comparison ready for the page (side by side) and for download (Word)."""

    comparaison: Comparison
    docx: bytes


def comparer(racine: Path, ancienne: str, nouvelle: str, *, auteur: str, le: dt.date) -> Redline:
    """Two versions compared: paragraphs for the page and a .docx with Word tracked
    changes (same as ``clausegen bibliotheque comparer … -o``)."""
    comparaison = compare(ancienne, nouvelle, [preparer(racine)])
    return Redline(comparaison, redline_docx(comparaison, author=auteur,
                                             date=comparaison.date or le))
