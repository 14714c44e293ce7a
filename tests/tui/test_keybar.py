"""The key line: the keys that work now, whole; the app's keys on the right; the mouse works."""

from __future__ import annotations

from pmconsole.domain.clock import FrozenClock
from pmconsole.tui.widgets.keybar import KeyBar
from tests.factory import NOW, demo_store, make_app


async def test_keys_follow_the_focus_and_a_click_presses_the_key() -> None:
    store, sid = demo_store()
    app = make_app(store, session_id=sid, clock=FrozenClock(NOW))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        line = bar.render().plain
        assert len(line) == 120
        assert line.startswith(" ⏎ Edit  a Quick add ")
        assert line.rstrip().endswith("^q Quit  f1 Help  ^p palette")
        # In the quick-add line the keys are the line's own.
        await pilot.press("a")
        await pilot.pause()
        assert "esc Back to entries" in bar.render().plain
        await pilot.press("escape")
        await pilot.pause()
        # A click on "z Zoom" zooms the pane, as the key does; hovering shows its tooltip.
        line = bar.render().plain
        x = line.index(" z Zoom") + 2
        await pilot.hover(KeyBar, offset=(x, 0))
        await pilot.pause()
        assert str(bar.tooltip) == "Give the focused pane the whole screen (again: back)."
        await pilot.click(KeyBar, offset=(x, 0))
        await pilot.pause()
        assert app.screen.zoomed == "timeline"  # type: ignore[attr-defined]


async def test_keys_that_do_not_fit_are_left_out_whole() -> None:
    store, sid = demo_store()
    app = make_app(store, session_id=sid, clock=FrozenClock(NOW))
    async with app.run_test(size=(70, 24)) as pilot:
        await pilot.pause()
        line = app.screen.query_one(KeyBar).render().plain
        assert len(line) == 70
        assert line.rstrip().endswith("^q Quit  f1 Help  ^p palette")
        shown = line.split("▏")[0]
        for label in ("⏎ Edit", "a Quick add"):
            assert label in shown
        # Whatever is shown on the left is a whole key and its whole description.
        for word in ("Blame flag", "Start", "Zoom", "Details", "Minutes", "Back"):
            prefix = word[:3]
            assert word in shown or prefix not in shown, shown


async def test_the_header_shows_the_status_even_when_the_title_is_cut() -> None:
    """At 120 columns the demo's long title is cut with "…"; the status comes before it."""
    from typing import Any

    store, sid = demo_store()
    app = make_app(store, session_id=sid, clock=FrozenClock(NOW))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        update: Any = app.screen._compositor.render_update(full=True)
        top = "".join(segment.text for segment in update.strips[0])
        assert "PLANNED · Card payments declined" in top and "…" in top, top
