"""Abandoning a rendering nobody waits for: the web's view of the sandbox's cancellation
(:func:`clausegen.templating.cancellation`, docs/bac-a-sable.md)."""

from __future__ import annotations

from clausegen.templating import RenderCancelled, cancellation

__all__ = ["RenderCancelled", "cancellation"]
