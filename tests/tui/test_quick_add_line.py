"""The quick-add line under fast and unusual input: nothing typed is lost or doubled."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, Static

from pmconsole.domain.clock import FrozenClock
from pmconsole.domain.model import Finding
from tests.factory import NOW, demo_store, make_app

SIZE = (160, 48)


def findings(store, sid) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.text for f in store.list_children(Finding, sid)]


async def test_lines_sent_in_one_burst_are_saved_once_each() -> None:
    """A text expander or a fast paste of "line⏎line⏎" arrives in one read: each line is
    one entry (the line used to be cleared only after the save, so they joined up)."""
    store, sid = demo_store()
    before = findings(store, sid)
    app = make_app(store, session_id=sid, clock=FrozenClock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "a")
        await pilot.pause()
        quick = app.screen.query_one("#findings-quick", Input)
        assert quick.has_focus
        lines = [f"wrong: burst line {n}" for n in range(6)]
        for line in lines:  # every key queued before any is handled, as from one read
            for char in line:
                app.post_message(events.Key("space" if char == " " else char, char))
            app.post_message(events.Key("enter", "\r"))
        await pilot.pause(0.5)
        added = findings(store, sid)[len(before):]
        assert added == [f"burst line {n}" for n in range(6)]
        assert quick.value == ""


async def test_a_line_that_cannot_be_saved_comes_back_with_its_reason() -> None:
    store, sid = demo_store()
    app = make_app(store, session_id=sid, clock=FrozenClock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "a")
        await pilot.pause()
        quick = app.screen.query_one("#agenda-quick", Input)
        await pilot.press(*"Huge item 9999m")
        await pilot.press("enter")
        await pilot.pause()
        assert quick.value == "Huge item 9999m"
        error = str(app.screen.query_one("#agenda .quick-error", Static).render())
        assert "9999m is too long" in error


async def test_a_multi_line_paste_keeps_every_line_and_says_so() -> None:
    store, sid = demo_store()
    before = findings(store, sid)
    app = make_app(store, session_id=sid, clock=FrozenClock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "a")
        await pilot.pause()
        quick = app.screen.query_one("#findings-quick", Input)
        quick.post_message(events.Paste("wrong: the alert fired\ninto a muted channel\n\nfor a week\n"))
        await pilot.pause()
        assert quick.value == "wrong: the alert fired into a muted channel for a week"
        note = str(app.screen.query_one("#findings .quick-error", Static).render())
        assert "3 pasted lines joined into one" in note
        await pilot.press("enter")
        await pilot.pause()
        assert findings(store, sid)[len(before):] == ["the alert fired into a muted channel for a week"]
