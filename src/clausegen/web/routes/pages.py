"""Public pages, open without an account: the accessibility statement and the favicon."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory
from werkzeug.wrappers import Response

from clausegen.web.config import WebConfig

bp = Blueprint("pages", __name__)

AXE_VERSION = "4.14"
"""The axe-core release the browser tests run on every page (tests/web/navigateur/axe.min.js);
the statement names it. ``tests/web/test_accessibilite.py`` checks that the two agree."""


def _contact() -> dict[str, str] | None:
    """The operator's contact for accessibility (``clausegen serveur --contact-accessibilite``):
    its text and, for an address or a web page, its link; None when none was given."""
    config: WebConfig = current_app.extensions["clausegen.config"]
    contact = (config.contact_accessibilite or "").strip()
    if not contact:
        return None
    if contact.startswith(("https://", "http://")):
        return {"texte": contact, "lien": contact}
    if "@" in contact and " " not in contact:
        return {"texte": contact, "lien": "mailto:" + contact}
    return {"texte": contact, "lien": ""}


@bp.get("/accessibilite")
def accessibilite() -> str:
    """The accessibility statement (RGAA 4.1 model), linked from every page's footer."""
    return render_template("pages/accessibilite.html", contact=_contact(), axe=AXE_VERSION)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The icon browsers ask for at the root (pages also link the SVG one)."""
    return send_from_directory(current_app.static_folder or "", "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=86400)
