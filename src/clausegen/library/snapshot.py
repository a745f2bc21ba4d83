"""A loaded library as plain JSON data, and back without validating it again.

The snapshot cache (:func:`clausegen.library.loader.load_library`) keeps a library that loaded
without error as JSON: each fragment version in the order it was added, each canevas, the
merged CCAG table. Reading it back builds the models with ``model_construct`` (no Pydantic
validator is built: validating a library's front matters and canevas is what the snapshot
spares), so only data that passed validation when the snapshot was written is read back; a
cache entry is used only when its signature holds (:class:`clausegen.cache.store.SignedCache`).
"""

from __future__ import annotations

import json
import types
import typing
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from clausegen.library.index import Library
from clausegen.models.fragment import Canevas, CcagTable, Fragment, FragmentMeta


def to_json(library: Library) -> str:
    """The library as JSON text (only what :func:`from_json` needs to build it again)."""
    data = {
        "release": library.release,
        "roots": [str(root) for root in library.roots],
        "fragments": [{"meta": _dumped(f.meta), "body": f.body, "path": str(f.path),
                       "sha256": f.sha256, "body_line": f.body_line, "layer": f.layer}
                      for f in library._layered.values()],
        "canevas": [_dumped(canevas) for canevas in library._canevas.values()],
        "ccag": _dumped(library.ccag),
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def from_json(text: str) -> Library:
    """The library :func:`to_json` wrote; ValueError (or KeyError, TypeError) when the text
    is not such a library."""
    data = json.loads(text)
    library = Library(release=str(data["release"]), roots=tuple(Path(r) for r in data["roots"]))
    for item in data["fragments"]:
        library.add_fragment(Fragment(
            meta=_built(FragmentMeta, item["meta"]), body=str(item["body"]), path=Path(item["path"]),
            sha256=str(item["sha256"]), body_line=int(item["body_line"]), layer=str(item["layer"])))
    for item in data["canevas"]:
        library.add_canevas(_built(Canevas, item))
    library.ccag = _built(CcagTable, data["ccag"])
    return library


def _dumped(model: BaseModel) -> dict[str, Any]:
    """Every field of the model, defaults included, and the names of those set: given every
    field, ``model_construct`` computes no default (for each missing field, Pydantic inspects
    the signature of its default factory, which dominated reading a snapshot back)."""
    return {"champs": {name: _plain(getattr(model, name)) for name in type(model).model_fields},
            "definis": sorted(model.model_fields_set)}


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _dumped(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"valeur sans écriture JSON : {type(value).__name__}")


_M = typing.TypeVar("_M", bound=BaseModel)
_PLAIN = (str, int, bool, float)


def _built(model: type[_M], data: dict[str, Any]) -> _M:
    if not isinstance(data, dict):
        raise ValueError(f"instantané illisible pour {model.__name__}")
    values, fields_set = data["champs"], set(data["definis"])
    if not isinstance(values, dict) or set(values) != set(model.model_fields) \
            or not fields_set <= set(values):
        raise ValueError(f"instantané illisible pour {model.__name__}")
    fields = {name: _value(model.model_fields[name].annotation, value) for name, value in values.items()}
    return model.model_construct(_fields_set=fields_set, **fields)


def _value(annotation: Any, value: Any) -> Any:
    """``value`` (JSON data) as the type ``annotation`` names."""
    if annotation in _PLAIN and isinstance(value, annotation):  # most fields: checked first
        return value
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _value(typing.get_args(annotation)[0], value)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        if value is None:
            return None
        if len(options) != 1:
            raise ValueError(f"type non pris en charge : {annotation}")
        return _value(options[0], value)
    if origin is list:
        return [_value(typing.get_args(annotation)[0], item) for item in value]
    if origin is dict:
        return {key: _value(typing.get_args(annotation)[1], item) for key, item in value.items()}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _built(annotation, value)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation(value)
    if annotation is date:
        return date.fromisoformat(value)
    raise ValueError(f"type non pris en charge : {annotation}")
