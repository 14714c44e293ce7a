"""Export from a served console downloads the minutes in the browser (``App.deliver_text``).

The console's export action is not written yet; this test finds it by its binding (an action
whose name holds "export") and is skipped until there is one. When it lands, it presses that
key in Chromium and waits for the Markdown file in the browser's download folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from tests.browser.cdp import BrowserError, Chromium
from tests.browser.console_page import ServedConsole, open_console, screen_text


def export_key() -> str | None:
    from textual.binding import Binding

    from pmconsole.tui.screens.console import ConsoleScreen

    for binding in ConsoleScreen.BINDINGS:
        if isinstance(binding, Binding) and "export" in binding.action:
            return binding.key.split(",")[0]
    return None


def test_export_from_the_browser_downloads_the_minutes(
    seeded_db: tuple[Path, int],
    serve: Callable[..., ServedConsole],
    browser: Chromium,
    tmp_path: Path,
) -> None:
    key = export_key()
    assert key is not None, "the console has an export key"
    downloads = tmp_path / "downloads"
    browser.allow_downloads(downloads)
    db, session_id = seeded_db
    served = serve(db, session_id)
    page = browser.first_page()
    open_console(page, served.url + "/")

    page.press(key)

    deadline = time.monotonic() + 20
    while not (files := [f for f in downloads.glob("*.md") if f.stat().st_size]):
        screen = screen_text(page)
        failed = any(sign in screen for sign in ("went wrong", "did not work", "Errno"))
        if failed or time.monotonic() > deadline:
            raise BrowserError(f"no Markdown file was downloaded:\n{screen}")
        time.sleep(0.2)
    assert "Checkout outage" in files[0].read_text(encoding="utf-8")
