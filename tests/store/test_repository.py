"""Store: round trips of every entity, edits, deletes, ordering, import, atomicity."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pendulum
import pytest

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
from pmconsole.store.errors import NotFound, ReadOnlyDatabase, SaveFailed, StoreError
from pmconsole.store.repository import Store
from pmconsole.store.search import search

TZ = "America/New_York"


def at(hour: int, minute: int = 0, day: int = 20) -> pendulum.DateTime:
    return pendulum.datetime(2026, 11, day, hour, minute, tz=TZ)


def full_session(**changes: object) -> Session:
    session = Session(
        title="Checkout outage",
        service="checkout",
        severity=Severity.SEV2,
        status=SessionStatus.LIVE,
        facilitator="Priya",
        scribe="Tomás",
        attendees=("Priya", "Tomás", "Mei 李"),
        timezone=TZ,
        scheduled=at(14),
        started=at(14, 3),
        ended=at(15, 1),
        impact_started=at(10),
        detected=at(10, 14),
        acknowledged=at(10, 17),
        mitigated=at(11, 6),
        resolved=at(12, 40),
        slo_target=99.9,
        slo_window_days=28,
        follow_up_date=pendulum.date(2026, 12, 4),
        follows_up=None,
        summary="For 66 minutes card payments failed.",
        impact="Two thirds of card payments declined.",
        created=pendulum.datetime(2026, 11, 19, 9, tz="UTC"),
    )
    return dataclasses.replace(session, **changes)  # type: ignore[arg-type]


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = Store.memory() if request.param == "memory" else Store.open(tmp_path / "pm.db")
    yield opened
    opened.close()


def count(store: Store, table: str) -> int:
    return int(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def children(session_id: int) -> list[object]:
    return [
        AgendaItem(session_id=session_id, title="Opening", planned_minutes=5,
                   started=at(14, 3), ended=at(14, 8), extra_minutes=2,
                   paused_at=at(14, 5), paused_seconds=30.5, notes="ground rules"),
        TimelineEvent(session_id=session_id, at=at(10, 2), text="auth success drops",
                      kind=EventKind.DETECTION, link="https://grafana.example/d/1", starred=True),
        Finding(session_id=session_id, text="renewal job failed silently",
                kind=FindingKind.ROOT_CAUSE, category=FindingCategory.MONITORING),
        ActionItem(session_id=session_id, text="alert on cert expiry", owner="team-sre",
                   due=pendulum.date(2026, 12, 1), type=ActionType.DETECT,
                   priority=Priority.P1, status=ActionStatus.IN_PROGRESS, link="SRE-12"),
        ScriptUse(session_id=session_id, script_id="who", title="Who did it?",
                  shown_at=at(14, 20)),
        BlameFlag(session_id=session_id, entity=EntityKind.SESSION, entity_id=session_id,
                  start=0, end=4, phrase="Dave forgot", category=FlagCategory.ATTRIBUTION,
                  explanation="names a person", suggestion="the process allowed",
                  card_id="who", status=FlagStatus.ACCEPTED, raised_at=at(14, 21),
                  resolved_at=at(14, 22)),
    ]


# -- round trips -------------------------------------------------------------------------------


def test_session_with_every_field_round_trips(store: Store) -> None:
    session = full_session()
    saved = store.add(session)
    assert saved.id is not None
    assert saved == dataclasses.replace(session, id=saved.id)
    loaded = store.get_session(saved.id)
    assert loaded == saved
    assert loaded.attendees == ("Priya", "Tomás", "Mei 李")
    assert loaded.timezone == TZ
    assert loaded.follow_up_date == pendulum.date(2026, 12, 4)
    assert loaded.slo_target == 99.9 and loaded.slo_window_days == 28


def test_follows_up_round_trips(store: Store) -> None:
    first = store.add(full_session())
    second = store.add(full_session(title="follow-up", follows_up=first.id))
    assert second.id is not None
    assert store.get_session(second.id).follows_up == first.id


@pytest.mark.parametrize("index", range(6), ids=["agenda", "timeline", "finding", "action",
                                                  "script", "flag"])
def test_every_entry_kind_round_trips(store: Store, index: int) -> None:
    session = store.add(full_session())
    assert session.id is not None
    entry = children(session.id)[index]
    saved = store.add(entry)  # type: ignore[type-var]
    assert saved.id is not None
    assert saved == dataclasses.replace(entry, id=saved.id)  # type: ignore[type-var]
    assert store.get(type(entry), saved.id) == saved
    assert store.list_children(type(entry), session.id) == [saved]  # type: ignore[arg-type]


def test_load_returns_everything_in_display_order(store: Store) -> None:
    session = store.create_session(full_session(), [("A", 5), ("B", 10), ("C", 1)])
    assert session.id is not None
    sid = session.id
    late = store.add(TimelineEvent(session_id=sid, at=at(11), text="late"))
    early = store.add(TimelineEvent(session_id=sid, at=at(9), text="early"))
    f1 = store.add(Finding(session_id=sid, text="f1"))
    f2 = store.add(Finding(session_id=sid, text="f2"))
    record = store.load(sid)
    assert record.session == session
    assert [a.title for a in record.agenda] == ["A", "B", "C"]
    assert [a.position for a in record.agenda] == [0, 1, 2]
    assert [e.id for e in record.timeline] == [early.id, late.id]
    assert list(record.findings) == [f1, f2]
    assert (f1.position, f2.position) == (0, 1)


def test_positions_are_assigned_per_session(store: Store) -> None:
    a = store.add(full_session())
    b = store.add(full_session())
    assert a.id is not None and b.id is not None
    store.add(ActionItem(session_id=a.id, text="a0"))
    store.add(ActionItem(session_id=a.id, text="a1"))
    first_b = store.add(ActionItem(session_id=b.id, text="b0"))
    assert first_b.position == 0


# -- update and delete -------------------------------------------------------------------------


def test_update_saves_every_field(store: Store) -> None:
    saved = store.add(full_session())
    assert saved.id is not None
    changed = dataclasses.replace(
        saved, title="renamed", attendees=("Solo",), timezone="Asia/Tokyo", detected=None,
        resolved=at(13), slo_target=None, follow_up_date=None, status=SessionStatus.ENDED,
    )
    store.update(changed)
    assert store.get_session(saved.id) == changed


@pytest.mark.parametrize("index", range(6), ids=["agenda", "timeline", "finding", "action",
                                                  "script", "flag"])
def test_update_each_entry_kind(store: Store, index: int) -> None:
    session = store.add(full_session())
    assert session.id is not None
    saved = store.add(children(session.id)[index])  # type: ignore[type-var]
    field = {0: "title", 1: "text", 2: "text", 3: "text", 4: "title", 5: "phrase"}[index]
    changed = dataclasses.replace(saved, **{field: "changed text"})
    store.update(changed)
    assert store.get(type(saved), saved.id) == changed  # type: ignore[arg-type]


def test_update_of_deleted_entry_raises_not_found(store: Store) -> None:
    session = store.add(full_session())
    assert session.id is not None
    event = store.add(TimelineEvent(session_id=session.id, at=at(10), text="x"))
    assert event.id is not None
    store.delete(TimelineEvent, event.id)
    with pytest.raises(NotFound):
        store.update(dataclasses.replace(event, text="y"))
    assert count(store, "timeline_events") == 0


def test_get_missing_raises_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.get_session(12345)


def test_deleting_a_session_deletes_its_children_and_their_search_rows(store: Store) -> None:
    keep = store.add(full_session(title="keeper"))
    gone = store.create_session(full_session(title="zebra session"), [("zebra agenda", 5)])
    assert keep.id is not None and gone.id is not None
    for entry in children(gone.id):
        if isinstance(entry, (AgendaItem, TimelineEvent, Finding, ActionItem, ScriptUse)):
            field = "title" if isinstance(entry, (AgendaItem, ScriptUse)) else "text"
            entry = dataclasses.replace(entry, **{field: "zebra " + getattr(entry, field)})
        store.add(entry)  # type: ignore[type-var]
    for entry in children(keep.id):
        store.add(entry)  # type: ignore[type-var]
    assert {h.session_id for h in search(store.conn, "zebra")} == {gone.id}
    # The session, two agenda items, an event, a finding, an action and a script use.
    assert len(search(store.conn, "zebra")) == 7

    store.delete(Session, gone.id)

    with pytest.raises(NotFound):
        store.get_session(gone.id)
    for table in ("agenda_items", "timeline_events", "findings", "action_items",
                  "script_uses", "blame_flags"):
        assert store.conn.execute(
            f"SELECT count(*) FROM {table} WHERE session_id = ?", [gone.id]
        ).fetchone()[0] == 0, table
        # The FTS index holds no row whose source row is gone.
        if table != "blame_flags":
            assert store.conn.execute(
                f"SELECT count(*) FROM {table}_fts WHERE rowid NOT IN (SELECT rowid FROM {table})"
            ).fetchone()[0] == 0, table
    assert search(store.conn, "zebra") == []
    # The other session is untouched.
    assert len(store.load(keep.id).timeline) == 1
    assert len(store.load(keep.id).flags) == 1


def test_deleting_an_entry_deletes_its_blame_flags(store: Store) -> None:
    session = store.add(full_session())
    assert session.id is not None
    finding = store.add(Finding(session_id=session.id, text="Dave forgot the cert"))
    assert finding.id is not None
    other = store.add(Finding(session_id=session.id, text="other"))
    assert other.id is not None
    flag = BlameFlag(session_id=session.id, entity=EntityKind.FINDING, entity_id=finding.id,
                     start=0, end=11, phrase="Dave forgot", category=FlagCategory.ATTRIBUTION,
                     explanation="e", suggestion="s")
    store.add(flag)
    kept = store.add(dataclasses.replace(flag, entity_id=other.id))
    store.delete(Finding, finding.id)
    assert store.list_children(BlameFlag, session.id) == [kept]


def test_deleting_an_earlier_session_unlinks_its_follow_up(store: Store) -> None:
    first = store.add(full_session())
    second = store.add(full_session(follows_up=first.id))
    assert first.id is not None and second.id is not None
    store.delete(Session, first.id)
    assert store.get_session(second.id).follows_up is None


# -- ordering ----------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [AgendaItem, Finding, ActionItem])
def test_move_reorders_and_clamps(store: Store, cls: type) -> None:
    session = store.add(full_session())
    assert session.id is not None
    sid = session.id

    def make(name: str) -> object:
        if cls is AgendaItem:
            return AgendaItem(session_id=sid, title=name, planned_minutes=5)
        return cls(session_id=sid, text=name)

    def names(items: list[object]) -> list[str]:
        return [getattr(i, "title" if cls is AgendaItem else "text") for i in items]

    saved = [store.add(make(n)) for n in "abcd"]  # type: ignore[type-var]
    assert names(store.move(cls, saved[2].id, -1)) == list("acbd")
    assert names(store.move(cls, saved[0].id, +1)) == list("cabd")
    assert names(store.move(cls, saved[3].id, -10)) == list("dcab")
    assert names(store.move(cls, saved[3].id, +10)) == list("cabd")
    moved = store.list_children(cls, sid)
    assert names(moved) == list("cabd")
    assert [m.position for m in moved] == [0, 1, 2, 3]
    # A new entry still goes to the end.
    assert store.add(make("e")).position == 4  # type: ignore[type-var]


def test_list_sessions_newest_first(store: Store) -> None:
    old = store.add(full_session(title="old", scheduled=at(9, day=1)))
    unscheduled_new = store.add(full_session(
        title="created only", scheduled=None, started=None,
        created=pendulum.datetime(2026, 11, 25, tz="UTC")))
    mid = store.add(full_session(title="mid", scheduled=None, started=at(9, day=10)))
    newest = store.add(full_session(title="newest", scheduled=at(9, day=28)))
    tie = store.add(full_session(title="tie", scheduled=at(9, day=28)))
    order = [s.title for s in store.list_sessions()]
    assert order == ["tie", "newest", "created only", "mid", "old"]
    assert {s.id for s in store.list_sessions()} == {
        old.id, unscheduled_new.id, mid.id, newest.id, tie.id}


def test_list_sessions_orders_by_instant_not_text(store: Store) -> None:
    # Stored as UTC text, so local offsets cannot reorder instants.
    tokyo = store.add(full_session(title="tokyo 08:00 (23:00 UTC before)",
                                   scheduled=pendulum.datetime(2026, 11, 21, 8, tz="Asia/Tokyo")))
    utc = store.add(full_session(title="utc 22:00",
                                 scheduled=pendulum.datetime(2026, 11, 20, 22, tz="UTC")))
    assert [s.id for s in store.list_sessions()] == [tokyo.id, utc.id]


def test_create_session_adds_agenda_in_one_go(store: Store) -> None:
    session = store.create_session(full_session(), [("one", 5), ("two", 10)])
    assert session.id is not None
    agenda = store.list_children(AgendaItem, session.id)
    assert [(a.title, a.planned_minutes, a.position) for a in agenda] == [
        ("one", 5, 0), ("two", 10, 1)]


def test_follow_up_lists_the_earlier_sessions_actions_as_the_same_rows(store: Store) -> None:
    first = store.add(full_session())
    assert first.id is not None
    inherited = store.add(ActionItem(session_id=first.id, text="inherited"))
    second = store.add(full_session(follows_up=first.id))
    assert second.id is not None
    own = store.add(ActionItem(session_id=second.id, text="own"))
    record = store.load(second.id)
    assert list(record.actions) == [inherited, own]
    store.update(dataclasses.replace(inherited, status=ActionStatus.DONE))
    assert store.load(first.id).actions[0].status is ActionStatus.DONE


def test_list_actions_filters(store: Store) -> None:
    session = store.add(full_session())
    assert session.id is not None
    sid = session.id
    store.add(ActionItem(session_id=sid, text="a", owner="100%_team",
                         due=pendulum.date(2026, 12, 2)))
    store.add(ActionItem(session_id=sid, text="b", owner="ops", due=pendulum.date(2026, 12, 1)))
    store.add(ActionItem(session_id=sid, text="c", owner="ops", status=ActionStatus.DONE))
    store.add(ActionItem(session_id=sid, text="d", owner="100x_team"))
    assert [a.text for a in store.list_actions()] == ["b", "a", "c", "d"]
    assert [a.text for a in store.list_actions(statuses=[ActionStatus.OPEN])] == ["b", "a", "d"]
    # LIKE wildcards in the owner filter are taken literally.
    assert [a.text for a in store.list_actions(owner="100%_")] == ["a"]
    assert store.action_counts("2026-12-02") == {sid: (3, 1)}


# -- import ------------------------------------------------------------------------------------


def test_import_record_renumbers_and_maps_flag_entity_ids(store: Store) -> None:
    store.add(full_session(title="occupies id 1"))
    filler = store.add(full_session(title="filler"))
    assert filler.id is not None
    for i in range(3):  # make the new ids differ from the record's ids
        store.add(TimelineEvent(session_id=filler.id, at=at(9), text=f"filler {i}"))
        store.add(Finding(session_id=filler.id, text=f"filler {i}"))
    record = SessionRecord(
        session=full_session(id=1),
        agenda=(AgendaItem(session_id=1, id=1, title="A", planned_minutes=5),),
        timeline=(TimelineEvent(session_id=1, id=1, at=at(10), text="Dave broke it"),),
        findings=(Finding(session_id=1, id=1, text="Bob should have known"),),
        actions=(ActionItem(session_id=1, id=1, text="fire Bob"),),
        script_uses=(ScriptUse(session_id=1, id=1, script_id="s", title="S", shown_at=at(14)),),
        flags=tuple(
            BlameFlag(session_id=1, entity=kind, entity_id=1, start=0, end=3, phrase="p",
                      category=FlagCategory.CHARACTER, explanation="e", suggestion="s")
            for kind in (EntityKind.SESSION, EntityKind.TIMELINE, EntityKind.FINDING,
                         EntityKind.ACTION, EntityKind.AGENDA)
        ),
    )
    new_id = store.import_record(record)
    assert new_id not in (1, filler.id)
    loaded = store.load(new_id)
    assert loaded.session == dataclasses.replace(record.session, id=new_id)
    expected_ids = {
        EntityKind.SESSION: new_id,
        EntityKind.AGENDA: loaded.agenda[0].id,
        EntityKind.TIMELINE: loaded.timeline[0].id,
        EntityKind.FINDING: loaded.findings[0].id,
        EntityKind.ACTION: loaded.actions[0].id,
    }
    assert loaded.timeline[0].id != 1 and loaded.findings[0].id != 1
    assert {f.entity: f.entity_id for f in loaded.flags} == expected_ids
    assert all(f.session_id == new_id for f in loaded.flags)
    assert len(loaded.script_uses) == 1
    # The session it was imported alongside is untouched.
    assert len(store.load(filler.id).timeline) == 3


def test_import_record_is_all_or_nothing(store: Store) -> None:
    before = count(store, "sessions")
    bad = SessionRecord(
        session=full_session(),
        timeline=(TimelineEvent(session_id=1, id=1, at=at(10), text="ok"),),
        # A lone surrogate cannot be stored; the whole import must roll back.
        findings=(Finding(session_id=1, id=1, text="bad \ud800"),),
    )
    with pytest.raises(Exception):  # noqa: B017 - whatever the error, nothing is half-written
        store.import_record(bad)
    assert count(store, "sessions") == before
    assert count(store, "timeline_events") == 0


# -- blame flags -------------------------------------------------------------------------------


def flag(session_id: int, phrase: str, **changes: object) -> BlameFlag:
    base = BlameFlag(session_id=session_id, entity=EntityKind.FINDING, entity_id=0, start=0,
                     end=len(phrase), phrase=phrase, category=FlagCategory.ATTRIBUTION,
                     explanation="e", suggestion="s")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_save_with_flags_inserts_then_replaces_open_flags(store: Store) -> None:
    session = store.add(full_session())
    assert session.id is not None
    sid = session.id
    finding, flags = store.save_with_flags(
        Finding(session_id=sid, text="Dave forgot"), EntityKind.FINDING, [flag(sid, "Dave forgot")])
    assert finding.id is not None
    assert [(f.entity_id, f.phrase) for f in flags] == [(finding.id, "Dave forgot")]
    dismissed = store.update(dataclasses.replace(flags[0], status=FlagStatus.DISMISSED))
    finding2, flags2 = store.save_with_flags(
        dataclasses.replace(finding, text="Dave forgot; Bob should have"), EntityKind.FINDING,
        [flag(sid, "dave forgot"), flag(sid, "should have", category=FlagCategory.HINDSIGHT)])
    assert store.get(Finding, finding.id).text == "Dave forgot; Bob should have"
    assert [f.phrase for f in flags2] == ["should have"]  # the dismissed one does not come back
    assert {f.phrase for f in store.list_children(BlameFlag, sid)} == {"Dave forgot", "should have"}
    assert dismissed in store.list_children(BlameFlag, sid)
    _, flags3 = store.save_with_flags(finding2, EntityKind.FINDING, [])
    assert flags3 == []
    assert store.list_children(BlameFlag, sid) == [dismissed]


def test_save_with_flags_is_atomic(store: Store) -> None:
    session = store.add(full_session())
    assert session.id is not None
    store.before_commit = lambda: (_ for _ in ()).throw(RuntimeError("boom"))
    with pytest.raises(SaveFailed):
        store.save_with_flags(Finding(session_id=session.id, text="x"), EntityKind.FINDING,
                              [flag(session.id, "x")])
    assert count(store, "findings") == 0 and count(store, "blame_flags") == 0


# -- atomicity ---------------------------------------------------------------------------------


def test_failure_in_before_commit_leaves_nothing(store: Store) -> None:
    store.before_commit = lambda: (_ for _ in ()).throw(RuntimeError("boom"))
    with pytest.raises(SaveFailed, match="boom"):
        store.add(full_session())
    with pytest.raises(SaveFailed):
        store.create_session(full_session(), [("a", 5), ("b", 5)])
    store.before_commit = None
    assert count(store, "sessions") == 0
    assert count(store, "agenda_items") == 0
    assert search(store.conn, "Checkout") == []


def test_sqlite_error_in_before_commit_becomes_save_failed(store: Store) -> None:
    session = store.add(full_session())
    assert session.id is not None

    def fail() -> None:
        raise sqlite3.OperationalError("disk I/O error")

    store.before_commit = fail
    with pytest.raises(SaveFailed) as caught:
        store.update(dataclasses.replace(session, title="changed"))
    assert isinstance(caught.value, StoreError)
    assert "\n" not in str(caught.value)
    store.before_commit = None
    assert store.get_session(session.id).title == "Checkout outage"


def test_error_inside_transaction_rolls_back_every_write(store: Store) -> None:
    with pytest.raises(SaveFailed):
        with store.transaction():
            store.db["sessions"].insert({"title": "half", "created": "2026-01-01T00:00:00+00:00"})
            assert count(store, "sessions") == 1
            raise RuntimeError("boom")
    assert count(store, "sessions") == 0
    assert search(store.conn, "half") == []


def test_sqlite_error_inside_transaction_becomes_store_error(store: Store) -> None:
    with pytest.raises(SaveFailed):
        with store.transaction():
            store.db["sessions"].insert({"title": "half", "created": "2026-01-01T00:00:00+00:00"})
            store.conn.execute("INSERT INTO no_such_table VALUES (1)")
    assert count(store, "sessions") == 0


def test_a_nested_write_that_fails_is_undone_alone(store: Store) -> None:
    """Inside a transaction, a nested one is a savepoint: its failure undoes its own
    writes, and what the outer one wrote before and after is committed."""
    session = store.add(Session(title="outer"))
    assert session.id is not None
    with store.transaction():
        store.add(Finding(session_id=session.id, text="before"))
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.add(Finding(session_id=session.id, text="inner, undone"))
                raise RuntimeError("boom")
        store.add(Finding(session_id=session.id, text="after"))
    assert [f.text for f in store.list_children(Finding, session.id)] == ["before", "after"]
    assert not store.conn.in_transaction


def test_entry_for_a_missing_session_is_refused_whole(store: Store) -> None:
    with pytest.raises(SaveFailed):
        store.add(TimelineEvent(session_id=999, at=at(10), text="orphan"))
    assert count(store, "timeline_events") == 0
    assert search(store.conn, "orphan") == []


def test_move_rolls_back_on_failure(store: Store) -> None:
    session = store.add(full_session())
    assert session.id is not None
    items = [store.add(Finding(session_id=session.id, text=t)) for t in "abc"]
    store.before_commit = lambda: (_ for _ in ()).throw(RuntimeError("boom"))
    with pytest.raises(SaveFailed):
        store.move(Finding, items[2].id, -2)  # type: ignore[arg-type]
    store.before_commit = None
    assert [f.text for f in store.list_children(Finding, session.id)] == ["a", "b", "c"]


def test_delete_rolls_back_on_failure(store: Store) -> None:
    session = store.create_session(full_session(), [("a", 5)])
    assert session.id is not None
    store.before_commit = lambda: (_ for _ in ()).throw(RuntimeError("boom"))
    with pytest.raises(SaveFailed):
        store.delete(Session, session.id)
    store.before_commit = None
    assert len(store.load(session.id).agenda) == 1


def test_an_edit_is_on_disk_when_the_method_returns(tmp_path: Path) -> None:
    path = tmp_path / "pm.db"
    store = Store.open(path)
    try:
        saved = store.add(full_session(title="durable"))
        # A second, independent connection sees it at once: it was committed.
        other = sqlite3.connect(path)
        assert other.execute("SELECT title FROM sessions WHERE id = ?", [saved.id]).fetchone() == (
            "durable",)
        other.close()
        assert not store.conn.in_transaction
    finally:
        store.close()


def test_readonly_store_refuses_every_write(tmp_path: Path) -> None:
    path = tmp_path / "pm.db"
    writer = Store.open(path)
    session = writer.add(full_session())
    writer.close()
    store = Store.open(path, readonly=True)
    try:
        assert store.readonly
        assert store.get_session(session.id) == session  # type: ignore[arg-type]
        for write in (
            lambda: store.add(full_session()),
            lambda: store.update(dataclasses.replace(session, title="x")),
            lambda: store.delete(Session, session.id),  # type: ignore[arg-type]
            lambda: store.create_session(full_session(), [("a", 1)]),
        ):
            with pytest.raises(ReadOnlyDatabase) as caught:
                write()
            message = str(caught.value)
            assert str(path) in message and "read-only" in message and "\n" not in message
    finally:
        store.close()


def test_restore_brings_back_id_place_and_flags_as_they_were(store: Store) -> None:
    session = store.add(full_session())
    assert session.id is not None
    items = [store.add(Finding(session_id=session.id, text=f"finding {n}")) for n in range(4)]
    victim = items[1]
    assert victim.id is not None
    for status, phrase in ((FlagStatus.DISMISSED, "forgot to"), (FlagStatus.OPEN, "should have")):
        store.add(BlameFlag(session_id=session.id, entity=EntityKind.FINDING, entity_id=victim.id,
                            start=0, end=len(phrase), phrase=phrase, category=FlagCategory.HINDSIGHT,
                            explanation="e", suggestion="s", status=status, raised_at=at(14)))
    saved_flags = [f for f in store.load(session.id).flags if f.entity_id == victim.id]
    assert len(saved_flags) == 2
    store.delete(Finding, victim.id)
    assert count(store, "blame_flags") == 0
    restored = store.restore(victim, saved_flags)
    assert restored.id == victim.id
    assert [(f.id, f.text) for f in store.list_children(Finding, session.id)] == [
        (f.id, f.text) for f in items
    ]
    back = [(f.phrase, f.status) for f in store.load(session.id).flags if f.entity_id == victim.id]
    assert sorted(back) == sorted((f.phrase, f.status) for f in saved_flags)

    # Its id taken in the meantime (another console added an entry): a new id, same place.
    store.delete(Finding, victim.id)
    squatter = store.add(Finding(session_id=session.id, text="squatter"))
    store.conn.execute("UPDATE findings SET id = ? WHERE id = ?", [victim.id, squatter.id])
    again = store.restore(victim)
    assert again.id not in (victim.id, None)
    texts = [f.text for f in store.list_children(Finding, session.id)]
    assert texts.index("finding 1") == 1


def test_a_nested_write_that_ends_the_whole_transaction_saves_nothing(store: Store) -> None:
    """Some failures make SQLite roll back the whole transaction (here a trigger's
    RAISE(ROLLBACK)). Even if the caller catches the inner error and goes on, nothing of the
    edit is saved, nothing after it sneaks in on its own, and the caller hears so."""
    session = store.add(Session(title="outer"))
    assert session.id is not None
    store.conn.execute(
        "CREATE TRIGGER no_boom BEFORE INSERT ON findings WHEN NEW.text = 'boom'"
        " BEGIN SELECT RAISE(ROLLBACK, 'boom refused'); END"
    )
    with pytest.raises(SaveFailed, match="none of it was kept"):
        with store.transaction():
            store.add(Finding(session_id=session.id, text="before"))
            with pytest.raises(sqlite3.IntegrityError):
                store.add(Finding(session_id=session.id, text="boom"))
            with pytest.raises(SaveFailed):
                store.add(Finding(session_id=session.id, text="after, in a new transaction?"))
            store.conn.execute("SELECT 1")  # the caller carries on regardless
    assert store.list_children(Finding, session.id) == []
    assert not store.conn.in_transaction
    # The store is usable again at once.
    store.add(Finding(session_id=session.id, text="next edit"))
    assert [f.text for f in store.list_children(Finding, session.id)] == ["next edit"]
