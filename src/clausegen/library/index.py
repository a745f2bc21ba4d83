"""In-memory index of a loaded library: look-up by id, version resolution, canevas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import Version

from clausegen.errors import FragmentNotFoundError, FragmentStatusError, PieceNotFoundError
from clausegen.models.fragment import Canevas, CcagTable, Fragment, Statut


@dataclass
class Library:
    """Every fragment version and canevas of one or more library roots."""

    release: str
    roots: tuple[Path, ...] = ()
    _fragments: dict[str, dict[str, Fragment]] = field(default_factory=dict)
    _canevas: dict[str, Canevas] = field(default_factory=dict)
    ccag: CcagTable = field(default_factory=CcagTable)

    def add_ccag(self, table: CcagTable) -> None:
        """Add CCAG article numbers (an overlay's entries replace the bundled ones)."""
        self.ccag = CcagTable(articles={**self.ccag.articles, **table.articles})

    def add_fragment(self, fragment: Fragment) -> None:
        """Add (or, for an overlay, replace) one fragment version."""
        self._fragments.setdefault(fragment.meta.id, {})[fragment.meta.version] = fragment

    def add_canevas(self, canevas: Canevas) -> None:
        """Add (or replace) the canevas of a piece."""
        self._canevas[canevas.piece] = canevas

    @property
    def ids(self) -> list[str]:
        """Every fragment id, sorted."""
        return sorted(self._fragments)

    @property
    def pieces(self) -> list[str]:
        """Every piece that has a canevas, sorted."""
        return sorted(self._canevas)

    def versions(self, fragment_id: str) -> list[Fragment]:
        """All versions of a fragment, oldest first."""
        try:
            by_version = self._fragments[fragment_id]
        except KeyError:
            raise FragmentNotFoundError(fragment_id=fragment_id) from None
        return [by_version[v] for v in sorted(by_version, key=Version)]

    def get(self, fragment_id: str, version: str) -> Fragment:
        """One exact version."""
        try:
            return self._fragments[fragment_id][version]
        except KeyError:
            raise FragmentNotFoundError(fragment_id=fragment_id, version=version) from None

    def resolve(self, fragment_id: str, *, allow_drafts: bool = False) -> Fragment:
        """The version a build uses: the newest ``valide`` one, or the newest non-retired
        one when drafts are allowed."""
        versions = self.versions(fragment_id)
        allowed = {Statut.valide} | ({Statut.brouillon, Statut.en_revue} if allow_drafts else set())
        for fragment in reversed(versions):
            if fragment.meta.statut in allowed:
                return fragment
        raise FragmentStatusError(
            fragment_id=fragment_id, statuses=sorted({f.meta.statut.value for f in versions})
        )

    def canevas(self, piece: str) -> Canevas:
        """The outline of a piece."""
        try:
            return self._canevas[piece]
        except KeyError:
            raise PieceNotFoundError(piece=piece, available=self.pieces) from None

    def __iter__(self) -> Iterator[Fragment]:
        """Iterate over every fragment version, by id then version."""
        for fragment_id in self.ids:
            yield from self.versions(fragment_id)
