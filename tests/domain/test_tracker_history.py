"""The history of sessions (home screen): typed filters and sorting, as pure functions.

(Named test_tracker_* to sit with the other review-feature domain tests.)
"""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmconsole.domain.history import (
    SORT_COLUMNS,
    SessionFilter,
    SessionSummary,
    filter_summaries,
    natural_descending,
    next_sort_column,
    parse_filter,
    sort_summaries,
)
from pmconsole.domain.model import Session, SessionStatus, Severity


def summary(id: int, title: str, *, sev: Severity = Severity.SEV3,
            status: SessionStatus = SessionStatus.ENDED, service: str = "auth",
            day: tuple[int, int, int] = (2026, 3, 1), open_: int = 0, overdue: int = 0,
            ttd: float | None = None, ttr: float | None = None,
            tz: str = "UTC", follows_up: int | None = None) -> SessionSummary:
    scheduled = pendulum.datetime(*day, 12, tz=tz).in_timezone("UTC")
    return SessionSummary(
        Session(title=title, id=id, severity=sev, status=status, service=service,
                timezone=tz, scheduled=scheduled, follows_up=follows_up),
        open_, overdue, ttd, ttr,
    )


HISTORY = [
    summary(1, "Checkout 5xx after config push", sev=Severity.SEV1, service="checkout",
            day=(2026, 1, 10), open_=2, overdue=1, ttd=300, ttr=3600),
    summary(2, "Login outage during failover", sev=Severity.SEV2, service="auth",
            status=SessionStatus.REVIEWED, day=(2026, 5, 2), ttd=60, ttr=7200),
    summary(3, "Search results empty", sev=Severity.SEV3, service="search-api",
            status=SessionStatus.PLANNED, day=(2026, 7, 1), open_=1),
    summary(4, "Follow-up: Login outage during failover", sev=Severity.SEV2, service="auth",
            status=SessionStatus.PLANNED, day=(2026, 6, 30), follows_up=2),
]


def ids(rows: list[SessionSummary]) -> list[int | None]:
    return [r.session.id for r in rows]


def test_the_example_from_the_issue() -> None:
    wanted, problems = parse_filter(
        "sev:SEV1 status:ended service:auth from:2026-01-01 to:2026-06-30")
    assert problems == []
    assert wanted.severities == {Severity.SEV1}
    assert wanted.statuses == {SessionStatus.ENDED}
    assert wanted.services == ("auth",)
    assert wanted.start == pendulum.date(2026, 1, 1)
    assert wanted.end == pendulum.date(2026, 6, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [1, 2, 3, 4]),
        ("sev:SEV1", [1]),
        ("sev:1,2", [1, 2, 4]),
        ("severity:sev3", [3]),
        ("status:ended", [1]),
        ("status:plan", [3, 4]),  # a prefix is enough
        ("status:ended,reviewed", [1, 2]),
        ("service:AUTH", [2, 4]),
        ("service:search", [3]),
        ('service:"search-api"', [3]),
        ("from:2026-05-01", [2, 3, 4]),
        ("to:2026-05-02", [1, 2]),  # inclusive
        ("from:2026-06 to:2026-06", [4]),  # a month
        ("from:2026", [1, 2, 3, 4]),
        ("to:2025", []),
        ("has:overdue", [1]),
        ("has:open", [1, 3]),
        ("has:follow", [4]),
        ("login", [2, 4]),
        ("login follow-up", [4]),  # every word must match
        ("LOGIN Sev:2 status:reviewed", [2]),
    ],
)
def test_filters(text: str, expected: list[int]) -> None:
    wanted, problems = parse_filter(text)
    assert problems == []
    assert ids(filter_summaries(HISTORY, wanted)) == expected


def test_date_filters_use_the_sessions_own_day() -> None:
    # 23:30 on 31 March in Los Angeles is already 1 April in UTC.
    at = pendulum.datetime(2026, 3, 31, 23, 30, tz="America/Los_Angeles").in_timezone("UTC")
    late = SessionSummary(Session(title="Late night", id=9, timezone="America/Los_Angeles",
                                  scheduled=at))
    assert at.date() == pendulum.date(2026, 4, 1)
    assert late.day == pendulum.date(2026, 3, 31)
    march, _ = parse_filter("from:2026-03 to:2026-03")
    assert march.matches(late)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("sev:9", "not a severity"),
        ("status:closed", "not a status"),
        ("from:yesterday", "not a date"),
        ("to:2026-02-30", "not a date"),
        ("from:2026-06-01 to:2026-01-01", "nothing can match"),
        ("owner:dave", "Unknown filter owner:"),
        ("has:money", "has:overdue"),
    ],
)
def test_problems_are_explained(text: str, needle: str) -> None:
    _, problems = parse_filter(text)
    assert any(needle in p for p in problems), problems


def test_a_half_typed_filter_still_filters_what_it_can() -> None:
    wanted, problems = parse_filter("sev:1 status:")
    assert problems == []
    assert ids(filter_summaries(HISTORY, wanted)) == [1]


def test_words_with_colons_that_are_not_filters_are_words() -> None:
    wanted, problems = parse_filter("10:00")
    assert problems == [] and wanted.words == ("10:00",)


@given(st.text(max_size=80))
def test_parse_filter_never_raises(text: str) -> None:
    wanted, problems = parse_filter(text)
    assert isinstance(wanted, SessionFilter)
    assert all(isinstance(p, str) for p in problems)
    filter_summaries(HISTORY, wanted)


def test_sorting_each_column() -> None:
    by = {column: ids(sort_summaries(HISTORY, column, descending=natural_descending(column)))
          for column in SORT_COLUMNS}
    assert by["date"] == [3, 4, 2, 1]  # newest first
    assert by["sev"] == [1, 4, 2, 3]  # worst first; ties newest first
    assert by["status"] == [3, 4, 1, 2]  # planned, live, ended, reviewed
    assert by["title"] == [1, 4, 2, 3]
    assert by["service"] == [4, 2, 1, 3]
    assert by["open"] == [1, 3, 4, 2]
    assert by["overdue"] == [1, 3, 4, 2]
    # Sessions without a TTD go last, whichever the direction.
    assert by["ttd"] == [1, 2, 3, 4]
    assert ids(sort_summaries(HISTORY, "ttd", descending=False)) == [2, 1, 3, 4]
    assert ids(sort_summaries(HISTORY, "ttr", descending=True)) == [2, 1, 3, 4]


def test_sort_column_cycle_visits_every_column() -> None:
    column, seen = "date", []
    for _ in SORT_COLUMNS:
        seen.append(column)
        column = next_sort_column(column)
    assert column == "date" and sorted(seen) == sorted(SORT_COLUMNS)
