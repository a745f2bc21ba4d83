"""Release manifests of the library (``releases/<version>.yml``): read, build, publish.

Building a release is pure: :func:`prepare_release` returns the files to write (manifest,
CHANGELOG, VERSION) as text; the API writes them atomically once everything is checked.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from packaging.version import Version

from clausegen.errors import (
    FragmentStatusError,
    OverrideNotValidatedError,
    ReleaseError,
)
from clausegen.library.index import Library
from clausegen.models._base import SEMVER_PATTERN
from clausegen.models.release import ReleaseEntry, ReleaseManifest
from clausegen.models.validation import read_validated

RELEASES_DIR = "releases"
CHANGELOG = "CHANGELOG.md"
CHANGELOG_INTRO_END = "\n## "


def manifest_paths(library: Library) -> dict[str, Path]:
    """Every release manifest of every root, by version.

    A release, once published, is never redefined: a higher layer (an overlay) holding a
    manifest of a version that a lower layer already published is refused, since a dossier
    pinned to that version would otherwise silently take other wording.
    """
    found: dict[str, Path] = {}
    for root in library.roots:
        for path in sorted((root / RELEASES_DIR).glob("*.yml")):
            if path.stem in found:
                raise ReleaseError(release=path.stem, reason=(
                    f"manifeste « {path} » refusé : cette publication existe déjà dans "
                    f"« {found[path.stem]} » et une publication ne peut pas être redéfinie "
                    "par une surcouche (choisissez un autre numéro)."))
            found[path.stem] = path
    return found


def load_manifest(path: Path) -> ReleaseManifest:
    """Read and validate one manifest."""
    return read_validated(path, ReleaseManifest, what="manifeste de publication")


def load_manifests(library: Library) -> list[ReleaseManifest]:
    """Every manifest, oldest release first."""
    paths = manifest_paths(library)
    return [load_manifest(paths[v]) for v in sorted(paths, key=Version)]


def find_manifest(library: Library, release: str) -> ReleaseManifest:
    """The manifest of one release (error naming the known ones)."""
    paths = manifest_paths(library)
    if release not in paths:
        known = ", ".join(sorted(paths, key=Version)) or "aucune"
        raise ReleaseError(release=release, reason=f"manifeste introuvable (publiées : {known}).")
    return load_manifest(paths[release])


def pin(library: Library, release: str) -> Library:
    """The library resolved exactly as the given release recorded it."""
    manifest = find_manifest(library, release)
    entries = {i: (e.version, e.sha256, e.couche) for i, e in manifest.fragments.items()}
    return library.pinned(release, entries)


def build_manifest(library: Library, release: str, on: dt.date) -> ReleaseManifest:
    """The newest ``valide`` version of every id (refused when an id has none)."""
    entries: dict[str, ReleaseEntry] = {}
    missing: list[str] = []
    for fragment_id in library.ids:
        try:
            fragment = library.resolve(fragment_id)
        except (FragmentStatusError, OverrideNotValidatedError):
            missing.append(fragment_id)
            continue
        entries[fragment_id] = ReleaseEntry(version=fragment.meta.version, sha256=fragment.sha256,
                                            couche=fragment.layer)
    if missing:
        raise ReleaseError(release=release, reason="refusée : aucune version validée pour "
                           + ", ".join(missing) + ". Validez-les ou retirez-les d'abord.")
    return ReleaseManifest(version=release, date=on, fragments=entries)


def manifest_yaml(manifest: ReleaseManifest) -> str:
    """The manifest as written in ``releases/<version>.yml``."""
    data = manifest.model_dump(mode="json")
    header = (f"# Publication {manifest.version} de la bibliothèque de clauses, écrite par "
              "« clausegen bibliotheque publier ». Ne pas modifier à la main.\n")
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def changes(previous: ReleaseManifest | None, current: ReleaseManifest) -> list[str]:
    """French lines describing what changed since the previous release."""
    before = previous.fragments if previous else {}
    lines = []
    for fragment_id, entry in current.fragments.items():
        old = before.get(fragment_id)
        if old is None:
            lines.append(f"- Ajouté : `{fragment_id}` {entry.version}")
        elif (old.version, old.sha256) != (entry.version, entry.sha256):
            lines.append(f"- Modifié : `{fragment_id}` {old.version} → {entry.version}")
    lines += [f"- Retiré : `{i}` {e.version}" for i, e in before.items()
              if i not in current.fragments]
    return lines or ["- Aucun changement de rédaction."]


_GENERATED_LINE = re.compile(r"^- (Ajouté|Modifié|Retiré) : `|^- Aucun changement de rédaction\.$")


def _editorial_notes(section: str) -> list[str]:
    """The hand-written lines of a release entry (everything but its title and generated list)."""
    body = section.split("\n", 1)[1] if "\n" in section else ""
    kept = [line for line in body.strip("\n").splitlines() if not _GENERATED_LINE.match(line)]
    return ["\n".join(kept).strip("\n")] if "".join(kept).strip() else []


def changelog_with_entry(changelog: str, manifest: ReleaseManifest, lines: list[str]) -> str:
    """Insert (or replace) the release's entry above the previous ones.

    When the entry already exists, its hand-written notes are kept above the generated list:
    re-publishing a release never loses what the legal team wrote about it.
    """
    title = f"## {manifest.version} \u2014 {manifest.date.isoformat()}"
    sections = changelog.split(CHANGELOG_INTRO_END)
    intro, olds = sections[0].rstrip("\n"), ["## " + s for s in sections[1:]]
    same = [s for s in olds if s.startswith(f"## {manifest.version} ")]
    notes = _editorial_notes(same[0]) if same else []
    entry = "\n\n".join([title, *notes, "\n".join(lines)])
    olds = [s for s in olds if not s.startswith(f"## {manifest.version} ")]
    return "\n\n".join([intro, entry, *(s.rstrip("\n") for s in olds)]) + "\n"


@dataclass(frozen=True)
class PreparedRelease:
    """A release ready to write: manifest and the new text of each file."""

    manifest: ReleaseManifest
    files: dict[Path, str]


def check_release_number(release: str) -> None:
    """A release number ``MAJEUR.MINEUR.CORRECTIF`` (never a path, never 60 digits)."""
    if len(release) > 40 or not re.fullmatch(SEMVER_PATTERN, release):
        raise ReleaseError(release=release[:40], reason="numéro de publication invalide : format "
                           "MAJEUR.MINEUR.CORRECTIF attendu, ex. « 1.2.0 ».")


def prepare_release(library: Library, release: str, on: dt.date, *, replace: bool) -> PreparedRelease:
    """Check the version number, build the manifest and the CHANGELOG entry (nothing written)."""
    check_release_number(release)
    root = library.roots[-1]
    published = manifest_paths(library)
    if release in published and not replace:
        raise ReleaseError(release=release, reason="déjà publiée (utilisez --remplacer pour la "
                           "republier, tant qu'aucun document signé ne l'a utilisée).")
    older = [v for v in published if Version(v) < Version(release)]
    if any(Version(v) > Version(release) for v in published):
        raise ReleaseError(release=release, reason="une publication plus récente existe déjà.")
    manifest = build_manifest(library, release, on)
    previous = load_manifest(published[max(older, key=Version)]) if older else None
    changelog_path = root / CHANGELOG
    changelog = (changelog_path.read_text(encoding="utf-8") if changelog_path.is_file()
                 else "# Journal de la bibliothèque de clauses\n")
    files = {
        root / RELEASES_DIR / f"{release}.yml": manifest_yaml(manifest),
        changelog_path: changelog_with_entry(changelog, manifest, changes(previous, manifest)),
        root / "VERSION": release + "\n",
    }
    return PreparedRelease(manifest=manifest, files=files)
