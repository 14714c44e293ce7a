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

# Each Digits glyph is 3 cells wide; the narrowest countdown box (80 columns) has 22 cells
# inside, so 7 glyphs. "+1:40:00" (overtime past 99:59, e.g. a laptop that slept through
# lunch) is 8 and would be cut to "+1:40:0"; such values lose their seconds instead.
MAX_GLYPHS = 7


def big_digits(seconds: float) -> tuple[str, str]:
    """What the big digits show, and its unit when not mm:ss ("h:mm", or "h" past 999 h)."""
    text = clock.format_countdown(seconds)
    if len(text) <= MAX_GLYPHS:
        return text, ""
    text = text.rsplit(":", 1)[0]  # h:mm:ss → h:mm
    if len(text) <= MAX_GLYPHS:
        return text, "h:mm"
    return text.rsplit(":", 1)[0], "h"  # a meeting left running for weeks


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
        shown, unit = big_digits(timing.remaining)
        digits.update(shown)
        unit = f"  {unit}" if unit else ""
        if timing.paused:
            self.add_class("-paused")
            state.update(Content("‖ PAUSED (p resumes)" + unit))
        elif timing.overtime:
            self.add_class("-overtime")
            state.update(Content("▲ OVERTIME" + unit))
        else:
            state.update(Content("▶ running" + unit))
        label = "left" if remaining_total >= 0 else "over"
        total.update(Content(f"Meeting: {clock.format_countdown(remaining_total).lstrip('+')} {label}"))
