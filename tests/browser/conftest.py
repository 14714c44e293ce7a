"""Fixtures for the browser tests: a seeded database, a served console, headless Chromium.

Every process a test starts is killed in a finalizer, with its whole process group, and
every wait is bounded, so a broken browser or server fails the test instead of hanging CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser.cdp import Chromium, find_chromium
from tests.browser.console_page import (
    ServedConsole,
    clean_env,
    pmconsole_argv,
    start_serve,
)

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium. Missing in CI is a failure: a skipped browser test proves nothing."""
    executable = find_chromium()
    if executable is None:
        message = ("Chromium is not installed (Debian package 'chromium'; .ci/run installs it: "
                   "apt-get install -y --no-install-recommends chromium)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return executable


@pytest.fixture
def seeded_db(tmp_path: Path) -> tuple[Path, int]:
    """A database with one session, made the way a user makes it: ``pmconsole new``."""
    db = tmp_path / "pm.db"
    made = subprocess.run(
        [*pmconsole_argv(), "--db", str(db), "new", "Checkout outage", "--service", "checkout"],
        capture_output=True, text=True, timeout=60, env=clean_env(tmp_path / "config"),
    )
    assert made.returncode == 0, made.stderr
    return db, int(made.stdout.strip())


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServedConsole]]:
    """Start ``pmconsole serve``; every server started is stopped at the end of the test."""
    started: list[ServedConsole] = []

    def start(db: Path, session_id: int | None = None, **kwargs: object) -> ServedConsole:
        served = start_serve(db, session_id, tmp_path, **kwargs)  # type: ignore[arg-type]
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


@pytest.fixture
def browser(chromium_executable: str, tmp_path: Path) -> Iterator[Chromium]:
    chromium = Chromium(chromium_executable, tmp_path / "chromium-profile",
                        log=tmp_path / "chromium.log")
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def artifact(tmp_path: Path) -> Callable[[Path], Path]:
    """Copy a file the test made (a screenshot) to tests/browser/artifacts/ for a person to see."""

    def keep(path: Path) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        return Path(shutil.copy2(path, ARTIFACTS / path.name))

    return keep
