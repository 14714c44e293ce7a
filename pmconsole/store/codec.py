"""Turning domain dataclasses into table rows and back, driven by their type hints."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar

import pendulum
from pendulum import Date, DateTime

from pmconsole.domain.text import clean_text

T = TypeVar("T")


def dump_time(value: DateTime | None) -> str | None:
    """UTC ISO 8601 text, the only form times take in the database."""
    return None if value is None else value.in_timezone("UTC").isoformat()


def load_time(value: str | None) -> DateTime | None:
    """Stored text back to a UTC DateTime.

    The store writes every time with ``isoformat()`` in UTC, which the standard library
    reads ten times faster than pendulum's parser; anything else (an offset, a file edited
    by hand) takes the general path.
    """
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is not None and moment.tzinfo is not None and moment.utcoffset() == timedelta(0):
        return pendulum.DateTime(moment.year, moment.month, moment.day, moment.hour,
                                 moment.minute, moment.second, moment.microsecond,
                                 tzinfo=pendulum.UTC)
    parsed = pendulum.parse(value)
    assert isinstance(parsed, DateTime)
    return parsed.in_timezone("UTC")


def _base(hint: Any) -> Any:
    """``X | None`` -> ``X``."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return args[0]
    return hint


@cache
def _hints(cls: type) -> dict[str, Any]:
    return {name: _base(hint) for name, hint in typing.get_type_hints(cls).items()}


def to_row(obj: Any) -> dict[str, Any]:
    """A dataclass as a dict of SQLite values (the id is left out when unsaved)."""
    hints = _hints(type(obj))
    row: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        hint = hints[f.name]
        if f.name == "id" and value is None:
            continue
        if value is None:
            row[f.name] = None
        elif hint is DateTime:
            row[f.name] = dump_time(value)
        elif hint is Date:
            row[f.name] = value.isoformat()
        elif isinstance(hint, type) and issubclass(hint, StrEnum):
            row[f.name] = value.value
        elif hint is bool:
            row[f.name] = int(value)
        elif typing.get_origin(hint) is tuple:
            row[f.name] = json.dumps(list(value), ensure_ascii=False)
        else:
            row[f.name] = value
    return row


def _load_tuple(value: str) -> tuple[Any, ...]:
    return tuple(clean_text(v) if isinstance(v, str) else v for v in json.loads(value))


def _load_plain(value: Any) -> Any:
    # Another program (sqlite-utils, Datasette, a script) may have written control
    # characters: nothing read from the file reaches a screen or an export with them.
    return clean_text(value) if isinstance(value, str) else value


def _enum_loader(cls: type[StrEnum]) -> Callable[[Any], Any]:
    """``cls(value)``, with the usual values looked up directly (calling an enum is slow)."""
    members = cls._value2member_map_

    def load(value: Any) -> Any:
        member = members.get(value)
        return member if member is not None else cls(value)

    return load


@cache
def _loaders(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Per field of ``cls``: its name and how a non-NULL column value becomes its value.

    Worked out once per class: a 10,000-event session is read twice as fast as when the
    type hints are examined for every field of every row.
    """
    hints = _hints(cls)
    loaders: list[tuple[str, Callable[[Any], Any]]] = []
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        loader: Callable[[Any], Any]
        if hint is DateTime:
            loader = load_time
        elif hint is Date:
            loader = pendulum.Date.fromisoformat
        elif isinstance(hint, type) and issubclass(hint, StrEnum):
            loader = _enum_loader(hint)
        elif hint is bool:
            loader = bool
        elif typing.get_origin(hint) is tuple:
            loader = _load_tuple
        else:
            loader = _load_plain
        loaders.append((f.name, loader))
    return tuple(loaders)


def from_row(cls: type[T], row: dict[str, Any]) -> T:
    """Build a ``cls`` from a row, converting text back into times, dates and enums."""
    kwargs: dict[str, Any] = {}
    for name, loader in _loaders(cls):
        if name in row:
            value = row[name]
            kwargs[name] = None if value is None else loader(value)
    return cls(**kwargs)
