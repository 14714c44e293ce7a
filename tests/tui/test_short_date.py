"""The action items' due dates: written as pendulum would, without its formatter."""

from __future__ import annotations

import pendulum

from pmconsole.tui.widgets.panes import _short_date


def test_near_dates_read_as_pendulum_writes_them() -> None:
    today = pendulum.date(2026, 11, 20)
    for offset in range(-179, 180):
        day = today.add(days=offset)
        assert _short_date(day, today) == day.format("MMM D"), day


def test_far_or_missing_dates() -> None:
    today = pendulum.date(2026, 11, 20)
    assert _short_date(pendulum.date(2027, 6, 1), today) == "2027-06-01"
    assert _short_date(pendulum.date(2026, 5, 20), today) == "2026-05-20"
    assert _short_date(None, today) == "—"
    assert _short_date(pendulum.date(2026, 12, 1), None) == "2026-12-01"
