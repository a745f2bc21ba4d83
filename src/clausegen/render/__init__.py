"""Documents in and out: the only package that imports python-docx and docxtpl.

By role (docs/architecture.md, « Le paquet render ») :

- :mod:`~clausegen.render.writers`: blocks into documents (.docx, .xlsx, HTML preview);
- :mod:`~clausegen.render.revisions`: documents with Word tracked changes (comparison of
  versions, three-way update of a buyer's document);
- :mod:`~clausegen.render.readers`: a .docx read back (text dump, provenance, clauses to import);
- :mod:`~clausegen.render.converters`: PDF and ODT through LibreOffice.

``writers`` imports no other subpackage; ``revisions`` and ``converters`` import ``writers``;
``readers`` imports ``writers`` and ``revisions`` (checked by ``tests/test_layers.py``).
"""
