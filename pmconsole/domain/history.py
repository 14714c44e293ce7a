"""The history of sessions as the home screen shows it: summaries, typed filters, sorting.

A filter is typed in one line, e.g. ``sev:SEV1 status:ended service:auth from:2026-01-01
to:2026-06-30 certificate``. ``parse_filter`` reads it into a ``SessionFilter`` and a list
of problems in words; it never raises, so a half-typed filter still filters what it can.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pendulum
from pendulum import Date, DateTime

from pmconsole.domain.model import Session, SessionStatus, Severity

# ---------------------------------------------------------------------------------------------
# Summaries


@dataclass(frozen=True)
class SessionSummary:
    """One row of the history: a session with its action-item counts and key metrics."""

    session: Session
    open_actions: int = 0
    overdue_actions: int = 0
    ttd: float | None = None
    ttr: float | None = None
    day: Date = field(default=None)  # type: ignore[assignment]
    """The meeting's date in the session's own timezone (computed when not given)."""

    def __post_init__(self) -> None:
        if self.day is None:
            local = self.moment.in_timezone(self.session.timezone)
            object.__setattr__(self, "day", pendulum.date(local.year, local.month, local.day))

    @property
    def moment(self) -> DateTime:
        """When the meeting is (or was): the Date column, sorting and date filters."""
        s = self.session
        return s.scheduled or s.started or s.created


# ---------------------------------------------------------------------------------------------
# Sorting

SORT_COLUMNS: dict[str, str] = {
    "date": "Date",
    "sev": "Sev",
    "status": "Status",
    "title": "Title",
    "service": "Service",
    "open": "Open",
    "overdue": "Overdue",
    "ttd": "TTD",
    "ttr": "TTR",
}
"""Column key -> header label, in the order ``next_sort_column`` cycles through them."""

_STATUS_ORDER = {status: i for i, status in enumerate(SessionStatus)}

# For each column: the value sorted on, and whether its natural first view is descending
# (newest, worst or largest first), which is what someone sorting by it wants to see.
_SORT_KEYS: dict[str, tuple[Callable[[SessionSummary], Any], bool]] = {
    "date": (lambda s: s.moment, True),
    "sev": (lambda s: s.session.severity.value, False),
    "status": (lambda s: _STATUS_ORDER[s.session.status], False),
    "title": (lambda s: s.session.title.casefold(), False),
    "service": (lambda s: s.session.service.casefold(), False),
    "open": (lambda s: s.open_actions, True),
    "overdue": (lambda s: s.overdue_actions, True),
    "ttd": (lambda s: s.ttd, True),
    "ttr": (lambda s: s.ttr, True),
}


def natural_descending(column: str) -> bool:
    """Whether ``column`` first sorts largest/newest/worst first (SEV1 counts as worst)."""
    return _SORT_KEYS[column][1]


def next_sort_column(column: str) -> str:
    columns = list(SORT_COLUMNS)
    return columns[(columns.index(column) + 1) % len(columns)]


def sort_summaries(
    summaries: Sequence[SessionSummary], column: str, *, descending: bool
) -> list[SessionSummary]:
    """Sorted by ``column``; rows without a value (no TTD yet) always go last.

    Ties keep a stable, meaningful order: newest first, then by id.
    """
    value, _ = _SORT_KEYS[column]
    base = sorted(summaries, key=lambda s: (s.moment, s.session.id or 0), reverse=True)
    known = [s for s in base if value(s) is not None]
    unknown = [s for s in base if value(s) is None]
    known.sort(key=value, reverse=descending)
    return known + unknown


# ---------------------------------------------------------------------------------------------
# Filtering

FILTER_HELP = (
    "sev:SEV1,SEV2  status:ended  service:auth  from:2026-01-01  to:2026-06  "
    "has:overdue  and any words from the title or service"
)

_KEYS = {
    "sev": "sev", "severity": "sev",
    "status": "status", "state": "status",
    "service": "service", "svc": "service",
    "from": "from", "since": "from", "after": "from",
    "to": "to", "until": "to", "before": "to",
    "has": "has",
}
_TOKEN = re.compile(r'(?P<key>[A-Za-z]+):(?:"(?P<quoted>[^"]*)"?|(?P<value>\S*))|(?P<word>\S+)')
_PERIOD = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?", re.ASCII)


@dataclass(frozen=True)
class SessionFilter:
    """What the typed filter asks for; an empty filter matches every session."""

    severities: frozenset[Severity] = frozenset()
    statuses: frozenset[SessionStatus] = frozenset()
    services: tuple[str, ...] = ()
    start: Date | None = None
    end: Date | None = None
    has: frozenset[str] = frozenset()
    words: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return self == SessionFilter()

    def matches(self, summary: SessionSummary) -> bool:
        s = summary.session
        if self.severities and s.severity not in self.severities:
            return False
        if self.statuses and s.status not in self.statuses:
            return False
        service = s.service.casefold()
        if self.services and not any(wanted in service for wanted in self.services):
            return False
        if self.start is not None or self.end is not None:
            day = summary.day
            if self.start is not None and day < self.start:
                return False
            if self.end is not None and day > self.end:
                return False
        if "overdue" in self.has and not summary.overdue_actions:
            return False
        if "open" in self.has and not summary.open_actions:
            return False
        if "follow-up" in self.has and s.follows_up is None:
            return False
        if self.words:
            haystack = f"{s.title} {service}".casefold()
            if not all(word in haystack for word in self.words):
                return False
        return True


def parse_filter(text: str) -> tuple[SessionFilter, list[str]]:
    """Read a typed filter; returns the filter and the problems found (empty when fine)."""
    severities: set[Severity] = set()
    statuses: set[SessionStatus] = set()
    services: list[str] = []
    has: set[str] = set()
    words: list[str] = []
    start: Date | None = None
    end: Date | None = None
    problems: list[str] = []
    for match in _TOKEN.finditer(text):
        if match["word"] is not None:
            words.append(match["word"].casefold())
            continue
        raw_key = match["key"]
        key = _KEYS.get(raw_key.casefold())
        value = match["quoted"] if match["quoted"] is not None else match["value"]
        if key is None:
            # Not one of ours: "10:00" or "re:" is just a word someone is looking for.
            words.append(match[0].casefold())
            if raw_key.isalpha() and len(raw_key) > 1 and value:
                problems.append(f"Unknown filter {raw_key}: (known: sev, status, service, "
                                "from, to, has); searched as a word.")
            continue
        if not value:
            continue  # Still being typed.
        items = [v for v in value.split(",") if v]
        if key == "sev":
            for item in items:
                severity = _severity(item)
                if severity is None:
                    problems.append(f"sev:{item} is not a severity; use SEV1 … SEV5 (or 1 … 5).")
                else:
                    severities.add(severity)
        elif key == "status":
            for item in items:
                found = [st for st in SessionStatus if st.value.startswith(item.casefold())]
                if len(found) == 1:
                    statuses.add(found[0])
                else:
                    problems.append(f"status:{item} is not a status; use "
                                    + ", ".join(st.value for st in SessionStatus) + ".")
        elif key == "service":
            services.extend(item.casefold() for item in items)
        elif key == "has":
            for item in items:
                wanted = item.casefold()
                known = [name for name in ("overdue", "open", "follow-up")
                         if name.startswith(wanted)]
                if known:
                    has.add(known[0])
                else:
                    problems.append(f"has:{item} is not known; use has:overdue, has:open "
                                    "or has:follow-up.")
        else:
            period = _period(value)
            if period is None:
                problems.append(f"{raw_key}:{value} is not a date; use 2026-01-31, 2026-01 "
                                "or 2026.")
            elif key == "from":
                start = period[0]
            else:
                end = period[1]
    if start is not None and end is not None and start > end:
        problems.append(f"from:{start.isoformat()} is after to:{end.isoformat()}: "
                        "nothing can match.")
    return (
        SessionFilter(frozenset(severities), frozenset(statuses), tuple(services), start, end,
                      frozenset(has), tuple(words)),
        problems,
    )


def _severity(text: str) -> Severity | None:
    typed = text.upper()
    if typed.isdigit():
        typed = "SEV" + typed
    try:
        return Severity(typed)
    except ValueError:
        return None


def _period(text: str) -> tuple[Date, Date] | None:
    """``2026`` / ``2026-03`` / ``2026-03-31`` as the first and last day it covers."""
    match = _PERIOD.fullmatch(text)
    if match is None:
        return None
    year = int(match["year"])
    try:
        if match["day"] is not None:
            day = pendulum.date(year, int(match["month"]), int(match["day"]))
            return day, day
        if match["month"] is not None:
            first = pendulum.date(year, int(match["month"]), 1)
            return first, first.end_of("month")
        return pendulum.date(year, 1, 1), pendulum.date(year, 12, 31)
    except ValueError:
        return None


def filter_summaries(
    summaries: Sequence[SessionSummary], wanted: SessionFilter
) -> list[SessionSummary]:
    if wanted.is_empty:
        return list(summaries)
    return [s for s in summaries if wanted.matches(s)]
