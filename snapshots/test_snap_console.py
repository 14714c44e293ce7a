"""Snapshots of the meeting console: the demo at three sizes, states, dialogs and themes.

Each picture was looked at (converted to PNG) before it was accepted.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from pmconsole.domain.clock import FrozenClock
from tests.factory import NOW, demo_store, make_app


def demo_app(tmp_path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    store, sid = demo_store(tmp_path / "snap.db")
    return make_app(store, session_id=sid, **kwargs)  # type: ignore[arg-type]


def test_console_80x24(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24))


def test_console_120x36(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path), terminal_size=(120, 36))


def test_console_200x60(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(demo_app(tmp_path), terminal_size=(200, 60))


def test_console_overtime(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clock = FrozenClock(NOW)
    app = demo_app(tmp_path, clock=clock)

    async def run_over(pilot: Pilot[None]) -> None:
        await pilot.press("s")
        clock.advance(minutes=6, seconds=30)
        pilot.app.screen.tick()  # type: ignore[attr-defined]
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_over)


def test_edit_dialog_with_validation_error(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def bad_time(pilot: Pilot[None]) -> None:
        await pilot.press("enter")
        await pilot.pause()
        pilot.app.screen.query_one("#field-at", Input).value = "1430"
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=(120, 36), run_before=bad_time)


def test_projector_light_theme(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = demo_app(tmp_path)

    async def light(pilot: Pilot[None]) -> None:
        pilot.app.theme = "pmconsole-projector"
        await pilot.pause()

    assert snap_compare(app, terminal_size=(160, 48), run_before=light)


def test_high_contrast_theme(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = demo_app(tmp_path)

    async def contrast(pilot: Pilot[None]) -> None:
        pilot.app.theme = "pmconsole-high-contrast"
        await pilot.pause()

    assert snap_compare(app, terminal_size=(160, 48), run_before=contrast)


def test_card_presentation_view(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def present(pilot: Pilot[None]) -> None:
        await pilot.press("5", "slash", *"who is responsible", "enter")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=(120, 36), run_before=present)
