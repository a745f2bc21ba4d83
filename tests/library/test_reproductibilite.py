"""Byte-identical regeneration across installs: the lock file and a pinned release.

A document's bytes depend on the library release (pinned in the dossier) and on the exact
versions of a few dependencies (Babel's CLDR data sets spaces in dates and amounts, docxtpl
and python-docx write the XML): ``requirements.lock`` records them, CI installs them, and a
pinned release must regenerate the recorded bytes with them.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from tests.conftest import NETTOYAGE, ROOT

LOCK = ROOT / "requirements.lock"
PINNED = "1.2.1"
"""The release the recorded CCAP is pinned to (regenerate the digest on purpose with a new one)."""
RECORDED = ROOT / "tests" / "golden" / f"ccap-epingle-{PINNED}.sha256"
RECORDED_TEXT = ROOT / "tests" / "golden" / f"ccap-epingle-{PINNED}.txt"
"""The pinned CCAP's text as the release built it (generated at the commit that last recorded
the digest, 95dbabd, before this session's legal branches changed ``canevas/ccap.yml``): the
release's own canevas must rebuild it, whatever the installed canevas says."""


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_normalised(name)] = version.strip()
    return pins


def test_lock_pins_every_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    names = {_normalised(re.split(r"[\[<>=!~ ]", spec, maxsplit=1)[0]) for spec in wanted}
    assert names - set(_locked()) == set()


def _pinned_ccap(tmp_path: Path) -> bytes:
    from clausegen.api import open_library, read_dossier, render_pieces

    data = yaml.safe_load(NETTOYAGE.read_text(encoding="utf-8"))
    data["bibliotheque"] = PINNED
    dossier = tmp_path / "epingle.yml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return render_pieces(read_dossier(dossier), open_library(), ("ccap",),
                         paginer=False).pieces[0].docx


def test_pinned_release_rebuilds_the_text_its_release_built(tmp_path: Path) -> None:
    from clausegen.render.readers.inspect import dump_text

    assert dump_text(_pinned_ccap(tmp_path)) == RECORDED_TEXT.read_text(encoding="utf-8")


def test_pinned_release_regenerates_the_recorded_bytes(tmp_path: Path) -> None:
    differing = {name: (version, metadata.version(name)) for name, version in _locked().items()
                 if _installed(name) not in (None, version)}
    if differing:
        pytest.skip(f"versions différentes de requirements.lock : {differing}")
    digest = hashlib.sha256(_pinned_ccap(tmp_path)).hexdigest()
    assert digest == RECORDED.read_text(encoding="utf-8").split()[0]


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
