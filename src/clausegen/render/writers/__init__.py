"""Blocks into documents: the Word writer (``word`` over ``fast``), its named styles, numbering
and packaging (zip, provenance, body digest), the skeleton checks, the .xlsx workbook and the
HTML preview. Imports no other subpackage of :mod:`clausegen.render`."""
