"""Whole-process figures: start-up to the first frame, CLI commands, peak memory.

Each program runs as its own process, from spawn, the way a user starts it; runs of the
subject and of its reference alternate (ABBA order) so that a machine getting busier or
quieter during the run affects both sides alike. One unmeasured run of each comes first
(byte-code compilation, disk cache).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence

from bench.context import BENCH_DIR, TERMINAL_SIZE, Context
from bench.figures import Budget, Figure, Side
from bench.terminal import time_process, time_to_first_frame

PALETTE = "palette"  # the footer's last word: written at the end of every full frame

# Runs one pmconsole command in this interpreter, then reports which textual modules it
# imported (to the file named first, since the command may write to stdout).
IMPORT_PROBE = """
import json, sys
out, args = sys.argv[1], sys.argv[2:]
sys.argv = ["pmconsole", *args]
code = 0
try:
    from pmconsole.cli import main
    main()
except SystemExit as exit:
    code = exit.code or 0
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
with open(out, "w") as handle:
    json.dump({"code": code, "textual": loaded}, handle)
"""


Measure = Callable[[], tuple[float, float]]


def alternate(ctx: Context, runs: int, first: Measure, second: Measure,
              first_label: str, second_label: str) -> tuple[Side, Side]:
    """Run two measurements ``runs`` times each, in ABBA order, after one unmeasured run
    of each (skipped by the smoke run); (wall, CPU) seconds → ms."""
    if not ctx.smoke:
        first()
        second()
    a = Side(first_label)
    b = Side(second_label)
    for index in range(runs):
        order = ((a, first), (b, second)) if index % 2 == 0 else ((b, second), (a, first))
        for side, measure in order:
            wall, cpu = measure()
            side.samples.append(wall * 1000)
            side.cpu.append(cpu * 1000)
    return a, b


def frame_time(ctx: Context, command: Sequence[str], expected: Sequence[str]) -> Measure:
    def measure() -> tuple[float, float]:
        result = time_to_first_frame(command, expected, env=ctx.env, size=TERMINAL_SIZE,
                                     cwd=str(ctx.work))
        return result.seconds, result.cpu_seconds
    return measure


def textual_imported(ctx: Context, args: Sequence[str]) -> bool:
    out = ctx.work / "probe.json"
    done = subprocess.run([ctx.python, "-c", IMPORT_PROBE, str(out), *args], env=ctx.env,
                          cwd=str(ctx.work), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          timeout=120)
    report = json.loads(out.read_text())
    if report["code"] != 0:
        raise RuntimeError(f"pmconsole {' '.join(args)} exited {report['code']}: "
                           f"{done.stderr.decode()[-500:]}")
    return bool(report["textual"])


def startup_demo(ctx: Context) -> Figure:
    demo = [*ctx.pmconsole, "demo"]
    # The demo title, the Timeline pane and the footer: the console is on screen.
    demo_markers = ["Card payments declined", "Timeline", PALETTE]
    reference_markers = ["Minimal reference app", PALETTE]
    subject, reference = alternate(
        ctx, ctx.repeats.processes,
        frame_time(ctx, demo, demo_markers),
        frame_time(ctx, ctx.minimal_app, reference_markers),
        "pmconsole demo", "minimal Textual app (Header, Static, Footer), same PTY",
    )
    return Figure(
        key="startup_demo",
        title="start-up: `pmconsole demo` → first frame",
        method=f"Whole process in a {TERMINAL_SIZE[0]}×{TERMINAL_SIZE[1]} PTY, from spawn to the "
               "end of the first synchronized frame showing the demo title, the Timeline pane "
               "and the footer; demo database already seeded.",
        subject=subject,
        reference=reference,
        budget=Budget(ratio_max=1.6),
    )


def startup_skeleton(ctx: Context) -> Figure:
    skeleton = [ctx.python, str(BENCH_DIR / "skeleton_app.py")]
    subject, reference = alternate(
        ctx, ctx.repeats.processes,
        frame_time(ctx, skeleton, ["Skeleton reference app", "Timeline", PALETTE]),
        frame_time(ctx, ctx.minimal_app, ["Minimal reference app", PALETTE]),
        "five-pane skeleton (bench/skeleton_app.py)",
        "minimal Textual app (Header, Static, Footer), same PTY",
    )
    return Figure(
        key="startup_skeleton",
        title="start-up: five-pane skeleton → first frame",
        method="As the `pmconsole demo` figure, for a Textual app with the console's layout "
               "and nothing behind it (informative: what the layout alone costs).",
        subject=subject,
        reference=reference,
    )


def _cli_figure(ctx: Context, key: str, title: str, args: Sequence[str]) -> Figure:
    command = [*ctx.pmconsole, *args]
    subject, reference = alternate(
        ctx, ctx.repeats.processes,
        lambda: time_process(command, env=ctx.env, cwd=str(ctx.work)),
        lambda: time_process([ctx.python, "-c", "pass"], env=ctx.env, cwd=str(ctx.work)),
        f"pmconsole {' '.join(args)}", "python -c pass",
    )
    return Figure(
        key=key,
        title=title,
        method="Whole process to exit, output discarded; the Textual check runs the same "
               "command in a fresh interpreter and looks at sys.modules afterwards.",
        subject=subject,
        reference=reference,
        budget=Budget(no_textual=True),
        textual_imported=textual_imported(ctx, args),
    )


def startup_help(ctx: Context) -> Figure:
    return _cli_figure(ctx, "startup_help", "`pmconsole --help`", ["--help"])


def startup_export(ctx: Context) -> Figure:
    args = ["--db", str(ctx.console.path), "export", str(ctx.console.small_id)]
    return _cli_figure(ctx, "startup_export", "`pmconsole export` (10 events)", args)


def home_first_frame(ctx: Context) -> Figure:
    many, few = len(ctx.history_many_ids), len(ctx.history_few_ids)
    subject, reference = alternate(
        ctx, ctx.repeats.console_processes,
        frame_time(ctx, [*ctx.pmconsole, "--db", str(ctx.history_many)],
                   ["Post-mortem sessions", f"{many:,} sessions", PALETTE]),
        frame_time(ctx, [*ctx.pmconsole, "--db", str(ctx.history_few)],
                   ["Post-mortem sessions", f"{few:,} sessions", PALETTE]),
        f"{many:,} sessions", f"{few:,} sessions",
    )
    return Figure(
        key="home_first_frame",
        title=f"home screen, {many:,} sessions → first frame",
        method="`pmconsole --db FILE` (the session list) in a PTY, spawn to the first frame "
               "showing the list's title, its session count and the footer.",
        subject=subject,
        reference=reference,
    )


def console_processes(ctx: Context) -> list[Figure]:
    """`pmconsole open` of the big and the small meeting: time to first frame, peak RSS."""
    from pmconsole.store.repository import Store

    store = Store.open(ctx.console.path, readonly=True)
    try:
        titles = {sid: store.get_session(sid).title[:24]
                  for sid in (ctx.console.big_id, ctx.console.small_id)}
    finally:
        store.close()
    memory: dict[int, list[float]] = {ctx.console.big_id: [], ctx.console.small_id: []}

    def run(session_id: int) -> Measure:
        def measure() -> tuple[float, float]:
            result = time_to_first_frame(
                [*ctx.pmconsole, "--db", str(ctx.console.path), "open", str(session_id)],
                [titles[session_id], "Timeline", PALETTE],
                env=ctx.env, size=TERMINAL_SIZE, cwd=str(ctx.work),
            )
            if result.peak_rss_kib is not None:
                memory[session_id].append(result.peak_rss_kib)
            return result.seconds, result.cpu_seconds
        return measure

    sizes = ctx.sizes
    big, small = alternate(
        ctx, ctx.repeats.console_processes, run(ctx.console.big_id), run(ctx.console.small_id),
        f"{sizes.big_events:,} events, {sizes.big_actions:,} action items",
        f"{sizes.small_events} events, {sizes.small_actions} action items",
    )
    # The warm-up runs' memory counts too: peak memory does not depend on caches.
    return [
        Figure(
            key="open_session_process",
            title=f"`pmconsole open`, {sizes.big_events:,} events → first frame",
            method="Whole process in a PTY, spawn to the first frame showing the session "
                   "title, the Timeline pane and the footer (informative: the in-process "
                   "'open a session' figure is the one with the budget).",
            subject=big,
            reference=small,
        ),
        Figure(
            key="memory_console",
            title=f"peak memory (RSS), console with {sizes.big_events:,} events",
            method="VmHWM of the `pmconsole open` process (/proc/PID/status) at its first "
                   "complete frame.",
            unit="KiB",
            subject=Side(f"{sizes.big_events:,} events", memory[ctx.console.big_id]),
            reference=Side(f"{sizes.small_events} events", memory[ctx.console.small_id]),
        ),
    ]
