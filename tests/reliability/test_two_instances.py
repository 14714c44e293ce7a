"""Two pmconsole instances on one database (two consoles, a console and the CLI, or two
browser tabs of ``pmconsole serve``) both edit safely.

The rule: every edit is one short transaction that takes the write lock first
(``BEGIN IMMEDIATE``) and commits before the screen shows it as saved; the file is in WAL
mode, so readers never wait for writers; a writer waits up to the busy timeout (5 s) for
another's transaction and otherwise says the file is locked, keeping what was typed. A
console shows what it saved itself; another instance's edits appear when a session is
opened again (the home screen refreshes by itself).
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pendulum
import pytest
from textual.widgets import Input, Static, TextArea

from pmconsole.domain.model import (
    ActionItem,
    AgendaItem,
    Finding,
    Session,
    TimelineEvent,
)
from pmconsole.store import db as dbmod
from pmconsole.store.errors import DatabaseLocked
from pmconsole.store.repository import Store
from pmconsole.tui.dialogs.form import FormDialog
from pmconsole.tui.screens.console import ConsoleScreen
from pmconsole.tui.widgets.panes import ActionsPane, FindingsPane, TimelinePane
from tests.factory import make_app

SIZE = (160, 48)
AT = pendulum.datetime(2026, 11, 18, 10, 0, tz="UTC")


@pytest.fixture(autouse=True)
def _own_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMCONSOLE_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "pm.db"
    store = Store.open(path)
    session = store.create_session(Session(title="Shared outage", timezone="UTC"),
                                   [("Timeline", 10), ("Findings", 10)])
    assert session.id == 1
    store.add(TimelineEvent(1, AT, "pager fired"))
    store.add(Finding(1, "no alert on certificate expiry"))
    store.close()
    return path


def texts(store: Store, cls: type) -> list[str]:
    return [e.text for e in store.list_children(cls, 1)]


def shown(pane: Any) -> list[str]:
    return [str(pane.table.get_row_at(i)[-1]) for i in range(pane.table.row_count)]


async def type_line(pilot: Any, pane: type, line: str) -> None:
    """Type a quick-add line (as a paste: typing key by key adds nothing here) and Enter."""
    quick = pilot.app.screen.query_one(pane).quick
    assert pilot.app.focused is quick
    quick.value = line
    await pilot.press("enter")
    await pilot.pause()
    assert quick.value == "", line  # saved


async def reopen(pilot: Any) -> ConsoleScreen:
    """Back to the list of sessions and into the session again."""
    app = pilot.app
    await pilot.press("escape")
    await pilot.pause()
    app.open_session(1)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ConsoleScreen)
    return screen


# -- two consoles, interleaved --------------------------------------------------------------------


async def test_two_consoles_interleaving_edits_lose_nothing(db: Path) -> None:
    store_a, store_b = Store.open(db), Store.open(db)
    app_a, app_b = make_app(store_a, session_id=1), make_app(store_b, session_id=1)
    async with app_a.run_test(size=SIZE) as a, app_b.run_test(size=SIZE) as b:
        # A types the timeline, B the findings and action items, turn about.
        await a.press("a")
        await b.press("3", "a")
        for i in range(5):
            await type_line(a, TimelinePane, f"10:0{i} event {i} from A")
            await type_line(b, FindingsPane, f"cf: finding {i} from B")
        await b.press("escape", "4", "a")
        await type_line(b, ActionsPane, "Renew certificates automatically @sre")
        # Each shows what it saved at once.
        assert shown(app_a.screen.query_one(TimelinePane))[-5:] == [
            f"event {i} from A" for i in range(5)]
        assert shown(app_b.screen.query_one(FindingsPane))[-5:] == [
            f"finding {i} from B" for i in range(5)]

        # B opens the session again and edits A's last event; A adds another meanwhile.
        screen_b = await reopen(b)
        timeline_b = screen_b.query_one(TimelinePane)
        assert shown(timeline_b)[-5:] == [f"event {i} from A" for i in range(5)]
        last = max(timeline_b.entries.values(), key=timeline_b.sort_key)
        assert last.text == "event 4 from A" and last.id is not None
        timeline_b.select(last.id)
        await b.press("2", "enter")
        await b.pause()
        assert isinstance(app_b.screen, FormDialog)
        app_b.screen.query_one("#field-text", TextArea).text = "event 4, corrected by B"
        await b.press("ctrl+s")
        await type_line(a, TimelinePane, "10:06 event 6 from A")
        await b.pause()

        # Nothing lost, in the file and on both screens once they open the session again.
        expected_events = ["pager fired", *[f"event {i} from A" for i in range(4)],
                           "event 4, corrected by B", "event 6 from A"]
        assert texts(store_a, TimelineEvent) == expected_events
        assert texts(store_a, Finding) == ["no alert on certificate expiry",
                                           *[f"finding {i} from B" for i in range(5)]]
        assert texts(store_a, ActionItem) == ["Renew certificates automatically"]
        for pilot in (a, b):
            screen = await reopen(pilot)
            assert shown(screen.query_one(TimelinePane)) == expected_events
            assert shown(screen.query_one(FindingsPane)) == texts(store_a, Finding)
            assert shown(screen.query_one(ActionsPane)) == ["Renew certificates automatically"]
        assert app_a.handled_errors == [] and app_b.handled_errors == []
    store_a.close()
    store_b.close()


# Store.update writes every column of the entry as this console last saw it, so a change
# that touches one field (a star, an action's status, one field in the details dialog)
# puts back the other fields as they were when this console loaded them, undoing another
# instance's edit of those fields. Fix: write only the fields that changed (see the report).


async def test_edits_of_different_fields_of_one_entry_are_both_kept(db: Path) -> None:
    store_a, store_b = Store.open(db), Store.open(db)
    app_a = make_app(store_a, session_id=1)
    async with app_a.run_test(size=SIZE) as a:
        # Another instance corrects the event's text and renames the session ...
        event = store_b.list_children(TimelineEvent, 1)[0]
        store_b.update(dataclasses.replace(event, text="pager fired at 10:00 UTC"))
        store_b.update(dataclasses.replace(store_b.get_session(1), title="Shared outage (SEV2)"))
        # ... while this console stars the event and sets the service in its details dialog.
        await a.press("2", "home", "asterisk")
        await a.press("i")
        await a.pause()
        assert isinstance(app_a.screen, FormDialog)
        app_a.screen.query_one("#field-service", Input).value = "payments"
        await a.press("ctrl+s")
        await a.pause()
        assert app_a.handled_errors == []
    saved = store_b.list_children(TimelineEvent, 1)[0]
    assert (saved.text, saved.starred) == ("pager fired at 10:00 UTC", True)
    session = store_b.get_session(1)
    assert (session.title, session.service) == ("Shared outage (SEV2)", "payments")
    store_a.close()
    store_b.close()


# -- a console and another process writing at the same time ---------------------------------------

WRITER = """
import sys
from pmconsole.domain.model import Finding
from pmconsole.store.errors import StoreError
from pmconsole.store.repository import Store
store = Store.open(sys.argv[1])
failed = 0
print("ready", flush=True)
for i in range(int(sys.argv[2])):
    try:
        store.add(Finding(session_id=1, text=f"from the other process {i}"))
    except StoreError as error:
        failed += 1
        print(error, file=sys.stderr)
store.close()
print(failed, flush=True)
"""


async def test_a_console_and_another_process_writing_at_once_lose_nothing(db: Path) -> None:
    store = Store.open(db)
    app = make_app(store, session_id=1)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), "150"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("a")
            for i in range(20):
                app.screen.query_one(TimelinePane).quick.value = f"10:{i:02d} typed {i}"
                await pilot.press("enter")
                await pilot.pause()
                error = str(app.screen.query_one("#timeline .quick-error", Static).render())
                assert error == "", error
            out, err = writer.communicate(timeout=120)
            assert (writer.returncode, out.strip(), err) == (0, "0", "")
            assert app.handled_errors == []
            shown_events = shown(app.screen.query_one(TimelinePane))
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    events = texts(store, TimelineEvent)
    assert events == ["pager fired", *[f"typed {i}" for i in range(20)]] == shown_events
    findings = texts(store, Finding)
    assert findings[1:] == [f"from the other process {i}" for i in range(150)]
    store.close()


# -- another program holds the write lock for longer than the busy timeout -------------------------

HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO findings (session_id, position, kind, category, text)"
             " VALUES (1, 99, 'contributing factor', 'other', 'never committed')")
print("locked", flush=True)
sys.stdin.read()  # hold the write lock until the test closes our stdin
conn.execute("ROLLBACK")
"""


class LockHolder:
    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def lock_holder(db: Path) -> Iterator[LockHolder]:
    holder = LockHolder(db)
    yield holder
    holder.release()


def test_a_store_waits_for_the_busy_timeout_then_says_locked(
    db: Path, lock_holder: LockHolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_SECONDS", 0.5)
    store = Store.open(db)
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseLocked) as caught:
            store.add(Finding(1, "mine"))
        assert time.monotonic() - started >= 0.4  # it waited its turn before giving up
        assert str(caught.value) == (f"{db}: is locked by another program that is writing to "
                                     "it; try again in a moment.")
        lock_holder.release()
        store.add(Finding(1, "mine"))
        assert texts(store, Finding) == ["no alert on certificate expiry", "mine"]
    finally:
        store.close()


async def test_a_long_held_lock_fails_the_save_keeps_the_text_and_the_next_save_works(
    db: Path, lock_holder: LockHolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_SECONDS", 0.5)
    store = Store.open(db)
    app = make_app(store, session_id=1)
    async with app.run_test(size=SIZE) as pilot:
        # The edit dialog: the save fails after the timeout, the dialog and its text stay.
        await pilot.press("3", "enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        area = dialog.query_one("#field-text", TextArea)
        area.text = "no alert on certificate expiry, nor on the intermediate"
        started = time.monotonic()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert time.monotonic() - started >= 0.4
        assert app.screen is dialog
        message = str(dialog.query_one("#form-error", Static).render())
        assert message.startswith("Not saved:") and "locked" in message and str(db) in message
        assert area.text == "no alert on certificate expiry, nor on the intermediate"
        assert texts(store, Finding) == ["no alert on certificate expiry"]

        # The other program finishes: the same dialog saves.
        lock_holder.release()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        assert texts(store, Finding) == ["no alert on certificate expiry, nor on the intermediate"]
        assert shown(app.screen.query_one(FindingsPane)) == texts(store, Finding)

        # Quick-add under a lock: the line keeps what was typed, then saves.
        holder = LockHolder(db)
        try:
            await pilot.press("a", *"q: who rotates the intermediate?", "enter")
            await pilot.pause()
            quick = app.screen.query_one(FindingsPane).quick
            assert quick.value == "q: who rotates the intermediate?"
            error = str(app.screen.query_one("#findings .quick-error", Static).render())
            assert "locked" in error
        finally:
            holder.release()
        await pilot.press("enter")
        await pilot.pause()
        assert quick.value == ""
        assert texts(store, Finding)[-1] == "who rotates the intermediate?"
        assert app.handled_errors == []
    store.close()


def test_agenda_changes_from_two_stores_interleave(db: Path) -> None:
    """Store level: many small edits from two connections, each on the other's rows."""
    a, b = Store.open(db), Store.open(db)
    try:
        for i in range(20):
            event = a.add(TimelineEvent(1, AT.add(minutes=i), f"a {i}"))
            b.update(dataclasses.replace(b.get(TimelineEvent, event.id), text=f"a {i}, by b"))
            item = b.add(AgendaItem(1, f"b {i}", 5))
            a.update(dataclasses.replace(a.get(AgendaItem, item.id), planned_minutes=i + 1))
        assert texts(a, TimelineEvent)[1:] == [f"a {i}, by b" for i in range(20)]
        assert [(x.title, x.planned_minutes) for x in b.list_children(AgendaItem, 1)][2:] == [
            (f"b {i}", i + 1) for i in range(20)]
    finally:
        a.close()
        b.close()
