"""Pilot tests of search across sessions: as you type, safe for any text, opens at the match."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.content import Content
from textual.widgets import Input, Static

from pmconsole.domain.model import EntityKind, Finding, Session, TimelineEvent
from pmconsole.store.repository import Store
from pmconsole.store.review import session_days
from pmconsole.store.search import MARK_END, MARK_START, search
from pmconsole.tui.screens.console import ConsoleScreen
from pmconsole.tui.screens.home import HomeScreen
from pmconsole.tui.screens.search import (
    LEAD_CHARS,
    MATCH_STYLE,
    ResultsTable,
    SearchScreen,
    snippet_content,
)
from tests.tui.test_review_support import (
    NOW,
    SIZE,
    debounced,
    errors,
    history_store,
    review_app,
    rows,
    shown,
)

HOSTILE_QUERIES = ['"', "AND", "a OR", "*", "-x", "NEAR(", "it's", "", " ", "\t",
                   '"unbalanced', "NOT", "x NEAR/2 y", "col:x", "^x", "((", ")", "[/]",
                   "[@click=app.quit]x[/]", "\\", "'; DROP TABLE sessions; --", "💥", "決済"]


@pytest.fixture
def history(tmp_path: Path) -> Store:
    store, _ = history_store(tmp_path / "s.db")
    return store


def status(app) -> str:  # type: ignore[no-untyped-def]
    return shown(app.screen.query_one("#search-status", Static))


async def type_query(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type as a person does, then wait for the debounce."""
    await pilot.press(*text) if text else None
    await debounced(pilot)


# -- the snippet -------------------------------------------------------------------------------


def test_snippet_content_styles_only_the_marked_words() -> None:
    content = snippet_content(f"The {MARK_START}certificate{MARK_END} job [b]x[/] "
                              f"{MARK_START}expired{MARK_END}\nlater")
    assert isinstance(content, Content)
    assert content.plain == "The certificate job [b]x[/] expired later"
    marked = [(content.plain[s.start:s.end], str(s.style)) for s in content.spans]
    assert marked == [("certificate", MATCH_STYLE), ("expired", MATCH_STYLE)]


def test_a_match_far_into_its_snippet_is_brought_forward() -> None:
    """At 80 columns the Match column is about 20 wide: the match must be near the start."""
    content = snippet_content(f"…Mei acknowledges the page and opens the payments dashboard; "
                              f"Sam checks the {MARK_START}certificate{MARK_END} with openssl")
    assert content.plain == "…checks the certificate with openssl"
    assert content.plain.index("certificate") <= LEAD_CHARS + 1
    assert [content.plain[s.start:s.end] for s in content.spans] == ["certificate"]
    # Short context stays whole.
    assert snippet_content(f"The {MARK_START}job{MARK_END} failed").plain == "The job failed"


def test_snippet_content_of_plain_and_broken_snippets() -> None:
    assert snippet_content("").plain == ""
    assert snippet_content("no marks").spans == []
    # An unclosed mark highlights to the end; a stray end mark is dropped.
    half = snippet_content(f"a {MARK_START}b c")
    assert half.plain == "a b c" and [half.plain[s.start:s.end] for s in half.spans] == ["b c"]
    assert snippet_content(f"a{MARK_END}b").plain == "ab"


# -- on screen -----------------------------------------------------------------------------------


async def test_results_as_you_type(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        assert isinstance(app.focused, Input)
        assert "Type a word" in status(app)
        await type_query(pilot, "certif")
        table = app.screen.query_one(ResultsTable)
        found = rows(table)
        assert found, status(app)
        expected = search(history.conn, "certif", limit=100)
        assert len(found) == len(expected)
        assert [r[2] for r in found] == [
            {"session": "details", "action": "action item"}.get(h.entity.value, h.entity.value)
            for h in expected]
        assert {"timeline", "finding", "action item", "details"} <= {r[2] for r in found}
        assert all("certif" in r[3].lower() for r in found)
        # The session's date and title, and the match highlighted (not only by colour).
        first = table.get_row_at(0)
        day = session_days(history, [expected[0].session_id])[expected[0].session_id]
        assert str(first[0]) == day.isoformat()
        assert str(first[1]) == expected[0].session_title
        snippet = first[3]
        assert isinstance(snippet, Content)
        assert any(snippet.plain[s.start:s.end].lower().startswith("certif")
                   and "reverse" in str(s.style) for s in snippet.spans)
        sessions = len({h.session_id for h in expected})
        assert status(app).startswith(f"{len(expected)} matches in {sessions} session")
        assert errors(app) == []


async def test_a_word_from_a_finding_opens_that_session_with_the_finding_selected(
    history: Store,
) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await type_query(pilot, "reindex")
        hits = search(history.conn, "reindex")
        finding_hit = next(h for h in hits if h.entity is EntityKind.FINDING)
        table = app.screen.query_one(ResultsTable)
        index = hits.index(finding_hit)
        await pilot.press("down")  # to the results
        assert app.focused is table
        for _ in range(index):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        assert screen.session.title == "Search results empty after index alias swap"
        pane = screen.pane(EntityKind.FINDING)
        assert pane.selected_id == finding_hit.entity_id
        assert pane.selected.text.startswith("The reindex job")  # type: ignore[union-attr]
        assert app.focused is pane.table
        # Escape goes back to the results, still there.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one(ResultsTable).row_count == len(hits)


@pytest.mark.parametrize(("entity", "query"), [(EntityKind.TIMELINE, "openssl s_client"),
                                                (EntityKind.ACTION, "dead-letter")])
async def test_opening_at_timeline_and_action_matches(
    history: Store, entity: EntityKind, query: str
) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await type_query(pilot, query)
        hit = search(history.conn, query)[0]
        assert hit.entity is entity
        await pilot.press("enter")  # Enter in the box: to the results
        await pilot.press("enter")  # Enter on the first result: open it
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert app.screen.pane(entity).selected_id == hit.entity_id


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
async def test_any_query_is_safe(tmp_path: Path, query: str) -> None:
    store = Store.open(tmp_path / "q.db")
    s = store.create_session(Session(title="it's a [/] 決済 outage — a OR b", created=NOW))
    assert s.id is not None
    store.add(TimelineEvent(session_id=s.id, at=NOW, text="NEAR( the AND gate \"quoted\" -x *"))
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        app.screen.query_one(Input).value = query
        await debounced(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, (SearchScreen, ConsoleScreen))
        assert errors(app) == []
        assert app.is_running
        if isinstance(app.screen, SearchScreen):
            assert status(app)  # always says something: results, no match, or type a word


async def test_hostile_text_in_results_is_shown_as_typed(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "h.db")
    s = store.create_session(Session(title="[@click=app.quit]x[/] outage", created=NOW))
    assert s.id is not None
    store.add(Finding(session_id=s.id, text="[b]bold[/b] claim about the outage"))
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await type_query(pilot, "claim")
        found = rows(app.screen.query_one(ResultsTable))
        assert {r[1] for r in found} == {"[@click=app.quit]x[/] outage"}
        assert "[b]bold[/b] claim about the outage" in {r[3] for r in found}
        assert app.is_running and errors(app) == []


async def test_no_match_and_escape(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await type_query(pilot, "zzqx")
        assert status(app) == "No match for “zzqx”."
        assert app.screen.query_one(ResultsTable).row_count == 0
        await pilot.press("escape")  # clears the box
        assert app.screen.query_one(Input).value == ""
        await pilot.press("escape")  # then back home
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_operators_are_explained_as_plain_words(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await type_query(pilot, '"certificate -')
        assert "matches" in status(app)
        assert "quotes, AND/OR/NEAR, * and - are searched as plain words" in status(app)


async def test_palette_commands(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        titles = [c.title for c in app.screen.palette_commands()]  # type: ignore[attr-defined]
        assert {"search: back", "search: edit query", "search: open"} <= set(titles)
        for binding in SearchScreen.BINDINGS:
            assert binding.id and binding.tooltip  # type: ignore[union-attr]
