"""Test helper: LibreOffice driven through its UNO bridge (system Python with ``python3-uno``)."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

SYSTEM_PYTHON = Path("/usr/bin/python3")
UPDATE_FIELDS = Path(__file__).parent / "tools" / "lo_update_fields.py"


@lru_cache(maxsize=1)
def uno_available() -> bool:
    """LibreOffice and the system Python's ``uno`` module are both there."""
    return bool(shutil.which("soffice") and SYSTEM_PYTHON.exists() and subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import uno"], capture_output=True, check=False).returncode == 0)


def office_text(document: Path, target: Path, action: str = "") -> str:
    """The document's text as LibreOffice shows it after updating fields (and, with ``action``
    « accepter » or « refuser », after accepting or rejecting every tracked change)."""
    subprocess.run([str(SYSTEM_PYTHON), str(UPDATE_FIELDS), str(document), str(target),
                    *([action] if action else [])], check=True, timeout=300)
    return target.read_text(encoding="utf-8-sig")
