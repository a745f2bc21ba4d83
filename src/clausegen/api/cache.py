"""The caches clausegen keeps between runs: what they take, and emptying them.

The caches are an optimisation only (compiled clauses, validated dossiers, prepared Word
skeletons…; see :mod:`clausegen.signed_cache`): emptying them loses nothing, the next run
computes again what it needs.
"""

from __future__ import annotations

from clausegen.cache_maintenance import CacheState, cache_state, clear_cache

__all__ = ["CacheState", "etat_du_cache", "vider_le_cache"]


def etat_du_cache() -> CacheState:
    """Where the caches are and how much they hold."""
    return cache_state()


def vider_le_cache() -> int:
    """Remove every cache entry; the number of files removed."""
    return clear_cache()
