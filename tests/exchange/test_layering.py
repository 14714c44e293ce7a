"""The exchange layer renders and parses files; it never touches the database or the UI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULES = ["pmconsole.exchange.minutes", "pmconsole.exchange.json_io",
           "pmconsole.exchange.timeline_csv", "pmconsole.exchange.files"]
FORBIDDEN = ("sqlite3", "sqlite_utils", "textual", "rich", "click", "pmconsole.store",
             "pmconsole.tui", "pmconsole.cli")


def test_exchange_imports_only_stdlib_pendulum_and_domain() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if any(m == f or m.startswith(f + '.') "
        f"for f in {FORBIDDEN!r}))\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
