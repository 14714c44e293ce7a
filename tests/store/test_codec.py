"""codec: every dataclass field survives the trip to a row of SQLite values and back."""

from __future__ import annotations

import json

import pendulum
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

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
    SessionStatus,
    Severity,
    TimelineEvent,
)
from pmconsole.domain.text import clean_text
from pmconsole.store.codec import dump_time, from_row, load_time, to_row

BERLIN = "Europe/Berlin"


def berlin(hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(2026, 3, 29, hour, minute, second, micro, tz=BERLIN)


FULL_SESSION = Session(
    id=7,
    title="Checkout [b]down[/b] — 決済 💥",
    service="payments-gateway",
    severity=Severity.SEV1,
    status=SessionStatus.REVIEWED,
    facilitator="Priya",
    scribe="Tomás",
    attendees=("Priya", "Tomás", "李雷", 'a "quoted", name'),
    timezone=BERLIN,
    scheduled=berlin(14),
    started=berlin(14, 2),
    ended=berlin(15, 1),
    impact_started=berlin(1, 0, 5, 123456),  # just before the DST change in Berlin
    detected=berlin(3, 14),  # just after it
    acknowledged=berlin(3, 17),
    mitigated=berlin(4, 6),
    resolved=berlin(5, 40),
    slo_target=99.95,
    slo_window_days=30,
    follow_up_date=pendulum.date(2026, 4, 12),
    follows_up=3,
    summary="line one\nline two",
    impact="18,400 checkouts failed",
    created=pendulum.datetime(2026, 3, 28, 9, 0, tz="UTC"),
)

ENTRIES = [
    FULL_SESSION,
    Session(title="bare"),
    AgendaItem(session_id=1, title="Timeline", planned_minutes=10, position=2, id=5,
               started=berlin(14, 5), ended=berlin(14, 16), extra_minutes=5,
               paused_at=berlin(14, 10), paused_seconds=12.5, notes="n"),
    TimelineEvent(session_id=1, at=berlin(10, 0, 1), text="cert expired", kind=EventKind.TRIGGER,
                  link="https://x.example/1", starred=True, id=9),
    Finding(session_id=1, text="renewal job failing silently", kind=FindingKind.GOT_LUCKY,
            category=FindingCategory.MONITORING, position=1, id=4),
    ActionItem(session_id=1, text="alert on renewal", owner="team-sre",
               due=pendulum.date(2026, 12, 1), type=ActionType.DETECT, priority=Priority.P1,
               status=ActionStatus.WONT_DO, link="JIRA-1", position=3, id=2),
    ScriptUse(session_id=1, script_id="who-did-it", title="Who did it?", shown_at=berlin(14, 30),
              id=3),
    BlameFlag(session_id=1, entity=EntityKind.FINDING, entity_id=4, start=0, end=4,
              phrase="Dave forgot", category=FlagCategory.ATTRIBUTION, explanation="e",
              suggestion="s", card_id="c", status=FlagStatus.DISMISSED,
              raised_at=berlin(14, 31), resolved_at=berlin(14, 32), id=11),
]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: type(e).__name__)
def test_round_trip(entry: object) -> None:
    row = to_row(entry)
    assert from_row(type(entry), row) == entry


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: type(e).__name__)
def test_rows_hold_only_sqlite_values(entry: object) -> None:
    for value in to_row(entry).values():
        assert value is None or type(value) in (int, float, str), value


def test_times_are_stored_as_utc_iso_text() -> None:
    row = to_row(FULL_SESSION)
    assert row["scheduled"] == "2026-03-29T12:00:00+00:00"
    assert row["impact_started"] == "2026-03-29T00:00:05.123456+00:00"
    assert row["follow_up_date"] == "2026-04-12"
    assert json.loads(row["attendees"]) == list(FULL_SESSION.attendees)
    assert "李雷" in row["attendees"]  # stored readable, not \u-escaped
    assert row["severity"] == "SEV1" and row["status"] == "reviewed"


def test_loaded_times_are_aware_utc_and_the_same_instant() -> None:
    loaded = from_row(Session, to_row(FULL_SESSION))
    assert loaded.detected is not None and loaded.detected.timezone_name == "UTC"
    assert loaded.detected == FULL_SESSION.detected
    assert loaded.detected.in_timezone(BERLIN).hour == 3
    assert isinstance(loaded.follow_up_date, pendulum.Date)
    assert isinstance(loaded.attendees, tuple)
    assert loaded.timezone == BERLIN


def test_unsaved_id_is_left_out_and_none_is_kept() -> None:
    row = to_row(Session(title="x"))
    assert "id" not in row
    assert row["scheduled"] is None and row["slo_target"] is None and row["follows_up"] is None


def test_bool_is_stored_as_integer() -> None:
    event = ENTRIES[3]
    assert to_row(event)["starred"] == 1
    assert from_row(TimelineEvent, {**to_row(event), "starred": 0}).starred is False


def test_dump_and_load_none() -> None:
    assert dump_time(None) is None
    assert load_time(None) is None


@given(
    st.datetimes(
        min_value=pendulum.datetime(1900, 1, 2).naive(),
        max_value=pendulum.datetime(2999, 12, 30).naive(),
    ),
    st.sampled_from(["UTC", BERLIN, "America/St_Johns", "Asia/Kathmandu", "Pacific/Chatham"]),
)
@example(pendulum.naive(2026, 11, 1, 3, 30), "America/St_Johns")  # 01:00 local, twice that night
def test_any_time_round_trips(naive: object, zone: str) -> None:
    moment = pendulum.instance(naive, tz="UTC").in_timezone(zone)  # type: ignore[arg-type]
    loaded = load_time(dump_time(moment))
    # The same instant, compared in UTC: across zones, == is False for a local time that
    # a clock change repeats (PEP 495), such as 01:00 in St. John's when summer time ends.
    assert loaded == moment.in_timezone("UTC")
    assert loaded is not None and loaded.timestamp() == moment.timestamp()
    assert loaded.utcoffset() == pendulum.Duration(0)


@given(st.text(), st.lists(st.text(), max_size=5))
def test_any_text_round_trips(text: str, attendees: list[str]) -> None:
    session = Session(title=text, summary=text, attendees=tuple(attendees))
    # Text comes back cleaned (control characters another program may have written are
    # never handed on); text that is clean already comes back exactly.
    assert from_row(Session, to_row(session)) == Session(
        title=clean_text(text), summary=clean_text(text),
        attendees=tuple(clean_text(a) for a in attendees), created=session.created)
