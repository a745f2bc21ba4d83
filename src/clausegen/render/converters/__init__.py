"""PDF and ODT through LibreOffice: one-shot conversions (``pdf``), a LibreOffice kept running
(``converter``), the UNO helper run by the system Python (``office_uno``), page numbers of the
table of contents (``pagination``)."""
