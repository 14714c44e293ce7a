"""A form dialog's buttons stay on screen whatever the terminal size (the fields scroll)."""

from __future__ import annotations

import pytest
from textual.widgets import Button, Input

from pmconsole.domain.clock import FrozenClock
from tests.factory import NOW, demo_store, make_app


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 36), (160, 48)])
async def test_save_and_cancel_stay_visible_even_with_an_error_shown(size: tuple[int, int]) -> None:
    store, sid = demo_store()
    app = make_app(store, session_id=sid, clock=FrozenClock(NOW))
    async with app.run_test(size=size) as pilot:
        await pilot.press("2", "enter")  # edit a timeline event: the tallest entry form
        await pilot.pause()
        app.screen.query_one("#field-at", Input).value = "1430"
        await pilot.press("ctrl+s")  # refused: two error lines appear
        await pilot.pause()
        form = app.screen.query_one("#form").region
        inside = form.shrink((1, 1, 1, 1))  # within the border
        for button_id, label in (("save", "Save"), ("cancel", "Cancel")):
            button = app.screen.query_one(f"#{button_id}", Button)
            assert label in str(button.label)
            region = button.region
            assert region.height > 0 and inside.contains_region(region), (size, button_id, region, form)
        assert form.bottom <= size[1]


async def test_the_starred_box_shows_a_tick_only_when_ticked() -> None:
    """On and off differ in shape, not only in colour (a washed-out projector)."""
    from textual.widgets import Checkbox

    store, sid = demo_store()
    app = make_app(store, session_id=sid, clock=FrozenClock(NOW))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("2", "enter")  # the first event is not starred
        await pilot.pause()
        box = app.screen.query_one("#field-starred", Checkbox)
        assert not box.value
        assert "✓" not in box.render().plain and "X" not in box.render().plain
        box.toggle()
        await pilot.pause()
        assert box.render().plain.startswith("▐✓▌")
