"""Run the real console in a pseudo-terminal, type into it, read its screen, kill it.

``PtyConsole`` starts ``python -m pmconsole ...`` on the slave side of a PTY of a given size
and feeds everything it writes into ``TerminalScreen``, a small terminal emulator that
understands what Textual sends (cursor positioning, erase, text; colours and modes are
ignored). Tests then ask what is on the screen *now* rather than grepping the byte stream,
which also contains the echo of whatever is being typed.

Every read has a deadline and ``close()`` always kills the child, so a test never hangs
and never leaves a process behind.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.cells import get_character_cell_size

ROOT = Path(__file__).resolve().parents[2]

# CSI: ESC [ params intermediates final; OSC/DCS/APC/PM end with BEL or ST.
_CSI = re.compile(r"\x1b\[([0-?]*)([ -/]*)([@-~])")
_STRING = re.compile(r"\x1b[\]P_^X].*?(?:\x07|\x1b\\)", re.DOTALL)


class TerminalScreen:
    """Just enough of a VT100 to know what Textual has put where."""

    def __init__(self, columns: int, lines: int) -> None:
        self.columns = columns
        self.lines = lines
        self.grid = [[" "] * columns for _ in range(lines)]
        self.x = 0
        self.y = 0
        self.saved = (0, 0)
        self._pending = ""
        # Synchronized output (mode 2026): Textual brackets each frame, and a frame is only
        # "on the screen" once complete, so no test ever reads a half-drawn one.
        self.syncing = False
        self._frame = self._render()
        self.replies: list[str] = []  # answers to the terminal's queries, for the PTY

    def resize(self, columns: int, lines: int) -> None:
        grid = [[" "] * columns for _ in range(lines)]
        for y in range(min(lines, self.lines)):
            for x in range(min(columns, self.columns)):
                grid[y][x] = self.grid[y][x]
        self.grid, self.columns, self.lines = grid, columns, lines
        self.x, self.y = min(self.x, columns - 1), min(self.y, lines - 1)
        self._frame = self._render()

    def text(self) -> str:
        """The last complete frame."""
        return self._frame

    def _render(self) -> str:
        return "\n".join(self.row(y) for y in range(self.lines))

    def row(self, y: int) -> str:
        return "".join(c for c in self.grid[y] if c != "")

    def feed(self, data: str) -> None:
        self._feed(data)
        if not self.syncing:
            self._frame = self._render()

    def _feed(self, data: str) -> None:
        data = self._pending + data
        self._pending = ""
        i = 0
        n = len(data)
        while i < n:
            ch = data[i]
            if ch == "\x1b":
                if i + 1 >= n:
                    self._pending = data[i:]
                    return
                nxt = data[i + 1]
                if nxt == "[":
                    m = _CSI.match(data, i)
                    if m is None:
                        if re.fullmatch(r"\x1b\[[0-?]*[ -/]*", data[i:]):
                            self._pending = data[i:]  # sequence split across reads
                            return
                        i += 2
                        continue
                    self._csi(m.group(1), m.group(2), m.group(3))
                    i = m.end()
                elif nxt in "]P_^X":
                    m = _STRING.match(data, i)
                    if m is None:
                        self._pending = data[i:]
                        return
                    i = m.end()
                elif nxt == "7":
                    self.saved = (self.x, self.y)
                    i += 2
                elif nxt == "8":
                    self.x, self.y = self.saved
                    i += 2
                elif nxt in "()#%":
                    i += 3
                else:
                    i += 2
            elif ch == "\r":
                self.x = 0
                i += 1
            elif ch == "\n":
                self.y = min(self.y + 1, self.lines - 1)
                i += 1
            elif ch == "\b":
                self.x = max(0, self.x - 1)
                i += 1
            elif ord(ch) < 0x20 or ch == "\x7f":
                i += 1
            else:
                self._put(ch)
                i += 1

    def _put(self, ch: str) -> None:
        width = get_character_cell_size(ch)
        if width == 0:
            return
        if self.x + width > self.columns:
            return  # autowrap is off in Textual (DECAWM reset): clip
        self.grid[self.y][self.x] = ch
        if width == 2:
            self.grid[self.y][self.x + 1] = ""
        self.x += width

    def _csi(self, params: str, inter: str, final: str) -> None:
        if params == "?2026" and inter == "$" and final == "p":
            self.replies.append("\x1b[?2026;2$y")  # DECRPM: synchronized output supported
            return
        if params == "?2026" and final in "hl":
            self.syncing = final == "h"
            if not self.syncing:
                self._frame = self._render()
            return
        if params.startswith(("?", ">", "<", "=")) or inter:
            return  # other modes, queries, keyboard protocol: nothing to draw
        nums = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []

        def arg(k: int, default: int) -> int:
            return nums[k] if len(nums) > k and nums[k] else default

        if final in "Hf":
            self.y = min(max(arg(0, 1) - 1, 0), self.lines - 1)
            self.x = min(max(arg(1, 1) - 1, 0), self.columns - 1)
        elif final == "A":
            self.y = max(0, self.y - arg(0, 1))
        elif final == "B":
            self.y = min(self.lines - 1, self.y + arg(0, 1))
        elif final == "C":
            self.x = min(self.columns - 1, self.x + arg(0, 1))
        elif final == "D":
            self.x = max(0, self.x - arg(0, 1))
        elif final == "G":
            self.x = min(max(arg(0, 1) - 1, 0), self.columns - 1)
        elif final == "d":
            self.y = min(max(arg(0, 1) - 1, 0), self.lines - 1)
        elif final == "J":
            mode = arg(0, 0)
            rows = range(self.lines)
            if mode == 0:
                self.grid[self.y][self.x:] = [" "] * (self.columns - self.x)
                rows = range(self.y + 1, self.lines)
            elif mode == 1:
                rows = range(0, self.y)
            for y in rows:
                self.grid[y] = [" "] * self.columns
        elif final == "K":
            mode = arg(0, 0)
            line = self.grid[self.y]
            if mode == 0:
                line[self.x:] = [" "] * (self.columns - self.x)
            elif mode == 1:
                line[: self.x + 1] = [" "] * (self.x + 1)
            else:
                self.grid[self.y] = [" "] * self.columns
        # m (colours), r (scroll region), s/u and the rest do not move text we look at.


def set_size(fd: int, columns: int, lines: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))


class ConsoleDied(AssertionError):
    """The console process ended while the test still expected it to run."""


class PtyConsole:
    """One ``python -m pmconsole`` process on a PTY, with a screen emulator on the other end."""

    def __init__(self, args: Sequence[str], *, columns: int = 120, lines: int = 36,
                 env: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
        self.screen = TerminalScreen(columns, lines)
        self.raw = bytearray()
        child_env = {k: v for k, v in os.environ.items()
                     if not k.startswith(("TEXTUAL", "PYTEST", "COLUMNS", "LINES"))}
        child_env.pop("PYTHONDONTWRITEBYTECODE", None)  # 55 start-ups: let them share .pyc files
        child_env.update(TERM="xterm-256color", COLUMNS=str(columns), LINES=str(lines),
                         PYTHONUNBUFFERED="1")
        child_env.update(env or {})
        argv = [sys.executable, "-m", "pmconsole", *args]
        # forkpty: a new session whose controlling terminal is the PTY, as in a real terminal
        # (so closing our end hangs the child up instead of leaving it running).
        pid, self.master = os.forkpty()
        if pid == 0:  # the child: only exec, nothing else (the parent may have threads)
            try:
                os.chdir(cwd)
                os.execve(argv[0], argv, child_env)
            finally:
                os._exit(127)
        self.pid = pid
        self.returncode: int | None = None
        set_size(self.master, columns, lines)
        os.set_blocking(self.master, False)
        self._decoder_buffer = b""
        self.started_at = time.monotonic()

    # -- output ---------------------------------------------------------------------------------

    def poll(self) -> int | None:
        """The exit status (negative: killed by that signal), or None while it runs."""
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def alive(self) -> bool:
        return self.poll() is None

    def wait(self, timeout: float) -> int | None:
        """Wait for the exit (reading the output meanwhile); None if still running."""
        deadline = time.monotonic() + timeout
        while self.alive() and time.monotonic() < deadline:
            self.pump(0.02)
        return self.poll()

    def pump(self, timeout: float = 0.0) -> bool:
        """Read whatever the console wrote (waiting at most ``timeout``); True if anything came."""
        got = False
        deadline = time.monotonic() + timeout
        while True:
            wait = max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.master], [], [], wait)
            if not ready:
                return got
            try:
                chunk = os.read(self.master, 65536)
            except OSError as error:
                if error.errno in (errno.EIO, errno.EBADF):  # child gone: slave closed
                    return got
                if error.errno == errno.EAGAIN:
                    continue
                raise
            if not chunk:
                return got
            got = True
            self.raw.extend(chunk)
            data = self._decoder_buffer + chunk
            try:
                text = data.decode("utf-8")
                self._decoder_buffer = b""
            except UnicodeDecodeError as error:
                if error.start >= len(data) - 3:  # a character split across reads
                    text = data[: error.start].decode("utf-8")
                    self._decoder_buffer = data[error.start:]
                else:
                    text = data.decode("utf-8", errors="replace")
                    self._decoder_buffer = b""
            self.screen.feed(text)
            while self.screen.replies:
                os.write(self.master, self.screen.replies.pop(0).encode())
            # Keep reading what is already there, but do not wait again.
            deadline = time.monotonic()

    def text(self) -> str:
        return self.screen.text()

    def wait_for(self, predicate: Callable[[str], bool], timeout: float,
                 what: str = "the screen") -> str:
        """Pump output until ``predicate(screen text)`` holds; raise with the screen if not."""
        deadline = time.monotonic() + timeout
        while True:
            self.pump(0.0)
            screen = self.text()
            if predicate(screen):
                return screen
            if not self.alive():
                self.pump(0.05)
                raise ConsoleDied(f"console exited ({self.returncode}) waiting for {what}:\n"
                                  f"{self.text()}\n--- tail of output ---\n{self.tail()}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"timed out waiting for {what}; screen:\n{screen}")
            self.pump(min(0.05, left))

    def wait_for_text(self, needle: str, timeout: float = 10.0) -> str:
        return self.wait_for(lambda s: needle in s, timeout, repr(needle))

    def tail(self, size: int = 2000) -> str:
        return bytes(self.raw[-size:]).decode("utf-8", errors="replace")

    # -- input ------------------------------------------------------------------------------------

    def send(self, keys: str) -> None:
        """Write keys as a terminal would (Enter is \\r, Escape \\x1b)."""
        data = keys.encode("utf-8")
        deadline = time.monotonic() + 5
        while data:
            try:
                written = os.write(self.master, data)
            except BlockingIOError:
                written = 0
            data = data[written:]
            if data:
                self.pump(0.01)  # the child is busy: keep draining its output
                if time.monotonic() > deadline:
                    raise TimeoutError("the console stopped reading its input")

    def resize(self, columns: int, lines: int) -> None:
        set_size(self.master, columns, lines)
        self.screen.resize(columns, lines)
        if self.alive():
            os.kill(self.pid, signal.SIGWINCH)

    # -- ending -----------------------------------------------------------------------------------

    def kill(self) -> None:
        """``kill -9``: no handler, no flush, no goodbye."""
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                _, status = os.waitpid(self.pid, 0)  # SIGKILL cannot be ignored: this returns
                self.returncode = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                pass

    def close(self) -> None:
        self.kill()
        try:
            os.close(self.master)
        except OSError:
            pass

    def __enter__(self) -> PtyConsole:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def render_digits(text: str) -> list[str]:
    """The three lines Textual's Digits widget draws for ``text`` (its own font)."""
    from rich.console import Console
    from textual.renderables.digits import Digits

    console = Console(width=200, legacy_windows=False, color_system=None)
    lines = console.render_lines(Digits(text), console.options, pad=False)
    return ["".join(segment.text for segment in line) for line in lines[:3]]


def shows_digits(screen: str, text: str) -> bool:
    """Whether the screen shows ``text`` drawn in Digits glyphs (three aligned lines)."""
    glyphs = render_digits(text)
    rows = screen.split("\n")
    for y in range(len(rows) - 2):
        start = rows[y].find(glyphs[0])
        while start != -1:
            if rows[y + 1][start:start + len(glyphs[1])] == glyphs[1] and \
                    rows[y + 2][start:start + len(glyphs[2])] == glyphs[2]:
                return True
            start = rows[y].find(glyphs[0], start + 1)
    return False
