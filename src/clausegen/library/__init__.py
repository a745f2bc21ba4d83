"""The clause library: fragment files, their versions and the canevas of each piece."""

from clausegen.library.index import Library
from clausegen.library.loader import load_library

__all__ = ["Library", "load_library"]
