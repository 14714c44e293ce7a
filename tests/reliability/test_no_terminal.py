"""A console started without a terminal (input from a file or a pipe, under cron or a
script) says so and leaves; Textual alone would read end of file at full CPU for ever."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pmconsole.cli import console

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("args", [["demo"], ["demo", "--fresh"], [], ["open", "1"]])
def test_without_a_terminal_the_console_refuses_at_once(args: list[str], tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    subprocess.run([sys.executable, "-m", "pmconsole", "--db", str(db), "new", "Real incident"],
                   check=True, cwd=ROOT, capture_output=True)
    before = db.read_bytes()
    data = Path(os.environ["XDG_DATA_HOME"])
    command = [sys.executable, "-m", "pmconsole", *([] if args[:1] == ["demo"] else ["--db", str(db)]),
               *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.strip().splitlines() == [
        "pmconsole: the console needs a terminal, and its standard input is not one; run it in "
        "a terminal, or share it in a browser with `pmconsole serve`."
    ]
    assert db.read_bytes() == before
    assert not (data / "pmconsole" / "demo.db").exists()  # the demo wrote nothing either


def test_without_a_terminal_no_database_is_created(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    done = subprocess.run([sys.executable, "-m", "pmconsole", "--db", str(db)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)
    assert done.returncode == 2 and "needs a terminal" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_without_a_terminal_a_crashed_database_is_left_as_it_is(tmp_path: Path) -> None:
    """A database whose last run crashed still has its write-ahead log: opening it for
    writing would merge the log into the file. A console that cannot run only reads it."""
    import shutil

    from pmconsole.domain.model import Session
    from pmconsole.store.repository import Store

    live = Store.open(tmp_path / "live.db")
    live.add(Session(title="written before the crash"))
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for suffix in ("", "-wal"):  # the files as a crash leaves them (the log not merged)
        shutil.copy(f"{tmp_path / 'live.db'}{suffix}", f"{crashed / 'team.db'}{suffix}")
    live.close()
    db = crashed / "team.db"
    before = (db.read_bytes(), Path(f"{db}-wal").read_bytes())
    assert before[1], "the log should hold the session"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    done = subprocess.run([sys.executable, "-m", "pmconsole", "--db", str(db), "open", "1"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)
    assert done.returncode == 2 and "needs a terminal" in done.stderr, done.stderr
    assert (db.read_bytes(), Path(f"{db}-wal").read_bytes()) == before


def test_under_textual_serve_the_browser_is_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")
    monkeypatch.setattr(console.sys, "__stdin__", None)
    assert console.terminal_problem() is None
    monkeypatch.delenv("TEXTUAL_DRIVER")
    assert "standard input is not one" in (console.terminal_problem() or "")
