"""One-line quick-add: what a scribe types to keep up with the room.

- Timeline: ``14:32 db primary failed over`` or ``-5m detection: pager fired``; the time
  comes first in any form ``times.parse_time`` accepts, an optional ``kind:`` follows.
- Finding: ``cf: replica lag alert missing`` (or ``rc:``, ``well:``, ``wrong:``,
  ``lucky:``, ``q:``); with no prefix it is a contributing factor.
- Action item: ``Add alert on replica lag @storage-team due:+2w p1 type:detect``.
- Agenda item: ``Review dashboards 10m`` (minutes at the end, default 5).
"""

from __future__ import annotations

import re

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
}

_KIND_PREFIX = re.compile(r"^\s*([A-Za-z]+)\s*:\s*(.*)$", re.DOTALL)
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
    """``[cf|rc|well|wrong|lucky|q:] text``."""
    text = clean_text(text, multiline=False).strip()
    kind = FindingKind.CONTRIBUTING_FACTOR
    prefix = _KIND_PREFIX.match(text)
    if prefix and prefix.group(1).lower() in FINDING_PREFIXES:
        kind = FINDING_PREFIXES[prefix.group(1).lower()]
        text = prefix.group(2).strip()
    if not text:
        raise QuickAddError("Type the finding, e.g. cf: no alert on replica lag.")
    return Finding(session_id=session_id, kind=kind, text=text)


_OWNER = re.compile(r"(?:^|\s)@(\S+)")
_DUE = re.compile(r"(?:^|\s)due:(\S+)", re.IGNORECASE)
_PRIORITY = re.compile(r"(?:^|\s)(p[123])(?=\s|$)", re.IGNORECASE)
_TYPE = re.compile(r"(?:^|\s)type:(\S+)", re.IGNORECASE)


def parse_action(text: str, session_id: int, today: Date) -> ActionItem:
    """``text @owner due:<date> [p1|p2|p3] [type:detect]`` in any order after the text."""
    text = clean_text(text, multiline=False).strip()
    owner = ""
    due = None
    priority = Priority.P2
    action_type = ActionType.PREVENT
    if m := _OWNER.search(text):
        owner = m.group(1)
        text = text[: m.start()] + text[m.end():]
    if m := _DUE.search(text):
        try:
            due = parse_date(m.group(1), today=today)
        except TimeParseError as error:
            raise QuickAddError(f"due:{m.group(1)} — {error}") from error
        text = text[: m.start()] + text[m.end():]
    if m := _TYPE.search(text):
        value = m.group(1).lower()
        if value not in {t.value for t in ActionType}:
            names = ", ".join(t.value for t in ActionType)
            raise QuickAddError(f"type:{m.group(1)} is not a type; use one of {names}.")
        action_type = ActionType(value)
        text = text[: m.start()] + text[m.end():]
    if m := _PRIORITY.search(text):
        priority = Priority(m.group(1).upper())
        text = text[: m.start()] + text[m.end():]
    text = " ".join(text.split())
    if not text:
        raise QuickAddError("Type the action, e.g. Add alert on replica lag @storage due:+2w.")
    return ActionItem(session_id=session_id, text=text, owner=owner, due=due,
                      type=action_type, priority=priority)


_MINUTES = re.compile(r"^(.*?)\s+(\d{1,3})\s*(?:m|min|mins|minutes)?\s*$", re.IGNORECASE)


def parse_agenda(text: str, session_id: int) -> AgendaItem:
    """``title [minutes]``: ``Review dashboards 10m``."""
    text = clean_text(text, multiline=False).strip()
    minutes = 5
    if m := _MINUTES.match(text):
        text, minutes = m.group(1).strip(), int(m.group(2))
    if not text:
        raise QuickAddError("Type the agenda item, e.g. Review dashboards 10m.")
    if not 1 <= minutes <= 480:
        raise QuickAddError("Give between 1 and 480 minutes.")
    return AgendaItem(session_id=session_id, title=text, planned_minutes=minutes)
