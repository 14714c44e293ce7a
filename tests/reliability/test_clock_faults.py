"""The wall clock misbehaving mid-meeting: the countdown stays right and never shows garbage.

The console computes the countdown from stored times and the clock on every tick, never by
counting ticks. These tests move a FrozenClock the way real clocks misbehave — NTP stepping
it an hour forward or back, a laptop sleeping for 20 minutes (or through lunch), a tick
arriving a fraction of a second off — call ``tick()`` and read what the screen shows.

What "right" means:

- Forward jump or sleep: the wall clock says that much time passed, so it did: remaining =
  allowance − (now − start − pauses), turning into ``+mm:ss`` overtime. A paused item
  stays frozen, however long the sleep.
- Backward jump: elapsed time is never negative, so the countdown never shows more than
  the item's allowance (it sticks at the full allowance while the clock is behind the
  stored start) and never a minus sign; when the clock is corrected the countdown is
  again exactly what the stored times give. Time run before a backward jump may be
  forgotten (at most the size of the jump), never invented.
- Always: ``mm:ss`` left, ``+mm:ss`` over; past 99:59 the big digits show ``h:mm`` (and
  the state line says ``h:mm``), so they always fit the box, even at 80 columns.
"""

from __future__ import annotations

import re
from pathlib import Path

import pendulum
import pytest
from textual.widgets import DataTable, Digits, Static

from pmconsole.domain import agenda as agenda_clock
from pmconsole.domain.clock import FrozenClock
from pmconsole.domain.model import AgendaItem, SessionStatus
from pmconsole.store.repository import Store
from pmconsole.tui.screens.console import ConsoleScreen
from pmconsole.tui.widgets.countdown import MAX_GLYPHS, big_digits
from tests.factory import NOW, demo_store, make_app

SIZE = (120, 36)
# mm:ss, h:mm:ss (domain), h:mm (big digits past 99:59 over), hours alone (past 999 h).
SHAPE = re.compile(r"^\+?(\d{2}:\d{2}|\d+:\d{2}:\d{2}|\d+:\d{2}|\d+)$")
STATES = ("▶ running", "▲ OVERTIME", "‖ PAUSED (p resumes)")


def shown(screen: ConsoleScreen) -> tuple[str, str, str, str]:
    """Digits, state line, item label and meeting total, as on the screen."""
    digits = screen.query_one("#countdown-digits", Digits).value
    state, item, total = (str(screen.query_one(f"#countdown-{n}", Static).render())
                          for n in ("state", "item", "total"))
    return digits, state, item, total


def seconds_of(digits: str) -> int:
    """``mm:ss`` / ``h:mm:ss`` as seconds (positive: left; negative: over)."""
    sign = -1 if digits.startswith("+") else 1
    parts = [int(p) for p in digits.lstrip("+").split(":")]
    value = 0
    for part in parts:
        value = value * 60 + part
    return sign * value


def check_sane(screen: ConsoleScreen, allowance: float) -> tuple[str, str]:
    digits, state, item, total = shown(screen)
    assert SHAPE.match(digits), digits
    assert "-" not in digits and "-" not in total, (digits, total)
    assert state.startswith(STATES), state
    assert len(digits) <= MAX_GLYPHS
    if not digits.startswith("+") and "h:mm" not in state:
        assert seconds_of(digits) <= allowance, (digits, allowance)
    table = screen.query_one("#agenda-table", DataTable)
    for row in range(table.row_count):
        actual = str(table.get_row_at(row)[2])
        assert not actual.startswith("-"), f"negative actual time: {actual}"
    return digits, state


def current(screen: ConsoleScreen) -> AgendaItem:
    assert screen.record is not None
    index = agenda_clock.current_index(screen.record.agenda)
    assert index is not None
    return screen.record.agenda[index]


def expected(item: AgendaItem, now: pendulum.DateTime) -> str:
    return big_digits(agenda_clock.timing(item, now).remaining)[0]


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Store, int]:
    return demo_store(tmp_path / "demo.db")


async def test_clock_jumps_forward_an_hour_then_back(demo: tuple[Store, int]) -> None:
    store, sid = demo
    clock = FrozenClock(NOW)
    app = make_app(store, session_id=sid, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        clock.advance(seconds=90)
        screen.tick()
        assert check_sane(screen, 300) == ("03:30", "▶ running")
        clock.advance(hours=1)  # NTP steps the clock: an hour has "passed"
        screen.tick()
        assert check_sane(screen, 300) == ("+56:30", "▲ OVERTIME")
        assert shown(screen)[3] == "Meeting: 01:30 over"  # 60 min planned, 61.5 min gone
        clock.advance(hours=-1)  # and steps it back
        screen.tick()
        assert check_sane(screen, 300) == ("03:30", "▶ running")
        # Nothing about the fault was stored: the start time is the one saved on "s".
        assert store.load(sid).agenda[0].started == NOW.in_timezone("UTC")
        assert app.handled_errors == []


async def test_clock_jumps_back_an_hour(demo: tuple[Store, int]) -> None:
    store, sid = demo
    clock = FrozenClock(NOW)
    app = make_app(store, session_id=sid, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        clock.advance(seconds=90)
        screen.tick()
        assert check_sane(screen, 300) == ("03:30", "▶ running")
        clock.advance(hours=-1)
        for _ in range(5):  # ticks go on while the clock is behind the stored start
            screen.tick()
            assert check_sane(screen, 300) == ("05:00", "▶ running")
            assert shown(screen)[3] == "Meeting: 60:00 left"
            clock.advance(seconds=7)
        clock.advance(hours=1)  # corrected: exactly what the stored times say
        screen.tick()
        assert check_sane(screen, 300) == (expected(current(screen), clock.now()), "▶ running")
        assert shown(screen)[0] == "02:55"  # 90 s + 5 × 7 s since the start
        assert app.handled_errors == []


async def test_moves_made_while_the_clock_is_behind(demo: tuple[Store, int]) -> None:
    """Keys pressed while the clock is an hour behind store skewed times; the countdown
    derived from them never goes negative nor above the allowance, and the minutes export
    has no negative durations."""
    from pmconsole.exchange.minutes import render_minutes

    store, sid = demo
    clock = FrozenClock(NOW)
    app = make_app(store, session_id=sid, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        clock.advance(seconds=60)
        clock.advance(hours=-1)
        await pilot.press("p")  # pause while behind: frozen at what was shown, 05:00
        await pilot.pause()
        screen.tick()
        assert check_sane(screen, 300) == ("05:00", "‖ PAUSED (p resumes)")
        clock.advance(hours=1, seconds=30)  # corrected while paused: still frozen
        screen.tick()
        assert check_sane(screen, 300) == ("05:00", "‖ PAUSED (p resumes)")
        await pilot.press("p")
        await pilot.pause()
        clock.advance(seconds=20)
        screen.tick()
        # The minute run before the jump is forgotten (never invented): 05:00 − 20 s.
        assert check_sane(screen, 300) == ("04:40", "▶ running")
        clock.advance(hours=-1)
        await pilot.press("n")  # next item, started an hour "early"
        await pilot.pause()
        screen.tick()
        assert check_sane(screen, 600) == ("10:00", "▶ running")
        assert shown(screen)[2].startswith("2/6")
        clock.advance(hours=1)  # corrected: item 2 looks as old as its stored start says
        screen.tick()
        digits, state = check_sane(screen, 600)
        assert (digits, state) == (expected(current(screen), clock.now()), "▲ OVERTIME")
        record = store.load(sid)
        first = record.agenda[0]
        assert first.ended is not None and first.started is not None
        assert agenda_clock.actual_minutes(first, clock.now()) == 0.0  # ended "before" it began
        minutes = render_minutes(record, now=clock.now())
        agenda_section = minutes.split("## Agenda", 1)[-1].split("\n## ", 1)[0]
        rows = [line.split("|") for line in agenda_section.splitlines() if line.startswith("| ")]
        assert rows[0][3].strip() == "Actual"
        for row in rows[2:]:
            assert not row[3].strip().startswith("-"), row  # no negative actual time
        assert app.handled_errors == []


async def test_laptop_sleeps_for_20_minutes(demo: tuple[Store, int]) -> None:
    store, sid = demo
    clock = FrozenClock(NOW)
    app = make_app(store, session_id=sid, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        clock.advance(seconds=60)
        await pilot.press("n")  # item 2: 10 minutes
        await pilot.pause()
        clock.advance(minutes=2)
        screen.tick()
        assert check_sane(screen, 600) == ("08:00", "▶ running")
        clock.advance(minutes=20)  # the lid closes: no tick for 20 minutes
        screen.tick()
        assert check_sane(screen, 600) == ("+12:00", "▲ OVERTIME")
        # 55 min of agenda were left after item 1; 22 of item 2's 10 are gone: 33 left.
        assert shown(screen)[3] == "Meeting: 33:00 left"
        assert shown(screen)[2].startswith("2/6  Walk through the timeline")

        # Paused before sleeping: the countdown waits, however long the sleep.
        await pilot.press(*["plus"] * 4)  # 20 more minutes: 30 allowed, 22 gone, 08:00 left
        await pilot.pause()
        screen.tick()
        assert check_sane(screen, 1800) == ("08:00", "▶ running")
        await pilot.press("p")
        await pilot.pause()
        clock.advance(minutes=20)
        screen.tick()
        assert check_sane(screen, 1800) == ("08:00", "‖ PAUSED (p resumes)")
        await pilot.press("p")
        await pilot.pause()
        clock.advance(seconds=30)
        screen.tick()
        assert check_sane(screen, 1800) == ("07:30", "▶ running")
        assert app.handled_errors == []

    # Reopened after the laptop slept again: the same item, the same figure.
    clock.advance(minutes=20)
    again = make_app(store, session_id=sid, clock=clock)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = again.screen
        assert isinstance(screen, ConsoleScreen)
        assert shown(screen)[2].startswith("2/6  Walk through the timeline")
        assert check_sane(screen, 1800) == ("+12:30", "▲ OVERTIME")
        assert store.load(sid).session.status is SessionStatus.LIVE


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (200, 60)],
                         ids=["80x24", "120x36", "200x60"])
async def test_sleeping_through_lunch_still_fits_the_box(size: tuple[int, int],
                                                         demo: tuple[Store, int]) -> None:
    """Past 99:59 over, the big digits show h:mm (the state line says so) instead of a
    value cut at the box's edge ("+2:55:0")."""
    store, sid = demo
    clock = FrozenClock(NOW)
    app = make_app(store, session_id=sid, clock=clock)
    async with app.run_test(size=size) as pilot:
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        for hours, digits in ((1, "+55:00"), (3, "+2:55"), (30, "+29:55")):
            clock.set(NOW.add(hours=hours))
            screen.tick()
            await pilot.pause()
            shown_digits, state = check_sane(screen, 300)
            assert shown_digits == digits
            assert state == ("▲ OVERTIME  h:mm" if hours > 1 else "▲ OVERTIME")
            widget = screen.query_one("#countdown-digits", Digits)
            box = screen.query_one("#countdown")
            assert widget.region.right <= box.content_region.right, (size, digits)
            assert widget.size.width == 3 * len(digits)
        assert app.handled_errors == []


async def test_any_clock_offset_gives_a_well_formed_countdown(demo: tuple[Store, int]) -> None:
    """A sweep of clock positions around an item's start, with fractions of a second."""
    store, sid = demo
    clock = FrozenClock(NOW)
    app = make_app(store, session_id=sid, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        offsets = [-7200.0, -3600.0, -60.0, -0.5, 0.0, 0.4, 0.5, 1.0, 59.6, 299.0, 299.5, 300.0,
                   300.4, 301.0, 359.9, 3599.5, 5999.0, 6000.0, 6300.4, 36000.0, 10 * 86400.0,
                   60 * 86400.0]
        for offset in offsets:
            clock.set(NOW.add(seconds=offset))
            screen.tick()
            digits, state = check_sane(screen, 300)
            assert digits == expected(current(screen), clock.now()), offset
            timing = agenda_clock.timing(current(screen), clock.now())
            assert timing.elapsed >= 0
            unit = big_digits(timing.remaining)[1]
            if timing.overtime:
                assert state == "▲ OVERTIME" + (f"  {unit}" if unit else ""), (offset, state)
            else:
                assert state == "▶ running", (offset, state)
        assert app.handled_errors == []


def test_format_is_mm_ss_or_plus_mm_ss_everywhere() -> None:
    """The domain formatter, over a dense sweep: no minus sign, seconds 00–59, and the
    digits the widget shows always fit the narrowest box."""
    values = [x / 4 for x in range(-40_000, 40_000, 7)] + [
        -1e6, -86400.0, 1e6, -0.0, 1e-9, -1e-9, -3.6e6 - 1, -3e9, 3e9]  # 3e9 s: 95 years
    for value in values:
        text = agenda_clock.format_countdown(value)
        assert "-" not in text and SHAPE.match(text), (value, text)
        assert int(text.rsplit(":", 1)[1]) < 60
        assert text.startswith("+") == (value < 0) or text in ("00:00", "+00:00"), (value, text)
        digits, unit = big_digits(value)
        assert len(digits) <= MAX_GLYPHS and SHAPE.match(digits), (value, digits)
        assert (unit == "") == (digits == text), (value, text, digits)
        assert unit == {0: "", 1: "h:mm", 2: "h"}[len(text.split(":")) - len(digits.split(":"))]


async def test_footer_follows_the_agenda(demo: tuple[Store, int]) -> None:
    """Once the meeting starts the footer offers Next/Pause/+5 min, not Start (it used to
    keep showing "s Start", a key that then did nothing, until the focus moved)."""
    from pmconsole.tui.widgets.keybar import KeyBar

    store, sid = demo
    app = make_app(store, session_id=sid, clock=FrozenClock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()

        def keys() -> str:
            return app.screen.query_one(KeyBar).render().plain

        assert "Start" in keys() and "Next item" not in keys()
        await pilot.press("s")
        await pilot.pause()
        assert "Start" not in keys() and "Next item" in keys() and "Pause" in keys(), keys()
