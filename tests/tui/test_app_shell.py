"""The app around the screens: themes that persist, help, and handlers that fail safely."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable

from pmconsole.domain.clock import FrozenClock
from pmconsole.paths import config_dir
from pmconsole.tui.app import PostMortemApp
from pmconsole.tui.screens.console import ConsoleScreen
from tests.factory import NOW, demo_store, make_app

SIZE = (160, 48)


async def test_theme_chosen_in_the_palette_persists_for_the_next_start(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "t.db")
    app = PostMortemApp(store, session_id=sid, clock=FrozenClock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"theme: pmconsole-projector")
        await pilot.pause(0.4)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.theme == "pmconsole-projector"
    saved = json.loads((config_dir() / "settings.json").read_text(encoding="utf-8"))
    assert saved["theme"] == "pmconsole-projector"
    again = PostMortemApp(store, clock=FrozenClock(NOW))
    async with again.run_test(size=SIZE):
        assert again.theme == "pmconsole-projector"


async def test_help_lists_every_console_key_with_what_it_does(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "h.db")
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        table = app.screen.query_one("#help-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        described = {row[2] for row in rows}
        for binding in ConsoleScreen.BINDINGS:
            assert binding.tooltip in described  # type: ignore[union-attr]
        assert any(row[1] == "a" and "one line" in row[2] for row in rows)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)


async def test_a_failing_handler_is_reported_and_the_meeting_goes_on(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store, sid = demo_store(tmp_path / "f.db")
    app = make_app(store, session_id=sid)

    def broken(self: ConsoleScreen) -> None:
        raise RuntimeError("injected fault")

    monkeypatch.setattr(ConsoleScreen, "action_zoom", broken)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("z")
        await pilot.pause()
        assert app.is_running
        assert [str(e) for e in app.handled_errors] == ["injected fault"]
        assert any("injected fault" in n.message for n in app._notifications)
        # Still working: a quick-add after the fault is saved.
        await pilot.press("a", *"14:40 still recording", "enter")
        await pilot.pause()
        assert any(e.text == "still recording" for e in store.load(sid).timeline)
