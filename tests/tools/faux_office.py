"""A stand-in for ``office_uno.py --serve`` (same protocol, no LibreOffice), for tests.

    python faux_office.py CONTROL_DIR PROFILE_URL

Answers ready at once; for each request, touches ``CONTROL_DIR/recu``, then sleeps 60 s if
``CONTROL_DIR/lent`` exists, and writes a small PDF beside the source.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

control = Path(sys.argv[1])
print(json.dumps({"ready": True, "office": os.getpid()}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    (control / "recu").touch()
    if (control / "lent").exists():
        time.sleep(60)
    source = Path(request["source"])
    source.with_suffix(f".{request['extension']}").write_bytes(b"%PDF-1.7 faux " + source.name.encode())
    print(json.dumps({"ok": True}), flush=True)
