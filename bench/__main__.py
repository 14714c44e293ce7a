"""``python -m bench``: run the benchmark, print the table, write the JSON.

    python -m bench                 full sizes (about 2–4 minutes)
    python -m bench --smoke         tiny sizes, a few repetitions (well under a minute):
                                    proves every figure can still be measured
    python -m bench --output FILE   JSON somewhere else (default: bench/results.json; for
                                    --smoke, pmconsole-bench-smoke.json in the temp folder,
                                    so a smoke run never replaces real results)
    python -m bench --only search,export_markdown
                                    some figures only (for working on one of them)
    python -m bench --strict        exit 1 when a budget does not hold
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from bench.context import ROOT, Context, prepare
from bench.figures import FIGURE_KEYS, Figure, table

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results.json"
SMOKE_OUTPUT = Path(tempfile.gettempdir()) / "pmconsole-bench-smoke.json"


def _groups() -> list[tuple[tuple[str, ...], Callable[[Context], list[Figure]]]]:
    from bench import measure_app, measure_process, measure_store

    return [
        (("startup_demo",), lambda c: [measure_process.startup_demo(c)]),
        (("startup_skeleton",), lambda c: [measure_process.startup_skeleton(c)]),
        (("startup_help",), lambda c: [measure_process.startup_help(c)]),
        (("startup_export",), lambda c: [measure_process.startup_export(c)]),
        (("home_first_frame",), lambda c: [measure_process.home_first_frame(c)]),
        (("open_session_process", "memory_console"), measure_process.console_processes),
        (("search",), lambda c: [measure_store.search_figure(c)]),
        (("export_markdown", "export_json"), measure_store.export_figures),
        # Last: the quick-add benchmark adds rows to the console database.
        (("key_down_timeline", "key_down_actions", "key_pane_switch", "add_event",
          "open_session"), measure_app.in_app_figures),
    ]


def _git_commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("textual", "rich", "sqlite-utils", "pendulum", "pmconsole"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            pass
    import sqlite3

    found["sqlite"] = sqlite3.sqlite_version
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, few repetitions")
    parser.add_argument("--output", type=Path, default=None, help="JSON file to write")
    parser.add_argument("--only", default="", help="comma-separated figure keys")
    parser.add_argument("--keep-data", type=Path, default=None, metavar="DIR",
                        help="generate the databases into DIR and keep them")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a budget is missed")
    args = parser.parse_args(argv)
    if args.output is None:
        args.output = SMOKE_OUTPUT if args.smoke else DEFAULT_OUTPUT

    wanted = {k.strip() for k in args.only.split(",") if k.strip()}
    unknown = wanted - set(FIGURE_KEYS)
    if unknown:
        parser.error(f"unknown figures: {', '.join(sorted(unknown))}; "
                     f"known: {', '.join(FIGURE_KEYS)}")

    started = time.time()
    load_before = os.getloadavg()
    print(f"pmconsole benchmark ({'smoke' if args.smoke else 'full'}): generating data…",
          flush=True)
    ctx = prepare(args.smoke, args.keep_data)
    figures: dict[str, Figure] = {}
    try:
        for keys, measure in _groups():
            if wanted and not wanted & set(keys):
                continue
            began = time.perf_counter()
            print(f"  measuring {', '.join(keys)}…", end="", flush=True)
            for figure in measure(ctx):
                figures[figure.key] = figure
            took = time.perf_counter() - began
            ctx.timings[f"{'+'.join(keys)}_s"] = took
            print(f" {took:.1f} s", flush=True)
    finally:
        if args.keep_data is None:
            shutil.rmtree(ctx.work, ignore_errors=True)

    ordered = [figures[k] for k in FIGURE_KEYS if k in figures]
    print()
    print(table(ordered))
    failed = [f for f in ordered if f.passed is False]
    print()
    if failed:
        print(f"{len(failed)} budget(s) missed: {', '.join(f.key for f in failed)}")
    else:
        print("every budget holds" if any(f.has_budget for f in ordered) else "")

    document = {
        "meta": {
            "smoke": args.smoke,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
            "seconds": round(time.time() - started, 1),
            "commit": _git_commit(),
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                        "loadavg_before": load_before, "loadavg_after": os.getloadavg()},
            "versions": _versions(),
            "sizes": asdict(ctx.sizes),
            "repeats": asdict(ctx.repeats),
            "timings_s": {k: round(v, 2) for k, v in ctx.timings.items()},
        },
        "figures": {f.key: f.as_dict() for f in ordered},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                           encoding="utf-8")
    print(f"results written to {args.output} ({document['meta']['seconds']:.0f} s in all)")
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
