"""The web application: server-rendered pages over :mod:`clausegen.api` (see docs/web.md)."""

from clausegen.web.app import create_app
from clausegen.web.config import WebConfig

__all__ = ["WebConfig", "create_app"]
