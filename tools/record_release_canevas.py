"""Record, once, the canevas of the releases published before releases recorded them.

For each ``clause_library/releases/<version>.yml`` without a ``canevas`` section, the commit
that last wrote the manifest (its publication, or its re-publication) is found with
``git log``; each ``clause_library/canevas/*.yml`` of that commit is copied byte for byte to
``clause_library/releases/<version>/canevas/<piece>.yml`` and its SHA-256 added to the
manifest. Run from the repository root: ``.venv/bin/python tools/record_release_canevas.py``.
Prints, per release, the publishing commit and each canevas digest.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import yaml

from clausegen.library.releases import canevas_dir, load_manifest, manifest_yaml
from clausegen.models.release import CanevasEntry

LIBRARY = Path("clause_library")


def _git(*args: str) -> bytes:
    return subprocess.run(["git", *args], check=True, capture_output=True).stdout


def record(manifest_path: Path) -> None:
    manifest = load_manifest(manifest_path)
    if manifest.canevas:
        print(f"{manifest.version} : canevas déjà enregistrés")
        return
    commit = _git("log", "-1", "--format=%H", "--", str(manifest_path)).decode().strip()
    listing = _git("ls-tree", "--name-only", commit, f"{LIBRARY}/canevas/").decode().split()
    entries = {}
    for name in sorted(n for n in listing if n.endswith(".yml")):
        data = _git("show", f"{commit}:{name}")
        piece = yaml.safe_load(data.decode("utf-8"))["piece"]
        target = canevas_dir(manifest_path, manifest.version) / f"{piece}.yml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        entries[piece] = CanevasEntry(sha256=hashlib.sha256(data).hexdigest())
        print(f"{manifest.version} ({commit[:7]}) {piece} {entries[piece].sha256}")
    recorded = manifest.model_copy(update={"canevas": entries})
    manifest_path.write_text(manifest_yaml(recorded), encoding="utf-8")


def main() -> int:
    for path in sorted((LIBRARY / "releases").glob("*.yml")):
        record(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
