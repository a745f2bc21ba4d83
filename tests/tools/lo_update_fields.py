"""Open a document in LibreOffice, update its fields and indexes, save it as text (UTF-8).

Run with the system Python that has LibreOffice's ``uno`` module (``python3-uno``), not the
project's virtual environment::

    /usr/bin/python3 tests/tools/lo_update_fields.py DOCUMENT.docx SORTIE.txt [accepter|refuser]

This is what a buyer does after inserting an article: « Outils › Actualiser › Tout actualiser ».
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def _property(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def main(source: Path, target: Path, action: str = "") -> None:
    with tempfile.TemporaryDirectory(prefix="clausegen-uno-") as work:
        pipe = f"clausegen{os.getpid()}"
        office = subprocess.Popen(
            ["soffice", f"-env:UserInstallation={Path(work, 'profil').as_uri()}", "--headless",
             "--norestore", "--invisible", f"--accept=pipe,name={pipe};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            local = uno.getComponentContext()
            resolver = local.ServiceManager.createInstanceWithContext(
                "com.sun.star.bridge.UnoUrlResolver", local)
            for _ in range(300):
                try:
                    remote = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                    break
                except Exception:  # noqa: BLE001 - LibreOffice still starting
                    time.sleep(0.1)
            desktop = remote.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", remote)
            document = desktop.loadComponentFromURL(source.resolve().as_uri(), "_blank", 0,
                                                    (_property("Hidden", True),))
            if action:  # « accepter » or « refuser » every tracked change first
                dispatcher = remote.ServiceManager.createInstanceWithContext(
                    "com.sun.star.frame.DispatchHelper", remote)
                command = ".uno:AcceptAllTrackedChanges" if action == "accepter" \
                    else ".uno:RejectAllTrackedChanges"
                dispatcher.executeDispatch(document.getCurrentController().getFrame(), command, "", 0, ())
            document.getTextFields().refresh()
            indexes = document.getDocumentIndexes()
            for index in range(indexes.getCount()):
                indexes.getByIndex(index).update()
            document.getTextFields().refresh()
            document.storeToURL(target.resolve().as_uri(), (_property("FilterName", "Text (encoded)"),
                                                          _property("FilterOptions", "UTF8")))
            document.close(True)
            with contextlib.suppress(Exception):  # the bridge closes as LibreOffice quits
                desktop.terminate()
        finally:
            try:
                office.wait(60)
            except subprocess.TimeoutExpired:
                office.kill()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), *sys.argv[3:4])
