"""The script library: response cards a facilitator reads aloud, filled from the session.

Built-in cards are package data (``pmconsole/data/scripts.toml``). A user file in the same
format adds cards or overrides built-in ones by id. Placeholders such as ``{service}`` are
filled from a ``SessionRecord``; one with no data shows as a visible gap (``[service?]``),
and anything else in braces is left exactly as typed, so a user's card can never crash
the console.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pendulum import Date

from pmconsole.domain.model import ActionStatus, FindingKind, SessionRecord
from pmconsole.domain.text import clean_text

GROUPS: tuple[str, ...] = (
    "opening",
    "objections",
    "probing",
    "redirects",
    "closing",
    "framing",
    "glossary",
)
"""Card groups in display order."""

GROUP_TITLES: dict[str, str] = {
    "opening": "Opening",
    "objections": "Objections",
    "probing": "Probing questions",
    "redirects": "Redirects",
    "closing": "Closing",
    "framing": "Framing and culture",
    "glossary": "Glossary",
}

BUILTIN = "built-in"
USER_FILE_NAME = "scripts.toml"
"""The user's file, looked up in the user config folder by the callers that know it."""
MAX_FILE_BYTES = 1024 * 1024
"""A scripts file larger than this is refused unread: real ones are a few kilobytes."""

BUILTIN_FILE = Path(__file__).resolve().parent.parent / "data" / "scripts.toml"

FIELDS: tuple[str, ...] = ("id", "group", "title", "when", "body", "tags")
REQUIRED: tuple[str, ...] = ("id", "group", "title", "body")
"""Fields a new card must have; an override of a built-in card may set any subset."""

PLACEHOLDERS: tuple[str, ...] = (
    "title",
    "service",
    "severity",
    "facilitator",
    "scribe",
    "attendees",
    "date",
    "time",
    "when",
    "duration",
    "agenda",
    "impact",
    "summary",
    "slo_target",
    "findings",
    "actions",
    "follow_up",
    "timeframe",
)
"""Every placeholder ``fill`` knows; other ``{words}`` are left as typed."""

_GAP_LABELS = {
    "follow_up": "follow-up date",
    "slo_target": "SLO target",
    "when": "date and time",
}

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CARD_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*card[ \t]*\]\]", re.MULTILINE)
_DECODE_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Card:
    """One scripted response: what to say, and when to say it."""

    id: str
    group: str
    title: str
    when: str
    body: str
    tags: tuple[str, ...]
    source: str
    """``"built-in"`` or the path of the user file the card came from."""


class ScriptFileError(ValueError):
    """A problem in a scripts file; ``str()`` names the file, the line and the problem."""

    def __init__(
        self, path: Path | str, problem: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = str(path)
        self.problem = problem
        self.line = line
        self.column = column
        where = self.path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {problem}")


# -- loading --------------------------------------------------------------------------------


def builtin_cards() -> list[Card]:
    """The cards shipped with pmconsole, in display order."""
    return list(_builtin_cards())


@lru_cache(maxsize=1)
def _builtin_cards() -> tuple[Card, ...]:
    cards, errors = _parse_file(BUILTIN_FILE, BUILTIN, base={})
    if errors:
        # Package data is ours: a broken built-in file is a bug, not a user problem.
        raise RuntimeError("; ".join(str(e) for e in errors))
    return tuple(_in_display_order(cards))


def load_cards(user_file: Path | None) -> tuple[list[Card], list[str]]:
    """Built-in cards plus the user's, in display order, and messages about the user file.

    A user card whose id matches a built-in one replaces the fields it sets. A missing
    user file is not an error. Problems never raise: each becomes one message naming the
    file, the line and what is wrong, and the built-in cards are always there.
    """
    builtins = _builtin_cards()
    if user_file is None:
        return list(builtins), []
    try:
        user_cards, errors = _parse_file(
            user_file, str(user_file), base={card.id: card for card in builtins}
        )
    except FileNotFoundError:
        return list(builtins), []
    merged: dict[str, Card] = {card.id: card for card in builtins}
    for card in user_cards:
        merged[card.id] = card
    return _in_display_order(merged.values()), [str(error) for error in errors]


def _in_display_order(cards: Iterable[Card]) -> list[Card]:
    rank = {group: index for index, group in enumerate(GROUPS)}
    return sorted(cards, key=lambda card: rank.get(card.group, len(GROUPS)))


def _parse_file(
    path: Path, source: str, *, base: dict[str, Card]
) -> tuple[list[Card], list[ScriptFileError]]:
    """Cards from one file; ``base`` holds the cards an entry with the same id overrides.

    Raises ``FileNotFoundError`` only; every other problem is returned.
    """
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        return [], [ScriptFileError(path, "is a folder, not a file")]
    except OSError as error:
        return [], [ScriptFileError(path, f"cannot be read ({error.strerror or error})")]
    if len(raw) > MAX_FILE_BYTES:
        return [], [ScriptFileError(
            path, f"is too large (over {MAX_FILE_BYTES // 1024} KiB); script cards are short")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return [], [
            ScriptFileError(path, f"is not UTF-8 text (byte 0x{raw[error.start]:02x})", line)
        ]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return [], [_decode_error(path, error, text)]
    except RecursionError:
        # tomllib parses nesting by recursion; no card nests more than a list of tags.
        return [], [ScriptFileError(path, "not valid TOML: nested too deeply")]

    errors: list[ScriptFileError] = []
    headers = [text.count("\n", 0, m.start()) + 1 for m in _CARD_HEADER.finditer(text)]
    lines = text.split("\n")
    for key in data:
        if key != "card":
            errors.append(
                ScriptFileError(
                    path,
                    f"unknown top-level key {key!r}: cards are written as [[card]] tables",
                    _key_line(lines, key, 0, len(lines)),
                )
            )
    entries = data.get("card", [])
    if not isinstance(entries, list):
        errors.append(
            ScriptFileError(
                path, "write each card as a [[card]] table (double brackets), not [card]"
            )
        )
        return [], errors

    cards: list[Card] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        header = headers[index] if len(headers) == len(entries) else None
        end = headers[index + 1] if header is not None and index + 1 < len(headers) else None

        def line_of(field: str, header: int | None = header, end: int | None = end) -> int | None:
            if header is None:
                return None
            found = _key_line(lines, field, header - 1, (end or len(lines) + 1) - 1)
            return found or header

        try:
            card = _card_from_entry(entry, index, source, base, line_of, path)
        except ScriptFileError as error:
            errors.append(error)
            continue
        if card.id in seen:
            errors.append(
                ScriptFileError(
                    path,
                    f"card {card.id!r} is defined twice (first as card #{seen[card.id] + 1});"
                    " the second one is ignored",
                    line_of("id"),
                )
            )
            continue
        seen[card.id] = index
        cards.append(card)
    return cards, errors


def _decode_error(path: Path, error: tomllib.TOMLDecodeError, text: str) -> ScriptFileError:
    message = str(error)
    line: int | None = getattr(error, "lineno", None)
    column: int | None = getattr(error, "colno", None)
    if hasattr(error, "msg"):
        message = str(error.msg)
    found = _DECODE_POSITION.search(message)
    if found:
        line, column = int(found.group(1)), int(found.group(2))
        message = message[: found.start()]
    elif message.endswith("(at end of document)"):
        message = message[: -len("(at end of document)")].rstrip() + " at the end of the file"
        line = text.rstrip("\n").count("\n") + 1
    return ScriptFileError(path, f"not valid TOML: {message}", line, column)


def _key_line(lines: Sequence[str], key: str, start: int, stop: int) -> int | None:
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\s*=")
    for number in range(max(start, 0), min(stop, len(lines))):
        if pattern.match(lines[number]):
            return number + 1
    return None


def _card_from_entry(
    entry: Any,
    index: int,
    source: str,
    base: dict[str, Card],
    line_of: Callable[[str], int | None],
    path: Path,
) -> Card:
    label = f"card #{index + 1}"
    if not isinstance(entry, dict):
        raise ScriptFileError(path, f"{label} is not a table", line_of("id"))
    card_id = entry.get("id")
    if card_id is None:
        raise ScriptFileError(path, f"{label}: missing field 'id'", line_of("id"))
    if not isinstance(card_id, str) or not _ID.match(card_id):
        raise ScriptFileError(
            path,
            f"{label}: field 'id' must be a word such as \"my-card\" "
            "(letters, digits, '-', '_' or '.')",
            line_of("id"),
        )
    label = f"card {card_id!r}"
    for key in entry:
        if key not in FIELDS:
            raise ScriptFileError(
                path,
                f"{label}: unknown field {key!r} (fields are: {', '.join(FIELDS)})",
                line_of(key),
            )
    values: dict[str, Any] = {}
    for key in ("group", "title", "when", "body"):
        if key in entry:
            value = entry[key]
            if not isinstance(value, str):
                raise ScriptFileError(
                    path,
                    f"{label}: field {key!r} must be a string, not {_toml_type(value)}",
                    line_of(key),
                )
            values[key] = clean_text(value).strip()
    if "tags" in entry:
        tags = entry["tags"]
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise ScriptFileError(
                path,
                f"{label}: field 'tags' must be a list of strings, such as [\"timeline\"]",
                line_of("tags"),
            )
        values["tags"] = tuple(tag.strip() for tag in tags if tag.strip())

    original = base.get(card_id)
    if original is None:
        for key in REQUIRED[1:]:
            if key not in values:
                raise ScriptFileError(path, f"{label}: missing field {key!r}", line_of("id"))
        card = Card(
            id=card_id,
            group=values["group"],
            title=values["title"],
            when=values.get("when", ""),
            body=values["body"],
            tags=values.get("tags", ()),
            source=source,
        )
    else:
        card = dataclasses.replace(original, **values, source=source)

    if card.group not in GROUPS:
        raise ScriptFileError(
            path,
            f"{label}: unknown group {card.group!r} (groups are: {', '.join(GROUPS)})",
            line_of("group"),
        )
    for key in ("title", "body"):
        if not getattr(card, key):
            raise ScriptFileError(path, f"{label}: field {key!r} is empty", line_of(key))
    return card


def _toml_type(value: object) -> str:
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        list: "a list",
        dict: "a table",
    }
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    if isinstance(value, datetime.date | datetime.time):
        return "a date or time"
    return type(value).__name__


# -- finding ----------------------------------------------------------------------------------


def find_card(cards: Iterable[Card], card_id: str) -> Card | None:
    """The card with this id, or ``None``."""
    for card in cards:
        if card.id == card_id:
            return card
    return None


def search_cards(cards: Iterable[Card], query: str) -> list[Card]:
    """Cards matching every word of ``query`` (case-insensitive) in title, when, tags or body.

    Order is kept (display order); an empty query matches everything.
    """
    words = query.casefold().split()
    if not words:
        return list(cards)
    found = []
    for card in cards:
        haystack = "\n".join(
            (card.id, card.group, card.title, card.when, " ".join(card.tags), card.body)
        ).casefold()
        if all(word in haystack for word in words):
            found.append(card)
    return found


def cards_in_group(cards: Iterable[Card], group: str) -> list[Card]:
    return [card for card in cards if card.group == group]


# -- filling -----------------------------------------------------------------------------------


def gap(name: str) -> str:
    """How a placeholder without data shows: visibly, so the facilitator can say it."""
    return f"[{_GAP_LABELS.get(name, name)}?]"


def fill(card: Card, record: SessionRecord | None) -> str:
    """The card's body with its placeholders filled from the session.

    Known placeholders without data become gaps such as ``[service?]``; unknown
    placeholders and stray braces are left as typed.
    """
    return fill_text(card.body, record)


def fill_text(text: str, record: SessionRecord | None) -> str:
    """``fill`` for any template text."""
    values = placeholder_values(record)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        return values.get(name) or gap(name)

    return _PLACEHOLDER.sub(replace, text)


def placeholder_values(record: SessionRecord | None) -> dict[str, str]:
    """Every placeholder that has data in this session (missing ones are absent)."""
    if record is None:
        return {}
    session = record.session
    values: dict[str, str] = {
        "title": _flat(session.title),
        "service": _flat(session.service),
        "severity": str(session.severity.value),
        "facilitator": _flat(session.facilitator),
        "scribe": _flat(session.scribe),
        "attendees": join_names(session.attendees),
        "impact": session.impact.strip(),
        "summary": session.summary.strip(),
    }
    if session.slo_target is not None:
        values["slo_target"] = f"{session.slo_target:g}%"
    zone = session.timezone or "UTC"
    if session.scheduled is not None:
        local = session.scheduled.in_timezone(zone)
        values["date"] = format_date(local.date())
        values["time"] = f"{local.format('HH:mm')} ({zone})"
        values["when"] = f"{format_date(local.date())} at {local.format('HH:mm')} ({zone})"
    minutes = sum(item.planned_minutes for item in record.agenda)
    if record.agenda:
        values["duration"] = format_minutes(minutes)
        values["agenda"] = "\n".join(agenda_lines(record))
    if record.findings:
        values["findings"] = "\n".join(
            f"- {_finding_label(finding.kind)}{_flat(finding.text)}" for finding in record.findings
        )
    if record.actions:
        values["actions"] = "\n".join(action_line(action) for action in record.actions)
    if session.follow_up_date is not None:
        values["follow_up"] = format_date(session.follow_up_date)
        reference = _meeting_date(record)
        if reference is not None:
            timeframe = format_timeframe(reference, session.follow_up_date)
            if timeframe:
                values["timeframe"] = timeframe
    return {key: value for key, value in values.items() if value}


def agenda_lines(record: SessionRecord) -> list[str]:
    """``- 10:05  Walk through the timeline (10 min)``: planned starts in the session's zone.

    Without a scheduled time each start is ``TBD``.
    """
    session = record.session
    start = session.scheduled.in_timezone(session.timezone or "UTC") if session.scheduled else None
    lines = []
    offset = 0
    for item in record.agenda:
        at = start.add(minutes=offset).format("HH:mm") if start is not None else "TBD"
        lines.append(f"- {at}  {_flat(item.title)} ({item.planned_minutes} min)")
        offset += item.planned_minutes
    return lines


def action_line(action: Any) -> str:
    """``- Add expiry alerts — owner: Priya (due Tuesday 1 December 2026)``."""
    owner = _flat(action.owner) or gap("owner")
    line = f"- {_flat(action.text)} — owner: {owner}"
    if action.due is not None:
        line += f" (due {format_date(action.due)})"
    if action.status is not ActionStatus.OPEN:
        line += f", {action.status.value}"
    return line


def _finding_label(kind: FindingKind) -> str:
    return f"{kind.value[:1].upper()}{kind.value[1:]}: "


def _meeting_date(record: SessionRecord) -> Date | None:
    session = record.session
    for moment in (session.scheduled, session.started):
        if moment is not None:
            return moment.in_timezone(session.timezone or "UTC").date()
    return None


def join_names(names: Sequence[str]) -> str:
    """``Ana, Ben and Chloé``."""
    cleaned = [_flat(name) for name in names if name.strip()]
    if len(cleaned) <= 1:
        return "".join(cleaned)
    return ", ".join(cleaned[:-1]) + " and " + cleaned[-1]


def format_date(day: Date) -> str:
    """``Tuesday 24 November 2026``, in English whatever the process locale."""
    return day.format("dddd D MMMM YYYY", locale="en")


def format_minutes(minutes: int) -> str:
    """``45 minutes``, ``1 hour``, ``1 hour 15 minutes``."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if rest or not hours:
        parts.append(f"{rest} minute" + ("s" if rest != 1 else ""))
    return " ".join(parts)


def format_timeframe(start: Date, end: Date) -> str:
    """``in 2 weeks``, ``in 10 days``, ``tomorrow``; empty when ``end`` is not after ``start``."""
    days = (end - start).days
    if days <= 0:
        return ""
    if days == 1:
        return "tomorrow"
    if days % 7 == 0:
        weeks = days // 7
        return "in a week" if weeks == 1 else f"in {weeks} weeks"
    return f"in {days} days"


def _flat(text: str) -> str:
    """One line: a multi-line entry read aloud in a list stays one item."""
    return " ".join(text.split())
