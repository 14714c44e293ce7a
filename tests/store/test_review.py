"""Store queries behind the review screens: summaries, tracker, follow-ups, minutes links."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pendulum
import pytest

from pmconsole.domain.history import SessionSummary
from pmconsole.domain.metrics import session_metrics
from pmconsole.domain.model import ActionItem, ActionStatus, Session, SessionStatus, Severity
from pmconsole.domain.sample_history import sample_history
from pmconsole.store.codec import load_time
from pmconsole.store.repository import Store
from pmconsole.store.review import (
    _utc,
    all_sessions,
    create_follow_up,
    follow_up_agenda,
    follow_ups_of,
    incident_sessions,
    linked_titles,
    session_days,
    session_summaries,
    set_action_due,
    set_action_status,
    tracked_actions,
)
from tests.factory import DEMO_TODAY, NOW, demo_store

TODAY = DEMO_TODAY


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "t.db")


def add_session(store: Store, title: str, **fields: object) -> Session:
    return store.create_session(Session(title=title, created=NOW, **fields))  # type: ignore[arg-type]


def add_action(store: Store, session: Session, text: str, **fields: object) -> ActionItem:
    assert session.id is not None
    return store.add(ActionItem(session_id=session.id, text=text, **fields))  # type: ignore[arg-type]


class CountingQueries:
    """Counts the SQL statements run on a store's connection."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.statements: list[str] = []

    def __enter__(self) -> CountingQueries:
        self.store.conn.set_trace_callback(self.statements.append)
        return self

    def __exit__(self, *exc: object) -> None:
        self.store.conn.set_trace_callback(None)


def test_summaries_count_open_and_overdue_items_per_session(store: Store) -> None:
    a = add_session(store, "A", scheduled=NOW)
    b = add_session(store, "B", scheduled=NOW.subtract(days=1))
    add_action(store, a, "late", due=TODAY.subtract(days=1))
    add_action(store, a, "in progress, late", due=TODAY.subtract(days=5),
               status=ActionStatus.IN_PROGRESS)
    add_action(store, a, "due today", due=TODAY)
    add_action(store, a, "done and late", due=TODAY.subtract(days=5), status=ActionStatus.DONE)
    add_action(store, b, "won't do", status=ActionStatus.WONT_DO)
    summaries = {s.session.title: s for s in session_summaries(store, TODAY)}
    assert (summaries["A"].open_actions, summaries["A"].overdue_actions) == (3, 2)
    assert (summaries["B"].open_actions, summaries["B"].overdue_actions) == (0, 0)


def test_summaries_match_the_store_and_the_metrics(tmp_path: Path) -> None:
    store, _ = demo_store(tmp_path / "d.db")
    summaries = session_summaries(store, TODAY)
    sessions = store.list_sessions()
    # Same sessions, same order, same values as the general (slower) path.
    assert [s.session for s in summaries] == sessions
    for summary, session in zip(summaries, sessions, strict=True):
        metrics = session_metrics(session)
        assert (summary.ttd, summary.ttr) == (metrics.ttd, metrics.ttr)
        expected_day = (session.scheduled or session.created).in_timezone(session.timezone)
        assert summary.day == expected_day.date()
        assert summary == SessionSummary(session, summary.open_actions, summary.overdue_actions,
                                         metrics.ttd, metrics.ttr)


def test_summaries_and_tracker_cost_a_fixed_number_of_queries(tmp_path: Path) -> None:
    """No query per session: 3 sessions and 30 sessions need the same number."""
    counts = []
    for size in (3, 30):
        store = Store.open(tmp_path / f"{size}.db")
        for record in sample_history(size, today=TODAY):
            store.import_record(record)
        with CountingQueries(store) as queries:
            session_summaries(store, TODAY)
            tracked_actions(store)
            all_sessions(store)
            session_days(store, range(1, size + 1))
        counts.append(len(queries.statements))
        store.close()
    assert counts[0] == counts[1] <= 6


@pytest.mark.parametrize("text", [
    "2026-11-20T13:03:00+00:00",
    "2026-11-20T13:03:00.250000+00:00",
    "2026-11-20T14:03:00+01:00",  # not written by the store, read correctly anyway
])
def test_fast_time_reading_equals_the_codec(text: str) -> None:
    assert _utc(text) == load_time(text)
    assert _utc(text).timezone_name == "UTC"  # type: ignore[union-attr]
    assert _utc(None) is None


def test_tracked_actions_filters_and_joins_the_session_title(store: Store) -> None:
    a = add_session(store, "Checkout outage")
    b = add_session(store, "Login outage")
    add_action(store, a, "alert", owner="Dave Kim", due=TODAY.subtract(days=2))
    add_action(store, a, "runbook", owner="sre", status=ActionStatus.DONE)
    add_action(store, b, "probe", owner="storage_team", due=TODAY.add(days=2),
               status=ActionStatus.IN_PROGRESS)
    add_action(store, b, "undated", owner="100% sre")
    everything = tracked_actions(store)
    assert [t.item.text for t in everything] == ["alert", "probe", "runbook", "undated"]
    assert {t.item.text: t.session_title for t in everything}["probe"] == "Login outage"
    open_ = tracked_actions(store, statuses=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
    assert [t.item.text for t in open_] == ["alert", "probe", "undated"]
    overdue = tracked_actions(store, statuses=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS],
                              due_before=TODAY)
    assert [t.item.text for t in overdue] == ["alert"]
    assert [t.item.text for t in tracked_actions(store, owner="dave")] == ["alert"]
    # LIKE wildcards in the name are taken literally.
    assert [t.item.text for t in tracked_actions(store, owner="_")] == ["probe"]
    assert [t.item.text for t in tracked_actions(store, owner="%")] == ["undated"]
    assert [t.item.text for t in tracked_actions(store, session_id=b.id)] == ["probe", "undated"]


def test_status_and_due_changes_are_saved(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    store = Store.open(path)
    s = add_session(store, "S")
    item = add_action(store, s, "alert", due=TODAY)
    set_action_status(store, item, ActionStatus.IN_PROGRESS)
    set_action_due(store, dataclasses.replace(item, status=ActionStatus.IN_PROGRESS),
                   pendulum.date(2027, 1, 4))
    store.close()
    reopened = Store.open(path)
    saved = reopened.get(ActionItem, item.id)  # type: ignore[arg-type]
    assert saved.status is ActionStatus.IN_PROGRESS
    assert saved.due == pendulum.date(2027, 1, 4)


def test_create_follow_up(store: Store) -> None:
    old = add_session(
        store, "Login outage", service="auth", severity=Severity.SEV1,
        status=SessionStatus.ENDED, timezone="Europe/Berlin", facilitator="Priya",
        scribe="Tomás", attendees=("Priya", "Tomás", "Dave"),
        scheduled=pendulum.datetime(2026, 11, 3, 14, 30, tz="Europe/Berlin"),
        follow_up_date=pendulum.date(2026, 12, 1),
        impact_started=pendulum.datetime(2026, 11, 1, 9, tz="UTC"),
    )
    add_action(store, old, "rotate keys")
    new = create_follow_up(store, old.id, NOW)  # type: ignore[arg-type]
    saved = store.get_session(new.id)  # type: ignore[arg-type]
    assert saved.title == "Follow-up: Login outage"
    assert saved.follows_up == old.id
    assert saved.status is SessionStatus.PLANNED
    assert (saved.service, saved.severity, saved.timezone) == ("auth", Severity.SEV1,
                                                               "Europe/Berlin")
    assert (saved.facilitator, saved.scribe, saved.attendees) == ("Priya", "Tomás",
                                                                  ("Priya", "Tomás", "Dave"))
    # On the follow-up date, at the original meeting's local time (14:30 in Berlin).
    assert saved.scheduled == pendulum.datetime(2026, 12, 1, 14, 30, tz="Europe/Berlin")
    # A follow-up is a meeting, not a new incident.
    assert saved.impact_started is None
    record = store.load(saved.id)  # type: ignore[arg-type]
    assert record.agenda[0].title == "Review open action items from Login outage"
    assert [a.title for a in record.agenda] == [t for t, _ in follow_up_agenda("Login outage")]
    assert [a.text for a in record.actions] == ["rotate keys"]
    assert follow_ups_of(store, old.id) == [saved]  # type: ignore[arg-type]


def test_follow_up_without_a_follow_up_date_is_scheduled_now(store: Store) -> None:
    old = add_session(store, "Queue backlog")
    new = create_follow_up(store, old.id, NOW)  # type: ignore[arg-type]
    assert store.get_session(new.id).scheduled == NOW  # type: ignore[arg-type]


def test_a_status_changed_in_the_follow_up_is_the_originals(store: Store) -> None:
    old = add_session(store, "Login outage", status=SessionStatus.ENDED)
    item = add_action(store, old, "rotate keys")
    new = create_follow_up(store, old.id, NOW)  # type: ignore[arg-type]
    shared = store.load(new.id).actions[0]  # type: ignore[arg-type]
    store.update(dataclasses.replace(shared, status=ActionStatus.DONE))
    assert store.load(old.id).actions[0].status is ActionStatus.DONE  # type: ignore[arg-type]
    assert shared.id == item.id


def test_linked_titles_both_ways(store: Store) -> None:
    old = add_session(store, "Login outage")
    other = add_session(store, "Unrelated")
    first = create_follow_up(store, old.id, NOW)  # type: ignore[arg-type]
    second = create_follow_up(store, old.id, NOW)  # type: ignore[arg-type]
    assert linked_titles(store, store.get_session(old.id)) == {  # type: ignore[arg-type]
        first.id: first.title, second.id: second.title}
    assert linked_titles(store, store.get_session(first.id)) == {  # type: ignore[arg-type]
        old.id: "Login outage"}
    assert linked_titles(store, store.get_session(other.id)) == {}  # type: ignore[arg-type]


def test_incident_sessions_leave_follow_ups_out(store: Store) -> None:
    old = add_session(store, "Login outage")
    create_follow_up(store, old.id, NOW)  # type: ignore[arg-type]
    assert [s.title for s in incident_sessions(all_sessions(store))] == ["Login outage"]


def test_session_days_in_each_sessions_timezone(store: Store) -> None:
    late = add_session(store, "Late", timezone="America/Los_Angeles",
                       scheduled=pendulum.datetime(2026, 3, 31, 23, 30, tz="America/Los_Angeles"))
    assert session_days(store, [late.id]) == {late.id: pendulum.date(2026, 3, 31)}  # type: ignore[list-item,dict-item]
    assert session_days(store, []) == {}
