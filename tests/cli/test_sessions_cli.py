"""The session commands (new, incident, list, metrics); every command against a bad database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pendulum
import pytest
from click.testing import CliRunner, Result

from pmconsole.cli import main
from pmconsole.cli.console import seed_demo
from pmconsole.domain.agenda import DEFAULT_AGENDA
from pmconsole.domain.model import Severity
from pmconsole.store import db as dbmod
from pmconsole.store.repository import Store
from tests.fake_console import replace_console
from tests.store.test_bad_files import CASES, fingerprint

ROOT = Path(__file__).resolve().parents[2]
PMCONSOLE = Path(sys.executable).parent / "pmconsole"


def run(db: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], env=env)


def one_line_error(result: Result) -> str:
    """The command failed with exit 2 and exactly one line on stderr, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pmconsole: ")
    assert "Traceback" not in result.output
    return lines[0]


def usage_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "Usage:" in result.stderr and "Error:" in result.stderr
    for word in words:
        assert word in result.stderr


def opened(db: Path) -> Store:
    return Store.open(db, readonly=True)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "pm.db"


def new(db: Path, *args: str) -> int:
    result = run(db, "new", *args)
    assert result.exit_code == 0, result.output
    return int(result.stdout)


# -- new -----------------------------------------------------------------------------------------


def test_new_prints_only_the_id_and_adds_the_default_agenda(db: Path) -> None:
    result = run(db, "new", "Checkout outage")
    assert result.exit_code == 0, result.output
    assert result.stdout == "1\n"
    assert result.stderr == ""
    assert run(db, "new", "Second").stdout == "2\n"
    store = opened(db)
    try:
        record = store.load(1)
        assert record.session.title == "Checkout outage"
        assert record.session.severity is Severity.SEV3
        assert record.session.timezone == "UTC"
        assert [(a.title, a.planned_minutes) for a in record.agenda] == list(DEFAULT_AGENDA)
        assert len(record.agenda) == 6
    finally:
        store.close()


def test_new_with_every_option(db: Path) -> None:
    sid = new(db, "Payments", "--service", "payments-gateway", "--severity", "sev1",
              "--timezone", "Europe/Berlin", "--facilitator", "Priya",
              "--scheduled", "2026-11-20 14:00")
    store = opened(db)
    try:
        session = store.get_session(sid)
    finally:
        store.close()
    assert session.service == "payments-gateway"
    assert session.severity is Severity.SEV1
    assert session.timezone == "Europe/Berlin"
    assert session.facilitator == "Priya"
    assert session.scheduled == pendulum.datetime(2026, 11, 20, 13, 0, tz="UTC")


def test_new_cleans_the_title(db: Path) -> None:
    sid = new(db, "a\x1b[31mred\x1b[0m\ntitle [/]")
    store = opened(db)
    try:
        assert store.get_session(sid).title == "a[31mred[0m title [/]"
    finally:
        store.close()


@pytest.mark.parametrize("args,words", [
    (["--timezone", "Mars/Olympus"], ["--timezone", "Mars/Olympus"]),
    (["--scheduled", "1430"], ["--scheduled", "14:30"]),
    (["--scheduled", "next week sometime"], ["--scheduled"]),
    (["--scheduled", "2026-02-30 10:00"], ["--scheduled"]),
])
def test_new_bad_option_values(db: Path, args: list[str], words: list[str]) -> None:
    line = one_line_error(run(db, "new", "T", *args))
    for word in words:
        assert word in line
    assert not db.exists() or len(opened(db).list_sessions()) == 0


def test_new_bad_severity_is_a_usage_error(db: Path) -> None:
    usage_error(run(db, "new", "T", "--severity", "SEV9"), "--severity")


def test_new_empty_title(db: Path) -> None:
    assert "TITLE" in one_line_error(run(db, "new", "   "))


# -- incident ------------------------------------------------------------------------------------


def test_incident_stores_times_on_the_incident_date_in_the_session_timezone(db: Path) -> None:
    sid = new(db, "T", "--timezone", "Europe/Berlin", "--scheduled", "2026-03-12 15:00")
    result = run(db, "incident", str(sid), "--impact-start", "2026-03-10 10:00",
                 "--detected", "10:14", "--acknowledged", "10:17", "--mitigated", "11:06",
                 "--resolved", "12:40", "--slo", "99.9", "--slo-window", "30d")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for line_start, value in [("TTD", "14m 00s"), ("TTA", "17m 00s"), ("TTM", "1h 06m"),
                              ("TTR", "2h 40m"), ("IMPACT", "1h 06m")]:
        assert any(line.startswith(line_start) and value in line for line in out.splitlines()), out
    assert "BUDGET" in out and "153%" in out  # 66 min of a 43.2-minute budget
    store = opened(db)
    try:
        s = store.get_session(sid)
    finally:
        store.close()
    berlin = lambda h, m: pendulum.datetime(2026, 3, 10, h, m, tz="Europe/Berlin")  # noqa: E731
    assert s.impact_started == berlin(10, 0)
    assert s.detected == berlin(10, 14)
    assert s.acknowledged == berlin(10, 17)
    assert s.mitigated == berlin(11, 6)
    assert s.resolved == berlin(12, 40)
    assert s.slo_target == 99.9 and s.slo_window_days == 30


def test_incident_bare_times_use_the_dated_option_whatever_the_order(db: Path) -> None:
    sid = new(db, "T", "--timezone", "Asia/Tokyo", "--scheduled", "2026-03-12 15:00")
    result = run(db, "incident", str(sid), "--resolved", "12:00", "--detected", "10:05",
                 "--impact-start", "2026-03-09 10:00")
    assert result.exit_code == 0, result.output
    store = opened(db)
    try:
        s = store.get_session(sid)
    finally:
        store.close()
    tokyo = lambda h, m: pendulum.datetime(2026, 3, 9, h, m, tz="Asia/Tokyo")  # noqa: E731
    assert (s.impact_started, s.detected, s.resolved) == (tokyo(10, 0), tokyo(10, 5), tokyo(12, 0))
    assert result.stderr == ""  # nothing out of order


def test_incident_later_call_keeps_the_incident_date(db: Path) -> None:
    sid = new(db, "T", "--scheduled", "2026-03-12 15:00")
    assert run(db, "incident", str(sid), "--impact-start", "2026-03-09 10:00").exit_code == 0
    assert run(db, "incident", str(sid), "--mitigated", "11:00").exit_code == 0
    store = opened(db)
    try:
        assert store.get_session(sid).mitigated == pendulum.datetime(2026, 3, 9, 11, tz="UTC")
    finally:
        store.close()


def test_incident_out_of_order_warns(db: Path) -> None:
    sid = new(db, "T")
    result = run(db, "incident", str(sid), "--impact-start", "2026-03-09 10:00",
                 "--detected", "09:00")
    assert result.exit_code == 0
    assert "warning: detected is before impact start" in result.stderr


@pytest.mark.parametrize("args,words", [
    (["--detected", "garbage"], ["--detected"]),
    (["--impact-start", "1430"], ["--impact-start", "14:30"]),
    (["--resolved", "25:00"], ["--resolved"]),
    (["--slo", "100"], ["--slo"]),
    (["--slo", "0"], ["--slo"]),
    (["--slo", "nan"], ["--slo"]),
    (["--slo-window", "forever"], ["--slo-window"]),
    (["--slo-window", "0d"], ["--slo-window"]),
])
def test_incident_bad_values(db: Path, args: list[str], words: list[str]) -> None:
    sid = new(db, "T")
    line = one_line_error(run(db, "incident", str(sid), "--detected", "10:00", *args)
                          if args[0] != "--detected" else run(db, "incident", str(sid), *args))
    for word in words:
        assert word in line
    store = opened(db)
    try:
        assert store.get_session(sid).detected is None  # nothing saved
    finally:
        store.close()


def test_incident_unknown_session(db: Path) -> None:
    new(db, "T")
    line = one_line_error(run(db, "incident", "99", "--detected", "10:00"))
    assert "99" in line and str(db) in line


def test_incident_slo_not_a_number_is_a_usage_error(db: Path) -> None:
    new(db, "T")
    usage_error(run(db, "incident", "1", "--slo", "high"), "--slo")


# -- list ----------------------------------------------------------------------------------------


def test_list_text_and_json_newest_first(db: Path) -> None:
    old = new(db, "Older outage", "--scheduled", "2026-01-05 10:00", "--service", "cart")
    recent = new(db, "Recent [/] outage", "--scheduled", "2026-06-05 10:00", "--severity",
                 "SEV1")
    text = run(db, "list")
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == str(recent) and "Recent [/] outage" in lines[0]
    assert "2026-06-05" in lines[0] and "SEV1" in lines[0]
    assert lines[1].split()[0] == str(old)

    result = run(db, "list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == [recent, old]
    assert set(rows[0]) >= {"id", "title", "service", "severity", "status", "scheduled",
                            "started"}
    assert rows[1]["service"] == "cart" and rows[1]["severity"] == "SEV3"
    assert rows[1]["status"] == "planned"
    assert rows[1]["scheduled"] == "2026-01-05T10:00:00+00:00"
    assert rows[1]["started"] is None


def test_list_empty_and_missing_database(db: Path) -> None:
    assert run(db, "list").stdout == "No sessions yet.\n"
    assert json.loads(run(db, "list", "--json").stdout) == []
    assert not db.exists()  # reading creates nothing
    new(db, "T")
    assert run(db, "list", "--search", "zzz").stdout == "No sessions match.\n"


def test_list_search(db: Path) -> None:
    a = new(db, "Certificate expired", "--service", "payments")
    new(db, "Disk full", "--service", "storage")
    result = run(db, "list", "--search", "certif")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split()[0] == str(a)
    assert "«Certificate»" in result.stdout
    rows = json.loads(run(db, "list", "--search", "payments", "--json").stdout)
    assert [r["id"] for r in rows] == [a]
    assert rows[0]["matches"][0]["entity"] == "session"
    assert "\x02" not in rows[0]["matches"][0]["snippet"]


@pytest.mark.parametrize("query", ['"', "AND", "a OR", "*", "-x", "NEAR(", "it's", "", " ",
                                   "[/]", "💥", "決済", "title:x", "((", "\\"])
def test_list_search_hostile_queries(db: Path, query: str) -> None:
    new(db, "it's a [/] 決済 outage")
    for args in (["list", "--search", query], ["list", "--search", query, "--json"]):
        result = run(db, *args)
        assert result.exit_code == 0, result.output
        assert result.stderr == ""


# -- metrics -------------------------------------------------------------------------------------


def test_metrics_one_session_json(db: Path) -> None:
    sid = new(db, "T")
    run(db, "incident", str(sid), "--impact-start", "2026-03-09 10:00", "--detected", "10:05",
        "--acknowledged", "10:06:30", "--resolved", "11:00")
    data = json.loads(run(db, "metrics", str(sid), "--json").stdout)
    assert {k: data[k] for k in ("ttd", "tta", "ttm", "ttr", "impact")} == {
        "ttd": 300, "tta": 390, "ttm": None, "ttr": 3600, "impact": 3600}
    assert all(isinstance(data[k], int) for k in ("ttd", "tta", "ttr", "impact"))
    text = run(db, "metrics", str(sid))
    assert text.exit_code == 0 and "TTD" in text.stdout and "5m 00s" in text.stdout


def test_metrics_without_times_are_null(db: Path) -> None:
    sid = new(db, "T")
    data = json.loads(run(db, "metrics", str(sid), "--json").stdout)
    assert [data[k] for k in ("ttd", "tta", "ttm", "ttr", "impact")] == [None] * 5


def test_metrics_across_sessions(db: Path) -> None:
    for minutes in (5, 10, 20):
        sid = new(db, f"T{minutes}")
        assert run(db, "incident", str(sid), "--impact-start", "2026-03-09 10:00",
                   "--detected", f"10:{minutes:02d}").exit_code == 0
    new(db, "no times")
    result = run(db, "metrics", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["overall"]["ttd"] == {"count": 3, "median": 600, "p90": 1080}
    assert data["overall"]["ttr"]["median"] is None
    text = run(db, "metrics")
    assert text.exit_code == 0
    assert text.stdout.startswith("4 sessions")
    assert "MTTD" in text.stdout and "10m 00s" in text.stdout


def test_metrics_unknown_session(db: Path) -> None:
    new(db, "T")
    assert "42" in one_line_error(run(db, "metrics", "42"))


def test_metrics_on_missing_database(db: Path) -> None:
    result = run(db, "metrics", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["sessions"] == 0
    assert "does not exist" in one_line_error(run(db, "metrics", "1"))
    assert not db.exists()


# -- usage errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("args,words", [
    (["bogus"], ["No such command", "bogus"]),
    (["new"], ["Missing argument", "TITLE"]),
    (["incident"], ["Missing argument", "SESSION"]),
    (["incident", "abc"], ["abc", "not a valid integer"]),
    (["metrics", "abc"], ["abc", "not a valid integer"]),
    (["open", "abc"], ["abc", "not a valid integer"]),
    (["open"], ["Missing argument"]),
    (["list", "--bogus"], ["No such option"]),
])
def test_usage_errors(db: Path, args: list[str], words: list[str]) -> None:
    usage_error(run(db, *args), *words)


# -- bad databases -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bad_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Each bad file of the store tests, made once."""
    folder = tmp_path_factory.mktemp("bad")
    made = {}
    for name, (make, _, _) in CASES.items():
        path = folder / (name.replace(" ", "_") + ".db")
        make(path)
        made[name] = path.read_bytes()
    return made


COMMANDS = [["list"], ["list", "--json"], ["list", "--search", "x"], ["metrics"],
            ["metrics", "1", "--json"], ["new", "T"], ["incident", "1", "--detected", "10:00"],
            ["open", "1"], []]


@pytest.fixture
def no_ui(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the Textual app: a command that reaches it records so (and starts nothing)."""
    return replace_console(monkeypatch)


@pytest.mark.parametrize("case", list(CASES))
def test_every_command_refuses_a_bad_database(
    case: str, bad_templates: dict[str, bytes], tmp_path: Path, no_ui: list[dict[str, Any]]
) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(bad_templates[case])
    before = fingerprint(path)
    _, _, words = CASES[case]
    for command in COMMANDS:
        line = one_line_error(run(path, *command))
        assert str(path) in line and words in line, (command, line)
    assert no_ui == []
    assert fingerprint(path) == before


def test_every_command_refuses_a_folder(tmp_path: Path, no_ui: list[dict[str, Any]]) -> None:
    folder = tmp_path / "folder.db"
    folder.mkdir()
    for command in COMMANDS:
        line = one_line_error(run(folder, *command))
        assert "is a folder" in line and str(folder) in line
    assert no_ui == [] and list(folder.iterdir()) == []


def test_open_unknown_session_fails_before_the_ui(db: Path, no_ui: list[dict[str, Any]]) -> None:
    new(db, "T")
    assert "7" in one_line_error(run(db, "open", "7"))
    assert no_ui == []
    assert run(db, "open", "1").exit_code == 0
    assert len(no_ui) == 1 and no_ui[0]["ran"] and no_ui[0]["session_id"] == 1


def test_read_only_database_reads_and_refuses_writes(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = new(db, "T")
    real_access = dbmod.os.access
    monkeypatch.setattr(dbmod.os, "access", lambda p, m: False if Path(p) == db and m == os.W_OK
                        else real_access(p, m))
    assert run(db, "list").exit_code == 0
    assert run(db, "metrics", str(sid)).exit_code == 0
    line = one_line_error(run(db, "new", "U"))
    assert "read-only" in line and str(db) in line
    assert "read-only" in one_line_error(run(db, "incident", str(sid), "--detected", "10:00"))


HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO sessions (title, created) VALUES ('uncommitted', '2026-01-01')")
print("locked", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def locked_db(db: Path) -> Iterator[Path]:
    new(db, "T")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield db
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        try:
            holder.wait(timeout=5)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait()


def test_locked_database(locked_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_SECONDS", 0.3)
    listed = run(locked_db, "list", "--json")
    assert listed.exit_code == 0
    assert [r["title"] for r in json.loads(listed.stdout)] == ["T"]
    line = one_line_error(run(locked_db, "new", "U"))
    assert "locked" in line and str(locked_db) in line
    line = one_line_error(run(locked_db, "incident", "1", "--detected", "10:00"))
    assert "locked" in line


# -- where the database is -----------------------------------------------------------------------


def titles(path: Path) -> list[str]:
    store = Store.open(path, readonly=True)
    try:
        return [s.title for s in store.list_sessions()]
    finally:
        store.close()


def test_pmconsole_db_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_db = tmp_path / "env" / "from-env.db"
    monkeypatch.setenv("PMCONSOLE_DB", str(env_db))
    result = CliRunner().invoke(main, ["new", "via env"])
    assert result.exit_code == 0, result.output
    assert titles(env_db) == ["via env"]


def test_db_option_beats_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_db = tmp_path / "from-env.db"
    option_db = tmp_path / "from-option.db"
    monkeypatch.setenv("PMCONSOLE_DB", str(env_db))
    assert run(option_db, "new", "via option").exit_code == 0
    assert titles(option_db) == ["via option"]
    assert not env_db.exists()


def test_default_path_is_in_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PMCONSOLE_DB", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    result = CliRunner().invoke(main, ["new", "default"])
    assert result.exit_code == 0, result.output
    expected = tmp_path / "xdg" / "pmconsole" / "pmconsole.db"
    assert titles(expected) == ["default"]
    listed = CliRunner().invoke(main, ["list", "--json"])
    assert [r["title"] for r in json.loads(listed.stdout)] == ["default"]


def test_unreadable_database_is_one_line(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    new(db, "T")
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if self == db:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", deny)
    monkeypatch.setattr(os, "access", lambda p, m: False if Path(p) == db else True)
    line = one_line_error(run(db, "list"))
    assert "permission denied" in line and str(db) in line


def test_bad_database_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("not a database")
    monkeypatch.setenv("PMCONSOLE_DB", str(bad))
    line = one_line_error(CliRunner().invoke(main, ["list"]))
    assert str(bad) in line


# -- the real executable -------------------------------------------------------------------------


def real(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    if not PMCONSOLE.exists():
        pytest.skip("no pmconsole executable next to this Python")
    env = {**os.environ, "PMCONSOLE_DB": str(db.parent / "unused.db")}
    return subprocess.run([str(PMCONSOLE), "--db", str(db), *args], capture_output=True,
                          text=True, env=env, timeout=60)


def test_real_executable_exit_codes(tmp_path: Path) -> None:
    db = tmp_path / "pm.db"
    created = real("new", "Real", db=db)
    assert (created.returncode, created.stdout, created.stderr) == (0, "1\n", "")
    listed = real("list", "--json", db=db)
    assert listed.returncode == 0 and json.loads(listed.stdout)[0]["title"] == "Real"
    bad_time = real("incident", "1", "--detected", "soon", db=db)
    assert bad_time.returncode == 2
    assert bad_time.stderr.startswith("pmconsole: --detected")
    assert "Traceback" not in bad_time.stderr
    usage = real("metrics", "abc", db=db)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


def test_real_executable_on_a_bad_database(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(os.urandom(4096).replace(b"S", b"s"))
    before = fingerprint(bad)
    for command in (["list"], ["new", "T"], ["open", "1"]):
        done = real(*command, db=bad)
        assert done.returncode == 2, done
        assert done.stdout == ""
        assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
        assert str(bad) in done.stderr
    assert fingerprint(bad) == before


# -- the demo ------------------------------------------------------------------------------------


def test_seed_demo_creates_the_demo_sessions_once() -> None:
    store = Store.memory()
    demo_id = seed_demo(store)
    sessions = store.list_sessions()
    assert len(sessions) == 5
    record = store.load(demo_id)
    assert len(record.timeline) >= 15
    assert record.findings and record.actions
    assert len(record.agenda) == 6
    s = record.session
    assert None not in (s.impact_started, s.detected, s.acknowledged, s.mitigated, s.resolved)
    assert s.timezone != "UTC" and s.attendees
    assert seed_demo(store) == demo_id
    assert len(store.list_sessions()) == 5
    assert len(store.load(demo_id).timeline) == len(record.timeline)


def test_demo_on_a_bad_database_fails_cleanly(tmp_path: Path, no_ui: list[dict[str, Any]]) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("nope")
    line = one_line_error(run(bad, "demo"))
    assert str(bad) in line and no_ui == []
