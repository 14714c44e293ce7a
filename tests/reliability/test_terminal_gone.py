"""The terminal goes away without a hang-up signal reaching the console (it was started by
make or a script that took the signal): the console leaves instead of spinning for ever."""

from __future__ import annotations

import os
import shlex
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_console_leaves_when_its_terminal_is_gone(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "PYTEST"))}
    env.update(TERM="xterm-256color", XDG_DATA_HOME=str(tmp_path / "data"),
               PMCONSOLE_CONFIG_DIR=str(tmp_path / "config"))
    # SIGHUP ignored, as when the program that started the console took the hang-up.
    command = f"trap '' HUP; exec {shlex.quote(sys.executable)} -m pmconsole demo"
    pid, master = os.forkpty()
    if pid == 0:
        try:
            os.chdir(ROOT)
            os.execve("/bin/sh", ["/bin/sh", "-c", command], env)
        finally:
            os._exit(127)
    try:
        # Wait for the first frame (the key line's palette), reading what it writes.
        seen = b""
        deadline = time.monotonic() + 60
        while b"palette" not in seen and time.monotonic() < deadline:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
        assert b"palette" in seen, seen[-500:]
        os.close(master)  # the terminal is gone
        deadline = time.monotonic() + 10
        status = None
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the console was still running 10 s after its terminal went away")
        assert status is not None and os.waitstatus_to_exitcode(status) == 1
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
