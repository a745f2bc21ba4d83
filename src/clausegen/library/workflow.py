"""The review workflow of a fragment version: brouillon → en_revue → valide → retire.

Changes are made on the file's text, front matter only, so the body (the wording) and the
comments of the header are never rewritten. Functions here are pure: they return the new
text; the API writes it.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from packaging.version import Version

from clausegen.errors import WorkflowError
from clausegen.library.index import Library
from clausegen.library.loader import parse_fragment, split_front_matter
from clausegen.models._base import SEMVER_PATTERN
from clausegen.models.fragment import Fragment, Statut

TRANSITIONS: dict[Statut, frozenset[Statut]] = {
    Statut.brouillon: frozenset({Statut.en_revue, Statut.retire}),
    Statut.en_revue: frozenset({Statut.valide, Statut.brouillon}),
    Statut.valide: frozenset({Statut.retire}),
    Statut.retire: frozenset(),
}
"""Allowed status changes (en_revue → brouillon sends a version back to drafting)."""

_STATUT_LINE = re.compile(r"^statut:.*\n?", re.M)
_REVUE_BLOCK = re.compile(r"^revue:.*(?:\n[ \t]+.*)*\n?", re.M)
_VERSION_LINE = re.compile(r"^version:.*\n?", re.M)
_REMPLACE_LINE = re.compile(r"^remplace:.*\n?", re.M)


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: quotes, backslashes and line breaks escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def check_version_number(version: str, *, ref: str) -> Version:
    """A version number as the library writes them (``MAJEUR.MINEUR.CORRECTIF``), or a
    French error (never a ``packaging`` traceback, never a path: ``../..``)."""
    if len(version) > 40 or not re.fullmatch(SEMVER_PATTERN, version):
        raise WorkflowError(ref=ref, reason=f"numéro de version « {version[:40]} » invalide : "
                            "format MAJEUR.MINEUR.CORRECTIF attendu, ex. « 1.2.0 ».")
    return Version(version)


MAX_VERSION_PART = 999
"""Largest major, minor or patch number of a fragment version."""
MAX_VERSION_STEP = 10
"""How far ahead of the latest version a new one may go in the part it raises: a version
cannot be deleted and every later one must be greater, so a typo such as ``11.0.0`` for
``1.1.0`` (or ``99999999999999999999.0.0``) would stay for good."""


def _check_step(latest: Version, new: Version, *, ref: str) -> None:
    """Refuse a version number too large, or too far from the latest one (French)."""
    parts = (new.major, new.minor, new.micro)
    if max(parts) > MAX_VERSION_PART:
        raise WorkflowError(ref=ref, reason=f"numéro de version trop grand : chaque partie vaut "
                            f"au plus {MAX_VERSION_PART}.")
    old = (latest.major, latest.minor, latest.micro)
    index = next(i for i in range(3) if parts[i] != old[i])
    if parts[index] - old[index] > MAX_VERSION_STEP or (index == 0 and parts[index] - old[index] > 1):
        suggestions = f"{old[0]}.{old[1]}.{old[2] + 1}, {old[0]}.{old[1] + 1}.0 ou {old[0] + 1}.0.0"
        raise WorkflowError(ref=ref, reason=f"version trop éloignée de la dernière ({latest}) : "
                            f"attendu par exemple {suggestions}.")


def _with_head(fragment: Fragment, text: str, edit: dict[str, str | None]) -> str:
    """Replace (value) or remove (None) top-level keys of the front matter."""
    head, body, _ = split_front_matter(text, fragment.path)
    patterns = {"statut": _STATUT_LINE, "revue": _REVUE_BLOCK, "version": _VERSION_LINE,
                "remplace": _REMPLACE_LINE}
    for key, value in edit.items():
        found = patterns[key].search(head)
        if value is None:
            head = patterns[key].sub("", head)
        elif found:
            head = head[: found.start()] + value + "\n" + head[found.end() :]
        else:
            head = head.rstrip("\n") + "\n" + value + "\n"
    return f"---\n{head.rstrip(chr(10))}\n---\n{body}"


def change_status(fragment: Fragment, text: str, target: Statut, *, par: str | None,
                  le: dt.date | None) -> str:
    """The file's new text after a status change (checked against :data:`TRANSITIONS`)."""
    current = fragment.meta.statut
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "aucune"
        raise WorkflowError(ref=fragment.ref, reason=f"passage de « {current.value} » à "
                            f"« {target.value} » impossible (transitions permises : {allowed}).")
    edit: dict[str, str | None] = {"statut": f"statut: {target.value}"}
    if par is not None and (not par.strip() or any(c in par for c in "\n\r\t\x00")):
        raise WorkflowError(ref=fragment.ref, reason="le nom du relecteur (--par) doit tenir sur "
                            "une ligne, sans caractère de contrôle.")
    if target is Statut.valide:
        if not par or le is None:
            raise WorkflowError(ref=fragment.ref, reason="la validation exige le relecteur et la "
                                "date de revue (--par NOM --le AAAA-MM-JJ).")
        edit["revue"] = f"revue:\n  par: {_quoted(par)}\n  le: {le.isoformat()}"
    new_text = _with_head(fragment, text, edit)
    parse_fragment(new_text, fragment.path, layer=fragment.layer)
    return new_text


def new_version(library: Library, fragment_id: str, version: str) -> tuple[Path, str]:
    """Path and text of a new ``brouillon`` version copied from the latest one."""
    latest = library.versions(fragment_id)[-1]
    nouvelle = check_version_number(version, ref=f"{fragment_id}@{version[:40]}")
    if nouvelle <= Version(latest.meta.version):
        raise WorkflowError(ref=f"{fragment_id}@{version}", reason="la nouvelle version doit être "
                            f"supérieure à la dernière ({latest.meta.version}).")
    _check_step(Version(latest.meta.version), nouvelle, ref=f"{fragment_id}@{version}")
    text = latest.path.read_text(encoding="utf-8")
    new_text = _with_head(latest, text, {
        "version": f"version: {version}", "statut": f"statut: {Statut.brouillon.value}",
        "revue": None, "remplace": f"remplace: {latest.meta.version}",
    })
    path = latest.path.parent / f"{version}.md"
    parse_fragment(new_text, path, layer=latest.layer)
    return path, new_text
