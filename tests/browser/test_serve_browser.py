"""``pmconsole serve`` in a real browser: headless Chromium loads the page and types into it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from tests.browser.cdp import Chromium, Page, wait_for
from tests.browser.console_page import (
    PANE_TITLES,
    ServedConsole,
    open_console,
    wait_for_screen,
)

EVENT = "db primary failed over"


def timeline_rows(db: Path, session_id: int) -> list[tuple[str, str]]:
    """(at, text) of the session's timeline, read with plain sqlite3 in read-only mode."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        rows = conn.execute(
            "SELECT at, text FROM timeline_events WHERE session_id = ? ORDER BY id", (session_id,)
        ).fetchall()
    conn.close()
    return [(str(at), str(text)) for at, text in rows]


def quick_add_timeline(page: Page, line: str) -> None:
    """As the facilitator does it: ``a`` opens the Timeline quick-add line, type, Enter."""
    page.press("a")
    # The footer offers "Back to entries" once the quick-add line has focus.
    wait_for_screen(page, "the quick-add line to take focus", lambda t: "Back to entries" in t, 15)
    page.type(line)
    page.press("Enter")


def test_console_in_the_browser_saves_a_timeline_event(
    seeded_db: tuple[Path, int],
    serve: Callable[..., ServedConsole],
    browser: Chromium,
    tmp_path: Path,
    artifact: Callable[[Path], Path],
) -> None:
    db, session_id = seeded_db
    served = serve(db, session_id)
    page = browser.first_page()

    screen = open_console(page, served.url + "/")
    assert all(title in screen for title in PANE_TITLES), screen
    assert "Checkout outage" in screen
    artifact(page.screenshot(tmp_path / "serve-console-loaded.png"))

    quick_add_timeline(page, f"14:32 {EVENT}")

    rows = wait_for("the event in the database",
                    lambda: [r for r in timeline_rows(db, session_id) if r[1] == EVENT], 15)
    assert len(rows) == 1
    assert "T14:32:00" in rows[0][0]
    # The quick-add placeholder shows the same example, so the row must be there as well.
    shown = wait_for_screen(page, "the event in the Timeline table",
                            lambda t: any("14:32" in line and EVENT in line
                                          and "time first" not in line
                                          for line in t.splitlines()), 15)
    assert not any(sign in shown for sign in ("went wrong", "did not work")), shown
    shot = artifact(page.screenshot(tmp_path / "serve-console-event-added.png"))
    assert shot.stat().st_size > 10_000  # a real picture, not a blank page


def test_home_screen_in_the_browser_lists_sessions(
    seeded_db: tuple[Path, int],
    serve: Callable[..., ServedConsole],
    browser: Chromium,
    tmp_path: Path,
    artifact: Callable[[Path], Path],
) -> None:
    db, _ = seeded_db
    served = serve(db)  # no SESSION: the home screen
    page = browser.first_page()
    open_console(page, served.url + "/", expect=("Checkout outage",))
    artifact(page.screenshot(tmp_path / "serve-home.png"))


def test_two_tabs_edit_one_database_and_keep_both_edits(
    seeded_db: tuple[Path, int],
    serve: Callable[..., ServedConsole],
    browser: Chromium,
) -> None:
    """Each tab is its own console process; each edit is its own transaction: none is lost."""
    db, session_id = seeded_db
    served = serve(db, session_id)
    first = browser.first_page()
    second = browser.new_page()
    open_console(first, served.url + "/")
    open_console(second, served.url + "/")

    quick_add_timeline(first, "09:10 first tab saw the alert")
    quick_add_timeline(second, "09:20 second tab paged the on-call")
    # Back and forth, both tabs still open on the same file.
    first.type("09:30 first tab again")
    first.press("Enter")
    second.type("09:40 second tab again")
    second.press("Enter")

    wanted = {"first tab saw the alert", "second tab paged the on-call",
              "first tab again", "second tab again"}
    wait_for("all four events in the database",
             lambda: wanted <= {text for _, text in timeline_rows(db, session_id)}, 20)
    assert len(timeline_rows(db, session_id)) == 4
