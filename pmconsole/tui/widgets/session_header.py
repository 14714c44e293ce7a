"""The console's top line: what incident, how bad, where the meeting stands, and the time."""

from __future__ import annotations

from pendulum import DateTime
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from pmconsole.domain.metrics import format_duration, session_metrics
from pmconsole.domain.model import Session
from pmconsole.domain.times import clock_time


class SessionHeader(Horizontal):
    """Severity badge, title, service, status, live TTD/TTM/TTR, open flags, clock."""

    def compose(self) -> ComposeResult:
        yield Static("", id="header-severity")
        yield Static("", id="header-title")
        yield Static("", id="header-metrics")
        yield Static("", id="header-flags")
        yield Static("", id="header-clock")

    def show(self, session: Session, *, open_flags: int, locked: str) -> None:
        severity = self.query_one("#header-severity", Static)
        severity.update(Content(f" {session.severity.value} "))
        severity.set_classes(f"sev-{session.severity.value.lower()}")
        # The status first: a long title is cut at the end, and the room should always see
        # whether the meeting is live, ended or locked.
        parts = [session.status.value.upper()]
        if locked:
            parts.append(locked)
        parts.append(session.title)
        if session.service:
            parts.append(session.service)
        self.query_one("#header-title", Static).update(Content(" · ".join(parts)))
        m = session_metrics(session)
        figures = [
            f"{name} {format_duration(value)}"
            for name, value in (("TTD", m.ttd), ("TTM", m.ttm), ("TTR", m.ttr))
            if value is not None
        ]
        if m.problems:
            figures.append("⚠ times out of order")
        self.query_one("#header-metrics", Static).update(Content("  ".join(figures)))
        flags = self.query_one("#header-flags", Static)
        flags.update(Content(f"⚑ {open_flags} flag{'s' if open_flags != 1 else ''}" if open_flags else ""))
        flags.set_class(open_flags > 0, "-open")

    def tick(self, now: DateTime, tz: str) -> None:
        # The session's zone by name, as the room set it (not its abbreviation, which
        # many zones lack).
        self.query_one("#header-clock", Static).update(Content(f"{clock_time(now, tz, seconds=True)} {tz}"))
