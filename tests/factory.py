"""Building the real app for Pilot and snapshot tests: seeded store, frozen clock."""

from __future__ import annotations

from pathlib import Path

import pendulum

from pmconsole.cli.console import seed_demo
from pmconsole.domain.clock import FrozenClock
from pmconsole.store.repository import Store
from pmconsole.tui.app import PostMortemApp

# Two days after the demo incident's "today", in the afternoon in Berlin.
DEMO_TODAY = pendulum.date(2026, 11, 20)
NOW = pendulum.datetime(2026, 11, 20, 14, 3, 0, tz="Europe/Berlin")


def demo_store(path: Path | None = None) -> tuple[Store, int]:
    """A store holding the demo sessions (dates fixed), and the demo meeting's id."""
    store = Store.open(path) if path is not None else Store.memory()
    return store, seed_demo(store, today=DEMO_TODAY)


def make_app(store: Store, *, session_id: int | None = None,
             clock: FrozenClock | None = None) -> PostMortemApp:
    app = PostMortemApp(store, session_id=session_id, clock=clock or FrozenClock(NOW),
                        persist_theme=False)
    app.animation_level = "none"
    return app
