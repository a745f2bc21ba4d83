"""``python -m clausegen``."""

from clausegen.cli import main

main()
