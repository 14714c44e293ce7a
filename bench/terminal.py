"""Run a program in a pseudo-terminal and time it to its first complete frame.

The parent plays the terminal: it gives the child a PTY of a fixed size, answers
Textual's query for synchronized output (DEC mode 2026, as kitty, WezTerm, iTerm2 and
recent xterm-likes do), and replays everything the child writes on a small virtual
screen (cursor moves, text, line feeds; colours are ignored). A *frame* ends when the
child ends a synchronized update (``ESC [ ? 2026 l``), or, should it not use them, with
each write. The first frame after which every expected text is on the virtual screen is
the first complete frame; the time from just
before the child is spawned to the moment that frame's last byte was read is the result.

Nothing in the measured program is changed or hooked: the whole process (interpreter
start, imports, database, first render) is timed from outside, the same way for the
reference app and for pmconsole.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SYNC_QUERY = b"\x1b[?2026$p"
SYNC_SUPPORTED = b"\x1b[?2026;2$y"  # DECRPM: mode 2026 is "reset" (supported, not active)
SYNC_END = b"\x1b[?2026l"

# CSI (parameters, intermediates, final byte), OSC (to BEL or ST), other two-byte escapes.
_CSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]")
_OSC = re.compile(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
_ESCAPE = re.compile(_CSI.pattern + b"|" + _OSC.pattern + rb"|\x1b[ -/]*[0-~]")


def _complete(data: bytes, start: int) -> bool:
    """Whether the escape sequence at ``start`` is whole. ("ESC [" followed by a cut
    parameter list also reads as a two-byte escape, so CSI and OSC are checked alone.)"""
    if data.startswith(b"\x1b[", start):
        return _CSI.match(data, start) is not None
    if data.startswith(b"\x1b]", start):
        return _OSC.match(data, start) is not None
    return _ESCAPE.match(data, start) is not None


class Screen:
    """A character grid fed with terminal output: enough of VT100 for Textual's frames."""

    def __init__(self, columns: int, rows: int) -> None:
        self.columns = columns
        self.rows = rows
        self.cells = [[" "] * columns for _ in range(rows)]
        self.x = 0
        self.y = 0
        self._pending = b""
        # So is a UTF-8 character (a box-drawing line is three bytes a cell).
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.in_sync = False  # inside a synchronized update: the frame is not finished
        self.frames = 0

    def feed(self, data: bytes) -> None:
        data = self._pending + data
        self._pending = b""
        # An escape sequence cut by the read boundary waits for the next read.
        cut = data.rfind(b"\x1b")
        if cut != -1 and not _complete(data, cut) and len(data) - cut < 64:
            data, self._pending = data[:cut], data[cut:]
        position = 0
        for match in _ESCAPE.finditer(data):
            self._text(data[position:match.start()])
            self._control(match.group())
            position = match.end()
        self._text(data[position:])

    def _control(self, sequence: bytes) -> None:
        if sequence == b"\x1b[?2026h":
            self.in_sync = True
            return
        if sequence == SYNC_END:
            self.in_sync = False
            self.frames += 1
            return
        if not sequence.startswith(b"\x1b[") or sequence[2:3] in (b"?", b">", b"<", b"="):
            return
        final = sequence[-1:]
        params = [int(p) if p.isdigit() else 0 for p in sequence[2:-1].split(b";")]
        if final in (b"H", b"f"):
            row = params[0] if params and params[0] else 1
            column = params[1] if len(params) > 1 and params[1] else 1
            self.y = min(self.rows - 1, row - 1)
            self.x = min(self.columns - 1, column - 1)
        elif final == b"J" and params and params[0] == 2:
            self.cells = [[" "] * self.columns for _ in range(self.rows)]

    def _text(self, chunk: bytes) -> None:
        if not chunk:
            return
        for char in self._decoder.decode(chunk):
            if char == "\r":
                self.x = 0
            elif char == "\n":
                self.y = min(self.rows - 1, self.y + 1)
            elif char >= " ":
                if self.x < self.columns:
                    self.cells[self.y][self.x] = char
                self.x += 1

    def text(self) -> str:
        return "\n".join("".join(row) for row in self.cells)


@dataclass
class FrameResult:
    """Time to the first complete frame, the child's peak memory then, its CPU time."""

    seconds: float
    peak_rss_kib: int | None
    frames: int
    cpu_seconds: float = 0.0


class FrameTimeout(RuntimeError):
    pass


def _peak_rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def time_to_first_frame(
    command: Sequence[str],
    expected: Sequence[str],
    *,
    env: Mapping[str, str],
    size: tuple[int, int] = (120, 36),
    timeout: float = 60.0,
    cwd: str | None = None,
) -> FrameResult:
    """Spawn ``command`` in a PTY of ``size`` (columns, rows); time it to the first frame
    after which every string of ``expected`` is on screen, then kill it."""
    columns, rows = size
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

    def controlling_terminal() -> None:  # runs in the child, before exec
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    screen = Screen(columns, rows)
    result: FrameResult | None = None
    start = time.perf_counter()
    child = subprocess.Popen(
        list(command), stdin=slave, stdout=slave, stderr=slave, env=dict(env), cwd=cwd,
        preexec_fn=controlling_terminal, close_fds=True,
    )
    os.close(slave)
    tail = b""
    try:
        deadline = start + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise FrameTimeout(f"no complete frame within {timeout:.0f} s: {command}\n"
                                   f"screen:\n{screen.text()}")
            ready, _, _ = select.select([master], [], [], min(left, 0.5))
            if not ready:
                if child.poll() is not None:
                    raise FrameTimeout(f"{command} exited ({child.returncode}) before a "
                                       f"complete frame:\n{screen.text()}")
                continue
            try:
                data = os.read(master, 1 << 16)
            except OSError:  # EIO: the child closed the terminal
                raise FrameTimeout(f"{command} closed the terminal:\n{screen.text()}") from None
            now = time.perf_counter()
            screen.feed(data)
            window = tail + data
            if SYNC_QUERY in window and SYNC_QUERY not in tail:
                os.write(master, SYNC_SUPPORTED)
            tail = window[-16:]
            if not screen.in_sync:
                shown = screen.text()
                if all(text in shown for text in expected):
                    result = FrameResult(now - start, _peak_rss_kib(child.pid), screen.frames)
                    break
    finally:
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        cpu = _reap(child)
        os.close(master)
    assert result is not None
    result.cpu_seconds = cpu
    return result


def _reap(child: subprocess.Popen[bytes]) -> float:
    """Wait for the child; its CPU time (user + system), which machine load hardly changes."""
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def time_process(command: Sequence[str], *, env: Mapping[str, str],
                 cwd: str | None = None) -> tuple[float, float]:
    """Wall and CPU time of a process that runs to completion (output discarded)."""
    start = time.perf_counter()
    child = subprocess.Popen(list(command), env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cpu = _reap(child)
    elapsed = time.perf_counter() - start
    if child.returncode != 0:
        raise RuntimeError(f"{command} exited {child.returncode}")
    return elapsed, cpu
