"""Pilot tests of the home screen: the history of sessions, sorted, filtered and opened."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from pmconsole.domain.history import SORT_COLUMNS, filter_summaries, parse_filter, sort_summaries
from pmconsole.domain.model import ActionItem, ActionStatus, Session, SessionStatus, Severity
from pmconsole.store.repository import Store
from pmconsole.store.review import session_summaries
from pmconsole.tui.dialogs.confirm import ConfirmDialog
from pmconsole.tui.dialogs.form import FormDialog
from pmconsole.tui.screens.console import ConsoleScreen
from pmconsole.tui.screens.home import HomeScreen, SessionTable
from pmconsole.tui.screens.minutes import MinutesScreen
from pmconsole.tui.screens.search import SearchScreen
from pmconsole.tui.screens.tracker import TrackerScreen
from pmconsole.tui.screens.trends import MetricsScreen
from tests.tui.test_review_support import (
    NOW,
    SIZE,
    TODAY,
    column,
    cursor_key,
    debounced,
    errors,
    history_store,
    review_app,
    rows,
    shown,
)

HOSTILE_TITLES = ["[/]", "[@click=app.quit]x[/]", "[b]not bold", "\\[escaped]"]


@pytest.fixture
def history(tmp_path: Path) -> Store:
    store, _ = history_store(tmp_path / "h.db")
    return store


def table(app) -> SessionTable:  # type: ignore[no-untyped-def]
    return app.screen.query_one(SessionTable)


def titles(app) -> list[str]:  # type: ignore[no-untyped-def]
    return column(table(app), "title")


def expected_titles(store: Store, column_key: str, descending: bool, text: str = "") -> list[str]:
    wanted, _ = parse_filter(text)
    ordered = sort_summaries(filter_summaries(session_summaries(store, TODAY), wanted), column_key,
                             descending=descending)
    return [s.session.title for s in ordered]


async def test_every_session_with_its_columns(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE):
        assert isinstance(app.screen, HomeScreen)
        t = table(app)
        assert [str(c.label) for c in t.columns.values()] == [
            "Date ▼", "Sev", "Status", "Title", "Service", "Open", "Overdue", "TTD", "TTR"]
        assert t.row_count == len(history.list_sessions()) == 17
        by_title = {row[3]: row for row in rows(t)}
        demo = by_title["Card payments declined after an internal certificate expired"]
        assert demo == ["2026-11-20", "SEV2", "planned",
                        "Card payments declined after an internal certificate expired",
                        "payments-gateway", "5", "0", "14m 00s", "2h 40m"]
        late = by_title["Search results empty after index alias swap"]
        assert late[5:7] == ["1", "1 !"]  # overdue marked with "!", not only in red
        stats = shown(app.screen.query_one("#home-stats", Static))
        assert stats.startswith("17 sessions ·") and "overdue !" in stats
        assert errors(app) == []


async def test_newest_first_then_s_cycles_columns_and_r_reverses(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        assert titles(app) == expected_titles(history, "date", True)
        await pilot.press("s")
        assert titles(app) == expected_titles(history, "sev", False)
        assert str(table(app).columns[next(iter(table(app).columns))].label) == "Date"
        assert "Sev ▲" in [str(c.label) for c in table(app).columns.values()]
        status = shown(app.screen.query_one("#home-status", Static))
        assert "sorted by Sev, SEV1 first" in status
        assert column(table(app), "sev")[0] == "SEV1"
        await pilot.press("r")
        assert titles(app) == expected_titles(history, "sev", True)
        assert column(table(app), "sev")[0] == "SEV5"
        # Through every column and back to the date.
        for key in list(SORT_COLUMNS)[2:]:
            await pilot.press("s")
            assert app.screen.sort_column == key  # type: ignore[attr-defined]
            assert titles(app) == expected_titles(history, key,
                                                  app.screen.descending)  # type: ignore[attr-defined]
        await pilot.press("s")
        assert titles(app) == expected_titles(history, "date", True)
        assert cursor_key(table(app)) == table(app).coordinate_to_cell_key((0, 0)).row_key.value


async def test_clicking_a_header_sorts_by_it_and_again_reverses(history: Store) -> None:
    history.create_session(Session(title="Not yet known", created=NOW))  # no TTD
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        t = table(app)
        columns = list(t.columns.values())
        x = sum(c.get_render_width(t) for c in columns[:7]) + 2  # inside the TTD header
        await pilot.click(SessionTable, offset=(x, 0))
        await pilot.pause()
        assert app.screen.sort_column == "ttd"  # type: ignore[attr-defined]
        assert titles(app) == expected_titles(history, "ttd", True)
        await pilot.click(SessionTable, offset=(x, 0))
        await pilot.pause()
        assert titles(app) == expected_titles(history, "ttd", False)
        assert column(t, "ttd")[-1] == "—"  # no TTD: last either way


async def test_typed_filter_as_you_type(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        assert isinstance(app.focused, Input)
        await pilot.press(*"sev:SEV1 status:reviewed")
        await debounced(pilot)
        expected = expected_titles(history, "date", True, "sev:SEV1 status:reviewed")
        assert expected and titles(app) == expected
        assert set(column(table(app), "sev")) == {"SEV1"}
        assert set(column(table(app), "status")) == {"reviewed"}
        status = shown(app.screen.query_one("#home-status", Static))
        assert status.startswith(f"Showing {len(expected)} of 17")
        # Enter goes to the list, keeping the filter; the first row is ready to open.
        await pilot.press("enter")
        assert app.focused is table(app)
        assert titles(app) == expected


async def test_filter_by_service_and_dates(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#home-filter", Input).value = (
            "service:auth from:2026-08-01 to:2026-08-31")
        await debounced(pilot)
        assert titles(app) == ["Login outage during identity provider failover"]


async def test_a_bad_filter_is_explained_under_the_box_and_escape_clears(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", *"sev:7 zzzz")
        await debounced(pilot)
        status = shown(app.screen.query_one("#home-status", Static))
        assert "⚠ sev:7 is not a severity" in status
        assert table(app).row_count == 0
        empty = app.screen.query_one("#home-empty", Static)
        assert empty.display and "No session matches the filter" in shown(empty)
        await pilot.press("escape")
        await debounced(pilot)
        assert app.screen.query_one("#home-filter", Input).value == ""
        assert table(app).row_count == 17
        await pilot.press("escape")
        assert app.focused is table(app)
        assert errors(app) == []


async def test_enter_opens_the_highlighted_session(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        second = expected_titles(history, "date", True)[1]
        assert app.screen.session.title == second
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert column(table(app), "title")[table(app).cursor_row] == second


async def test_delete_asks_first(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        first = int(cursor_key(table(app)))  # type: ignore[arg-type]
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert len(history.list_sessions()) == 17
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert first not in [s.id for s in history.list_sessions()]
        assert len(history.list_sessions()) == 16
        assert table(app).row_count == 16
        assert str(first) not in [k.value for k in table(app).rows]


async def test_new_session(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "n.db")
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        empty = app.screen.query_one("#home-empty", Static)
        assert empty.display and "Press n" in shown(empty)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        app.screen.query_one("#field-title", Input).value = "Disk full on db-3"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert [s.title for s in store.list_sessions()] == ["Disk full on db-3"]
        await pilot.press("escape")
        await pilot.pause()
        assert titles(app) == ["Disk full on db-3"]


async def test_user_text_is_never_markup(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "m.db")
    for title in HOSTILE_TITLES:
        store.create_session(Session(title=title, service="[red]svc", created=NOW))
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        assert sorted(titles(app)) == sorted(HOSTILE_TITLES)
        assert set(column(table(app), "service")) == {"[red]svc"}
        await pilot.press("f", *"[/]")
        await debounced(pilot)
        assert sorted(titles(app)) == ["[/]", "[@click=app.quit]x[/]"]
        assert app.is_running and errors(app) == []


async def test_overdue_counts_follow_the_viewers_day(tmp_path: Path) -> None:
    import pendulum

    from pmconsole.domain.clock import FrozenClock
    from tests.factory import make_app
    from tests.tui.test_review_support import record_notifications

    store = Store.open(tmp_path / "tz.db")
    s = store.create_session(Session(title="S", created=NOW))
    assert s.id is not None
    store.add(ActionItem(session_id=s.id, text="due on the 20th", due=pendulum.date(2026, 11, 20)))
    at = pendulum.datetime(2026, 11, 20, 23, 30, tz="UTC")  # the 21st in Auckland
    for zone, overdue in (("Pacific/Auckland", "1 !"), ("America/New_York", "0")):
        app = record_notifications(make_app(store, clock=FrozenClock(at)))
        app.viewer_tz = zone  # type: ignore[attr-defined]
        async with app.run_test(size=SIZE):
            assert column(table(app), "overdue") == [overdue]


async def test_counts_refresh_after_an_edit_in_the_console(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", *"alias swap", "enter")
        await debounced(pilot)
        assert rows(table(app))[0][5:7] == ["1", "1 !"]
        session_id = int(cursor_key(table(app)))  # type: ignore[arg-type]
        await pilot.press("enter")
        await pilot.pause()
        # The session ended, so its console is in review mode: unlock, then close the item.
        await pilot.press("r", "4", "x")
        await pilot.pause()
        record = history.load(session_id)
        assert [a.status for a in record.actions if a.status is not ActionStatus.DONE] == []
        await pilot.press("escape")
        await pilot.pause()
        assert rows(table(app))[0][5:7] == ["0", "0"]


async def test_keys_open_the_other_review_screens(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        for key, screen in (("slash", SearchScreen), ("t", TrackerScreen),
                            ("g", MetricsScreen), ("m", MinutesScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen), key
            await pilot.press("escape")
            await pilot.pause()
            if isinstance(app.screen, SearchScreen):  # Escape first clears the query box
                await pilot.press("escape")
                await pilot.pause()
            assert isinstance(app.screen, HomeScreen), key
        assert errors(app) == []


def footer_line(app) -> str:  # type: ignore[no-untyped-def]
    """The bottom line of the frame, as the terminal shows it."""
    update: Any = app.screen._compositor.render_update(full=True)
    return "".join(segment.text for segment in update.strips[-1])


async def drawn_footer(pilot, timeout: float = 10.0) -> str:  # type: ignore[no-untyped-def]
    """The footer line once it is drawn and no longer changing.

    The footer is rebuilt after the screen mounts and after each focus change; waiting for
    that, not for a fixed time, keeps the test right on a busy machine.
    """
    deadline = time.monotonic() + timeout
    line = ""
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        previous, line = line, footer_line(pilot.app)
        if "palette" in line and line == previous:
            break
    return line


# What a facilitator needs from the session list, in the footer at every width from 80
# columns: open, create, find, chase action items, plan the follow-up, help, quit, palette.
FOOTER_LABELS = ["⏎ Open", "n New", "/ Search", "t Actions", "F Follow-up", "^q Quit", "f1 Help",
                 "^p palette"]
MORE_LABELS = ["m Minutes", "g Metrics", "f Filter", "s Sort", "d Delete"]


@pytest.mark.parametrize("size", [(80, 24), SIZE])
async def test_footer_shows_the_facilitators_keys_whole(history: Store,
                                                        size: tuple[int, int]) -> None:
    app = review_app(history)
    async with app.run_test(size=size) as pilot:
        line = await drawn_footer(pilot)
        for label in FOOTER_LABELS:
            assert label in line, (label, line)
        # In that order, and nothing cut off at the palette's edge.
        positions = [line.index(label) for label in FOOTER_LABELS]
        assert positions == sorted(positions), line
        # The less used keys follow, as many as fit, each whole or not at all; a wide
        # terminal shows them all.
        for label in MORE_LABELS:
            assert label in line or label.split()[1][:3] not in line, line
        if size[0] >= 160:
            assert all(label in line for label in MORE_LABELS), line
        else:
            assert "d Delete" not in line, line
        # The keys left out still work.
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MinutesScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, MetricsScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.focused, Input)
        assert errors(app) == []


async def test_palette_shows_every_key(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        for binding in HomeScreen.BINDINGS:
            assert isinstance(binding, Binding) and binding.id and binding.tooltip
        titles_ = [c.title for c in app.screen.palette_commands()]  # type: ignore[attr-defined]
        for expected in ("session: new", "review: search", "review: filter", "review: sort",
                         "review: reverse", "review: actions", "review: metrics",
                         "review: minutes", "session: follow-up", "session: delete",
                         "session: open"):
            assert expected in titles_
        command = next(c for c in app.screen.palette_commands()  # type: ignore[attr-defined]
                       if c.title == "review: actions")
        await command.callback()
        await pilot.pause()
        assert isinstance(app.screen, TrackerScreen)


async def test_narrow_screens_drop_ttd_and_ttr_but_keep_the_title(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=(80, 24)) as pilot:
        keys = [c.key.value for c in table(app).columns.values()]
        assert keys == ["date", "sev", "status", "title", "service", "open", "overdue"]
        assert table(app).columns[next(c.key for c in table(app).columns.values()
                                       if c.key.value == "title")].width >= 16
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert len(table(app).columns) == 9


async def test_severity_and_status_words_not_colour(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE):
        sev = set(column(table(app), "sev"))
        assert sev <= {s.value for s in Severity}
        assert set(column(table(app), "status")) <= {s.value for s in SessionStatus}


async def test_table_is_a_datatable_filled_once(history: Store) -> None:
    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        t = table(app)
        assert isinstance(t, DataTable)
        before = app.screen._filled  # type: ignore[attr-defined]
        await pilot.press("s", "r")
        # Sorting reorders the rows already there; nothing is re-read or re-added.
        assert app.screen._filled is before  # type: ignore[attr-defined]


async def test_f1_lists_the_keys_of_each_review_screen(history: Store) -> None:
    from pmconsole.tui.screens.help import HelpScreen

    app = review_app(history)
    async with app.run_test(size=SIZE) as pilot:
        for key, screen_type in (("", HomeScreen), ("t", TrackerScreen), ("g", MetricsScreen),
                                 ("slash", SearchScreen)):
            if key:
                await pilot.press(key)
                await pilot.pause()
            under = app.screen
            assert isinstance(under, screen_type)
            app.action_help()
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            described = {str(row[2]) for row in rows(app.screen.query_one(DataTable))}
            for binding in screen_type.BINDINGS:
                assert isinstance(binding, Binding)
                assert binding.description in described or binding.tooltip in described
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is under
            if key:
                await pilot.press("escape", "escape")
                await pilot.pause()
        assert errors(app) == []
