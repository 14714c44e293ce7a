"""Damaged or unusual database files, for the console and every command that opens one.

Each (case, command) pair has one expected outcome:

- ``refused``: exit 2 with one line naming the file and the problem, no traceback, the UI
  never started, and the file (and whatever lies beside it) byte-for-byte as it was;
- ``ok``: the command works (reading a read-only or locked file, say);
- ``ui-ro`` / ``ui-rw``: the console starts, read-only or not (a read-only file still opens
  for review; a file another program is writing to opens normally);
- ``created``: the user asked for a new database where there was none.

The store-level behaviour of each kind of damage is tested in tests/store/test_bad_files.py;
this file checks what the user sees for each command. ``open`` and the bare command are
also run as real processes, which must end before any UI starts.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pendulum
import pytest
from click.testing import CliRunner, Result
from textual.widgets import Input, Static

from pmconsole.cli import main
from pmconsole.domain.agenda import DEFAULT_AGENDA
from pmconsole.domain.model import (
    ActionItem,
    Finding,
    Session,
    TimelineEvent,
)
from pmconsole.exchange.json_io import dump_session
from pmconsole.store import db as dbmod
from pmconsole.store import repository
from pmconsole.store.errors import SaveFailed
from pmconsole.store.repository import Store
from pmconsole.tui.screens.console import ConsoleScreen
from pmconsole.tui.widgets.panes import FindingsPane
from tests.factory import make_app
from tests.fake_console import replace_console
from tests.store.test_bad_files import (
    bit_flips_in_a_leaf_page_header,
    fingerprint,
    newer_schema,
    random_bytes,
    text_file,
    truncated_mid_file,
)

AT = pendulum.datetime(2026, 11, 18, 10, 0, tz="UTC")


@pytest.fixture(autouse=True)
def _own_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMCONSOLE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("PMCONSOLE_DB", raising=False)


# -- databases -------------------------------------------------------------------------------------


def good_db(path: Path) -> None:
    """A pmconsole database with session 1 (and its agenda, a few entries), closed cleanly."""
    store = Store.open(path)
    session = store.create_session(Session(title="Payments outage", timezone="UTC"),
                                   DEFAULT_AGENDA)
    assert session.id == 1
    store.add(TimelineEvent(1, AT, "pager fired"))
    store.add(Finding(1, "no alert on certificate expiry"))
    store.add(ActionItem(1, "alert 30 days before expiry", "sre", due=AT.date()))
    store.close()
    assert not Path(f"{path}-wal").exists()


def full_db(path: Path) -> None:
    """A good database whose every table is filled to the last page (see ``disk_full``)."""
    good_db(path)
    store = Store.open(path)
    store.conn.execute("PRAGMA synchronous = OFF")  # a test file: no need to wait for the disk
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 40}")
    makers: list[Callable[[int], Any]] = [
        lambda i: Session(title=f"filler {i}"),
        lambda i: Finding(1, f"filler finding {i}"),
        lambda i: TimelineEvent(1, AT, f"filler event {i}"),
        lambda i: ActionItem(1, f"filler action {i}"),
    ]
    for make in makers:
        failures = 0
        for i in range(100_000):
            try:
                store.add(make(i))
                failures = 0
            except SaveFailed:
                failures += 1
                if failures == 3:
                    break
    store.close()


@dataclass(frozen=True)
class Case:
    make: Callable[[Path], None]
    words: str  # in the one-line message when the file is refused
    where: str = "pm.db"  # the database path, relative to tmp_path


REFUSED_CASES = {
    "not SQLite": Case(text_file, "not an SQLite file"),
    "random bytes": Case(random_bytes, "not an SQLite file"),
    "truncated": Case(truncated_mid_file, "damaged"),
    "bit-flipped page": Case(bit_flips_in_a_leaf_page_header, "damaged"),
    "newer schema": Case(newer_schema, "newer version of pmconsole"),
}
CASES = {
    **REFUSED_CASES,
    "read-only file": Case(good_db, "read-only"),
    "read-only folder (WAL)": Case(good_db, "read-only"),
    "locked by another program": Case(good_db, "locked"),
    "disk full": Case(full_db, "disk is full"),
    "missing folder": Case(lambda path: None, "does not exist", "missing/sub/pm.db"),
    "folder cannot be created": Case(lambda path: None, "cannot be created",
                                     "a-file/sub/pm.db"),
}


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes | None]:
    """Each case's file, made once (None: no file)."""
    folder = tmp_path_factory.mktemp("templates")
    made: dict[str, bytes | None] = {}
    for name, case in CASES.items():
        path = folder / f"{len(made)}.db"
        case.make(path)
        made[name] = path.read_bytes() if path.exists() else None
    return made


# -- commands -----------------------------------------------------------------------------------

COMMANDS: dict[str, list[str]] = {
    "list": ["list", "--search", "outage"],
    "new": ["new", "Second outage"],
    "incident": ["incident", "1", "--detected", "10:05"],
    "metrics": ["metrics"],
    "metrics 1": ["metrics", "1", "--json"],
    "export": ["export", "1"],
    "export -o": ["export", "1", "--format", "json", "-o", "{tmp}/out/minutes.json"],
    "import": ["import", "{tmp}/in/session.json"],
    "timeline import": ["timeline", "import", "1", "{tmp}/in/timeline.csv"],
    "actions": ["actions", "--open"],
    "invite": ["invite", "1"],
    "open": ["open", "1"],
    "bare": [],
    "demo": ["demo"],
}
READS = {"list", "metrics", "metrics 1", "export", "export -o", "actions", "invite"}
WRITES = {"new", "incident", "import", "timeline import", "demo"}
UI = {"open", "bare"}
assert READS | WRITES | UI == set(COMMANDS)


def outcome(case: str, command: str) -> str:
    """What the user should get from ``command`` on the ``case`` file."""
    if case in REFUSED_CASES:
        return "refused"
    if case in ("read-only file", "read-only folder (WAL)"):
        return "ok" if command in READS else "ui-ro" if command in UI else "refused"
    if case == "disk full" and command == "incident":
        # max_page_count only stops the file growing: an update that fits in the pages the
        # file already has still succeeds (a really full disk would also stop the WAL).
        return "saved-or-refused"
    if case in ("locked by another program", "disk full"):
        return "ok" if command in READS else "ui-rw" if command in UI else "refused"
    if case == "missing folder":
        if command in ("list", "metrics", "actions"):
            return "ok"  # an empty list; nothing is created
        if command in ("new", "import"):
            return "created"
        if command in ("bare", "demo"):
            return "ui-created"
        return "refused"  # about session 1, which cannot be in a file that is not there
    assert case == "folder cannot be created"
    return "ok" if command in ("list", "metrics", "actions") else "refused"


CREATING = {"new", "import", "bare", "demo"}


def expected_words(case: str, command: str) -> tuple[str, ...]:
    """Any of these in the one-line message will do."""
    if case == "folder cannot be created" and command not in CREATING:
        # Nothing is to be created for a command about session 1: the file is just not there.
        return ("does not exist", "cannot be created") if command == "open" else (
            "does not exist",)
    if command == "demo" and case in ("read-only file", "read-only folder (WAL)",
                                      "locked by another program", "disk full"):
        # A file of real sessions named with --db is refused by the demo before any
        # write is tried (cli/console.py: the demo only writes to demo databases).
        return (CASES[case].words, "not a demo database")
    return (CASES[case].words,)


def params() -> Iterator[Any]:
    for case in CASES:
        for command in COMMANDS:
            yield pytest.param(case, command, id=f"{case}-{command}")


# -- how each case is put in place ----------------------------------------------------------------

HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO sessions (title, created) VALUES ('uncommitted', '2026-01-01')")
print("locked", flush=True)
sys.stdin.read()  # hold the write lock until the test closes our stdin
conn.execute("ROLLBACK")
"""


@pytest.fixture
def hold_lock() -> Iterator[Callable[[Path], None]]:
    holders: list[subprocess.Popen[str]] = []

    def hold(path: Path) -> None:
        holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        holders.append(holder)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"

    yield hold
    for holder in holders:
        assert holder.stdin is not None
        holder.stdin.close()
        try:
            holder.wait(timeout=10)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait()


def not_writable(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    """Tests run as root, who may write anywhere: pretend ``paths`` cannot be written."""
    real_access = dbmod.os.access
    denied = {p.resolve() for p in paths}
    monkeypatch.setattr(dbmod.os, "access", lambda p, mode: False if (
        mode == os.W_OK and Path(p).resolve() in denied) else real_access(p, mode))


def shm_cannot_be_created(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What SQLite does for a WAL file in a read-only folder: ``mode=ro`` cannot open it
    (no ``-shm`` can be made), so pmconsole must fall back to ``immutable=1``."""
    real_connect = sqlite3.connect
    uris: list[str] = []

    def connect(target: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        uris.append(str(target))
        if "mode=ro" in str(target) and "immutable" not in str(target):
            # SQLite opens the file lazily: the first statement is what fails.
            return _FailsOnFirstUse()  # type: ignore[return-value]
        return real_connect(target, *args, **kwargs)

    monkeypatch.setattr(dbmod.sqlite3, "connect", connect)
    return uris


class _FailsOnFirstUse:
    def execute(self, *args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("unable to open database file")

    def close(self) -> None:
        pass


def disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection pmconsole opens for writing may not grow the file by a page."""
    real_open = repository.open_database

    def open_database(path: Path, *, readonly: bool = False) -> Any:
        db, is_readonly = real_open(path, readonly=readonly)
        if not is_readonly:
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            db.execute(f"PRAGMA max_page_count = {pages}")
        return db, is_readonly

    monkeypatch.setattr(repository, "open_database", open_database)


def put_in_place(case: str, tmp_path: Path, template: bytes | None,
                 monkeypatch: pytest.MonkeyPatch, hold: Callable[[Path], None]) -> Path:
    path = tmp_path / CASES[case].where
    if case == "folder cannot be created":
        (tmp_path / "a-file").write_text("a file where a folder should be\n")
    if template is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(template)
    if case == "read-only file":
        not_writable(monkeypatch, path)
    elif case == "read-only folder (WAL)":
        assert template is not None and template[18:20] == b"\x02\x02"  # a WAL database
        not_writable(monkeypatch, path.parent)
        shm_cannot_be_created(monkeypatch)
    elif case == "locked by another program":
        monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_SECONDS", 0.3)
        hold(path)
    elif case == "disk full":
        disk_full(monkeypatch)
    return path


def input_files(tmp_path: Path) -> None:
    """A session to import and a timeline CSV, both good: any failure is the database's."""
    folder = tmp_path / "in"
    folder.mkdir()
    store = Store.memory()
    session = store.create_session(Session(title="Imported outage", timezone="UTC"),
                                   DEFAULT_AGENDA)
    assert session.id is not None
    store.add(TimelineEvent(session.id, AT, "imported event"))
    (folder / "session.json").write_text(dump_session(store.load(session.id)), encoding="utf-8")
    (folder / "timeline.csv").write_text("time,kind,text\n10:01,detection,alert fired\n",
                                         encoding="utf-8")
    (tmp_path / "out").mkdir()


@pytest.fixture
def no_ui(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the Textual app: a command that reaches it records the store it was given."""
    return replace_console(monkeypatch)


def run(db: Path, args: list[str], tmp_path: Path) -> Result:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    return CliRunner().invoke(main, ["--db", str(db), *args])


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pmconsole: ") and "Traceback" not in result.output
    return lines[0]


def sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def sessions_in(path: Path) -> list[str]:
    store = Store.open(path, readonly=True)
    try:
        return [s.title for s in store.list_sessions()]
    finally:
        store.close()


# -- every command on every case ------------------------------------------------------------------


@pytest.mark.parametrize(("case", "command"), list(params()))
def test_command_on_an_unusual_database(
    case: str, command: str, templates: dict[str, bytes | None], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, hold_lock: Callable[[Path], None],
    no_ui: list[dict[str, Any]],
) -> None:
    input_files(tmp_path)
    path = put_in_place(case, tmp_path, templates[case], monkeypatch, hold_lock)
    before = fingerprint(path) if path.exists() else None
    main_file = sha256(path)
    expected = outcome(case, command)

    result = run(path, COMMANDS[command], tmp_path)

    if expected == "saved-or-refused":
        expected = "refused" if result.exit_code else "saved"
    if expected == "refused":
        line = one_line_error(result)
        assert any(words in line for words in expected_words(case, command)), line
        if case not in ("disk full",):  # "Not saved: database or disk is full."
            assert str(path) in line, line
        assert no_ui == []
        assert not (tmp_path / "out" / "minutes.json").exists()
    else:
        assert result.exit_code == 0, (result.output, result.exception)
        assert "Traceback" not in result.output
    if expected in ("ui-ro", "ui-rw", "ui-created"):
        assert len(no_ui) == 1 and no_ui[0]["ran"]
        assert no_ui[0]["readonly"] is (expected == "ui-ro")
    elif expected != "refused":
        assert no_ui == []

    if expected in ("created", "ui-created"):
        assert before is None and path.exists()
        if command != "bare":
            assert sessions_in(path)  # the new, imported or demo sessions
    elif case in REFUSED_CASES:
        # Refused files are not even opened for writing: nothing appears beside them.
        assert fingerprint(path) == before
    elif before is None:
        assert not path.exists() and not (tmp_path / "missing").exists()
    elif expected == "saved":
        store = Store.open(path, readonly=True)
        try:
            assert store.get_session(1).detected is not None
        finally:
            store.close()
    else:
        # Read-only, locked, full: the file is exactly as it was (SQLite may add a -shm
        # beside a WAL database it reads).
        assert sha256(path) == main_file


def test_the_read_only_folder_case_really_reads_through_immutable(
    templates: dict[str, bytes | None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "pm.db"
    path.write_bytes(templates["read-only folder (WAL)"] or b"")
    not_writable(monkeypatch, path.parent)
    uris = shm_cannot_be_created(monkeypatch)
    listed = CliRunner().invoke(main, ["--db", str(path), "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [row["title"] for row in json.loads(listed.stdout)] == ["Payments outage"]
    assert any("immutable=1" in uri for uri in uris)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pm.db"]


# -- the real program: open and the bare command end before any UI --------------------------------


@pytest.mark.parametrize("command", [["open", "1"], []], ids=["open", "bare"])
@pytest.mark.parametrize("case", list(REFUSED_CASES))
def test_the_console_never_starts_on_a_refused_file(
    case: str, command: list[str], templates: dict[str, bytes | None], tmp_path: Path,
) -> None:
    path = tmp_path / "pm.db"
    path.write_bytes(templates[case] or b"")
    before = fingerprint(path)
    env = {**os.environ, "PMCONSOLE_CONFIG_DIR": str(tmp_path / "config"),
           "TERM": "xterm-256color"}
    env.pop("PMCONSOLE_DB", None)
    done = subprocess.run([sys.executable, "-m", "pmconsole", "--db", str(path), *command],
                          capture_output=True, text=True, env=env, timeout=60,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done
    assert done.stdout == ""  # no screen was drawn
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(f"pmconsole: {path}") and REFUSED_CASES[case].words in lines[0]
    assert fingerprint(path) == before


# -- disk full in the console: the save fails clearly and the meeting goes on -------------------


async def test_disk_full_in_the_console(
    templates: dict[str, bytes | None], tmp_path: Path
) -> None:
    path = tmp_path / "pm.db"
    path.write_bytes(templates["disk full"] or b"")
    store = Store.open(path)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    app = make_app(store, session_id=1)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        pane = screen.query_one(FindingsPane)
        await pilot.press("3", "a")
        saved: list[str] = []
        for i in range(50):
            typed = f"q: finding number {i} typed while the disk fills up"
            pane.quick.value = typed
            await pilot.press("enter")
            await pilot.pause()
            if pane.quick.value:  # not saved: the line keeps what was typed
                break
            saved.append(typed.removeprefix("q: "))
        else:
            pytest.fail("the disk never filled up")
        assert pane.quick.value == typed
        error = str(screen.query_one("#findings .quick-error", Static).render())
        assert error.startswith("Not saved:") and "database or disk is full" in error
        assert "\n" not in error
        # What the screen shows as saved is exactly what is in the file.
        on_disk = [f.text for f in store.list_children(Finding, 1)]
        assert on_disk[len(on_disk) - len(saved):] == saved
        assert [str(pane.table.get_row_at(i)[-1]) for i in range(pane.table.row_count)] == on_disk
        # The meeting goes on: other keys work; once there is room the same line saves.
        await pilot.press("escape", "2")
        assert app.focused is not None and not isinstance(app.focused, Input)
        store.conn.execute("PRAGMA max_page_count = 1073741823")
        await pilot.press("3", "a", "enter")
        await pilot.pause()
        assert pane.quick.value == ""
        assert store.list_children(Finding, 1)[-1].text == typed.removeprefix("q: ")
        assert app.handled_errors == []
    store.close()
