"""The agenda clock as the room sees it: countdown, overtime, pauses, going back, restarts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import pendulum
import pytest

from pmconsole.domain import agenda as ag
from pmconsole.domain.clock import FrozenClock
from pmconsole.domain.model import AgendaItem

T0 = pendulum.datetime(2026, 11, 20, 10, 0, tz="UTC")
PLANNED = (("Opening", 5), ("Timeline", 10), ("Factors", 20))


class Meeting:
    """An agenda and a frozen clock, applying transitions the way the app saves them."""

    def __init__(self, planned: Sequence[tuple[str, int]] = PLANNED) -> None:
        self.clock = FrozenClock(T0)
        self.items = [
            AgendaItem(session_id=1, id=i + 1, position=i, title=title, planned_minutes=minutes)
            for i, (title, minutes) in enumerate(planned)
        ]

    def do(self, transition: Callable[..., list[AgendaItem]], **kwargs: object) -> None:
        if transition is ag.extend:
            changed = transition(self.items, **kwargs)
        else:
            changed = transition(self.items, self.clock.now(), **kwargs)
        by_id = {item.id: item for item in changed}
        self.items = [by_id.get(item.id, item) for item in self.items]

    def at(self, minutes: float) -> None:
        self.clock.set(T0.add(seconds=int(minutes * 60)))

    def timing(self, index: int) -> ag.ItemTiming:
        return ag.timing(self.items[index], self.clock.now())

    def current(self) -> int | None:
        return ag.current_index(self.items)

    def actual(self) -> list[float | None]:
        return [ag.actual_minutes(item, self.clock.now()) for item in self.items]


def test_start_begins_the_first_item_with_its_full_timebox() -> None:
    m = Meeting()
    assert not ag.meeting_started(m.items)
    m.do(ag.start)
    assert m.current() == 0 and ag.meeting_started(m.items)
    t = m.timing(0)
    assert (t.remaining, t.running, t.paused, t.overtime) == (300, True, False, False)
    assert ag.format_countdown(t.remaining) == "05:00"
    # Starting again while an item runs changes nothing.
    assert ag.start(m.items, m.clock.now()) == []


def test_mid_item_remaining_counts_down_from_the_start_time() -> None:
    m = Meeting()
    m.do(ag.start)
    m.at(2.5)
    t = m.timing(0)
    assert t.elapsed == 150 and t.remaining == 150
    assert ag.format_countdown(t.remaining) == "02:30"


def test_overtime_is_negative_remaining_shown_with_a_plus() -> None:
    m = Meeting()
    m.do(ag.start)
    m.at(6.5)
    t = m.timing(0)
    assert t.overtime and t.remaining == -90
    assert ag.format_countdown(t.remaining) == "+01:30"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(300, "05:00"), (0.4, "00:01"), (0, "00:00"), (59, "00:59"), (-0.5, "+00:00"),
     (-61, "+01:01"), (3725, "62:05"), (-3725, "+62:05"), (6000, "1:40:00"), (-6001, "+1:40:01")],
)
def test_format_countdown(seconds: float, shown: str) -> None:
    assert ag.format_countdown(seconds) == shown


def test_pause_freezes_the_countdown_and_resume_excludes_the_paused_time() -> None:
    m = Meeting()
    m.do(ag.start)
    m.at(1)
    m.do(ag.toggle_pause)
    m.at(8)
    t = m.timing(0)
    assert t.paused and t.elapsed == 60
    m.at(11)
    m.do(ag.toggle_pause)
    assert not m.timing(0).paused
    m.at(13)
    assert m.timing(0).elapsed == 3 * 60
    # A second pause adds to the first.
    m.do(ag.toggle_pause)
    m.at(20)
    m.do(ag.toggle_pause)
    m.at(21)
    assert m.timing(0).elapsed == 4 * 60


def test_extend_adds_five_minutes_but_keeps_planned_minutes() -> None:
    m = Meeting()
    m.do(ag.start)
    m.at(4)
    m.do(ag.extend)
    assert m.items[0].planned_minutes == 5 and m.items[0].extra_minutes == 5
    t = m.timing(0)
    assert t.allowed == 600 and t.remaining == 360
    m.at(7)
    assert not m.timing(0).overtime  # would have been 2 minutes over without the extension


def test_advancing_through_all_items_records_actual_minutes() -> None:
    m = Meeting()
    m.do(ag.start)
    m.at(6)
    m.do(ag.advance)
    assert m.current() == 1
    m.at(16)
    m.do(ag.advance)
    m.at(40)
    m.do(ag.advance)
    assert m.current() is None and ag.meeting_finished(m.items)
    assert m.actual() == [6, 10, 24]
    # Later clock readings do not change finished items.
    m.at(90)
    assert m.actual() == [6, 10, 24]
    assert ag.meeting_remaining(m.items, m.clock.now()) == 0
    assert ag.planned_total_minutes(m.items) == 35


def test_advance_while_paused_ends_the_item_without_counting_the_pause() -> None:
    m = Meeting()
    m.do(ag.start)
    m.at(2)
    m.do(ag.toggle_pause)
    m.at(10)
    m.do(ag.advance)
    assert m.actual()[0] == 2
    assert m.items[1].started == m.clock.now()


def test_go_back_reopens_the_previous_item_where_it_stopped_and_holds_the_current_one() -> None:
    m = Meeting()
    m.do(ag.start)
    m.at(5)
    m.do(ag.advance)  # Opening took 5 minutes; Timeline starts at 5
    m.at(8)
    m.do(ag.go_back)  # Timeline has run 3 minutes
    assert m.current() == 0
    assert m.timing(0).elapsed == 5 * 60  # continues from where it stopped
    assert m.timing(1).paused and m.timing(1).elapsed == 3 * 60
    m.at(10)
    assert m.timing(0).elapsed == 7 * 60 and m.timing(0).remaining == -120
    assert m.timing(1).elapsed == 3 * 60  # held: the reopened item's time is not its time
    m.do(ag.advance)  # back to Timeline
    assert m.current() == 1 and not m.timing(1).paused
    m.at(12)
    assert m.timing(1).elapsed == 5 * 60  # 3 before going back + 2 since
    assert m.actual()[0] == 7


def test_go_back_twice_then_forward_again_keeps_every_items_time() -> None:
    m = Meeting()
    m.do(ag.start)
    m.at(5)
    m.do(ag.advance)
    m.at(15)
    m.do(ag.advance)  # Factors starts at 15
    m.at(16)
    m.do(ag.go_back)
    m.at(17)
    m.do(ag.go_back)
    assert m.current() == 0
    m.at(18)
    m.do(ag.advance)
    m.at(19)
    m.do(ag.advance)
    m.at(30)
    assert m.current() == 2
    # Opening 0-5 and 17-18; Timeline 5-15, 16-17 and 18-19; Factors 15-16 and 19-30.
    assert m.actual() == [6, 12, 12]


def test_go_back_after_the_last_item_reopens_it_and_at_the_first_item_does_nothing() -> None:
    m = Meeting()
    m.do(ag.start)
    assert ag.go_back(m.items, m.clock.now()) == []
    for minute in (5, 15, 35):
        m.at(minute)
        m.do(ag.advance)
    m.at(40)
    m.do(ag.go_back)
    assert m.current() == 2 and m.timing(2).elapsed == 20 * 60
    m.at(41)
    assert m.timing(2).elapsed == 21 * 60


def test_meeting_remaining_is_current_remainder_plus_items_to_come() -> None:
    m = Meeting()
    assert ag.meeting_remaining(m.items, m.clock.now()) == 35 * 60
    m.do(ag.start)
    m.at(2)
    assert ag.meeting_remaining(m.items, m.clock.now()) == (3 + 10 + 20) * 60
    m.at(6)
    m.do(ag.advance)
    m.at(18)  # Timeline 2 minutes over
    assert ag.meeting_remaining(m.items, m.clock.now()) == (-2 + 20) * 60
    m.do(ag.advance)
    m.at(45)  # Factors 7 minutes over
    assert ag.meeting_remaining(m.items, m.clock.now()) == -7 * 60


def test_wall_clock_set_back_while_running_never_gives_negative_elapsed() -> None:
    m = Meeting()
    m.do(ag.start)
    m.at(-60)  # NTP or a user sets the clock back an hour
    t = m.timing(0)
    assert t.elapsed == 0 and t.remaining == 300
    assert ag.format_countdown(t.remaining) == "05:00"
    # Pausing and resuming across the jump does not add negative pause time either.
    m.at(2)
    m.do(ag.toggle_pause)
    m.at(-30)
    m.do(ag.toggle_pause)
    assert m.items[0].paused_seconds == 0
    m.at(3)
    assert m.timing(0).elapsed == 180


def test_laptop_asleep_twenty_minutes_counts_in_elapsed() -> None:
    m = Meeting()
    m.do(ag.start)
    m.at(2)
    assert m.timing(0).remaining == 180
    m.clock.advance(minutes=20)  # no ticks while asleep; the first draw after waking
    t = m.timing(0)
    assert t.elapsed == 22 * 60 and t.remaining == -17 * 60
    assert ag.format_countdown(t.remaining) == "+17:00"


def _reloaded(items: Sequence[AgendaItem]) -> list[AgendaItem]:
    """Items rebuilt from their fields, times via UTC ISO text, as the store does on restart."""
    rebuilt = []
    for item in items:
        values = {}
        for f in dataclasses.fields(item):
            value = getattr(item, f.name)
            if isinstance(value, pendulum.DateTime):
                value = pendulum.parse(value.in_timezone("UTC").to_iso8601_string())
            values[f.name] = value
        rebuilt.append(AgendaItem(**values))
    return rebuilt


def test_restart_gives_the_same_numbers_from_the_stored_fields() -> None:
    m = Meeting()
    m.do(ag.start)
    m.at(4)
    m.do(ag.extend)
    m.at(6)
    m.do(ag.advance)
    m.at(7)
    m.do(ag.toggle_pause)  # Timeline paused at 7 ...
    m.at(9)
    m.do(ag.toggle_pause)
    m.at(10)
    m.do(ag.go_back)  # ... and held at 10 while Opening reopens
    m.at(12)
    before = m.items
    after = _reloaded(before)
    assert after is not before and after == before
    for now in (m.clock.now(), T0.add(minutes=30), T0.add(hours=3)):
        assert [ag.timing(i, now) for i in after] == [ag.timing(i, now) for i in before]
        assert ag.meeting_remaining(after, now) == ag.meeting_remaining(before, now)
    assert ag.current_index(after) == 0
    # And the meeting carries on from the reloaded items exactly as it would have.
    m.items = after
    m.do(ag.advance)
    m.at(15)
    assert m.current() == 1 and m.timing(1).elapsed == 5 * 60
    assert m.actual() == [8, 5, None]


def test_transitions_with_no_current_item_change_nothing() -> None:
    m = Meeting()
    now = m.clock.now()
    assert ag.toggle_pause(m.items, now) == []
    assert ag.extend(m.items) == []
    assert ag.go_back(m.items, now) == []
    assert ag.current_index([]) is None and not ag.meeting_finished([])
