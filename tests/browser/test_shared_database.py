"""Two console processes on one database, as two browser tabs of ``pmconsole serve`` are.

Each process drives the real app headless (Pilot) and types timeline events into the quick-add
line at the same moment as the other. Each edit is its own committed SQLite transaction (WAL,
5 s busy timeout), so every event of both processes must be in the file afterwards. This test
needs no browser; test_serve_browser.py does the same through two real tabs.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.browser.cdp import kill_group
from tests.browser.console_page import clean_env

EVENTS_PER_PROCESS = 8

# Run as ``python -c WRITER DB SESSION LABEL COUNT GO_FILE``.
WRITER = textwrap.dedent(
    """
    import asyncio, sys, time
    from pathlib import Path

    from pmconsole.store.repository import Store
    from pmconsole.tui.app import PostMortemApp

    db, session_id, label, count, go = sys.argv[1:]

    async def main() -> None:
        store = Store.open(Path(db))
        app = PostMortemApp(store, session_id=int(session_id), persist_theme=False)
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            deadline = time.monotonic() + 60
            while not Path(go).exists():  # start typing together with the other process
                if time.monotonic() > deadline:
                    raise SystemExit("no go signal")
                await asyncio.sleep(0.02)
            await pilot.press("a")  # the Timeline has focus: open its quick-add line
            for i in range(int(count)):
                await pilot.press(*f"10:{i:02d} {label} {i}", "enter")
                await pilot.pause()
            assert not app.handled_errors, app.handled_errors
        store.close()
        print("done")

    asyncio.run(main())
    """
)


def make_session(db: Path, config: Path) -> int:
    made = subprocess.run(
        [sys.executable, "-m", "pmconsole", "--db", str(db), "new", "Shared file"],
        capture_output=True, text=True, timeout=60, env=clean_env(config),
    )
    assert made.returncode == 0, made.stderr
    return int(made.stdout.strip())


def test_two_console_processes_keep_each_others_edits(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    config = tmp_path / "config"
    session_id = make_session(db, config)
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(session_id), label,
             str(EVENTS_PER_PROCESS), str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=clean_env(config), start_new_session=True,
        )
        for label in ("alpha", "bravo")
    ]
    try:
        time.sleep(0.5)
        go.touch()
        outputs = [writer.communicate(timeout=180) for writer in writers]
    finally:
        for writer in writers:
            kill_group(writer, grace=1.0)
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0 and "done" in out, err[-3000:]

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        texts = {row[0] for row in conn.execute(
            "SELECT text FROM timeline_events WHERE session_id = ?", (session_id,))}
    conn.close()
    expected = {f"{label} {i}" for label in ("alpha", "bravo")
                for i in range(EVENTS_PER_PROCESS)}
    assert texts == expected


# Run as ``python -c STORE_WRITER DB SESSION LABEL COUNT GO_FILE``: the store calls the console
# makes for a quick-add, as fast as possible, to make the two processes collide.
STORE_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path

    import pendulum

    from pmconsole.domain.model import TimelineEvent
    from pmconsole.store.repository import Store

    db, session_id, label, count, go = sys.argv[1:]
    store = Store.open(Path(db))
    deadline = time.monotonic() + 60
    while not Path(go).exists():
        if time.monotonic() > deadline:
            raise SystemExit("no go signal")
        time.sleep(0.01)
    refused = []
    for i in range(int(count)):
        event = TimelineEvent(session_id=int(session_id), at=pendulum.now("UTC"),
                              text=f"{label} {i}")
        try:
            store.add(event)
        except Exception as error:
            refused.append(repr(error))
    store.close()
    print(f"refused {len(refused)}", *refused[:3], sep="\\n")
    """
)


def test_two_processes_writing_at_once_lose_no_edit(tmp_path: Path) -> None:
    """The same guarantee at full speed: every write waits for the other instead of failing.

    A deferred BEGIN failed here at once with SQLITE_BUSY (a WAL transaction that has read
    cannot wait for a writer); Store.transaction's BEGIN IMMEDIATE waits for the lock instead.
    """
    db = tmp_path / "race.db"
    config = tmp_path / "config"
    session_id = make_session(db, config)
    go = tmp_path / "go"
    count = 200
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", STORE_WRITER, str(db), str(session_id), label, str(count),
             str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=clean_env(config), start_new_session=True,
        )
        for label in ("alpha", "bravo")
    ]
    try:
        time.sleep(0.5)
        go.touch()
        outputs = [writer.communicate(timeout=120) for writer in writers]
    finally:
        for writer in writers:
            kill_group(writer, grace=1.0)
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err[-3000:]
        assert out.startswith("refused 0"), out

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        (saved,) = conn.execute("SELECT count(*) FROM timeline_events").fetchone()
    conn.close()
    assert saved == 2 * count
