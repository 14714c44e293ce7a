"""Pilot tests of the action-item tracker: tabs, filters, status and due date saved in place."""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest
from textual.widgets import Input, Static, Tab, Tabs

from pmconsole.domain.clock import FrozenClock
from pmconsole.domain.model import ActionItem, ActionStatus, EntityKind, Session, SessionStatus
from pmconsole.store.repository import Store
from pmconsole.tui.dialogs.form import FormDialog
from pmconsole.tui.screens.console import ConsoleScreen
from pmconsole.tui.screens.tracker import ActionTable, TrackerScreen
from tests.factory import make_app
from tests.tui.test_review_support import (
    NOW,
    SIZE,
    TODAY,
    column,
    cursor_key,
    debounced,
    errors,
    record_notifications,
    review_app,
    rows,
    shown,
)


def build(path: Path) -> Store:
    """Two sessions; items overdue, due later, undated, in progress, done, won't do."""
    store = Store.open(path)
    a = store.create_session(Session(title="Checkout outage", status=SessionStatus.ENDED,
                                     created=NOW))
    b = store.create_session(Session(title="Login [/] outage", created=NOW))
    assert a.id is not None and b.id is not None
    for session_id, text, owner, due, status in (
        (a.id, "Add an alert on pool saturation", "Dave Kim", TODAY.subtract(days=3),
         ActionStatus.OPEN),
        (a.id, "Write the rollback runbook", "sre", TODAY.add(days=10), ActionStatus.OPEN),
        (a.id, "Old cleanup", "sre", TODAY.subtract(days=40), ActionStatus.DONE),
        (b.id, "Rotate signing keys", "identity-team", TODAY.subtract(days=1),
         ActionStatus.IN_PROGRESS),
        (b.id, "[@click=app.quit]x[/] probe", "[b]mallory", None, ActionStatus.OPEN),
        (b.id, "Game day", "sre", None, ActionStatus.WONT_DO),
    ):
        store.add(ActionItem(session_id=session_id, text=text, owner=owner, due=due,
                             status=status))
    return store


@pytest.fixture
def db(tmp_path: Path) -> tuple[Store, Path]:
    path = tmp_path / "t.db"
    return build(path), path


def table(app) -> ActionTable:  # type: ignore[no-untyped-def]
    return app.screen.query_one(ActionTable)


def texts(app) -> list[str]:  # type: ignore[no-untyped-def]
    return column(table(app), "text")


def item_by_text(store: Store, text: str) -> ActionItem:
    return next(a for a in store.list_actions() if a.text == text)


async def open_tracker(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("t")
    await pilot.pause()
    assert isinstance(pilot.app.screen, TrackerScreen)


async def test_open_tab_overdue_first_then_by_due_date(db: tuple[Store, Path]) -> None:
    store, _ = db
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tracker(pilot)
        assert texts(app) == ["Add an alert on pool saturation", "Rotate signing keys",
                              "Write the rollback runbook", "[@click=app.quit]x[/] probe"]
        first = rows(table(app))[0]
        assert first[0] == "! overdue 3d" and first[1] == TODAY.subtract(days=3).isoformat()
        assert first[2] == "Dave Kim" and first[5] == "#1 Checkout outage"
        assert rows(table(app))[1][0] == "! overdue 1d"  # in progress but late: overdue
        assert rows(table(app))[3][2] == "[b]mallory"  # user text as typed
        assert rows(table(app))[3][5] == "#2 Login [/] outage"
        labels = [str(t.label) for t in app.screen.query(Tab)]
        assert labels == ["Open 4", "Overdue 2", "Done 2", "All 6"]
        stats = shown(app.screen.query_one("#tracker-stats", Static))
        assert "4 open items" in stats and "2 overdue !" in stats
        status = shown(app.screen.query_one("#tracker-status", Static))
        assert status.startswith("Open: 4 items, unfinished first")
        assert f"due before today, {TODAY.isoformat()} (Europe/Berlin)" in status
        assert errors(app) == []


async def test_tabs_by_key(db: tuple[Store, Path]) -> None:
    store, _ = db
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tracker(pilot)
        await pilot.press("2")
        assert texts(app) == ["Add an alert on pool saturation", "Rotate signing keys"]
        assert app.screen.query_one(Tabs).active == "overdue"
        await pilot.press("3")
        assert set(texts(app)) == {"Old cleanup", "Game day"}
        assert set(column(table(app), "state")) == {"● done", "✕ won't do"}
        await pilot.press("4")
        assert len(texts(app)) == 6
        await pilot.press("1")
        assert len(texts(app)) == 4


async def test_status_keys_save_at_once(db: tuple[Store, Path]) -> None:
    store, path = db
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tracker(pilot)
        assert cursor_key(table(app)) == str(item_by_text(store, "Add an alert on pool "
                                                                 "saturation").id)
        await pilot.press("x")
        await pilot.pause()
        # Shown in place (still in this tab until it is shown again) and saved.
        assert rows(table(app))[0][0] == "● done"
        assert str(app.screen.query_one("#open", Tab).label) == "Open 3"
        await pilot.press("down", "p")  # "Rotate signing keys": already in progress
        await pilot.press("down", "w")  # "Write the rollback runbook": won't do
        await pilot.pause()
        assert rows(table(app))[2][0] == "✕ won't do"
        await pilot.press("down", "o")  # the last one: stays open
        await pilot.press("4")
    store.close()
    reopened = Store.open(path)
    saved = {a.text: a.status for a in reopened.list_actions()}
    assert saved["Add an alert on pool saturation"] is ActionStatus.DONE
    assert saved["Rotate signing keys"] is ActionStatus.IN_PROGRESS
    assert saved["Write the rollback runbook"] is ActionStatus.WONT_DO
    assert saved["[@click=app.quit]x[/] probe"] is ActionStatus.OPEN


async def test_x_again_reopens(db: tuple[Store, Path]) -> None:
    store, _ = db
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tracker(pilot)
        await pilot.press("x", "x")
        await pilot.pause()
        item = item_by_text(store, "Add an alert on pool saturation")
        assert item.status is ActionStatus.OPEN
        assert rows(table(app))[0][0] == "! overdue 3d"


async def test_due_date_dialog(db: tuple[Store, Path]) -> None:
    store, path = db
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tracker(pilot)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        field = dialog.query_one("#field-due", Input)
        assert field.value == TODAY.subtract(days=3).isoformat()
        # A bad date is explained next to the field; nothing is saved, the text stays.
        field.value = "1430"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        error = shown(dialog.query_one("#error-due", Static))
        assert "Could not read that as a date" in error
        assert field.value == "1430"
        field.value = "+2w"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TrackerScreen)
        due = TODAY.add(weeks=2)
        assert item_by_text(store, "Add an alert on pool saturation").due == due
        row = next(r for r in rows(table(app)) if r[4] == "Add an alert on pool saturation")
        assert row[0] == "○ open" and row[1] == due.isoformat()
        # Empty removes the due date.
        app.screen.select_item(item_by_text(store, "Add an alert on pool saturation").id)  # type: ignore[attr-defined,arg-type]
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#field-due", Input).value = ""
        await pilot.press("enter")
        await pilot.pause()
    store.close()
    assert item_by_text(Store.open(path), "Add an alert on pool saturation").due is None


async def test_filter_by_owner_and_session(db: tuple[Store, Path]) -> None:
    store, _ = db
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tracker(pilot)
        await pilot.press("4", "f", *"owner:sre")
        await debounced(pilot)
        assert set(texts(app)) == {"Write the rollback runbook", "Old cleanup", "Game day"}
        assert str(app.screen.query_one("#all", Tab).label) == "All 3"
        app.screen.query_one("#tracker-filter", Input).value = "session:2"
        await debounced(pilot)
        assert set(column(table(app), "session")) == {"#2 Login [/] outage"}
        app.screen.query_one("#tracker-filter", Input).value = "session:x"
        await debounced(pilot)
        assert "⚠ session:x is not a session number" in shown(
            app.screen.query_one("#tracker-status", Static))
        await pilot.press("escape")  # clears the filter
        await debounced(pilot)
        assert len(texts(app)) == 6


async def test_only_this_owner_and_only_this_session_keys(db: tuple[Store, Path]) -> None:
    store, _ = db
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tracker(pilot)
        await pilot.press("O")
        assert texts(app) == ["Add an alert on pool saturation"]
        await pilot.press("O")
        assert len(texts(app)) == 4
        await pilot.press("S")
        assert texts(app) == ["Add an alert on pool saturation", "Write the rollback runbook"]


async def test_enter_opens_the_session_at_the_item(db: tuple[Store, Path]) -> None:
    store, _ = db
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tracker(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert app.screen.session.title == "Login [/] outage"
        item = item_by_text(store, "Rotate signing keys")
        assert app.screen.pane(EntityKind.ACTION).selected_id == item.id
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TrackerScreen)


@pytest.mark.parametrize(("zone", "overdue"), [("Pacific/Auckland", True),
                                               ("America/New_York", False)])
async def test_overdue_is_judged_in_the_viewers_timezone(
    tmp_path: Path, zone: str, overdue: bool
) -> None:
    store = Store.open(tmp_path / "z.db")
    s = store.create_session(Session(title="S", created=NOW))
    assert s.id is not None
    store.add(ActionItem(session_id=s.id, text="due the 20th", due=pendulum.date(2026, 11, 20)))
    late_evening = FrozenClock(pendulum.datetime(2026, 11, 20, 23, 30, tz="UTC"))
    app = record_notifications(make_app(store, clock=late_evening))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(TrackerScreen(tz=zone))
        await pilot.pause()
        state = column(table(app), "state")[0]
        assert state.startswith("! overdue") is overdue
        assert str(app.screen.query_one("#overdue", Tab).label) == f"Overdue {int(overdue)}"


async def test_keys_in_footer_and_palette(db: tuple[Store, Path]) -> None:
    store, _ = db
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await open_tracker(pilot)
        shown_keys = {b.key for b in TrackerScreen.BINDINGS if b.show}  # type: ignore[union-attr]
        assert {"1", "2", "x,space", "p", "e", "f", "escape"} <= shown_keys
        titles = {c.title for c in app.screen.palette_commands()}  # type: ignore[attr-defined]
        assert {"action: done", "action: in progress", "action: won't do", "action: reopen",
                "action: due date", "tracker: overdue", "tracker: filter"} <= titles
        for binding in TrackerScreen.BINDINGS:
            assert binding.id and binding.tooltip  # type: ignore[union-attr]
