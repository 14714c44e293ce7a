"""Action items across every session: where each one stands, filters and order.

"Overdue" depends on the viewer's calendar day: an item due on the 3rd is overdue from the
4th *where the viewer is*, so ``local_today`` turns the clock's UTC time into a date in a
given timezone. Everything here is pure; the store supplies the items.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import pendulum
from pendulum import Date, DateTime

from pmconsole.domain.model import ActionItem, ActionStatus


class TrackerState(StrEnum):
    """Where an action item stands for the viewer today."""

    OVERDUE = "overdue"
    OPEN = "open"
    IN_PROGRESS = "in progress"
    DONE = "done"
    WONT_DO = "won't do"


# A symbol and a word for each state, so nothing depends on colour.
STATE_LABELS: dict[TrackerState, str] = {
    TrackerState.OVERDUE: "! overdue",
    TrackerState.OPEN: "○ open",
    TrackerState.IN_PROGRESS: "◐ doing",
    TrackerState.DONE: "● done",
    TrackerState.WONT_DO: "✕ won't do",
}


class TrackerView(StrEnum):
    """The tabs of the tracker."""

    OPEN = "open"
    """Not finished: open or in progress, overdue or not."""
    OVERDUE = "overdue"
    DONE = "done"
    """Finished: done or won't do."""
    ALL = "all"


def viewer_timezone(name: str | None = None) -> str:
    """``name`` if given, else the timezone of the machine the viewer sits at."""
    if name:
        return name
    return pendulum.now().timezone_name or "UTC"


def local_today(now: DateTime, tz: str) -> Date:
    """The viewer's calendar date at ``now``."""
    local = now.in_timezone(tz)
    return pendulum.date(local.year, local.month, local.day)


def classify(item: ActionItem, today: Date) -> TrackerState:
    if item.status is ActionStatus.DONE:
        return TrackerState.DONE
    if item.status is ActionStatus.WONT_DO:
        return TrackerState.WONT_DO
    if item.is_overdue(today):
        return TrackerState.OVERDUE
    if item.status is ActionStatus.IN_PROGRESS:
        return TrackerState.IN_PROGRESS
    return TrackerState.OPEN


def in_view(state: TrackerState, view: TrackerView) -> bool:
    if view is TrackerView.ALL:
        return True
    if view is TrackerView.OVERDUE:
        return state is TrackerState.OVERDUE
    if view is TrackerView.DONE:
        return state in (TrackerState.DONE, TrackerState.WONT_DO)
    return state in (TrackerState.OVERDUE, TrackerState.OPEN, TrackerState.IN_PROGRESS)


@dataclass(frozen=True)
class TrackedAction:
    """An action item with the session it was agreed in."""

    item: ActionItem
    session_title: str


@dataclass(frozen=True)
class TrackerFilter:
    """Owner and session narrowing, plus words that must appear in the item's text."""

    owner: str = ""
    session_id: int | None = None
    words: tuple[str, ...] = ()

    def matches(self, tracked: TrackedAction) -> bool:
        item = tracked.item
        if self.owner and self.owner not in item.owner.casefold():
            return False
        if self.session_id is not None and item.session_id != self.session_id:
            return False
        if self.words:
            haystack = f"{item.text} {item.owner} {tracked.session_title}".casefold()
            if not all(word in haystack for word in self.words):
                return False
        return True


TRACKER_FILTER_HELP = "owner:dave  session:12  and any words from the item or its session"
_TOKEN = re.compile(r'(?P<key>owner|who|session|s):(?:"(?P<quoted>[^"]*)"?|(?P<value>\S*))'
                    r"|(?P<word>\S+)", re.IGNORECASE)


def parse_tracker_filter(text: str) -> tuple[TrackerFilter, list[str]]:
    """``owner:NAME session:ID words``; never raises, returns the problems in words."""
    owner = ""
    session_id: int | None = None
    words: list[str] = []
    problems: list[str] = []
    for match in _TOKEN.finditer(text):
        if match["word"] is not None:
            words.append(match["word"].casefold())
            continue
        value = match["quoted"] if match["quoted"] is not None else match["value"]
        if not value:
            continue
        if match["key"].casefold() in ("owner", "who"):
            owner = value.casefold()
        else:
            digits = value.lstrip("#")
            if digits.isascii() and digits.isdigit() and len(digits) < 12:
                session_id = int(digits)
            else:
                problems.append(f"session:{value} is not a session number; use session:12.")
    return TrackerFilter(owner, session_id, tuple(words)), problems


def select(
    items: Iterable[TrackedAction], view: TrackerView, wanted: TrackerFilter, today: Date
) -> list[TrackedAction]:
    """The items of one tab that match the filter, in tracker order (see ``sort_key``)."""
    chosen = [t for t in items if in_view(classify(t.item, today), view) and wanted.matches(t)]
    chosen.sort(key=lambda t: sort_key(t, today))
    return chosen


def sort_key(tracked: TrackedAction, today: Date) -> tuple[object, ...]:
    """Unfinished before finished, then the earliest due date first, undated last."""
    item = tracked.item
    finished = item.status.is_closed
    return (finished, item.due is None, item.due or today, item.session_id, item.position,
            item.id or 0)


def counts(items: Sequence[TrackedAction], today: Date) -> dict[TrackerState, int]:
    result = dict.fromkeys(TrackerState, 0)
    for tracked in items:
        result[classify(tracked.item, today)] += 1
    return result
