"""Convert documents in one LibreOffice process through its UNO bridge, tables of contents updated.

Run by the *system* Python, the one with LibreOffice's ``uno`` module (``python3-uno``), not
by clausegen's environment; it imports nothing from clausegen. Two ways::

    /usr/bin/python3 office_uno.py PROFILE_URL FILTER FILTER_DATA_JSON EXTENSION FILE...
    /usr/bin/python3 office_uno.py --serve PROFILE_URL

The first converts the files and quits LibreOffice (one command). The second keeps
LibreOffice running for :mod:`clausegen.render.converters.converter`: it prints one JSON line
``{"ready": true, "office": PID}`` once connected, then reads one JSON request per line on
its standard input (``{"source": PATH, "filter": NAME, "data": {...}, "extension": EXT}``)
and answers one JSON line each (``{"ok": true}`` or ``{"error": TEXT, "fatal": BOOL}``).
It quits LibreOffice and exits when its standard input closes (its owner stopped or died)
or when LibreOffice died (``fatal``). LibreOffice listens only on a named pipe private to
this user (a Unix socket created under umask 077), never on a network port.

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
from typing import Any

STARTUP_SECONDS = 60
PAGES = "sommaire"
"""Pseudo filter: write each document's updated indexes as JSON (``EXTENSION`` beside the
source), ``{"logiciel": "LibreOffice 7.4.7.2", "index": [TEXT, ...]}``, for
:mod:`clausegen.render.converters.pagination`."""
_CONTEXT: list[Any] = []
"""LibreOffice's component context once connected (its product name and version)."""


def _property(name: str, value: object) -> object:
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def _connect(pipe: str, office: subprocess.Popen[bytes]) -> Any:
    import uno  # type: ignore[import-not-found]

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:  # noqa: BLE001 - LibreOffice still starting
            if time.monotonic() > deadline or office.poll() is not None:
                raise
            time.sleep(0.1)


def _start(profile: str) -> tuple[subprocess.Popen[bytes], Any]:
    """LibreOffice on a private pipe, and its desktop once connected."""
    pipe = f"clausegen{os.getpid()}"
    os.umask(0o077)  # the pipe (and every file LibreOffice writes) is this user's only
    office = subprocess.Popen(["soffice", f"-env:UserInstallation={profile}", "--headless", "--invisible",
                               "--norestore", "--nologo", "--nodefault", f"--accept=pipe,name={pipe};urp;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    remote = _connect(pipe, office)
    _CONTEXT[:] = [remote]
    return office, remote.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", remote)


def _office_pid(office: subprocess.Popen[bytes]) -> int:
    """The process that does the work: ``soffice`` starts ``soffice.bin`` (Linux), else itself."""
    try:
        children = [c for task in Path(f"/proc/{office.pid}/task").iterdir()
                    for c in (task / "children").read_text().split()]
        for child in children:
            if Path(f"/proc/{child}/comm").read_text().strip() == "soffice.bin":
                return int(child)
    except OSError:
        pass
    return office.pid


def _product() -> str:
    """« LibreOffice 7.4.7.2 »: the name and full version of the connected LibreOffice."""
    remote = _CONTEXT[0]
    provider = remote.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", remote)
    product = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationAccess",
        (_property("nodepath", "/org.openoffice.Setup/Product"),))
    return f"{product.getByName('ooName')} {product.getByName('ooSetupVersionAboutBox')}"


def _stop(office: subprocess.Popen[bytes], desktop: Any) -> None:
    with contextlib.suppress(Exception):  # the bridge closes as LibreOffice quits
        desktop.terminate()
    try:
        office.wait(STARTUP_SECONDS)
    except subprocess.TimeoutExpired:
        office.kill()


def export(desktop: Any, source: Path, filter_name: str, filter_data: dict[str, object],
           extension: str) -> None:
    """Open ``source`` hidden, update its indexes, export it with the filter beside it, close it."""
    import uno

    document = desktop.loadComponentFromURL(source.resolve().as_uri(), "_blank", 0,
                                            (_property("Hidden", True),))
    if document is None:
        raise RuntimeError(f"LibreOffice n'a pas pu ouvrir {source.name}")
    try:
        indexes = document.getDocumentIndexes()
        for index in range(indexes.getCount()):
            indexes.getByIndex(index).update()
        if filter_name == PAGES:  # the updated indexes' text, page numbers included
            texts = [indexes.getByIndex(i).getAnchor().getString() for i in range(indexes.getCount())]
            source.with_suffix(f".{extension}").write_text(
                json.dumps({"logiciel": _product(), "index": texts}), encoding="utf-8")
            return
        target = source.with_suffix(f".{extension}").resolve().as_uri()
        arguments = [_property("FilterName", filter_name)]
        if filter_data:
            arguments.append(_property("FilterData", uno.Any(
                "[]com.sun.star.beans.PropertyValue",
                tuple(_property(k, v) for k, v in filter_data.items()))))
        uno.invoke(document, "storeToURL", (target, tuple(arguments)))
    finally:
        document.close(True)


def convert(profile: str, filter_name: str, filter_data: dict[str, object], extension: str,
            files: list[Path]) -> None:
    """Convert each file with the filter in one LibreOffice, then quit it."""
    office, desktop = _start(profile)
    try:
        for source in files:
            export(desktop, source, filter_name, filter_data, extension)
    finally:
        _stop(office, desktop)


def _answer(reply: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


def serve(profile: str) -> int:
    """Keep LibreOffice running and convert what the standard input asks, one line each."""
    office, desktop = _start(profile)
    try:
        _answer({"ready": True, "office": _office_pid(office)})
        for line in sys.stdin:
            request = json.loads(line)
            try:
                export(desktop, Path(request["source"]), request["filter"], request["data"],
                       request["extension"])
            except Exception as exc:  # noqa: BLE001 - reported to the owner, who decides
                fatal = office.poll() is not None or "Disposed" in type(exc).__name__ \
                    or "bridge" in str(exc).lower()
                _answer({"error": str(exc) or type(exc).__name__, "fatal": fatal})
                if fatal:
                    return 3
            else:
                _answer({"ok": True})
        return 0
    finally:
        _stop(office, desktop)


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        sys.exit(serve(sys.argv[2]))
    convert(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4],
            [Path(p) for p in sys.argv[5:]])
