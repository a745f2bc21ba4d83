"""Release manifests of the library (``releases/<version>.yml``): read, build, publish.

A release pins what a piece is built from: the version of every fragment (by content hash)
and every canevas, the outline that says which fragments a piece holds and in what order (a
byte copy in ``releases/<version>/canevas/<piece>.yml``, its SHA-256 in the manifest). A
dossier pinned to a release is built from both, whatever changed since.

Building a release is pure: :func:`prepare_release` returns the files to write (manifest,
canevas copies, CHANGELOG, VERSION) as text; the API writes them atomically once everything
is checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
from clausegen.library.loader import load_canevas
from clausegen.models._base import SEMVER_PATTERN
from clausegen.models.fragment import Canevas
from clausegen.models.release import CanevasEntry, ReleaseEntry, ReleaseManifest
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


def canevas_dir(manifest_path: Path, release: str) -> Path:
    """Where a release's canevas copies lie: ``releases/<version>/canevas/`` beside its manifest."""
    return manifest_path.parent / release / "canevas"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canevas_problems(library: Library) -> list[tuple[str, str]]:
    """(canevas, problem) for each recorded canevas of every release whose copy is missing or
    was edited since the release."""
    problems = []
    for release, path in sorted(manifest_paths(library).items(), key=lambda item: Version(item[0])):
        for piece, entry in load_manifest(path).canevas.items():
            copy = canevas_dir(path, release) / f"{piece}.yml"
            if not copy.is_file():
                problems.append((f"canevas {piece}", f"canevas publié en {release} introuvable "
                                 f"({copy})"))
            elif _sha256(copy.read_bytes().decode("utf-8")) != entry.sha256:
                problems.append((f"canevas {piece}", f"copie publiée en {release} modifiée après "
                                 f"la publication ({copy}) : une publication ne se modifie pas"))
    return problems


def _pinned_canevas(path: Path, manifest: ReleaseManifest) -> dict[str, Canevas]:
    found: dict[str, Canevas] = {}
    for piece, entry in manifest.canevas.items():
        copy = canevas_dir(path, manifest.version) / f"{piece}.yml"
        if not copy.is_file():
            state = "introuvable"
        elif _sha256(copy.read_bytes().decode("utf-8")) != entry.sha256:
            state = "modifié depuis la publication (empreinte différente)"
        else:
            found[piece] = load_canevas(copy)
            continue
        raise ReleaseError(release=manifest.version, reason=(
            f"canevas « {piece} » {state} ({copy}) : la pièce ne peut pas être reproduite."))
    return found


def pin(library: Library, release: str) -> Library:
    """The library resolved exactly as the given release recorded it: its fragment versions
    and its canevas (a release published before canevas were recorded keeps the installed
    ones)."""
    path = manifest_paths(library).get(release)
    manifest = find_manifest(library, release) if path is None else load_manifest(path)
    entries = {i: (e.version, e.sha256, e.couche) for i, e in manifest.fragments.items()}
    canevas = _pinned_canevas(path, manifest) if path is not None and manifest.canevas else None
    return library.pinned(release, entries, canevas)


def canevas_files(library: Library) -> dict[str, tuple[Path, str]]:
    """The file and layer of each piece's canevas in use (the highest layer defining it)."""
    found: dict[str, tuple[Path, str]] = {}
    for position, root in enumerate(library.roots):
        layer = "bibliotheque" if position == 0 else f"surcouche:{root.name}"
        for path in sorted((root / "canevas").glob("*.yml")):
            found[load_canevas(path).piece] = (path, layer)
    return found


def build_manifest(library: Library, release: str, on: dt.date) -> ReleaseManifest:
    """The newest ``valide`` version of every id (refused when an id has none), and every
    canevas in use."""
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
    canevas = {piece: CanevasEntry(sha256=_sha256(path.read_bytes().decode("utf-8")), couche=layer)
               for piece, (path, layer) in sorted(canevas_files(library).items())}
    return ReleaseManifest(version=release, date=on, fragments=entries, canevas=canevas)


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
    if previous is not None and previous.canevas:  # the plan of a piece is part of a release
        old_plans = previous.canevas
        lines += [f"- Canevas {'ajouté' if piece not in old_plans else 'modifié'} : `{piece}`"
                  for piece, entry in current.canevas.items()
                  if piece not in old_plans or old_plans[piece].sha256 != entry.sha256]
        lines += [f"- Canevas retiré : `{piece}`" for piece in old_plans if piece not in current.canevas]
    return lines or ["- Aucun changement de rédaction."]


_GENERATED_LINE = re.compile(r"^- (Ajouté|Modifié|Retiré|Canevas (ajouté|modifié|retiré)) : `"
                             r"|^- Aucun changement de rédaction\.$")


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
    manifest_path = root / RELEASES_DIR / f"{release}.yml"
    files = {
        manifest_path: manifest_yaml(manifest),
        **{canevas_dir(manifest_path, release) / f"{piece}.yml": path.read_bytes().decode("utf-8")
           for piece, (path, _) in canevas_files(library).items()},
        changelog_path: changelog_with_entry(changelog, manifest, changes(previous, manifest)),
        root / "VERSION": release + "\n",
    }
    return PreparedRelease(manifest=manifest, files=files)
