"""Action items across sessions: state for the viewer's day, tabs, filters and order."""

from __future__ import annotations

import pendulum
import pytest

from pmconsole.domain.model import ActionItem, ActionStatus
from pmconsole.domain.tracker import (
    TrackedAction,
    TrackerFilter,
    TrackerState,
    TrackerView,
    classify,
    counts,
    in_view,
    local_today,
    parse_tracker_filter,
    select,
    viewer_timezone,
)

TODAY = pendulum.date(2026, 11, 20)


def item(id: int, *, due: pendulum.Date | None = None, status: ActionStatus = ActionStatus.OPEN,
         owner: str = "sre", session_id: int = 1, text: str = "Add an alert",
         position: int = 0) -> ActionItem:
    return ActionItem(session_id=session_id, text=text, owner=owner, due=due, status=status,
                      id=id, position=position)


def tracked(*items: ActionItem, title: str = "Checkout outage") -> list[TrackedAction]:
    return [TrackedAction(i, title) for i in items]


@pytest.mark.parametrize(
    ("due", "status", "state"),
    [
        (TODAY.subtract(days=1), ActionStatus.OPEN, TrackerState.OVERDUE),
        (TODAY.subtract(days=1), ActionStatus.IN_PROGRESS, TrackerState.OVERDUE),
        (TODAY, ActionStatus.OPEN, TrackerState.OPEN),  # due today is not late yet
        (TODAY.add(days=3), ActionStatus.IN_PROGRESS, TrackerState.IN_PROGRESS),
        (None, ActionStatus.OPEN, TrackerState.OPEN),
        (TODAY.subtract(days=30), ActionStatus.DONE, TrackerState.DONE),
        (TODAY.subtract(days=30), ActionStatus.WONT_DO, TrackerState.WONT_DO),
    ],
)
def test_classify(due: pendulum.Date | None, status: ActionStatus, state: TrackerState) -> None:
    assert classify(item(1, due=due, status=status), TODAY) is state


def test_overdue_follows_the_viewers_calendar_day() -> None:
    # 23:30 UTC on the 20th is already the 21st in Auckland and still the 20th in New York.
    now = pendulum.datetime(2026, 11, 20, 23, 30, tz="UTC")
    due_20th = item(1, due=pendulum.date(2026, 11, 20))
    assert local_today(now, "Pacific/Auckland") == pendulum.date(2026, 11, 21)
    assert local_today(now, "America/New_York") == pendulum.date(2026, 11, 20)
    assert classify(due_20th, local_today(now, "Pacific/Auckland")) is TrackerState.OVERDUE
    assert classify(due_20th, local_today(now, "America/New_York")) is TrackerState.OPEN


def test_viewer_timezone_prefers_the_given_name() -> None:
    assert viewer_timezone("Asia/Tokyo") == "Asia/Tokyo"
    assert viewer_timezone(None)  # this machine's zone, whatever it is


def test_views() -> None:
    assert in_view(TrackerState.OVERDUE, TrackerView.OPEN)
    assert in_view(TrackerState.IN_PROGRESS, TrackerView.OPEN)
    assert not in_view(TrackerState.DONE, TrackerView.OPEN)
    assert in_view(TrackerState.OVERDUE, TrackerView.OVERDUE)
    assert not in_view(TrackerState.OPEN, TrackerView.OVERDUE)
    assert in_view(TrackerState.WONT_DO, TrackerView.DONE)
    assert all(in_view(state, TrackerView.ALL) for state in TrackerState)


def test_select_orders_unfinished_by_due_date_undated_last_then_finished() -> None:
    items = tracked(
        item(1, due=TODAY.add(days=5)),
        item(2, due=None),
        item(3, due=TODAY.subtract(days=9)),
        item(4, due=TODAY.subtract(days=99), status=ActionStatus.DONE),
        item(5, due=TODAY.subtract(days=1), status=ActionStatus.IN_PROGRESS),
    )
    assert [t.item.id for t in select(items, TrackerView.ALL, TrackerFilter(), TODAY)] == [
        3, 5, 1, 2, 4]
    assert [t.item.id for t in select(items, TrackerView.OPEN, TrackerFilter(), TODAY)] == [
        3, 5, 1, 2]
    assert [t.item.id for t in select(items, TrackerView.OVERDUE, TrackerFilter(), TODAY)] == [
        3, 5]
    assert [t.item.id for t in select(items, TrackerView.DONE, TrackerFilter(), TODAY)] == [4]


def test_counts() -> None:
    items = tracked(item(1, due=TODAY.subtract(days=2)), item(2),
                    item(3, status=ActionStatus.DONE))
    result = counts(items, TODAY)
    assert result[TrackerState.OVERDUE] == 1
    assert result[TrackerState.OPEN] == 1
    assert result[TrackerState.DONE] == 1


def test_filter_by_owner_session_and_words() -> None:
    items = tracked(
        item(1, owner="Dave Kim", session_id=3, text="Page the owning team"),
        item(2, owner="storage-team", session_id=4, text="Alert on replica lag"),
    )
    wanted, problems = parse_tracker_filter('owner:"dave" session:3 page')
    assert problems == []
    assert wanted == TrackerFilter(owner="dave", session_id=3, words=("page",))
    assert [t.item.id for t in items if wanted.matches(t)] == [1]
    by_owner, _ = parse_tracker_filter("owner:STORAGE")
    assert [t.item.id for t in items if by_owner.matches(t)] == [2]
    # Words match the item's session title too.
    by_title, _ = parse_tracker_filter("checkout")
    assert len([t for t in items if by_title.matches(t)]) == 2


@pytest.mark.parametrize("text", ["session:abc", "session:12x", "s:" + "9" * 40])
def test_a_bad_session_number_is_explained_not_raised(text: str) -> None:
    wanted, problems = parse_tracker_filter(text)
    assert wanted.session_id is None
    assert problems and "session number" in problems[0]


@pytest.mark.parametrize("text", ["", "   ", "owner:", 'owner:"', "session:#7", "[/]", "a:b:c"])
def test_parse_tracker_filter_never_raises(text: str) -> None:
    wanted, _ = parse_tracker_filter(text)
    assert isinstance(wanted, TrackerFilter)
    if text == "session:#7":
        assert wanted.session_id == 7
