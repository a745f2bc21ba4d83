"""In-memory index of a loaded library: look-up by id, version resolution, canevas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from clausegen.errors import (
    FragmentNotFoundError,
    FragmentStatusError,
    OverrideNotValidatedError,
    PieceNotFoundError,
    PinnedVersionError,
    UnreviewedVersionError,
)
from clausegen.models._base import version_key
from clausegen.models.fragment import Canevas, CcagTable, Fragment, Revue, Statut


@dataclass
class Library:
    """Every fragment version and canevas of one or more library roots."""

    release: str
    roots: tuple[Path, ...] = ()
    _fragments: dict[str, dict[str, Fragment]] = field(default_factory=dict)
    _canevas: dict[str, Canevas] = field(default_factory=dict)
    ccag: CcagTable = field(default_factory=CcagTable.model_construct)
    """The CCAG table; empty at first (built without validation: an empty table has nothing to
    validate, and a library read back from its snapshot then builds no validator)."""
    _top_layer: dict[str, str] = field(default_factory=dict)
    _overridden: set[str] = field(default_factory=set)
    _layered: dict[tuple[str, str, str], Fragment] = field(default_factory=dict)
    pins: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    """Pinned release: fragment id → (version, content hash, layer); empty when not pinned."""
    _resolved: dict[tuple[str, bool], Fragment] = field(default_factory=dict, init=False,
                                                         repr=False, compare=False)
    """What :meth:`resolve` found, by id and ``allow_drafts`` (forgotten when a version is added)."""

    def add_ccag(self, table: CcagTable) -> None:
        """Add CCAG article numbers (an overlay's entries replace the bundled ones)."""
        self.ccag = CcagTable(articles={**self.ccag.articles, **table.articles})

    def add_fragment(self, fragment: Fragment) -> None:
        """Add (or, for an overlay, replace) one fragment version.

        Roots are added lowest layer first: the last layer that defines an id becomes the
        one resolution looks at (an overlay replaces the bundled wording of that id).
        """
        fragment_id = fragment.meta.id
        self._resolved.clear()
        if self._top_layer.get(fragment_id, fragment.layer) != fragment.layer:
            self._overridden.add(fragment_id)
        self._fragments.setdefault(fragment_id, {})[fragment.meta.version] = fragment
        self._top_layer[fragment_id] = fragment.layer
        self._layered[(fragment_id, fragment.meta.version, fragment.layer)] = fragment

    def layer_of(self, fragment_id: str) -> str:
        """The layer whose versions of this id are used by generation."""
        self.versions(fragment_id)
        return self._top_layer[fragment_id]

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
            raise FragmentNotFoundError(fragment_id=fragment_id,
                                        suggestion=self._closest(fragment_id)) from None
        return [by_version[v] for v in sorted(by_version, key=version_key)]

    def _closest(self, fragment_id: str) -> str:
        import difflib

        close = difflib.get_close_matches(fragment_id, list(self._fragments), n=1)
        return close[0] if close else ""

    def get(self, fragment_id: str, version: str) -> Fragment:
        """One exact version."""
        try:
            return self._fragments[fragment_id][version]
        except KeyError:
            raise FragmentNotFoundError(fragment_id=fragment_id, version=version) from None

    def get_in_layer(self, fragment_id: str, version: str, layer: str) -> Fragment:
        """One exact version as a given layer provides it (even if a higher layer replaced it)."""
        try:
            return self._layered[(fragment_id, version, layer)]
        except KeyError:
            raise FragmentNotFoundError(fragment_id=fragment_id, version=version) from None

    def pinned(self, release: str, entries: dict[str, tuple[str, str, str]],
               canevas: dict[str, Canevas] | None = None) -> Library:
        """A view of this library that resolves every id to the version a release recorded,
        and every piece to the canevas it recorded (``None``: the installed canevas)."""
        if canevas is None:
            return replace(self, release=release, pins=dict(entries))
        return replace(self, release=release, pins=dict(entries), _canevas=dict(canevas))

    def trying(self, fragment: Fragment) -> Library:
        """A copy in which ``fragment`` is the only version of its id, in force (as if
        validated): what a test render of a draft uses. This library is left unchanged."""
        fragment_id = fragment.meta.id
        meta = fragment.meta.model_copy(update={
            "statut": Statut.valide,
            "revue": fragment.meta.revue or Revue(par="essai", le=dt.date(2000, 1, 1))})
        candidate = replace(fragment, meta=meta)
        return replace(self, _fragments={**self._fragments, fragment_id: {meta.version: candidate}},
                       _top_layer={**self._top_layer, fragment_id: candidate.layer},
                       _overridden=self._overridden - {fragment_id},
                       _layered={**self._layered, (fragment_id, meta.version, candidate.layer): candidate},
                       pins={})

    def _resolve_pinned(self, fragment_id: str) -> Fragment:
        if fragment_id not in self.pins:
            raise PinnedVersionError(release=self.release, ref=fragment_id,
                                     reason="absent de cette publication")
        version, digest, layer = self.pins[fragment_id]
        fragment = self.get_in_layer(fragment_id, version, layer)
        if fragment.sha256 != digest:
            raise PinnedVersionError(release=self.release, ref=fragment.ref,
                                     reason="modifié depuis la publication (empreinte différente)")
        return fragment

    def resolve(self, fragment_id: str, *, allow_drafts: bool = False) -> Fragment:
        """The version a build uses: the pinned one when a release is pinned; otherwise the
        newest ``valide`` version of the top layer defining the id, or its newest
        non-retired one when drafts are allowed."""
        if self.pins:
            return self._resolve_pinned(fragment_id)
        found = self._resolved.get((fragment_id, allow_drafts))
        if found is None:
            found = self._resolved[(fragment_id, allow_drafts)] = self._resolve(fragment_id, allow_drafts)
        return found

    def _resolve(self, fragment_id: str, allow_drafts: bool) -> Fragment:
        layer = self.layer_of(fragment_id)
        versions = [f for f in self.versions(fragment_id) if f.layer == layer]
        allowed = {Statut.valide} | ({Statut.brouillon, Statut.en_revue} if allow_drafts else set())
        for fragment in reversed(versions):
            if fragment.meta.statut in allowed:
                if fragment.meta.statut is Statut.valide and fragment.meta.revue is None and not allow_drafts:
                    raise UnreviewedVersionError(ref=fragment.ref, path=fragment.path)
                return fragment
        statuses = sorted({f.meta.statut.value for f in versions})
        in_force = self._successor_in_progress(fragment_id, layer, versions)
        if in_force is not None:
            return in_force
        if fragment_id in self._overridden:
            raise OverrideNotValidatedError(fragment_id=fragment_id, layer=layer, statuses=statuses)
        raise FragmentStatusError(fragment_id=fragment_id, statuses=statuses)

    def _successor_in_progress(self, fragment_id: str, layer: str,
                               versions: list[Fragment]) -> Fragment | None:
        """The lower layers' newest ``valide`` version, when the top layer only holds new
        versions still in drafting (``brouillon`` / ``en_revue``) that each replace an earlier
        version (``remplace:``, as ``bibliotheque nouvelle-version`` writes them): the
        version in force stays in force until its successor is validated."""
        drafting = {Statut.brouillon, Statut.en_revue}
        if not versions or not all(f.meta.statut in drafting and f.meta.remplace for f in versions):
            return None
        lower = [f for (i, _, where), f in self._layered.items()
                 if i == fragment_id and where != layer and f.meta.statut is Statut.valide
                 and f.meta.revue is not None]
        return max(lower, key=lambda f: version_key(f.meta.version), default=None)

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
