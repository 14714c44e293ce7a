"""Which pane has the focus, as the room sees it: its border and its cursor row.

The panes draw focus without restyling (tui/widgets/panes.py: EntryPane._paint_focus and
EntryTable's focus-independent caches); these tests look at what is drawn after each move.
"""

from __future__ import annotations

from rich.color import Color as RichColor
from textual.color import Color
from textual.geometry import Region

from pmconsole.domain.clock import FrozenClock
from pmconsole.tui.widgets.panes import EntryPane, EntryTable
from tests.factory import NOW, demo_store, make_app

SIZE = (120, 36)
PANES = ("agenda", "timeline", "findings", "actions")


def cursor_backgrounds(table: EntryTable) -> set[RichColor | None]:
    """The background colours of the drawn cursor row (the first row: line 1, under the header)."""
    assert table.cursor_row == 0
    line = table.render_line(1)
    return {segment.style.bgcolor for segment in line if segment.style and segment.text.strip()}


def title_colour(pane: EntryPane) -> RichColor | None:
    """The colour the pane's title is drawn in, on its top border line."""
    top = pane.render_lines(Region(0, 0, pane.outer_size.width, 1))[0]
    title = pane.title.split()[0]
    colours = {segment.style.color for segment in top if segment.style and title in segment.text}
    assert len(colours) == 1, colours
    return colours.pop()


def border_colour(pane: EntryPane) -> Color:
    return pane.styles.border.top[1]


async def test_the_focused_pane_alone_shows_the_focus_and_it_follows_every_switch() -> None:
    store, sid = demo_store()
    app = make_app(store, session_id=sid, clock=FrozenClock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        panes = {name: screen.query_one(f"#{name}", EntryPane) for name in PANES}
        first = panes["timeline"].table
        focused_bg = first.get_component_rich_style("entrytable--cursor-focused").bgcolor
        blurred_bg = first.get_component_rich_style("entrytable--cursor-blurred").bgcolor
        assert focused_bg != blurred_bg
        primary = Color.parse(app.current_theme.primary)

        def check(active: str) -> None:
            for name, pane in panes.items():
                table = pane.table
                if name == active:
                    assert table.has_focus
                    assert cursor_backgrounds(table) == {focused_bg}, name
                    assert border_colour(pane) == primary, name
                    assert title_colour(pane) == primary.rich_color, name
                else:
                    assert cursor_backgrounds(table) == {blurred_bg}, name
                    assert border_colour(pane) != primary, name
                    assert title_colour(pane) != primary.rich_color, name

        check("timeline")
        for key, name in (("3", "findings"), ("2", "timeline"), ("4", "actions"), ("1", "agenda"),
                          ("3", "findings")):
            await pilot.press(key)
            await pilot.pause()
            check(name)


async def test_the_focus_colour_follows_a_theme_change() -> None:
    store, sid = demo_store()
    app = make_app(store, session_id=sid, clock=FrozenClock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pane = app.screen.query_one("#timeline", EntryPane)
        before = border_colour(pane)
        app.theme = "pmconsole-high-contrast"
        await pilot.pause()
        after = Color.parse(app.current_theme.primary)
        assert after != before
        assert border_colour(pane) == after
        table = pane.table
        focused = table.get_component_rich_style("entrytable--cursor-focused")
        assert cursor_backgrounds(table) == {focused.bgcolor}
