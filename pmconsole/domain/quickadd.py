"""One-line quick-add: what a scribe types to keep up with the room.

- Timeline: ``14:32 db primary failed over`` or ``-5m detection: pager fired``; the time
  comes first in any form ``times.parse_time`` accepts, an optional ``kind:`` follows.
- Finding: ``cf: replica lag alert missing`` (or ``rc:``, ``well:``, ``wrong:``,
  ``lucky:``, ``q:``, or the kind's full name such as ``root cause:``); with no prefix it
  is a contributing factor.
- Action item: ``Add alert on replica lag @storage-team due:+2w p1 type:detect``.
- Agenda item: ``Review dashboards 10m`` (the length at the end: ``10``, ``10m``, ``1h``,
  ``1h30m``; 1 to 480 minutes, default 5).

A token that is almost the syntax (``p5``, ``due:`` with no date, ``9999m``) is refused with
a message saying what is accepted, never kept as text or replaced by a default. Tokens that
are also ordinary words (``@``, ``p5``) count as syntax only after the text, where the syntax
puts them, so "rebuild the p5 cluster @ops" keeps its words. Timeline events and findings
have only a prefix; the rest of the line is prose and is never refused.
"""

from __future__ import annotations

import re
from typing import Any

from pendulum import Date, DateTime

from pmconsole.domain.model import (
    ActionItem,
    ActionType,
    AgendaItem,
    EventKind,
    Finding,
    FindingKind,
    Priority,
    Session,
    TimelineEvent,
)
from pmconsole.domain.text import clean_text
from pmconsole.domain.times import TimeParseError, parse_date, parse_time


class QuickAddError(ValueError):
    """``str(error)`` says what is wrong, for display next to the input."""


def _shown(typed: str) -> str:
    """What was typed, short enough to quote in a one-line message."""
    return typed if len(typed) <= 24 else typed[:20] + "…"


FINDING_PREFIXES: dict[str, FindingKind] = {
    "cf": FindingKind.CONTRIBUTING_FACTOR,
    "factor": FindingKind.CONTRIBUTING_FACTOR,
    "rc": FindingKind.ROOT_CAUSE,
    "root": FindingKind.ROOT_CAUSE,
    "well": FindingKind.WENT_WELL,
    "good": FindingKind.WENT_WELL,
    "wrong": FindingKind.WENT_WRONG,
    "bad": FindingKind.WENT_WRONG,
    "lucky": FindingKind.GOT_LUCKY,
    "q": FindingKind.OPEN_QUESTION,
    "question": FindingKind.OPEN_QUESTION,
    # The kinds' own names, as the minutes and the edit dialog show them: "root cause".
    **{kind.value: kind for kind in FindingKind},
}

_KIND_PREFIX = re.compile(r"^\s*([A-Za-z]+)\s*:\s*(.*)$", re.DOTALL)
# Findings also take a kind's two-word name: "root cause:", "went-well:".
_FINDING_PREFIX = re.compile(r"^\s*([A-Za-z]+(?:[ _-]+[A-Za-z]+)?)\s*:\s*(.*)$", re.DOTALL)
# A time token: the first word, or two words for "2026-11-20 14:32" / "yesterday 23:10".
_TWO_WORD_TIME = re.compile(
    r"^\s*((?:\d{4}-\d{2}-\d{2}|yesterday|today|tomorrow)\s+\d{1,2}:\d{2}(?::\d{2})?)\s+(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_ONE_WORD = re.compile(r"^\s*(\S+)\s+(.*)$", re.DOTALL)


def parse_timeline(text: str, session: Session, now: DateTime) -> TimelineEvent:
    """``<time> [kind:] text``."""
    assert session.id is not None
    text = clean_text(text, multiline=False).strip()
    match = _TWO_WORD_TIME.match(text) or _ONE_WORD.match(text)
    if not match:
        raise QuickAddError("Type a time, then what happened, e.g. 14:32 db primary failed over.")
    try:
        at = parse_time(match.group(1), tz=session.timezone, now=now,
                        base_date=session.incident_date)
    except TimeParseError as error:
        raise QuickAddError(f"Start with a time. {error}") from error
    rest = match.group(2).strip()
    kind = EventKind.OTHER
    prefix = _KIND_PREFIX.match(rest)
    if prefix and prefix.group(1).lower() in {k.value for k in EventKind}:
        kind = EventKind(prefix.group(1).lower())
        rest = prefix.group(2).strip()
    if not rest:
        raise QuickAddError("Say what happened after the time.")
    return TimelineEvent(session_id=session.id, at=at.in_timezone("UTC"), kind=kind, text=rest)


def parse_finding(text: str, session_id: int) -> Finding:
    """``[cf|rc|well|wrong|lucky|q|root cause|…:] text``."""
    text = clean_text(text, multiline=False).strip()
    kind = FindingKind.CONTRIBUTING_FACTOR
    prefix = _FINDING_PREFIX.match(text)
    name = " ".join(re.split(r"[ _-]+", prefix.group(1).lower())) if prefix else ""
    if prefix and name in FINDING_PREFIXES:
        kind = FINDING_PREFIXES[name]
        text = prefix.group(2).strip()
    if not text:
        raise QuickAddError("Type the finding, e.g. cf: no alert on replica lag.")
    return Finding(session_id=session_id, kind=kind, text=text)


# Action items: which token is which marker. Only the shape is looked at here; the value is
# checked in parse_action.
_PRIORITY = re.compile(r"p[123]", re.IGNORECASE)
_PRIORITY_LIKE = re.compile(r"p[0-9]", re.IGNORECASE | re.ASCII)  # not p99: a latency percentile
_PRIORITIES = ", ".join(priority.value.lower() for priority in Priority)
_TYPES = ", ".join(action_type.value for action_type in ActionType)
_MARKER_NAMES = {"owner": "owners", "due": "due dates", "type": "types", "priority": "priorities"}


def _marker(token: str) -> str | None:
    """Which marker ``token`` has the shape of: owner, due, type, priority; None for a word."""
    lowered = token.lower()
    if token.startswith("@"):
        return "owner"
    if lowered.startswith("due:"):
        return "due"
    if lowered.startswith("type:"):
        return "type"
    if _PRIORITY_LIKE.fullmatch(token):
        return "priority"
    return None


def parse_action(text: str, session_id: int, today: Date) -> ActionItem:
    """``text @owner due:<date> [p1|p2|p3] [type:detect]`` in any order after the text.

    ``due:`` and ``type:`` are syntax wherever they stand: a missing or wrong value, or a
    second, different one, is refused. ``@name`` and ``p1``..``p3`` are taken wherever they
    stand (the first of each); a bare ``@``, ``p0``/``p4``..``p9`` and a second, different
    owner or priority are refused only in the run of markers that ends the line, where the
    syntax puts them, and are kept as words inside the text ("rebuild the p5 cluster").
    A past due date is accepted: it may be a reconstruction of what was agreed.
    """
    tokens = clean_text(text, multiline=False).split()
    tail = len(tokens)
    while tail > 0 and _marker(tokens[tail - 1]) is not None:
        tail -= 1
    found: dict[str, tuple[str, Any]] = {}  # marker -> (token as typed, value)
    words: list[str] = []
    for index, token in enumerate(tokens):
        marker = _marker(token)
        after_text = index >= tail
        value: Any
        if marker == "due":
            typed = token[len("due:"):]
            if not typed:
                raise QuickAddError(
                    "due: needs a date right after the colon, e.g. due:fri or due:2026-12-01."
                )
            try:
                value = parse_date(typed, today=today)
            except TimeParseError as error:
                raise QuickAddError(f"due:{_shown(typed)} — {error}") from error
        elif marker == "type":
            typed = token[len("type:"):]
            if not typed:
                raise QuickAddError(f"type: needs a type right after the colon; use one of {_TYPES}.")
            if typed.lower() not in {t.value for t in ActionType}:
                raise QuickAddError(f"type:{_shown(typed)} is not a type; use one of {_TYPES}.")
            value = ActionType(typed.lower())
        elif marker == "owner" and token != "@":
            value = token[1:]
        elif marker == "priority" and _PRIORITY.fullmatch(token):
            value = Priority(token.upper())
        elif marker is not None and after_text:
            if marker == "owner":
                raise QuickAddError("@ needs a name right after it, e.g. @storage-team.")
            raise QuickAddError(f"{token} is not a priority; use one of {_PRIORITIES}.")
        else:
            words.append(token)  # a word, or "@" / "p5" inside the text
            continue
        if marker in found:
            first, first_value = found[marker]
            if value == first_value:
                continue  # the same thing said twice
            if marker in ("due", "type") or after_text:
                raise QuickAddError(
                    f"Two {_MARKER_NAMES[marker]}: {_shown(first)} and {_shown(token)}; give one."
                )
            words.append(token)  # a second @name or p1..p3 inside the text stays a word
            continue
        found[marker] = (token, value)
    text = " ".join(words)
    if not text:
        raise QuickAddError("Type the action, e.g. Add alert on replica lag @storage due:+2w.")
    return ActionItem(
        session_id=session_id,
        text=text,
        owner=found.get("owner", ("", ""))[1],
        due=found.get("due", ("", None))[1],
        type=found.get("type", ("", ActionType.PREVENT))[1],
        priority=found.get("priority", ("", Priority.P2))[1],
    )


MAX_AGENDA_MINUTES = 480
# The length that ends an agenda line: "10", "10m", "10 min", "1h", "1 hour", "1h30m", "1h 30".
# Signs and decimals are matched only so that they can be refused with a reason. The start is a
# lookbehind, not "\s+", so that a long run of spaces is not scanned once per space.
_LENGTH = re.compile(
    r"(?<!\S)(?=[+-]?[0-9])(?P<length>(?P<sign>[+-]?)"
    r"(?:(?P<hours>[0-9]+(?:[.,][0-9]+)?)\s*(?:hours?|hrs?|h)\s*)?"
    r"(?:(?P<minutes>[0-9]+(?:[.,][0-9]+)?)\s*(?P<unit>minutes?|mins?|m)?)?)$",
    re.IGNORECASE,
)
_RANGE = f"between 1 and {MAX_AGENDA_MINUTES} minutes ({MAX_AGENDA_MINUTES // 60}h), e.g. 10m or 1h30m"


def _is_length(match: re.Match[str]) -> bool:
    """A number with a unit is a length; a bare number only as it always was (1-3 digits)."""
    if match["hours"] is not None or match["unit"] is not None:
        return True
    return not match["sign"] and re.fullmatch(r"[0-9]{1,3}", match["minutes"] or "") is not None


def _minutes(match: re.Match[str]) -> int:
    typed = _shown(" ".join(match["length"].split()))
    if match["sign"]:
        raise QuickAddError(f"{typed}: give the length without a sign, {_RANGE}.")
    numbers = [n for n in (match["hours"], match["minutes"]) if n is not None]
    if any("." in n or "," in n for n in numbers):
        raise QuickAddError(f"{typed}: give whole minutes or hours, {_RANGE}.")
    if any(len(n.lstrip("0")) > 6 for n in numbers):  # never int() a pasted run of digits
        raise QuickAddError(f"{typed} is too long; give {_RANGE}.")
    minutes = int(match["hours"] or 0) * 60 + int(match["minutes"] or 0)
    if not 1 <= minutes <= MAX_AGENDA_MINUTES:
        raise QuickAddError(f"{typed} is too {'short' if minutes < 1 else 'long'}; give {_RANGE}.")
    return minutes


def parse_agenda(text: str, session_id: int) -> AgendaItem:
    """``title [length]``: ``Review dashboards 10m``, ``Deep dive 1h30m``; default 5 minutes.

    A bare number of four or more digits ("Retro for INC 4021") stays part of the title.
    """
    text = clean_text(text, multiline=False).strip()
    minutes = 5
    if (match := _LENGTH.search(text)) and _is_length(match):
        text = text[: match.start()].strip()
        if text:
            minutes = _minutes(match)
    if not text:
        raise QuickAddError("Type the agenda item, e.g. Review dashboards 10m.")
    return AgendaItem(session_id=session_id, title=text, planned_minutes=minutes)
