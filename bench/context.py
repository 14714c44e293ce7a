"""What every measurement shares: sizes, repetitions, generated databases, environment."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import SMOKE_SIZES, ConsoleData, Sizes, console_db, history_db

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
TERMINAL_SIZE = (120, 36)


@dataclass(frozen=True)
class Repeats:
    """How many times each thing is measured (per side)."""

    processes: int = 9        # start-up runs of each program, interleaved with the reference
    console_processes: int = 4  # `pmconsole open` / home screen in a PTY (time, peak memory)
    rounds: int = 3           # in-process rounds; each starts fresh apps for both sizes
    keys: int = 16            # key presses per figure per round
    adds: int = 8             # quick-adds per round
    opens: int = 2            # session opens per round (after one unmeasured open)
    search: int = 5           # repetitions of each search query
    export: int = 7


SMOKE_REPEATS = Repeats(processes=1, console_processes=1, rounds=1, keys=2, adds=2, opens=1,
                        search=1, export=1)


@dataclass
class Context:
    smoke: bool
    work: Path
    sizes: Sizes
    repeats: Repeats
    env: dict[str, str]
    console: ConsoleData
    history_many: Path
    history_few: Path
    history_many_ids: list[int]
    history_few_ids: list[int]
    demo_db: Path
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def python(self) -> str:
        return sys.executable

    @property
    def pmconsole(self) -> list[str]:
        """How a user starts pmconsole: the console script installed beside this Python."""
        script = Path(sys.executable).parent / "pmconsole"
        return [str(script)] if script.exists() else [sys.executable, "-m", "pmconsole"]

    @property
    def minimal_app(self) -> list[str]:
        return [sys.executable, str(BENCH_DIR / "minimal_app.py")]


def compile_bytecode() -> None:
    """Measure pmconsole as it runs once installed: its modules compiled to bytecode.

    pip compiles a package's bytecode when it installs it (Textual's is, for the reference
    apps), but not a package installed for development (``pip install -e``, as the
    Makefile does); Python then compiles each changed module on first import and caches
    it, unless PYTHONDONTWRITEBYTECODE is set (as on some CI machines), in which case every
    start compiles pmconsole again: tens of milliseconds the reference apps never pay.
    """
    import compileall

    import pmconsole

    compileall.compile_dir(str(Path(pmconsole.__file__).parent), quiet=1)


def subprocess_env(work: Path) -> dict[str, str]:
    """A terminal-like environment with the user's config and data kept out of the way."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "PMCONSOLE"))}
    env.update(
        TERM="xterm-256color",
        COLORTERM="truecolor",
        LANG=env.get("LANG") or "C.UTF-8",
        PMCONSOLE_DB=str(work / "demo.db"),
        PMCONSOLE_CONFIG_DIR=str(work / "config"),
        XDG_DATA_HOME=str(work / "xdg-data"),
        XDG_CONFIG_HOME=str(work / "xdg-config"),
    )
    env.pop("NO_COLOR", None)
    return env


def prepare(smoke: bool, keep: Path | None = None) -> Context:
    """Generate every database (seeded) into a fresh working folder."""
    sizes = SMOKE_SIZES if smoke else Sizes()
    repeats = SMOKE_REPEATS if smoke else Repeats()
    if keep is not None:
        if keep.exists():
            shutil.rmtree(keep)
        keep.mkdir(parents=True)
        work = keep
    else:
        work = Path(tempfile.mkdtemp(prefix="pmconsole-bench-"))
    (work / "config").mkdir()
    compile_bytecode()
    timings = {}
    start = time.perf_counter()
    console = console_db(work / "console.db", sizes)
    timings["generate_console_s"] = time.perf_counter() - start
    start = time.perf_counter()
    many = history_db(work / "history-many.db", sizes.many_sessions, sizes.entries_per_session)
    few = history_db(work / "history-few.db", sizes.few_sessions, sizes.entries_per_session)
    timings["generate_history_s"] = time.perf_counter() - start
    return Context(
        smoke=smoke, work=work, sizes=sizes, repeats=repeats, env=subprocess_env(work),
        console=console, history_many=work / "history-many.db",
        history_few=work / "history-few.db", history_many_ids=many, history_few_ids=few,
        demo_db=work / "demo.db", timings=timings,
    )
