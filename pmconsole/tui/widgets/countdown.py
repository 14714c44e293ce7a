"""The big countdown for the current agenda item, and the meeting's total.

Redrawn from stored times on every tick (``show``), never counted down by itself, so it
is right after a pause, a restart, a blocked loop or a sleeping laptop.
"""

from __future__ import annotations

from collections.abc import Sequence

from pendulum import DateTime
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Digits, Static

from pmconsole.domain import agenda as clock
from pmconsole.domain.model import AgendaItem


class Countdown(Vertical):
    """Current item, mm:ss left (or +mm:ss over), and the whole meeting's remaining time."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.border_title = Content("Countdown")

    def compose(self) -> ComposeResult:
        yield Static("", id="countdown-item")
        yield Digits("--:--", id="countdown-digits")
        yield Static("", id="countdown-state")
        yield Static("", id="countdown-total")

    def show(self, agenda: Sequence[AgendaItem], now: DateTime) -> None:
        item_label = self.query_one("#countdown-item", Static)
        digits = self.query_one("#countdown-digits", Digits)
        state = self.query_one("#countdown-state", Static)
        total = self.query_one("#countdown-total", Static)
        index = clock.current_index(agenda)
        remaining_total = clock.meeting_remaining(agenda, now)
        self.remove_class("-overtime", "-paused", "-idle", "-finished")
        if index is None:
            if clock.meeting_finished(agenda):
                self.add_class("-finished")
                item_label.update(Content("Meeting finished"))
                digits.update("00:00")
                state.update(Content("✓ All agenda items done"))
            else:
                self.add_class("-idle")
                minutes = clock.planned_total_minutes(agenda)
                item_label.update(Content("Not started"))
                digits.update(clock.format_countdown(minutes * 60))
                state.update(Content("Press s to start the meeting"))
            total.update(Content(f"Planned: {clock.planned_total_minutes(agenda)} min"))
            return
        item = agenda[index]
        timing = clock.timing(item, now)
        item_label.update(Content(f"{index + 1}/{len(agenda)}  {item.title}"))
        digits.update(clock.format_countdown(timing.remaining))
        if timing.paused:
            self.add_class("-paused")
            state.update(Content("‖ PAUSED (p resumes)"))
        elif timing.overtime:
            self.add_class("-overtime")
            state.update(Content("▲ OVERTIME"))
        else:
            state.update(Content("▶ running"))
        label = "left" if remaining_total >= 0 else "over"
        total.update(Content(f"Meeting: {clock.format_countdown(remaining_total).lstrip('+')} {label}"))
