"""A .docx read back: text dump and provenance of a generated document (``inspect``), Word
clauses to import (``importation``), the checks on an untrusted file before it is opened
(``archive``)."""
