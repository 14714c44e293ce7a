"""Follow-up meetings: created from a past session, sharing its action items, linked minutes."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from pmconsole.domain.model import ActionStatus, EntityKind, SessionStatus
from pmconsole.store.repository import Store
from pmconsole.tui.screens.console import ConsoleScreen
from pmconsole.tui.screens.home import FollowUpDialog, HomeScreen, SessionTable
from pmconsole.tui.screens.minutes import minutes_markdown
from tests.factory import demo_store
from tests.tui.test_review_support import NOW, SIZE, errors, review_app, rows, shown

ORIGINAL = "Login outage during identity provider failover"


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Store, Path]:
    store, _ = demo_store(tmp_path / "f.db")
    return store, tmp_path / "f.db"


async def select_title(pilot, title: str) -> int:  # type: ignore[no-untyped-def]
    home = pilot.app.screen
    assert isinstance(home, HomeScreen)
    session = next(s for s in home.summaries if s.session.title == title).session
    assert session.id is not None
    home.select_session(session.id)
    await pilot.pause()
    assert home.selected_id == session.id
    return session.id


async def test_F_creates_a_linked_follow_up_and_opens_it(demo: tuple[Store, Path]) -> None:
    store, _ = demo
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        old_id = await select_title(pilot, ORIGINAL)
        await pilot.press("F")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FollowUpDialog)
        question = shown(dialog.query_one("#followup-question", Static))
        assert f"Plan a follow-up meeting for “{ORIGINAL}”?" in question
        assert "(1 open now)" in question
        await pilot.press("y")
        await pilot.pause()
        console = app.screen
        assert isinstance(console, ConsoleScreen)
        new = console.session
        assert new.title == f"Follow-up: {ORIGINAL}"
        assert new.follows_up == old_id
        assert new.status is SessionStatus.PLANNED
        assert console.locked == ""  # a meeting about to happen: editable
        old = store.get_session(old_id)
        assert (new.service, new.severity, new.timezone, new.facilitator, new.attendees) == (
            old.service, old.severity, old.timezone, old.facilitator, old.attendees)
        agenda = console.record.agenda  # type: ignore[union-attr]
        assert agenda[0].title == f"Review open action items from {ORIGINAL}"
        assert len(agenda) >= 3
        # The original's action items are in the follow-up's pane, marked ↩.
        pane_rows = rows(console.pane(EntityKind.ACTION).table)
        original_items = store.load(old_id).actions
        assert len(pane_rows) == len(original_items) >= 1
        assert all(any("↩" in cell for cell in row) for row in pane_rows)
        assert errors(app) == []


async def test_closing_an_item_in_the_follow_up_closes_it_in_the_original(
    demo: tuple[Store, Path],
) -> None:
    store, path = demo
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        old_id = await select_title(pilot, ORIGINAL)
        before = [a for a in store.load(old_id).actions if a.status is ActionStatus.OPEN]
        assert len(before) == 1
        await pilot.press("F", "y")
        await pilot.pause()
        console = app.screen
        assert isinstance(console, ConsoleScreen)
        pane = console.pane(EntityKind.ACTION)
        await pilot.press("4")
        pane.select(before[0].id)  # type: ignore[arg-type]
        await pilot.press("x")
        await pilot.pause()
        assert pane.entries[before[0].id].status is ActionStatus.DONE  # type: ignore[index]
        await pilot.press("escape")
        await pilot.pause()
        # Back home: the original no longer has an open item.
        home = app.screen
        assert isinstance(home, HomeScreen)
        row = next(r for r in rows(home.query_one(SessionTable)) if r[3] == ORIGINAL)
        assert row[5:7] == ["0", "0"]
    store.close()
    reopened = Store.open(path)
    original = reopened.load(old_id).actions
    assert {a.id: a.status for a in original}[before[0].id] is ActionStatus.DONE


async def test_cancel_creates_nothing(demo: tuple[Store, Path]) -> None:
    store, _ = demo
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await select_title(pilot, ORIGINAL)
        count = len(store.list_sessions())
        await pilot.press("F")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert len(store.list_sessions()) == count


async def test_a_second_follow_up_is_announced(demo: tuple[Store, Path]) -> None:
    store, _ = demo
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        old_id = await select_title(pilot, ORIGINAL)
        await pilot.press("F", "y")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        app.screen.select_session(old_id)  # type: ignore[attr-defined]
        await pilot.press("F")
        await pilot.pause()
        question = shown(app.screen.query_one("#followup-question", Static))
        assert f"it already has 1 follow-up (latest: “Follow-up: {ORIGINAL}”)" in question


async def test_the_minutes_of_both_sessions_link_each_other(demo: tuple[Store, Path]) -> None:
    store, _ = demo
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        old_id = await select_title(pilot, ORIGINAL)
        await pilot.press("F", "y")
        await pilot.pause()
        new_id = app.screen.session_id  # type: ignore[attr-defined]
    _, old_minutes = minutes_markdown(store, old_id, NOW)
    _, new_minutes = minutes_markdown(store, new_id, NOW)
    old_follow_up = old_minutes.split("## Follow-up")[1]
    new_follow_up = new_minutes.split("## Follow-up")[1]
    assert f"- Followed up by session #{new_id}: Follow-up: {ORIGINAL}" in old_follow_up
    assert f"- Follows up session #{old_id}: {ORIGINAL}" in new_follow_up
    # The follow-up's action items are the original's, under their origin.
    assert f"### Carried over from session #{old_id}: {ORIGINAL}" in new_minutes
