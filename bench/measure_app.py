"""In-process figures: key press → frame, quick-add → shown, open a session.

Method. The real ``PostMortemApp`` runs under ``App.run_test()`` (Textual's headless
driver) at 120×36 on a generated database, with its real clock: the meeting is live, so
the one-second tick runs as it does in a meeting. Textual calls
``App.post_display_hook()`` each time the screen's compositor has produced a frame
(headless, the frame is composed but not encoded to escape codes). The benchmark
replaces that hook with one that checks a condition on the app's state (the cursor is on
the next row, the other pane has focus, the new event is saved, selected and scrolled
into view…) and notes the time of the first frame for which it holds.

A key press is delivered the way the terminal driver delivers it
(``driver.send_message(events.Key(...))``). The time is from just before the key is sent
to that frame. ``Pilot.press()`` is not used to time anything: it sleeps in steps of
20 ms while it waits for the app to go idle.

Between two presses the app is left idle for a moment (as between two real key
strokes), so each press starts from a quiet event loop. Each figure does one unmeasured
press first. Rounds alternate the small and the big session; each round runs in its own
interpreter (``python -m bench.measure_app REQUEST``), so nothing left over from an
earlier app (garbage, caches, a bigger heap for the collector to walk) weighs on it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import subprocess
import sys
from collections.abc import Callable
from time import perf_counter
from typing import Any

from bench.context import ROOT, TERMINAL_SIZE, Context, Repeats
from bench.figures import Budget, Figure, Side

SETTLE = 0.05  # idle time between two measured actions, seconds
TIMEOUT = 20.0

KEY_CHARS = {"down": None, "up": None, "enter": "\r", "home": None}


class MeasureError(RuntimeError):
    pass


class FrameWatch:
    """Time from an action to the first frame whose app state satisfies a predicate."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._predicate: Callable[[], bool] | None = None
        self._done = asyncio.Event()
        self._at = 0.0
        app.post_display_hook = self._hook

    def _hook(self) -> None:
        predicate = self._predicate
        if predicate is not None and predicate():
            self._at = perf_counter()
            self._predicate = None
            self._done.set()

    async def until(self, predicate: Callable[[], bool], action: Callable[[], object],
                    what: str) -> float:
        """Run ``action``; seconds until a frame is shown with ``predicate`` true."""
        self._done.clear()
        self._predicate = predicate
        start = perf_counter()
        action()
        try:
            await asyncio.wait_for(self._done.wait(), TIMEOUT)
        except TimeoutError:
            self._predicate = None
            raise MeasureError(f"no frame showed {what} within {TIMEOUT:.0f} s") from None
        return self._at - start


def press(app: Any, key: str) -> None:
    """Deliver a key as the terminal driver does."""
    from textual import events

    char = KEY_CHARS.get(key, key if len(key) == 1 else None)
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)  # noqa: SLF001


async def settle(seconds: float = SETTLE) -> None:
    # A little jitter, so presses do not fall in step with the 60 Hz refresh timer.
    await asyncio.sleep(seconds * random.uniform(0.8, 1.6))


async def wait_for(predicate: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = perf_counter() + timeout
    while not predicate():
        if perf_counter() > deadline:
            raise MeasureError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def _visible(table: Any, row: int) -> bool:
    top = int(table.scroll_offset.y)
    height = table.scrollable_content_region.height - table.header_height
    return bool(table.cursor_row == row and top <= row < top + height)


def focused_is(app: Any, widget: Any) -> Callable[[], bool]:
    return lambda: app.focused is widget


def cursor_on(table: Any, row: int) -> Callable[[], bool]:
    return lambda: bool(table.cursor_row == row)


def pressing(app: Any, key: str) -> Callable[[], None]:
    return lambda: press(app, key)


async def console_round(db_path: str, session_id: int, repeats: Repeats,
                        samples: dict[str, list[float]]) -> None:
    """Keys and quick-adds in one fresh console on ``session_id``."""
    from pmconsole.store.repository import Store
    from pmconsole.tui.app import PostMortemApp
    from pmconsole.tui.screens.console import ConsoleScreen
    from pmconsole.tui.widgets.panes import ActionsPane, FindingsPane, TimelinePane

    store = Store.open(db_path)
    app: Any = PostMortemApp(store, session_id=session_id, persist_theme=False)
    try:
        async with app.run_test(size=TERMINAL_SIZE):
            watch = FrameWatch(app)
            await wait_for(lambda: isinstance(app.screen, ConsoleScreen)
                           and app.screen.record is not None, "the console")
            await settle(0.5)
            screen: Any = app.screen
            timeline = screen.query_one(TimelinePane)
            findings = screen.query_one(FindingsPane)
            actions = screen.query_one(ActionsPane)

            # Pane switch: 3 (Key findings) and 2 (Timeline), alternately.
            for index in range(repeats.keys + 1):
                key, target = ("3", findings.table) if index % 2 == 0 else ("2", timeline.table)
                took = await watch.until(focused_is(app, target), pressing(app, key),
                                         f"focus after {key}")
                if index:
                    samples["key_pane_switch"].append(took)
                await settle()

            # Cursor down in a pane: rows 0 → 8, then back to the top (unmeasured).
            for pane_key, pane, figure in (("2", timeline, "key_down_timeline"),
                                           ("4", actions, "key_down_actions")):
                await watch.until(focused_is(app, pane.table), pressing(app, pane_key),
                                  f"focus after {pane_key}")
                table = pane.table
                for index in range(repeats.keys + 1):
                    if table.cursor_row >= 8 or index == 0:
                        table.move_cursor(row=0, animate=False)
                        await settle(0.1)
                    row = table.cursor_row + 1
                    took = await watch.until(cursor_on(table, row), pressing(app, "down"),
                                             "the cursor moved")
                    if index:
                        samples[figure].append(took)
                    await settle()

            # Quick-add a timeline event in the middle of the incident: typed, Enter,
            # saved (committed), shown, selected and scrolled into view.
            record = screen.record
            middle = record.timeline[len(record.timeline) // 2].at.in_timezone(
                record.session.timezone)
            stamp = middle.format("YYYY-MM-DD HH:mm")
            timeline.quick.focus()
            await settle(0.2)
            for index in range(repeats.adds + 1):
                timeline.quick.value = (f"{stamp} diagnosis: bench note {index}: queue depth "
                                        "on the job queue grew while consumers were paused")
                await settle(0.1)
                before = len(timeline.entries)

                def shown(before: int = before) -> bool:
                    if len(timeline.entries) != before + 1 or timeline.quick.value:
                        return False
                    key = timeline._row_keys[max(timeline.entries)]  # noqa: SLF001
                    return _visible(timeline.table, timeline.table.get_row_index(key))

                took = await watch.until(shown, lambda: press(app, "enter"), "the new event")
                if index:
                    samples["add_event"].append(took)
                await settle(0.1)
            if app.handled_errors:
                raise MeasureError(f"the app reported errors: {app.handled_errors!r}")
            app.exit()
    finally:
        store.close()


async def open_round(db_path: str, session_id: int, repeats: Repeats,
                     samples: list[float]) -> None:
    """Open ``session_id`` from the session list, repeatedly, in one fresh app."""
    from pmconsole.store.repository import Store
    from pmconsole.tui.app import PostMortemApp
    from pmconsole.tui.screens.console import ConsoleScreen
    from pmconsole.tui.screens.home import HomeScreen
    from pmconsole.tui.widgets.panes import TimelinePane

    store = Store.open(db_path)
    app: Any = PostMortemApp(store, persist_theme=False)
    try:
        async with app.run_test(size=TERMINAL_SIZE):
            watch = FrameWatch(app)
            await wait_for(lambda: isinstance(app.screen, HomeScreen), "the session list")
            await settle(0.3)

            def opened() -> bool:
                screen = app.screen
                if not isinstance(screen, ConsoleScreen) or screen.record is None:
                    return False
                table = screen.query_one(TimelinePane).table
                return table.row_count == len(screen.record.timeline)

            # The first open imports the console's modules and loads the script cards:
            # one-time costs, left out so that the figure is about the session's size.
            for index in range(repeats.opens + 1):
                took = await watch.until(opened, lambda: app.open_session(session_id),
                                         "the opened session")
                if index:
                    samples.append(took)
                await settle(0.3)
                app.pop_screen()
                await wait_for(lambda: isinstance(app.screen, HomeScreen), "the session list")
                await settle(0.3)
            app.exit()
    finally:
        store.close()


ROUND_NAMES = ("key_pane_switch", "key_down_timeline", "key_down_actions", "add_event")


def run_round(ctx: Context, kind: str, session_id: int) -> dict[str, list[float]]:
    """One round in a fresh interpreter, as a user starts pmconsole: no app, screen or
    garbage left over from an earlier round can slow this one down."""
    request = {"kind": kind, "db": str(ctx.console.path), "session_id": session_id,
               "repeats": dataclasses.asdict(ctx.repeats)}
    done = subprocess.run([sys.executable, "-m", "bench.measure_app", json.dumps(request)],
                          cwd=str(ROOT), env=ctx.env, capture_output=True, text=True,
                          timeout=900)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines or not lines[-1].startswith(RESULT):
        raise MeasureError(f"{kind} round on session {session_id} failed "
                           f"({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    result: dict[str, list[float]] = json.loads(lines[-1][len(RESULT):])
    return result


def _run_all(ctx: Context) -> dict[str, dict[str, list[float]]]:
    big_id, small_id = ctx.console.big_id, ctx.console.small_id
    samples: dict[int, dict[str, list[float]]] = {
        sid: {n: [] for n in (*ROUND_NAMES, "open_session")} for sid in (big_id, small_id)}
    for round_index in range(ctx.repeats.rounds):
        order = (small_id, big_id) if round_index % 2 == 0 else (big_id, small_id)
        for kind in ("console", "open"):
            for session_id in order:
                for name, values in run_round(ctx, kind, session_id).items():
                    samples[session_id][name] += values
    return {name: {"big": samples[big_id][name], "small": samples[small_id][name]}
            for name in (*ROUND_NAMES, "open_session")}


RESULT = "ROUND-RESULT "


async def _one_round(kind: str, db_path: str, session_id: int,
                     repeats: Repeats) -> dict[str, list[float]]:
    if kind == "console":
        samples: dict[str, list[float]] = {name: [] for name in ROUND_NAMES}
        await console_round(db_path, session_id, repeats, samples)
        return samples
    opens: list[float] = []
    await open_round(db_path, session_id, repeats, opens)
    return {"open_session": opens}


def main(argv: list[str]) -> None:
    request = json.loads(argv[0])
    repeats = Repeats(**request["repeats"])
    result = asyncio.run(_one_round(request["kind"], request["db"], request["session_id"],
                                    repeats))
    print(RESULT + json.dumps(result), flush=True)


def in_app_figures(ctx: Context) -> list[Figure]:
    raw = _run_all(ctx)
    s = ctx.sizes
    big = f"{s.big_events:,} events, {s.big_actions:,} action items"
    small = f"{s.small_events} events, {s.small_actions} action items"

    def ms(values: list[float]) -> list[float]:
        return [v * 1000 for v in values]

    keystroke = Budget(ratio_max=1.2, median_max=16)
    key_method = ("In process (run_test, 120×36, live meeting): key sent through the driver "
                  "→ first composed frame showing its effect; see bench/measure_app.py.")
    return [
        Figure("key_down_timeline", "key ↓ in the Timeline → frame", key_method,
               Side(big, ms(raw["key_down_timeline"]["big"])),
               Side(small, ms(raw["key_down_timeline"]["small"])), budget=keystroke),
        Figure("key_down_actions", "key ↓ in Action items → frame", key_method,
               Side(big, ms(raw["key_down_actions"]["big"])),
               Side(small, ms(raw["key_down_actions"]["small"])), budget=keystroke),
        Figure("key_pane_switch", "keys 2/3 (switch pane) → frame", key_method,
               Side(big, ms(raw["key_pane_switch"]["big"])),
               Side(small, ms(raw["key_pane_switch"]["small"])), budget=keystroke),
        Figure("add_event", "quick-add a timeline event → saved → shown",
               "In process: a line typed in the Timeline quick-add with a time in the middle "
               "of the incident; Enter → committed → first frame with the new row selected "
               "and scrolled into view.",
               Side(f"{s.big_events:,} events", ms(raw["add_event"]["big"])),
               Side(f"{s.small_events} events", ms(raw["add_event"]["small"])),
               budget=Budget(ratio_max=1.5)),
        Figure("open_session", f"open a session with {s.big_events:,} events",
               "In process: from the session list, open_session() → first frame of the "
               "console with every timeline row in its table (after one unmeasured open "
               "per app: module imports and script cards are loaded once).",
               Side(big, ms(raw["open_session"]["big"])),
               Side(small, ms(raw["open_session"]["small"])),
               budget=Budget(ratio_max=3)),
    ]


if __name__ == "__main__":
    main(sys.argv[1:])
