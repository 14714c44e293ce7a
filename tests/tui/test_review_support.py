"""Shared set-up for the review-screen Pilot tests (home, search, tracker, metrics, follow-up).

No tests here: a seeded store, the app with the viewer's timezone fixed, and helpers that
read what a table or a line of text shows.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Static

from pmconsole.domain.sample_history import sample_history
from pmconsole.store.repository import Store
from pmconsole.tui.app import PostMortemApp
from tests.factory import DEMO_TODAY, NOW, demo_store, make_app

SIZE = (160, 48)
VIEWER_TZ = "Europe/Berlin"
TODAY = DEMO_TODAY
__all__ = ["NOW", "SIZE", "TODAY", "VIEWER_TZ"]


def history_store(path: Path, count: int = 12) -> tuple[Store, int]:
    """The demo sessions plus ``count`` generated past incidents; the demo meeting's id."""
    store, demo_id = demo_store(path)
    for record in sample_history(count, today=DEMO_TODAY):
        store.import_record(record)
    return store, demo_id


def review_app(store: Store, **kwargs: Any) -> PostMortemApp:
    """The real app, frozen clock, and "today" judged in Berlin whatever this machine says."""
    app = make_app(store, **kwargs)
    app.viewer_tz = VIEWER_TZ  # type: ignore[attr-defined]
    return record_notifications(app)


def record_notifications(app: PostMortemApp) -> PostMortemApp:
    """Keep every notification (``app.notes``: (severity, message)) even after it expires."""
    notes: list[tuple[str, str]] = []
    original = app.notify

    def notify(message: str, *args: Any, **kwargs: Any) -> None:
        notes.append((str(kwargs.get("severity", "information")), str(message)))
        original(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    app.notes = notes  # type: ignore[attr-defined]
    return app


def errors(app: PostMortemApp) -> list[str]:
    """Error notifications shown, and errors the app caught; both should stay empty."""
    notes = getattr(app, "notes", [])
    return [m for s, m in notes if s == "error"] + [repr(e) for e in app.handled_errors]


def rows(table: DataTable[Any]) -> list[list[str]]:
    """What each row shows, as plain text, top to bottom."""
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def column(table: DataTable[Any], key: str) -> list[str]:
    return [str(cell) for cell in table.get_column(key)]


def shown(widget: Static) -> str:
    return str(widget.render())


def cursor_key(table: DataTable[Any]) -> str | None:
    if table.row_count == 0:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


async def debounced(pilot: Any, timeout: float = 10.0) -> None:
    """Wait until the screen has acted on what was typed last (its debounce timer fired).

    The screens clear their timer once the filter or search has run; waiting for that, not
    for a fixed time, keeps the tests right on a slow or busy machine.
    """
    screen = pilot.app.screen
    deadline = time.monotonic() + timeout
    await pilot.pause(0.2)
    while time.monotonic() < deadline:
        if all(getattr(screen, name, None) is None for name in ("_filter_timer", "_timer")):
            break
        await pilot.pause(0.05)
    await pilot.pause()
