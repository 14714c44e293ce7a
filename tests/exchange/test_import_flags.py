"""An imported timeline gets the blame flags that typing the same rows would raise.

``Store.add_many_with_flags`` is what both the ``timeline import`` command and the
console's CSV import call; the console's typed entry goes through ``flags_for`` and
``save_with_flags``. Both must end with the same flags.
"""

from __future__ import annotations

import dataclasses

import pendulum

from pmconsole.domain.blame import flags_for, session_names
from pmconsole.domain.model import BlameFlag, EntityKind, FlagStatus, Session, TimelineEvent
from pmconsole.exchange.minutes import render_minutes
from pmconsole.exchange.timeline_csv import parse_timeline_csv
from pmconsole.store.repository import Store
from tests.exchange.mdparse import only_table, parse_minutes, section

NOW = pendulum.datetime(2026, 11, 20, 12, 0, tz="UTC")
CSV = (
    "time,kind,text\n"
    "14:58,trigger,Certificate on the payments gateway expires\n"
    "15:02,diagnosis,Dave forgot to renew the cert again\n"
    "15:05,escalation,Priya should have paged the vendor; who approved this?\n"
    "15:20,mitigation,New cert deployed\n"
)


def _session(store: Store) -> Session:
    return store.create_session(Session(
        title="Cert expiry", timezone="Europe/Berlin", facilitator="Priya Natarajan",
        attendees=("Dave Kim", "Priya Natarajan"),
        impact_started=pendulum.datetime(2026, 11, 19, 13, 58, tz="UTC")))


def _what_matters(flag: BlameFlag) -> tuple[object, ...]:
    return dataclasses.astuple(dataclasses.replace(flag, id=None, session_id=0, entity_id=0))


def test_imported_rows_get_the_flags_typed_rows_get() -> None:
    store = Store.memory()
    imported_session, typed_session = _session(store), _session(store)
    assert imported_session.id is not None and typed_session.id is not None

    events, _ = parse_timeline_csv(CSV, session=imported_session, now=NOW)
    saved, flags = store.add_many_with_flags(
        events, names=session_names(imported_session), now=NOW)

    typed_flags: list[BlameFlag] = []
    for event in events:  # what the console does on Enter
        typed = dataclasses.replace(event, session_id=typed_session.id)
        found = flags_for(typed.text, names=session_names(typed_session),
                          session_id=typed_session.id, entity=EntityKind.TIMELINE,
                          entity_id=0, now=NOW)
        typed_flags += store.save_with_flags(typed, EntityKind.TIMELINE, found)[1]

    assert [f.phrase for f in flags] == ["Dave forgot to", "Priya should have", "who approved"]
    assert [_what_matters(f) for f in flags] == [_what_matters(f) for f in typed_flags]
    assert all(f.status is FlagStatus.OPEN and f.raised_at == NOW for f in flags)
    # Each flag is on its own event, as the store reads it back.
    assert store.list_children(BlameFlag, imported_session.id) == flags
    by_id = {event.id: event for event in saved}
    assert [by_id[f.entity_id].text[f.start:f.end] for f in flags] == [f.phrase for f in flags]
    assert store.list_children(TimelineEvent, imported_session.id) == saved


def test_the_minutes_list_the_imported_flags() -> None:
    store = Store.memory()
    session = _session(store)
    assert session.id is not None
    events, _ = parse_timeline_csv(CSV, session=session, now=NOW)
    store.add_many_with_flags(events, names=session_names(session), now=NOW)
    review = section(parse_minutes(render_minutes(store.load(session.id), now=NOW)),
                     "Blameless-language review")
    assert review[0].text == "3 phrases were flagged as blameful: 3 open."
    assert [row[0] for row in only_table(review)[1:]] == [
        "Dave forgot to", "Priya should have", "who approved"]


def test_nothing_to_flag_and_nothing_to_import() -> None:
    store = Store.memory()
    session = _session(store)
    events, _ = parse_timeline_csv("time,kind,text\n14:58,trigger,Cert expires\n",
                                   session=session, now=NOW)
    saved, flags = store.add_many_with_flags(events, names=session_names(session), now=NOW)
    assert len(saved) == 1 and flags == []
    assert store.add_many_with_flags([], names=(), now=NOW) == ([], [])
