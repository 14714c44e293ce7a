"""Every screen and dialog at 20×6 … 300×100, and a storm of random resizes: no crash.

Each screen is opened at 80×24 the way a user opens it (its key), then the terminal goes
through every size. At each size the app must still run with nothing caught by its safety
net (``handled_errors``), the same screen must still be up, and a whole frame must render
to exactly the terminal's size. The console must show its "too small" view (and nothing
else) below 60×16, and its panes again above.

The console also gets a storm of 200 seeded random resizes — single steps and bursts of
SIGWINCH-like events with no frame in between, with dialogs opened and closed on the way —
and must still save a quick-add afterwards.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.events import Resize
from textual.geometry import Size
from textual.widgets import Static

from pmconsole.domain.model import Finding, TimelineEvent
from pmconsole.store.repository import Store
from pmconsole.tui.app import PostMortemApp
from tests.factory import demo_store, make_app

# Largest first, down to the smallest, then back to the size the screen was opened at.
SWEEP = [(300, 100), (200, 60), (40, 12), (20, 6), (80, 24)]
SEED = 20261120

# name → (open a session?, keys that open it from the first screen, screen class expected)
SCREENS: dict[str, tuple[bool, Sequence[str], str]] = {
    "home": (False, [], "HomeScreen"),
    "search": (False, ["slash", *"certificate", "enter"], "SearchScreen"),
    "actions tracker": (False, ["t"], "TrackerScreen"),
    "metrics": (False, ["g"], "MetricsScreen"),
    "new session dialog": (False, ["n"], "FormDialog"),
    "delete confirmation": (False, ["d"], "ConfirmDialog"),
    "follow-up dialog": (False, ["F"], "FollowUpDialog"),
    "console": (True, [], "ConsoleScreen"),
    "console help": (True, ["f1"], "HelpScreen"),
    "timeline edit dialog": (True, ["enter"], "FormDialog"),
    "session details dialog": (True, ["i"], "FormDialog"),
    "new entry dialog": (True, ["3", "N"], "FormDialog"),
    "flag dialog": (True, ["3", "a", *"cf: Dave forgot to renew it", "enter", "escape", "f"],
                    "FlagDialog"),
    "card view": (True, ["5", "enter"], "CardScreen"),
    "command palette": (True, ["ctrl+p"], "CommandPalette"),
}


def screen_lines(app: PostMortemApp) -> list[str]:
    """The whole frame as text, as the terminal would get it (screens below a modal too)."""
    update: Any = app.screen._compositor.render_update(  # noqa: SLF001
        full=True, screen_stack=app._background_screens  # noqa: SLF001
    )
    return ["".join(segment.text for strip in line for segment in strip) for line in update.strips]


def check_frame(app: PostMortemApp, expected: str, size: tuple[int, int], where: str) -> list[str]:
    assert app.handled_errors == [], f"{where}: {app.handled_errors!r}"
    assert app.is_running, where
    assert type(app.screen).__name__ == expected, f"{where}: {type(app.screen).__name__} is up"
    assert app.size == Size(*size), where
    lines = screen_lines(app)
    width, height = size
    assert len(lines) == height, where
    assert all(cell_len(line) == width for line in lines), f"{where}: a line is not {width} wide"
    if width >= 10 and height >= 3:
        assert any(line.strip() for line in lines), f"{where}: blank frame"
    return lines


def check_console(app: PostMortemApp, lines: list[str], size: tuple[int, int], where: str) -> None:
    """Below 60×16 the console says it is too small, and shows nothing else."""
    screen = app.screen
    tiny = size[0] < 60 or size[1] < 16
    too_small = screen.query_one("#too-small", Static)
    assert too_small.display is tiny, where
    assert screen.query_one("#console-body").display is not tiny, where
    text = " ".join(" ".join(lines).split())
    if tiny:
        assert too_small.region.width > 0 and too_small.region.height > 0, where
        if size[0] >= 20 and size[1] >= 5:  # room for the words
            assert "too small" in text, f"{where}: {lines}"
        assert "Countdown" not in text and "Timeline" not in text, f"{where}: garbage {lines}"
    else:
        assert "too small" not in text, where
        assert "Countdown" in text and "Timeline" in text, f"{where}: {lines}"


FULL_SCREENS = {"HomeScreen", "SearchScreen", "TrackerScreen", "MetricsScreen"}


def check_full_screen(lines: list[str], size: tuple[int, int], where: str) -> None:
    """Below 40×10 the history screens say the terminal is too small, and nothing else."""
    text = " ".join(" ".join(lines).split())
    if size[0] < 40 or size[1] < 10:
        if size[0] >= 20 and size[1] >= 5:
            assert "too small" in text, f"{where}: {lines}"
    else:
        assert "too small" not in text, f"{where}: {lines}"


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Store, int]:
    return demo_store(tmp_path / "demo.db")


@pytest.mark.parametrize("name", list(SCREENS))
async def test_every_screen_at_every_size(name: str, demo: tuple[Store, int]) -> None:
    store, session_id = demo
    with_session, keys, expected = SCREENS[name]
    app = make_app(store, session_id=session_id if with_session else None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        check_frame(app, expected, (80, 24), f"{name} opened")
        for size in SWEEP:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            where = f"{name} at {size[0]}×{size[1]}"
            lines = check_frame(app, expected, size, where)
            if expected == "ConsoleScreen":
                check_console(app, lines, size, where)
            elif expected in FULL_SCREENS:
                check_full_screen(lines, size, where)
        assert app.handled_errors == []


async def test_start_tiny_and_keys_still_work(demo: tuple[Store, int]) -> None:
    """Started at 20×6 the console says it is too small, and the keys still work unseen."""
    store, session_id = demo
    size = (20, 6)
    app = make_app(store, session_id=session_id)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        lines = check_frame(app, "ConsoleScreen", size, f"start at {size}")
        check_console(app, lines, size, f"start at {size}")
        await pilot.press("a", *"10:05 seen at any size", "enter")
        await pilot.pause()
        events = store.list_children(TimelineEvent, session_id)
        assert any(e.text == "seen at any size" for e in events)
        await pilot.press("escape", "f1")
        await pilot.pause()
        check_frame(app, "HelpScreen", size, f"help at {size}")
        await pilot.press("escape", "escape")  # help closes, then back to the sessions
        await pilot.pause()
        check_frame(app, "HomeScreen", size, f"home at {size}")


def random_size(rng: random.Random) -> tuple[int, int]:
    roll = rng.random()
    if roll < 0.15:
        return rng.choice([(1, 1), (20, 6), (59, 15), (60, 16), (300, 100), (2, 80), (300, 3)])
    return rng.randint(10, 300), rng.randint(3, 100)


async def test_storm_of_200_random_resizes(demo: tuple[Store, int]) -> None:
    """200 Resize events: single steps, each drawn and checked, and bursts sent with no frame
    in between (as a dragged window does; Textual folds them into one layout)."""
    store, session_id = demo
    rng = random.Random(SEED)
    app = make_app(store, session_id=session_id)
    events = steps = bursts = 0
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        while events < 200:
            if rng.random() < 0.75:
                burst = [random_size(rng) for _ in range(rng.randint(3, 12))]
                for size in burst:
                    app._driver._size = Size(*size)  # type: ignore[union-attr]  # noqa: SLF001
                    app.post_message(Resize(Size(*size), Size(*size)))
                bursts += 1
                events += len(burst)
                size = burst[-1]
            else:
                size = random_size(rng)
                await pilot.resize_terminal(*size)
                events += 1
            steps += 1
            await pilot.pause()
            if rng.random() < 0.1:
                # A dialog opened and closed in the middle of it.
                key = rng.choice(["f1", "i", "ctrl+p"])
                await pilot.press(key)
                await pilot.pause()
                check_frame(app, type(app.screen).__name__, size, f"{key} at {size}")
                await pilot.press("escape")
                await pilot.pause()
            where = f"resize event {events} ({size[0]}×{size[1]})"
            lines = check_frame(app, "ConsoleScreen", size, where)
            check_console(app, lines, size, where)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        # Still the meeting console, still saving.
        await pilot.press("3", "a", *"lucky: the storm passed", "enter")
        await pilot.pause()
        assert store.list_children(Finding, session_id)[-1].text == "the storm passed"
        check_frame(app, "ConsoleScreen", (80, 24), "after the storm")
    print(f"\nresize storm (seed {SEED}): {events} Resize events in {steps} steps, "
          f"{bursts} of them bursts")
    assert events >= 200
