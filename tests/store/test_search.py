"""Full-text search: kept current on every edit, safe for anything typed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmconsole.domain.model import (
    ActionItem,
    AgendaItem,
    EntityKind,
    Finding,
    ScriptUse,
    Session,
    TimelineEvent,
)
from pmconsole.store.errors import SaveFailed
from pmconsole.store.repository import Store
from pmconsole.store.search import MARK_END, MARK_START, SearchHit, fts_query, search

AT = pendulum.datetime(2026, 11, 20, 10, tz="UTC")


@pytest.fixture(scope="module")
def shared() -> Iterator[Store]:
    """One populated store for the read-only query tests."""
    store = Store.memory()
    session = store.create_session(
        Session(title="Checkout outage: it's the cert", service="payments 決済",
                summary="Failover failed; NEAR the edge AND OR NOT * - \" [/] 💥"),
        [("Walk through the timeline", 10)],
    )
    assert session.id is not None
    store.add(TimelineEvent(session_id=session.id, at=AT, text="東京 region failed over"))
    store.add(Finding(session_id=session.id, text="renewal job was failing"))
    yield store
    store.close()


def ids(hits: list[SearchHit], entity: EntityKind) -> set[int]:
    return {h.entity_id for h in hits if h.entity is entity}


# -- kept current ------------------------------------------------------------------------------

# (entity kind, factory for an entry with the given text, name of its searchable text field)
KINDS: list[tuple[EntityKind, Callable[[int, str], object], str]] = [
    (EntityKind.AGENDA, lambda sid, t: AgendaItem(session_id=sid, title=t, planned_minutes=5),
     "title"),
    (EntityKind.TIMELINE, lambda sid, t: TimelineEvent(session_id=sid, at=AT, text=t), "text"),
    (EntityKind.FINDING, lambda sid, t: Finding(session_id=sid, text=t), "text"),
    (EntityKind.ACTION, lambda sid, t: ActionItem(session_id=sid, text=t), "text"),
    (EntityKind.SCRIPT,
     lambda sid, t: ScriptUse(session_id=sid, script_id="s", title=t, shown_at=AT), "title"),
]


@pytest.mark.parametrize("kind,make,field", KINDS, ids=[k[0].value for k in KINDS])
def test_add_update_delete_keep_the_index_current(
    kind: EntityKind, make: Callable[[int, str], object], field: str
) -> None:
    store = Store.memory()
    session = store.add(Session(title="plain"))
    assert session.id is not None
    saved = store.add(make(session.id, "certificate aardvark expired"))  # type: ignore[type-var]
    hits = search(store.conn, "aardvark")
    assert ids(hits, kind) == {saved.id}
    assert hits[0].session_id == session.id and hits[0].session_title == "plain"

    store.update(dataclasses.replace(saved, **{field: "quokka renewed"}))  # type: ignore[type-var]
    assert search(store.conn, "aardvark") == []
    assert ids(search(store.conn, "quokka"), kind) == {saved.id}

    store.delete(type(saved), saved.id)  # type: ignore[arg-type]
    assert search(store.conn, "quokka") == []


@pytest.mark.parametrize("field", ["title", "service", "facilitator", "scribe", "summary",
                                   "impact"])
def test_every_session_text_field_is_searchable(field: str) -> None:
    store = Store.memory()
    session = store.add(dataclasses.replace(Session(title="t"), **{field: "wombat"}))
    assert ids(search(store.conn, "wombat"), EntityKind.SESSION) == {session.id}
    store.update(dataclasses.replace(session, **{field: "numbat"}))
    assert search(store.conn, "wombat") == []
    assert ids(search(store.conn, "numbat"), EntityKind.SESSION) == {session.id}
    store.delete(Session, session.id)  # type: ignore[arg-type]
    assert search(store.conn, "numbat") == []


def test_attendees_links_owners_and_notes_are_searchable() -> None:
    store = Store.memory()
    session = store.add(Session(title="t", attendees=("Xiomara",)))
    assert session.id is not None
    event = store.add(TimelineEvent(session_id=session.id, at=AT, text="x",
                                    link="https://grafana.example/zzlink"))
    action = store.add(ActionItem(session_id=session.id, text="x", owner="Yolanda"))
    item = store.add(AgendaItem(session_id=session.id, title="x", planned_minutes=1,
                                notes="qqnote"))
    assert ids(search(store.conn, "Xiomara"), EntityKind.SESSION) == {session.id}
    assert ids(search(store.conn, "zzlink"), EntityKind.TIMELINE) == {event.id}
    assert ids(search(store.conn, "yolanda"), EntityKind.ACTION) == {action.id}
    assert ids(search(store.conn, "qqnote"), EntityKind.AGENDA) == {item.id}


def test_move_keeps_the_index_consistent() -> None:
    store = Store.memory()
    session = store.add(Session(title="t"))
    assert session.id is not None
    items = [store.add(Finding(session_id=session.id, text=f"pangolin {i}")) for i in range(3)]
    store.move(Finding, items[2].id, -2)  # type: ignore[arg-type]
    assert ids(search(store.conn, "pangolin"), EntityKind.FINDING) == {i.id for i in items}
    store.conn.execute("INSERT INTO findings_fts(findings_fts) VALUES ('integrity-check')")


def test_a_rolled_back_edit_is_not_in_the_index() -> None:
    store = Store.memory()
    store.before_commit = lambda: (_ for _ in ()).throw(RuntimeError("boom"))
    with pytest.raises(SaveFailed):
        store.add(Session(title="ghostly"))
    assert search(store.conn, "ghostly") == []


# -- what it finds -----------------------------------------------------------------------------


def test_prefix_stemming_and_case(shared: Store) -> None:
    assert search(shared.conn, "checko")  # the last word is a prefix
    assert search(shared.conn, "FAIL")  # porter: fail finds failed / failing / failover
    assert ids(search(shared.conn, "fail"), EntityKind.FINDING)
    assert search(shared.conn, "outage cert")  # every word must match, in any field
    assert search(shared.conn, "outage zzzunknown") == []


def test_cjk_and_apostrophes_are_found(shared: Store) -> None:
    assert ids(search(shared.conn, "東京"), EntityKind.TIMELINE)
    assert ids(search(shared.conn, "決済"), EntityKind.SESSION)
    assert ids(search(shared.conn, "it's"), EntityKind.SESSION)


def test_snippet_marks_the_match(shared: Store) -> None:
    hit = next(h for h in search(shared.conn, "renewal") if h.entity is EntityKind.FINDING)
    assert f"{MARK_START}renewal{MARK_END}" in hit.snippet


def test_best_first_and_limited(shared: Store) -> None:
    store = Store.memory()
    session = store.add(Session(title="t"))
    assert session.id is not None
    for i in range(30):
        store.add(Finding(session_id=session.id, text="capybara " * (1 + i % 3) + f"n{i}"))
    hits = search(store.conn, "capybara", limit=10)
    assert len(hits) == 10
    assert [h.rank for h in hits] == sorted(h.rank for h in hits)


HOSTILE = ['"', '""', "AND", "a OR", "OR", "NOT", "*", "-x", "x -", "NEAR(", "NEAR(a b, 2)",
           "it's", "", " ", "\t\n", "[/]", "[@click=app.quit]x[/]", "💥", "🇩🇪", "決済",
           "東京 region", "^start", "col:value", "title:checkout", "a AND (b OR", "((", "))",
           "'", "\\", "%", "_", "{x}", "a.b", "café", "e\u0301", "\u202eevil", "\x00",
           "\x1b]0;x\x07", "\ud800", "a" * 10_000, "word " * 2_000, "+", "-", "a:b:c"]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_never_raise(shared: Store, query: str) -> None:
    hits = search(shared.conn, query)
    assert isinstance(hits, list)


@pytest.mark.parametrize("query", ["", " ", "\t\n", "💥", "*", '"', "-", "()"])
def test_nothing_to_search_for(query: str) -> None:
    assert fts_query(query) is None
    assert search(Store.memory().conn, query) == []


def test_operators_are_plain_words(shared: Store) -> None:
    # "AND" and "NEAR" as typed are words in the summary, not FTS operators.
    assert ids(search(shared.conn, "NEAR the edge AND"), EntityKind.SESSION)
    assert fts_query("a OR b") == '"a"* "OR"* "b"*'
    assert fts_query('say "hi"') == '"say"* "hi"*'


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text())
def test_any_text_gives_a_list(shared: Store, query: str) -> None:
    hits = search(shared.conn, query)
    assert isinstance(hits, list)
    assert all(isinstance(h, SearchHit) for h in hits)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('aZ "*-()^:+.ANDORNEOT\'[]/決済💥\\')), max_size=40))
def test_operator_soup_gives_a_list(query: str) -> None:
    assert isinstance(search(_SOUP.conn, query), list)


_SOUP = Store.memory()
_SOUP.add(Session(title='AND OR NOT NEAR "a" * ^ 決済'))
