"""Commands that do not open the console must not import Textual (they stay fast)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs CLI commands one after another in a fresh interpreter and reports, after each,
# its exit code and whether any textual module has been imported so far. Textual is
# checked after every command, so the first command that imports it is the one reported.
PROBE = """
import json, sys
import pmconsole.cli as cli
report = []
for args in json.loads(sys.argv[1]):
    sys.argv = ["pmconsole", *args]
    code = 0
    try:
        cli.main()
    except SystemExit as exit:
        code = exit.code or 0
    loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
    report.append({"args": args, "code": code, "textual": loaded[:3]})
print("\\nPROBE " + json.dumps(report))
"""

COMMANDS = [
    ["--help"],
    ["new", "--help"],
    ["list"],
    ["list", "--json", "--search", "x"],
    ["new", "X"],
    ["list"],
    ["metrics"],
    ["metrics", "--json"],
    ["metrics", "1", "--json"],
    ["incident", "1", "--detected", "10:00"],
]


def probe(commands: list[list[str]], tmp_path: Path) -> list[dict[str, object]]:
    env = {**os.environ, "PMCONSOLE_DB": str(tmp_path / "env.db")}
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(commands)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("PROBE "), done
    report: list[dict[str, object]] = json.loads(last[len("PROBE "):])
    return report


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    tmp = tmp_path_factory.mktemp("startup")
    db = str(tmp / "pm.db")
    runs = probe([["--db", db, *c] for c in COMMANDS], tmp)
    return {" ".join(r["args"][2:]): r for r in runs}  # type: ignore[index]


@pytest.mark.parametrize("command", [" ".join(c) for c in COMMANDS])
def test_non_ui_commands_do_not_import_textual(
    report: dict[str, dict[str, object]], command: str
) -> None:
    run = report[command]
    assert run["code"] == 0, run
    assert run["textual"] == [], run


def test_bad_database_does_not_import_textual_even_for_open(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("not sqlite")
    for run in probe([["--db", str(bad), "open", "1"], ["--db", str(bad)]], tmp_path):
        assert run["code"] == 2, run
        assert run["textual"] == [], run


def test_python_dash_m_pmconsole(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pmconsole", "--help"], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: ")
    for command in ("new", "incident", "list", "metrics", "open", "demo"):
        assert f"  {command} " in done.stdout
    created = subprocess.run([sys.executable, "-m", "pmconsole", "--db", str(tmp_path / "m.db"),
                              "new", "via -m"], capture_output=True, text=True, cwd=ROOT,
                             timeout=60)
    assert (created.returncode, created.stdout, created.stderr) == (0, "1\n", "")
