"""``pmconsole demo`` never touches the user's own database, and never duplicates itself.

What the user would notice: their sessions, and the very bytes of their database file, are
still there after ``demo`` and ``demo --fresh``; a refusal is one line with exit code 2; the
demo's own database starts over with ``--fresh``; renaming the demo's meeting and running
``demo`` again adds no second copy of the demo.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pmconsole.cli import main
from pmconsole.cli.console import own_demo_db_path, seed_demo
from pmconsole.domain.agenda import DEFAULT_AGENDA
from pmconsole.domain.demo import demo_records
from pmconsole.domain.model import TimelineEvent
from pmconsole.store.repository import Store
from tests.factory import DEMO_TODAY
from tests.fake_console import replace_console

DEMO_TITLE = "Card payments declined after an internal certificate expired"
DEMO_SESSIONS = 5


@pytest.fixture
def consoles(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the Textual app: each console the command would start records what it got."""
    return replace_console(monkeypatch)


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def refused(result: Result) -> str:
    """Exit 2 with exactly one line on stderr, no traceback; returns the line."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pmconsole: ") and "Traceback" not in result.output
    return lines[0]


def fingerprint(path: Path) -> str:
    """The database's content: the main file's bytes, and any write-ahead log beside it.

    Reading a WAL database read-only (as ``pmconsole list`` also does) may leave an empty
    ``-wal`` and a ``-shm`` index beside it; neither holds data.
    """
    wal = Path(f"{path}-wal")
    log = wal.read_bytes() if wal.exists() else b""
    return hashlib.sha256(path.read_bytes()).hexdigest() + hashlib.sha256(log).hexdigest()


def titles(path: Path) -> list[str]:
    store = Store.open(path, readonly=True)
    try:
        return sorted(s.title for s in store.list_sessions())
    finally:
        store.close()


@pytest.fixture
def real_db(tmp_path: Path) -> Path:
    """The user's real database, with one real session in it, made by the CLI."""
    path = tmp_path / "x" / "team.db"
    ok(cli("--db", str(path), "new", "Important real incident"))
    return path


# -- the user's database (PMCONSOLE_DB) ------------------------------------------------------------


def test_demo_fresh_ignores_pmconsole_db(real_db: Path, consoles: list[dict[str, Any]]) -> None:
    """The reported bug: ``PMCONSOLE_DB=team.db pmconsole demo --fresh`` deleted team.db."""
    before = fingerprint(real_db)
    env = {"PMCONSOLE_DB": str(real_db)}
    ok(cli("demo", "--fresh", env=env))
    assert fingerprint(real_db) == before
    assert titles(real_db) == ["Important real incident"]
    listed = ok(cli("list", env=env))
    assert "Important real incident" in listed.stdout and "Card payments" not in listed.stdout
    # The demo ran, on its own database.
    assert consoles[0]["path"] == own_demo_db_path() and consoles[0]["ran"]
    assert len(titles(own_demo_db_path())) == DEMO_SESSIONS


def test_demo_seeds_nothing_into_pmconsole_db(real_db: Path,
                                             consoles: list[dict[str, Any]]) -> None:
    before = fingerprint(real_db)
    env = {"PMCONSOLE_DB": str(real_db)}
    ok(cli("demo", env=env))
    ok(cli("demo", env=env))
    assert fingerprint(real_db) == before
    assert titles(real_db) == ["Important real incident"]
    metrics = ok(cli("metrics", "--json", env=env))
    assert "Card payments" not in metrics.stdout
    assert [c["path"] for c in consoles] == [own_demo_db_path()] * 2


# -- the user's database named with --db -------------------------------------------------------


@pytest.mark.parametrize("fresh", [["--fresh"], []], ids=["fresh", "plain"])
def test_demo_refuses_a_real_database_named_with_db(
    real_db: Path, fresh: list[str], consoles: list[dict[str, Any]]
) -> None:
    before = fingerprint(real_db)
    line = refused(cli("--db", str(real_db), "demo", *fresh))
    assert str(real_db) in line and "not a demo database" in line
    assert "without --db" in line
    assert fingerprint(real_db) == before
    assert titles(real_db) == ["Important real incident"]
    assert consoles == []


def test_demo_refusal_from_the_real_executable(real_db: Path) -> None:
    """The same, as a user runs it: both the variable and --db name the real file."""
    import os
    import subprocess

    executable = Path(sys.executable).parent / "pmconsole"
    if not executable.exists():
        pytest.skip("no pmconsole executable next to this Python")
    before = fingerprint(real_db)
    done = subprocess.run([str(executable), "--db", str(real_db), "demo", "--fresh"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PMCONSOLE_DB": str(real_db)})
    assert done.returncode == 2, done
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "not a demo database" in done.stderr
    assert fingerprint(real_db) == before


def test_demo_in_a_new_file_named_with_db_then_fresh(tmp_path: Path,
                                                    consoles: list[dict[str, Any]]) -> None:
    path = tmp_path / "my-demo.db"
    ok(cli("--db", str(path), "demo"))
    assert len(titles(path)) == DEMO_SESSIONS
    assert consoles[-1]["path"] == path
    first_id = consoles[-1]["session_id"]
    store = Store.open(path)
    store.update(dataclasses.replace(store.get_session(first_id), title="Renamed in the demo"))
    store.close()

    ok(cli("--db", str(path), "demo", "--fresh"))
    assert titles(path).count(DEMO_TITLE) == 1
    assert "Renamed in the demo" not in titles(path)
    assert len(titles(path)) == DEMO_SESSIONS
    assert not own_demo_db_path().exists()  # the demo's own file was not needed


@pytest.mark.parametrize("empty", ["0 bytes", "no sessions"])
def test_demo_in_an_empty_file_named_with_db(tmp_path: Path, empty: str,
                                            consoles: list[dict[str, Any]]) -> None:
    path = tmp_path / "empty.db"
    if empty == "0 bytes":
        path.touch()
    else:
        Store.open(path).close()
    ok(cli("--db", str(path), "demo"))
    assert len(titles(path)) == DEMO_SESSIONS


def test_fresh_keeps_a_demo_database_that_also_holds_a_real_session(
    tmp_path: Path, consoles: list[dict[str, Any]]
) -> None:
    path = tmp_path / "demo-and-mine.db"
    ok(cli("--db", str(path), "demo"))
    ok(cli("--db", str(path), "new", "My real outage"))
    before = fingerprint(path)
    line = refused(cli("--db", str(path), "demo", "--fresh"))
    assert str(path) in line and "1 session that is not the demo's" in line
    assert "deleted nothing" in line
    assert fingerprint(path) == before
    assert "My real outage" in titles(path)
    # Without --fresh the demo still opens there, and adds nothing.
    ok(cli("--db", str(path), "demo"))
    assert len(titles(path)) == DEMO_SESSIONS + 1


def test_a_reused_session_id_is_not_taken_for_the_demos(
    tmp_path: Path, consoles: list[dict[str, Any]]
) -> None:
    """Another program deletes the demo's meeting without foreign keys (as the sqlite3 shell
    does); SQLite gives the user's next session the same id. That session is still theirs."""
    path = tmp_path / "demo.db"
    ok(cli("--db", str(path), "demo"))
    meeting = consoles[-1]["session_id"]
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM sessions WHERE id = ?", [meeting])
    conn.commit()
    conn.close()
    assert int(ok(cli("--db", str(path), "new", "My real outage")).stdout) == meeting

    line = refused(cli("--db", str(path), "demo", "--fresh"))
    assert "1 session that is not the demo's" in line
    assert "My real outage" in titles(path)
    ok(cli("--db", str(path), "demo"))  # puts the meeting back, under a new id
    assert consoles[-1]["session_id"] != meeting
    store = Store.open(path, readonly=True)
    assert store.get_session(consoles[-1]["session_id"]).title == DEMO_TITLE
    assert store.get_session(meeting).title == "My real outage"
    store.close()


# -- the demo's own database -----------------------------------------------------------------------


def test_renaming_the_demo_and_running_it_again_adds_no_copy(
    consoles: list[dict[str, Any]]
) -> None:
    ok(cli("demo"))
    own = own_demo_db_path()
    meeting = consoles[-1]["session_id"]
    store = Store.open(own)
    # What the details dialog (key i) saves: the changed field only.
    session = store.get_session(meeting)
    store.update(dataclasses.replace(session, title="Our renamed drill"), since=session)
    store.close()

    ok(cli("demo"))
    ok(cli("demo"))
    assert len(titles(own)) == DEMO_SESSIONS
    assert DEMO_TITLE not in titles(own)
    assert [c["session_id"] for c in consoles] == [meeting] * 3


def test_fresh_resets_the_demos_own_database(consoles: list[dict[str, Any]]) -> None:
    ok(cli("demo"))
    own = own_demo_db_path()
    meeting = consoles[-1]["session_id"]
    store = Store.open(own)
    record = store.load(meeting)
    store.update(dataclasses.replace(record.session, title="Scribbled over"))
    store.add(TimelineEvent(meeting, record.timeline[0].at, "an event typed while trying it"))
    store.close()

    ok(cli("demo", "--fresh"))
    assert len(titles(own)) == DEMO_SESSIONS and DEMO_TITLE in titles(own)
    store = Store.open(own, readonly=True)
    fresh = store.load(consoles[-1]["session_id"])
    store.close()
    assert fresh.session.title == DEMO_TITLE
    assert len(fresh.timeline) == len(record.timeline)


def test_fresh_keeps_a_real_session_made_in_the_demos_own_database(
    consoles: list[dict[str, Any]]
) -> None:
    ok(cli("demo"))
    own = own_demo_db_path()
    ok(cli("--db", str(own), "new", "Real meeting run in the demo by mistake"))
    before = fingerprint(own)
    line = refused(cli("demo", "--fresh"))
    assert str(own) in line and "deleted nothing" in line
    assert fingerprint(own) == before


def test_fresh_replaces_a_damaged_demo_database(consoles: list[dict[str, Any]]) -> None:
    own = own_demo_db_path()
    own.parent.mkdir(parents=True)
    own.write_text("not a database")
    assert "not an SQLite file" in refused(cli("demo"))
    assert own.read_text() == "not a database"
    ok(cli("demo", "--fresh"))
    assert len(titles(own)) == DEMO_SESSIONS


def test_a_demo_database_from_before_the_marks_is_not_seeded_twice(
    consoles: list[dict[str, Any]]
) -> None:
    """The demo's own file as earlier versions wrote it: the sessions, nothing marking them."""
    own = own_demo_db_path()
    store = Store.open(own)
    records = demo_records(DEMO_TODAY, DEFAULT_AGENDA)
    ids = [store.import_record(record) for record in reversed(records)]
    store.close()

    ok(cli("demo"))
    assert len(titles(own)) == DEMO_SESSIONS
    assert consoles[-1]["session_id"] == ids[-1]
    # Now marked: renaming the meeting no longer loses it.
    store = Store.open(own)
    store.update(dataclasses.replace(store.get_session(ids[-1]), title="Renamed later"))
    store.close()
    ok(cli("demo"))
    assert len(titles(own)) == DEMO_SESSIONS and consoles[-1]["session_id"] == ids[-1]


def test_seed_demo_refuses_a_store_with_other_sessions() -> None:
    from pmconsole.cli.console import NotADemoDatabase
    from pmconsole.domain.model import Session

    store = Store.memory()
    store.create_session(Session(title="Someone's real outage"), DEFAULT_AGENDA)
    with pytest.raises(NotADemoDatabase, match="not a demo database"):
        seed_demo(store, today=DEMO_TODAY)
    assert [s.title for s in store.list_sessions()] == ["Someone's real outage"]
