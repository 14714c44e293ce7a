"""The JSON exchange format for one session: ``pmconsole-session``, version 1.

A file holds everything in a session (its fields, agenda, timeline, findings, action
items, the scripted responses shown and the blame flags) and no database ids, so a
session exported from one database and imported into another is the same session, and
exporting it again gives a byte-identical file.

Layout (UTF-8, two-space indentation, keys in the order below, a final newline)::

    {
      "format": "pmconsole-session",
      "version": 1,
      "session": {
        "title": "Checkout outage", "service": "checkout", "severity": "SEV2",
        "status": "ended", "facilitator": "Ana", "scribe": "Bo",
        "attendees": ["Ana", "Bo"], "timezone": "Europe/Berlin",
        "scheduled": "2026-11-20T13:00:00+00:00", "started": ..., "ended": ...,
        "impact_started": ..., "detected": ..., "acknowledged": ..., "mitigated": ...,
        "resolved": ..., "slo_target": 99.9, "slo_window_days": 30,
        "follow_up_date": "2026-12-04", "summary": "...", "impact": "...",
        "created": "2026-11-20T09:00:00+00:00"
      },
      "agenda": [{"title", "planned_minutes", "started", "ended", "extra_minutes",
                  "paused_at", "paused_seconds", "notes"}, ...],
      "timeline": [{"at", "kind", "text", "link", "starred"}, ...],
      "findings": [{"kind", "category", "text"}, ...],
      "actions": [{"text", "owner", "due", "type", "priority", "status", "link"}, ...],
      "script_uses": [{"script_id", "title", "shown_at"}, ...],
      "flags": [{"entity": "timeline", "index": 3, "start", "end", "phrase", "category",
                 "explanation", "suggestion", "card_id", "status", "raised_at",
                 "resolved_at"}, ...]
    }

Rules:

- Every key shown is present; a value not known is ``null``. Unknown keys are refused,
  so a typo never passes silently; a later format that adds keys gets a new version.
- Times are ISO 8601 text with a UTC offset, written in UTC
  (``2026-11-20T13:32:05+00:00``); dates are ``YYYY-MM-DD``. A time without an offset is
  refused rather than guessed.
- Enumerations use the words the app shows: ``severity`` SEV1..SEV5; ``status``
  planned/live/ended/reviewed; timeline ``kind`` trigger, detection, escalation,
  diagnosis, mitigation, resolution, communication, other; finding ``kind``
  "contributing factor", "root cause", "went well", "went wrong", "got lucky",
  "open question" and ``category`` process, tooling, monitoring, testing, review,
  communication, other; action ``type`` prevent/mitigate/detect/process/other,
  ``priority`` P1..P3, ``status`` open, "in progress", done, "won't do"; flag
  ``category`` attribution, hindsight, character, "non-fix action", "who/why question"
  and ``status`` open/accepted/dismissed.
- Lists are in display order: the agenda, findings and action items as arranged in the
  meeting, the timeline and the scripted responses by time. Positions are not stored;
  the order of the list is the order.
- A flag names the text it was raised on by ``entity`` (session, agenda, timeline,
  finding, action or script) and ``index``, the 0-based position in that list (``null``
  for the session itself). A flag whose entry is not in the file is left out.
- ``follows_up`` (the id of an earlier session) is **not exported**: an id means nothing
  in another database. Action items a follow-up session shows from the session it
  follows up belong to that session and are not exported with this one.
- On import every text goes through ``clean_text`` (control characters removed, line
  breaks normalised), exactly as typed text does.

Import refuses a file that is not JSON, not this format or version, too large
(``MAX_CHARS``), too deeply nested, or has a missing, unknown or mistyped field; the
error (``ImportFailed``) names the field, e.g. ``timeline[3].at: time has no UTC offset``
(list positions 0-based). Nothing is imported from a refused file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

import pendulum
from pendulum import Date, DateTime

from pmconsole.domain.model import (
    ActionItem,
    ActionStatus,
    ActionType,
    AgendaItem,
    BlameFlag,
    EntityKind,
    EventKind,
    Finding,
    FindingCategory,
    FindingKind,
    FlagCategory,
    FlagStatus,
    Priority,
    ScriptUse,
    Session,
    SessionRecord,
    SessionStatus,
    Severity,
    TimelineEvent,
)
from pmconsole.domain.text import clean_text
from pmconsole.domain.times import valid_timezone

FORMAT = "pmconsole-session"
VERSION = 1
# Far above any real session (10,000 timeline events take about 2 MB) and small enough to
# hold in memory without trouble.
MAX_CHARS = 64 * 1024 * 1024
# Counts, minutes and offsets in text: anything larger is a broken file (and would not fit
# an SQLite integer).
MAX_INT = 2**31 - 1


class ImportFailed(ValueError):
    """A file that cannot be imported; ``str(error)`` names the field and the problem."""


# -- field kinds: how one value is written and read ----------------------------------------


class Kind(NamedTuple):
    """How one kind of value is written, and read back (``load`` raises ``ValueError``
    with the problem in words; the caller adds the field path)."""

    dump: Callable[[Any], Any]
    load: Callable[[Any], Any]


def _expect(value: Any, cls: type | tuple[type, ...], noun: str) -> None:
    if not isinstance(value, cls) or isinstance(value, bool) and cls is not bool:
        raise ValueError(f"expected {noun}, got {_json_type(value)}")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "true/false", int: "a number", float: "a number", str: "text",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _load_text(value: Any) -> str:
    _expect(value, str, "text")
    return clean_text(value)


def _load_texts(value: Any) -> tuple[str, ...]:
    _expect(value, list, "a list of text")
    for number, item in enumerate(value):
        if not isinstance(item, str):
            raise ValueError(f"item {number}: expected text, got {_json_type(item)}")
    return tuple(clean_text(item) for item in value)


def _dump_time(value: DateTime) -> str:
    return str(pendulum.instance(value).in_timezone("UTC").isoformat())


def _load_time(value: Any) -> DateTime:
    _expect(value, str, "a time as text")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{_short(value)} is not an ISO 8601 time (write it like 2026-11-20T13:32:05+00:00)"
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("time has no UTC offset (write it like 2026-11-20T13:32:05+00:00)")
    try:
        utc = parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{_short(value)} is out of range") from None
    return pendulum.instance(utc).in_timezone("UTC")


def _load_date(value: Any) -> Date:
    _expect(value, str, "a date as text")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{_short(value)} is not a date (write it like 2026-12-04)") from None
    return pendulum.Date(parsed.year, parsed.month, parsed.day)


def _int_kind(low: int, high: int = MAX_INT) -> Kind:
    def load(value: Any) -> int:
        _expect(value, int, "a whole number")
        if not low <= value <= high:
            raise ValueError(f"{value} is out of range ({low} to {high})")
        return int(value)

    return Kind(int, load)


def _float_kind(low: float, high: float) -> Kind:
    def load(value: Any) -> float:
        _expect(value, (int, float), "a number")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise ValueError("the number is too large")
        if not low <= number <= high:
            raise ValueError(f"{value} is out of range ({low:.15g} to {high:.15g})")
        return number

    return Kind(float, load)


def _load_bool(value: Any) -> bool:
    _expect(value, bool, "true or false")
    return bool(value)


def _load_zone(value: Any) -> str:
    _expect(value, str, "a timezone name")
    if not valid_timezone(value):
        raise ValueError(f"unknown timezone {_short(value)} (use an IANA name such as "
                         "Europe/Berlin or UTC)")
    return str(value)


def _enum_kind(cls: type[StrEnum]) -> Kind:
    values = [member.value for member in cls]

    def load(value: Any) -> StrEnum:
        _expect(value, str, "text")
        if value not in values:
            raise ValueError(f"unknown value {_short(value)} (expected one of "
                             f"{', '.join(values)})")
        return cls(value)

    return Kind(lambda member: member.value, load)


def _key(key: str) -> str:
    """A key from the file as it may appear in a message: one line, not too long."""
    key = " ".join(clean_text(key).split())
    return key if len(key) <= 40 else key[:39] + "…"


def _short(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:39] + "…")


TEXT = Kind(str, _load_text)
TEXTS = Kind(list, _load_texts)
TIME = Kind(_dump_time, _load_time)
DATE = Kind(lambda d: d.isoformat(), _load_date)
BOOL = Kind(bool, _load_bool)
ZONE = Kind(str, _load_zone)
COUNT = _int_kind(0)


class Field(NamedTuple):
    name: str
    kind: Kind
    nullable: bool = False


SESSION_FIELDS = (
    Field("title", TEXT),
    Field("service", TEXT),
    Field("severity", _enum_kind(Severity)),
    Field("status", _enum_kind(SessionStatus)),
    Field("facilitator", TEXT),
    Field("scribe", TEXT),
    Field("attendees", TEXTS),
    Field("timezone", ZONE),
    Field("scheduled", TIME, True),
    Field("started", TIME, True),
    Field("ended", TIME, True),
    Field("impact_started", TIME, True),
    Field("detected", TIME, True),
    Field("acknowledged", TIME, True),
    Field("mitigated", TIME, True),
    Field("resolved", TIME, True),
    Field("slo_target", _float_kind(0.0, 100.0), True),
    Field("slo_window_days", _int_kind(1), True),
    Field("follow_up_date", DATE, True),
    Field("summary", TEXT),
    Field("impact", TEXT),
    Field("created", TIME),
)

AGENDA_FIELDS = (
    Field("title", TEXT),
    Field("planned_minutes", COUNT),
    Field("started", TIME, True),
    Field("ended", TIME, True),
    Field("extra_minutes", COUNT),
    Field("paused_at", TIME, True),
    Field("paused_seconds", _float_kind(0.0, 1e12)),
    Field("notes", TEXT),
)

TIMELINE_FIELDS = (
    Field("at", TIME),
    Field("kind", _enum_kind(EventKind)),
    Field("text", TEXT),
    Field("link", TEXT),
    Field("starred", BOOL),
)

FINDING_FIELDS = (
    Field("kind", _enum_kind(FindingKind)),
    Field("category", _enum_kind(FindingCategory)),
    Field("text", TEXT),
)

ACTION_FIELDS = (
    Field("text", TEXT),
    Field("owner", TEXT),
    Field("due", DATE, True),
    Field("type", _enum_kind(ActionType)),
    Field("priority", _enum_kind(Priority)),
    Field("status", _enum_kind(ActionStatus)),
    Field("link", TEXT),
)

SCRIPT_FIELDS = (
    Field("script_id", TEXT),
    Field("title", TEXT),
    Field("shown_at", TIME),
)

# "entity" and "index" come first and are handled apart: they replace the database ids.
FLAG_FIELDS = (
    Field("start", COUNT),
    Field("end", COUNT),
    Field("phrase", TEXT),
    Field("category", _enum_kind(FlagCategory)),
    Field("explanation", TEXT),
    Field("suggestion", TEXT),
    Field("card_id", TEXT),
    Field("status", _enum_kind(FlagStatus)),
    Field("raised_at", TIME, True),
    Field("resolved_at", TIME, True),
)

# The lists in the file, the entity kind their entries are for flags, and their fields.
LISTS: tuple[tuple[str, EntityKind, type, tuple[Field, ...]], ...] = (
    ("agenda", EntityKind.AGENDA, AgendaItem, AGENDA_FIELDS),
    ("timeline", EntityKind.TIMELINE, TimelineEvent, TIMELINE_FIELDS),
    ("findings", EntityKind.FINDING, Finding, FINDING_FIELDS),
    ("actions", EntityKind.ACTION, ActionItem, ACTION_FIELDS),
    ("script_uses", EntityKind.SCRIPT, ScriptUse, SCRIPT_FIELDS),
)
TOP_LEVEL = ("format", "version", "session", *(name for name, *_ in LISTS), "flags")


# -- export ------------------------------------------------------------------------------------


def _dump_fields(obj: Any, fields: Sequence[Field]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in fields:
        value = getattr(obj, field.name)
        out[field.name] = None if value is None else field.kind.dump(value)
    return out


def _exported_lists(record: SessionRecord) -> dict[str, list[Any]]:
    """The entries written, in the order written."""
    own_id = record.session.id
    return {
        "agenda": list(record.agenda),
        "timeline": sorted(record.timeline, key=lambda e: e.at),
        "findings": list(record.findings),
        "actions": [a for a in record.actions if own_id is None or a.session_id == own_id],
        "script_uses": sorted(record.script_uses, key=lambda u: u.shown_at),
    }


def to_document(record: SessionRecord) -> dict[str, Any]:
    """The session as the JSON-ready dict described above."""
    lists = _exported_lists(record)
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "session": _dump_fields(record.session, SESSION_FIELDS),
    }
    positions: dict[tuple[EntityKind, int], int] = {}
    for name, entity, _cls, fields in LISTS:
        document[name] = [_dump_fields(entry, fields) for entry in lists[name]]
        for position, entry in enumerate(lists[name]):
            if entry.id is not None:
                positions[(entity, entry.id)] = position
    flags = []
    for flag in record.flags:
        index: int | None = None
        if flag.entity is not EntityKind.SESSION:
            index = positions.get((flag.entity, flag.entity_id))
            if index is None:
                continue  # Its entry is not in the file (deleted, or another session's).
        flags.append({"entity": flag.entity.value, "index": index,
                      **_dump_fields(flag, FLAG_FIELDS)})
    document["flags"] = flags
    return document


def dump_session(record: SessionRecord) -> str:
    """The session as ``pmconsole-session`` JSON text, ending with a newline."""
    return json.dumps(to_document(record), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


# -- import ------------------------------------------------------------------------------------


def load_session(text: str) -> SessionRecord:
    """Read a ``pmconsole-session`` file; raises ``ImportFailed`` naming the bad field.

    The record has no session id and no ``follows_up``; its entries carry synthetic ids
    (1, 2, ... within each list, ``session_id`` 0) and flags point at those ids, which is
    what ``Store.import_record`` expects to insert it all as a new session.
    """
    if len(text) > MAX_CHARS:
        raise ImportFailed(
            f"the file is too large ({len(text):,} characters; the limit is {MAX_CHARS:,})")
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates,
                              parse_constant=_no_constants)
    except RecursionError:
        raise ImportFailed("not a pmconsole session: the JSON is nested too deeply") from None
    except json.JSONDecodeError as error:
        raise ImportFailed(f"not valid JSON: {error.msg} (line {error.lineno}, column "
                           f"{error.colno})") from None
    except ValueError as error:
        raise ImportFailed(f"not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise ImportFailed(f"not a pmconsole session: expected an object, got "
                           f"{_json_type(document)}")
    _check_header(document)
    unknown = [key for key in document if key not in TOP_LEVEL]
    if unknown:
        raise ImportFailed(f"{_key(unknown[0])}: unknown field")

    session_values = _load_fields(_member(document, "session", dict, ""), SESSION_FIELDS,
                                  "session")
    session = Session(**session_values)

    entries: dict[str, list[Any]] = {}
    for name, _entity, cls, fields in LISTS:
        items = _member(document, name, list, "")
        entries[name] = [
            cls(session_id=0, id=index + 1,
                **_load_fields(_at(items, index, name), fields, f"{name}[{index}]"))
            for index in range(len(items))
        ]

    flags = []
    raw_flags = _member(document, "flags", list, "")
    for index in range(len(raw_flags)):
        path = f"flags[{index}]"
        raw = dict(_at(raw_flags, index, "flags"))
        entity, entity_id = _flag_target(raw, path, entries)
        values = _load_fields(raw, FLAG_FIELDS, path)
        if values["start"] > values["end"]:
            raise ImportFailed(f"{path}.end: {values['end']} is before start {values['start']}")
        flags.append(BlameFlag(session_id=0, id=index + 1, entity=entity, entity_id=entity_id,
                               **values))

    return SessionRecord(
        session=session,
        agenda=tuple(entries["agenda"]),
        timeline=tuple(entries["timeline"]),
        findings=tuple(entries["findings"]),
        actions=tuple(entries["actions"]),
        script_uses=tuple(entries["script_uses"]),
        flags=tuple(flags),
    )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {_short(key)} appears twice in one object")
        result[key] = value
    return result


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _check_header(document: dict[str, Any]) -> None:
    if document.get("format") != FORMAT:
        found = document.get("format")
        what = _short(found) if isinstance(found, str) else _json_type(found)
        raise ImportFailed(f"format: expected {FORMAT!r}, got {what} (not a pmconsole "
                           "session file)")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ImportFailed(f"version: expected a whole number, got {_json_type(version)}")
    if version > VERSION:
        raise ImportFailed(f"version: the file is version {version}, this pmconsole reads "
                           f"version {VERSION}; upgrade pmconsole to import it")
    if version != VERSION:
        raise ImportFailed(f"version: unsupported version {version} (expected {VERSION})")


def _member(obj: dict[str, Any], key: str, cls: type, path: str) -> Any:
    where = f"{path}.{key}" if path else key
    if key not in obj:
        raise ImportFailed(f"{where}: missing")
    value = obj[key]
    if not isinstance(value, cls):
        noun = "an object" if cls is dict else "a list"
        raise ImportFailed(f"{where}: expected {noun}, got {_json_type(value)}")
    return value


def _at(items: list[Any], index: int, name: str) -> dict[str, Any]:
    value = items[index]
    if not isinstance(value, dict):
        raise ImportFailed(f"{name}[{index}]: expected an object, got {_json_type(value)}")
    return value


def _load_fields(raw: dict[str, Any], fields: Sequence[Field], path: str) -> dict[str, Any]:
    known = {field.name for field in fields}
    for key in raw:
        if key not in known:
            raise ImportFailed(f"{path}.{_key(key)}: unknown field")
    values: dict[str, Any] = {}
    for field in fields:
        if field.name not in raw:
            raise ImportFailed(f"{path}.{field.name}: missing")
        value = raw[field.name]
        if value is None:
            if not field.nullable:
                raise ImportFailed(f"{path}.{field.name}: must not be null")
            values[field.name] = None
            continue
        try:
            values[field.name] = field.kind.load(value)
        except ValueError as error:
            raise ImportFailed(f"{path}.{field.name}: {error}") from None
    return values


def _flag_target(
    raw: dict[str, Any], path: str, entries: dict[str, list[Any]]
) -> tuple[EntityKind, int]:
    """The flag's entity and the synthetic id of its entry; pops both keys from ``raw``."""
    for key in ("entity", "index"):
        if key not in raw:
            raise ImportFailed(f"{path}.{key}: missing")
    entity_value, index = raw.pop("entity"), raw.pop("index")
    try:
        entity = _enum_kind(EntityKind).load(entity_value)
    except ValueError as error:
        raise ImportFailed(f"{path}.entity: {error}") from None
    if entity is EntityKind.SESSION:
        if index is not None:
            raise ImportFailed(f"{path}.index: must be null for the session itself")
        return EntityKind.SESSION, 0
    if not isinstance(index, int) or isinstance(index, bool):
        raise ImportFailed(f"{path}.index: expected a whole number, got {_json_type(index)}")
    name = next(name for name, kind, *_ in LISTS if kind is entity)
    if not 0 <= index < len(entries[name]):
        raise ImportFailed(f"{path}.index: there is no {name}[{index}] "
                           f"(the file has {len(entries[name])})")
    return EntityKind(entity), index + 1
