"""Snapshots of the review screens: history (home), search, action tracker, metrics, minutes.

The store holds the demo sessions plus twelve generated past incidents (seeded, dates fixed),
the clock is frozen and "today" is judged in Berlin, so every picture is the same on every
machine. Each picture was looked at (converted to PNG) before it was accepted.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from pmconsole.tui.app import PostMortemApp
from tests.tui.test_review_support import debounced, history_store, review_app


def history_app(tmp_path: Path) -> PostMortemApp:
    store, _ = history_store(tmp_path / "snap.db", count=12)
    app = review_app(store)
    app.animation_level = "none"
    return app


async def settle(pilot: Pilot[None]) -> None:
    """Wait for the typed filter or search to have run (debounced), then for the frame."""
    await debounced(pilot)
    await pilot.pause()


def test_home_80x24(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(history_app(tmp_path), terminal_size=(80, 24))


def test_home_120x36(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(history_app(tmp_path), terminal_size=(120, 36))


def test_home_200x60(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(history_app(tmp_path), terminal_size=(200, 60))


def test_home_filtered_and_sorted(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def filter_and_sort(pilot: Pilot[None]) -> None:
        await pilot.press("f", *"has:overdue from:2026 sev:7", "enter")
        await settle(pilot)
        for _ in range(6):  # to the Overdue column
            await pilot.press("s")
        await settle(pilot)

    assert snap_compare(history_app(tmp_path), terminal_size=(120, 36),
                        run_before=filter_and_sort)


def test_search_results(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def search(pilot: Pilot[None]) -> None:
        await pilot.press("slash", *"certificate")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)

    assert snap_compare(history_app(tmp_path), terminal_size=(120, 36), run_before=search)


def test_search_hostile_query(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def search(pilot: Pilot[None]) -> None:
        await pilot.press("slash")
        pilot.app.screen.query_one(Input).value = 'NEAR( "pool AND'
        await settle(pilot)

    assert snap_compare(history_app(tmp_path), terminal_size=(120, 36), run_before=search)


def test_tracker_120x36(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def tracker(pilot: Pilot[None]) -> None:
        await pilot.press("t")
        await settle(pilot)

    assert snap_compare(history_app(tmp_path), terminal_size=(120, 36), run_before=tracker)


def test_tracker_overdue_80x24(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def tracker(pilot: Pilot[None]) -> None:
        await pilot.press("t", "2")
        await settle(pilot)

    assert snap_compare(history_app(tmp_path), terminal_size=(80, 24), run_before=tracker)


def test_metrics_120x36(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def metrics(pilot: Pilot[None]) -> None:
        await pilot.press("g")
        await settle(pilot)

    assert snap_compare(history_app(tmp_path), terminal_size=(120, 36), run_before=metrics)


def test_metrics_200x60(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def metrics(pilot: Pilot[None]) -> None:
        await pilot.press("g")
        await settle(pilot)

    assert snap_compare(history_app(tmp_path), terminal_size=(200, 60), run_before=metrics)


def test_follow_up_dialog(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def follow_up(pilot: Pilot[None]) -> None:
        await pilot.press("f", *"login outage", "enter")
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)

    assert snap_compare(history_app(tmp_path), terminal_size=(120, 36), run_before=follow_up)


def test_minutes_preview(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    async def minutes(pilot: Pilot[None]) -> None:
        await pilot.press("f", *"alias swap", "enter")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)

    assert snap_compare(history_app(tmp_path), terminal_size=(120, 36), run_before=minutes)
