"""Export from a served console downloads the minutes in the browser (``App.deliver_text``).

The console's export action is not written yet; this test finds it by its binding (an action
whose name holds "export") and is skipped until there is one. When it lands, it presses that
key in Chromium and waits for the Markdown file in the browser's download folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser.cdp import Chromium, wait_for
from tests.browser.console_page import ServedConsole, open_console


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
    if key is None:
        pytest.skip("the console has no export action yet")
    downloads = tmp_path / "downloads"
    browser.allow_downloads(downloads)
    db, session_id = seeded_db
    served = serve(db, session_id)
    page = browser.first_page()
    open_console(page, served.url + "/")

    page.press(key)

    files = wait_for("a downloaded .md file",
                     lambda: [f for f in downloads.glob("*.md") if f.stat().st_size], 30)
    assert "Checkout outage" in files[0].read_text(encoding="utf-8")
