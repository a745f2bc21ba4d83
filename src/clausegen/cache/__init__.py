"""The caches clausegen keeps between runs, all in one place.

Three caches, each coarse and keyed by the content it was computed from:

- the library snapshot (:data:`clausegen.library.loader._SNAPSHOTS`): a whole library as
  loaded, as JSON (:mod:`clausegen.library.snapshot`), under the SHA-256 of every file it read;
- the compiled templates (:class:`clausegen.templating.CodeCache`): the Python code Jinja
  generates for a fragment, a condition or a skeleton's field part, and its bytecode
  (``marshal``, as Jinja's own ``BytecodeCache`` stores it), under the source's SHA-256;
- the prepared skeletons (:data:`clausegen.render.writers.fast.PREPARED`): a Word skeleton's style
  ids and deflated unchanging parts, and its parts numbered from a given article, under the
  skeleton's SHA-256 (``marshal``).

None is pickled. Where they live: :func:`~clausegen.cache.location.cache_directory`. What a tampered entry can
do: docs/architecture.md (« Caches »). Keeping them in bounds: :mod:`.maintenance`.
"""
