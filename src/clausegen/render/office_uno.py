"""Convert documents in one LibreOffice process through its UNO bridge, tables of contents updated.

Run by the *system* Python, the one with LibreOffice's ``uno`` module (``python3-uno``), not
by clausegen's environment; it imports nothing from clausegen::

    /usr/bin/python3 office_uno.py PROFILE_URL FILTER FILTER_DATA_JSON EXTENSION FILE...

``soffice --convert-to`` keeps a table of contents as it was cached, without page numbers;
here each document's indexes are updated before export, so the PDF's table of contents has
its page numbers. With the pseudo filter ``sommaire``, nothing is exported: the updated indexes'
text is written instead (page numbers for the Word document's cached table of contents).
Fields are left as they are (their cached results are right). Each result is written beside
its source with ``EXTENSION``; the exit code is non-zero on any failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

STARTUP_SECONDS = 60
PAGES = "sommaire"
"""Pseudo filter: write each document's updated indexes as a JSON list of texts (``EXTENSION``
beside the source), for :mod:`clausegen.render.pagination`."""


def _property(name: str, value: object) -> object:
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(pipe: str) -> object:
    import uno  # type: ignore[import-not-found]

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:  # noqa: BLE001 - LibreOffice still starting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def convert(profile: str, filter_name: str, filter_data: dict[str, object], extension: str,
            files: list[Path]) -> None:
    """Open each file hidden, update its indexes, export it with the filter, close it."""
    import uno

    pipe = f"clausegen{os.getpid()}"
    office = subprocess.Popen(["soffice", f"-env:UserInstallation={profile}", "--headless", "--invisible",
                               "--norestore", f"--accept=pipe,name={pipe};urp;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        remote = _connect(pipe)
        desktop = remote.ServiceManager.createInstanceWithContext(  # type: ignore[attr-defined]
            "com.sun.star.frame.Desktop", remote)
        data = uno.Any("[]com.sun.star.beans.PropertyValue",
                       tuple(_property(k, v) for k, v in filter_data.items()))
        for source in files:
            document = desktop.loadComponentFromURL(source.resolve().as_uri(), "_blank", 0,
                                                    (_property("Hidden", True),))
            try:
                indexes = document.getDocumentIndexes()
                for index in range(indexes.getCount()):
                    indexes.getByIndex(index).update()
                if filter_name == PAGES:  # the updated indexes' text, page numbers included
                    texts = [indexes.getByIndex(i).getAnchor().getString() for i in range(indexes.getCount())]
                    source.with_suffix(f".{extension}").write_text(json.dumps(texts), encoding="utf-8")
                    continue
                target = source.with_suffix(f".{extension}").resolve().as_uri()
                arguments = [_property("FilterName", filter_name)]
                if filter_data:
                    arguments.append(_property("FilterData", data))
                uno.invoke(document, "storeToURL", (target, tuple(arguments)))
            finally:
                document.close(True)
        with contextlib.suppress(Exception):  # the bridge closes as LibreOffice quits
            desktop.terminate()
    finally:
        try:
            office.wait(STARTUP_SECONDS)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    convert(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4],
            [Path(p) for p in sys.argv[5:]])
