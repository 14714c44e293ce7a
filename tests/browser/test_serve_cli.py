"""``pmconsole serve`` on the command line: the command it serves, the host it binds, warnings."""

from __future__ import annotations

import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pmconsole.cli import main
from pmconsole.cli import serve as serve_module
from tests.browser.cdp import wait_for
from tests.browser.console_page import clean_env, pmconsole_argv, start_serve


@pytest.fixture
def db_with_session(tmp_path: Path) -> tuple[Path, int]:
    from pmconsole.domain.model import Session
    from pmconsole.store.repository import Store

    db = tmp_path / "my dir" / "it's.db"  # a space and a quote, for the shell command
    db.parent.mkdir()
    store = Store.open(db)
    session_id = store.create_session(Session(title="Checkout outage")).id
    store.close()
    assert session_id is not None
    return db, session_id


@pytest.fixture
def served_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record what ``serve`` would start instead of starting a web server."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(serve_module, "check_can_listen", lambda host, port: None)
    monkeypatch.setattr(serve_module, "run_server",
                        lambda command, **kwargs: calls.append({"command": command, **kwargs}))
    return calls


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_app_command_runs_this_python_on_the_absolute_database(tmp_path: Path) -> None:
    db = tmp_path / "a b" / "x'y.db"
    command = serve_module.app_command(db, 7)
    assert shlex.split(command) == [sys.executable, "-m", "pmconsole", "--db",
                                    str(db.resolve()), "open", "7"]
    assert shlex.split(serve_module.app_command(db)) == [sys.executable, "-m", "pmconsole",
                                                         "--db", str(db.resolve())]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("::1", True),
     ("[::1]", True), ("0.0.0.0", False), ("::", False), ("", False), ("192.168.1.10", False),
     ("meeting-room.example", False)],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert serve_module.is_loopback(host) is loopback


def test_public_url() -> None:
    assert serve_module.default_public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert serve_module.default_public_url("::1", 8123) == "http://[::1]:8123"
    wildcard = serve_module.default_public_url("0.0.0.0", 8000)
    assert "0.0.0.0" not in wildcard and wildcard.endswith(":8000")


def test_defaults_bind_loopback_without_a_warning(
    db_with_session: tuple[Path, int], served_calls: list[dict[str, Any]]
) -> None:
    db, session_id = db_with_session
    result = invoke("--db", str(db), "serve", str(session_id))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    (call,) = served_calls
    assert call["host"] == "127.0.0.1" and call["port"] == 8000
    assert call["public_url"] == "http://127.0.0.1:8000"
    assert call["title"] == "pmconsole: Checkout outage"
    assert shlex.split(call["command"])[-4:] == ["--db", str(db.resolve()), "open",
                                                 str(session_id)]


def test_serve_db_option_and_home_screen(
    db_with_session: tuple[Path, int], served_calls: list[dict[str, Any]], tmp_path: Path
) -> None:
    db, _ = db_with_session
    result = invoke("--db", str(tmp_path / "other.db"), "serve", "--db", str(db), "--port", "8123")
    assert result.exit_code == 0, result.output
    (call,) = served_calls
    assert call["port"] == 8123
    assert shlex.split(call["command"])[-2:] == ["--db", str(db.resolve())]  # no "open N"
    assert not (tmp_path / "other.db").exists()


def test_non_loopback_host_warns_that_there_is_no_authentication(
    db_with_session: tuple[Path, int], served_calls: list[dict[str, Any]]
) -> None:
    db, _ = db_with_session
    result = invoke("--db", str(db), "serve", "--host", "0.0.0.0",
                    "--public-url", "http://meeting-pc:8000/")
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.stderr and "NO authentication" in result.stderr
    assert "SSH tunnel" in result.stderr
    (call,) = served_calls
    assert call["host"] == "0.0.0.0" and call["public_url"] == "http://meeting-pc:8000"


def test_unknown_session_fails_before_serving(
    db_with_session: tuple[Path, int], served_calls: list[dict[str, Any]]
) -> None:
    db, _ = db_with_session
    result = invoke("--db", str(db), "serve", "999")
    assert result.exit_code == 2
    assert "no session with id 999" in result.stderr
    assert served_calls == []


def test_port_in_use_is_a_clear_error(db_with_session: tuple[Path, int]) -> None:
    import socket

    db, _ = db_with_session
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke("--db", str(db), "serve", "--port", str(port))
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_serve_help_does_not_import_textual(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from pmconsole.cli import main\n"
        "try:\n"
        "    main(['serve', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('textual', 'textual_serve', "
        "'aiohttp')]\n"
        "print('LOADED', loaded)\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=60, env=clean_env(tmp_path / "config"))
    assert ran.returncode == 0, ran.stderr
    assert "--public-url" in ran.stdout
    assert "LOADED []" in ran.stdout


def _listening_addresses(port: int) -> set[str]:
    """Local addresses listening on ``port``, from /proc/net/tcp{,6} (Linux)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


def test_serve_prints_its_url_and_listens_on_loopback_only(tmp_path: Path) -> None:
    db = tmp_path / "pm.db"
    title = "[b]Checkout[/] <script>alert(1)</script>"  # the page title is the session's
    made = subprocess.run([*pmconsole_argv(), "--db", str(db), "new", title], check=True,
                          capture_output=True, text=True, timeout=60,
                          env=clean_env(tmp_path / "config"))
    served = start_serve(db, int(made.stdout), tmp_path)
    try:
        output = wait_for("the URL on stdout",
                          lambda: served.output() if served.url in served.output() else None, 15)
        assert "(Ctrl+C to stop)" in output
        with urllib.request.urlopen(served.url + "/", timeout=10) as page:
            html = page.read().decode()
        assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in html
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html
        if Path("/proc/net/tcp").exists():
            assert _listening_addresses(served.port) == {"0100007F"}  # 127.0.0.1 only
    finally:
        served.stop()
    assert served.process.returncode is not None
