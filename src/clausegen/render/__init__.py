"""Word output. The only package that imports python-docx and docxtpl."""
