"""The caches clausegen keeps between runs: what they take, and emptying them.

The caches are an optimisation only (library snapshot, compiled templates, prepared Word
skeletons; see :mod:`clausegen.cache`): emptying them loses nothing, the next run computes
again what it needs.
"""

from __future__ import annotations

from clausegen.cache.maintenance import CacheState, cache_state, clear_cache

__all__ = ["CacheState", "clear_caches", "read_cache_state"]


def read_cache_state() -> CacheState:
    """Where the caches are and how much they hold."""
    return cache_state()


def clear_caches() -> int:
    """Remove every cache entry; the number of files removed."""
    return clear_cache()
