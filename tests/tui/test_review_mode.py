"""Review mode: an ended session opens locked (r unlocks), a read-only file opens read-only."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from textual.widgets import Static

from pmconsole.domain.model import ActionStatus, EntityKind, SessionStatus
from pmconsole.store.repository import Store
from pmconsole.tui.screens.console import ConsoleScreen
from pmconsole.tui.screens.home import HomeScreen
from pmconsole.tui.screens.tracker import TrackerScreen
from tests.factory import demo_store
from tests.tui.test_review_support import SIZE, errors, review_app, shown

ENDED = "Search results empty after index alias swap"


def session_id(store: Store, title: str) -> int:
    found = next(s for s in store.list_sessions() if s.title == title)
    assert found.id is not None
    return found.id


def header(app) -> str:  # type: ignore[no-untyped-def]
    return shown(app.screen.query_one("#header-title", Static))


def banner(app) -> Static:  # type: ignore[no-untyped-def]
    return app.screen.query_one("#banner", Static)


def warnings(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [m for s, m in app.notes if s == "warning"]


def keys_shown(app) -> str:  # type: ignore[no-untyped-def]
    from pmconsole.tui.widgets.keybar import KeyBar

    return " ".join(app.screen.query_one(KeyBar).render().plain.split())


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Store, Path]:
    store, _ = demo_store(tmp_path / "d.db")
    return store, tmp_path / "d.db"


async def test_an_ended_session_opens_locked_and_r_unlocks(demo: tuple[Store, Path]) -> None:
    store, _ = demo
    sid = session_id(store, ENDED)
    assert store.get_session(sid).status is SessionStatus.ENDED
    app = review_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        assert screen.locked == "REVIEW MODE (r unlocks)"
        assert "REVIEW MODE (r unlocks)" in header(app)
        assert banner(app).has_class("-visible")
        assert "Press r to unlock" in shown(banner(app))
        # Locked: marking the open action item done is refused and nothing is written.
        item = next(a for a in store.load(sid).actions if a.status is ActionStatus.OPEN)
        await pilot.press("4")
        screen.pane(EntityKind.ACTION).select(item.id)  # type: ignore[arg-type]
        await pilot.press("x")
        await pilot.pause()
        assert "Review mode: press r to unlock editing first." in warnings(app)
        assert store.get(type(item), item.id).status is ActionStatus.OPEN  # type: ignore[arg-type]
        # Locked: the quick-add line does not take typing it could not save.
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.focused is screen.pane(EntityKind.ACTION).table
        assert warnings(app).count("Review mode: press r to unlock editing first.") == 2
        assert "r Unlock" in keys_shown(app) and "r Lock" not in keys_shown(app)
        # r unlocks, says so, and the same key now saves.
        await pilot.press("r")
        await pilot.pause()
        assert screen.locked == ""
        assert "r Lock" in keys_shown(app) and "r Unlock" not in keys_shown(app)
        assert "Editing unlocked: changes are saved as you make them." in warnings(app)
        assert "REVIEW MODE" not in header(app)
        assert not banner(app).has_class("-visible")
        await pilot.press("x")
        await pilot.pause()
        assert store.get(type(item), item.id).status is ActionStatus.DONE  # type: ignore[arg-type]
        # r again locks it again.
        await pilot.press("r")
        await pilot.pause()
        assert screen.locked == "REVIEW MODE (r unlocks)"
        assert errors(app) == []


async def test_a_planned_session_is_not_locked(demo: tuple[Store, Path]) -> None:
    store, _ = demo
    sid = session_id(store, "Card payments declined after an internal certificate expired")
    app = review_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.locked == ""  # type: ignore[attr-defined]
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.locked == ""  # type: ignore[attr-defined]


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_a_read_only_database_opens_in_review_mode(demo: tuple[Store, Path]) -> None:
    store, path = demo
    sid = session_id(store, "Card payments declined after an internal certificate expired")
    store.close()
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # 0444
    before = fingerprint(path)
    # Tests run as root, for whom os.access says every file is writable: open read-only
    # explicitly, as pmconsole does for a file it cannot write.
    readonly = Store.open(path, readonly=True)
    assert readonly.readonly
    app = review_app(readonly)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, HomeScreen)
        assert any("cannot be written: opened read-only for review" in m for m in warnings(app))
        home_banner = app.screen.query_one("#home-banner", Static)
        assert home_banner.has_class("-visible") and "Read-only" in shown(home_banner)
        # New, delete and follow-up are refused with a reason, not an error.
        for key in ("n", "d", "F"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen), key
        assert "Read-only database: sessions cannot be created." in warnings(app)
        assert "Read-only database: nothing can be deleted." in warnings(app)
        assert "Read-only database: a follow-up session cannot be created." in warnings(app)
        # Even a planned session opens locked.
        app.open_session(sid)
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert app.screen.locked == "READ-ONLY FILE"
        assert "READ-ONLY FILE" in header(app)
        assert "cannot be written" in shown(banner(app))
        await pilot.press("escape")
        await pilot.pause()
        # An ended one too, and r cannot unlock it.
        app.open_session(session_id(readonly, ENDED))
        await pilot.pause()
        assert app.screen.locked == "READ-ONLY FILE"  # type: ignore[attr-defined]
        await pilot.press("r")
        await pilot.pause()
        assert "The database file is read-only; editing cannot be unlocked." in warnings(app)
        await pilot.press("escape")
        await pilot.pause()
        # The tracker shows the items and refuses changes.
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TrackerScreen)
        await pilot.press("x")
        await pilot.pause()
        assert "Read-only database: action items cannot be changed." in warnings(app)
        assert errors(app) == []
    readonly.close()
    assert fingerprint(path) == before
