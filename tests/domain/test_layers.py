"""Layering: each layer imports only the layers below it (see DESIGN.md, Architecture).

Each check imports every module of a layer in a fresh interpreter, so modules already
imported by other tests in this process cannot hide (or fake) a violation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs in the subprocess: import each module in turn and attribute every forbidden module
# that appears to the import that brought it in.
CHECK = """
import importlib, json, sys
modules, forbidden = json.loads(sys.argv[1]), json.loads(sys.argv[2])
def present():
    return {name for name in sys.modules
            if any(name == f or name.startswith(f + ".") for f in forbidden)}
report, seen = {}, present()
for module in modules:
    importlib.import_module(module)
    new = present() - seen
    if new:
        report[module] = sorted(new)
        seen |= new
print(json.dumps(report))
"""


def layer_modules(layer: str) -> list[str]:
    """Every module under pmconsole/<layer>, found by walking the folder at test time."""
    folder = ROOT / "pmconsole" / layer
    modules = []
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "__pycache__" in parts:
            continue
        modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def violations(modules: list[str], forbidden: list[str]) -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(modules), json.dumps(forbidden)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, f"importing {modules} failed:\n{result.stderr}"
    report: dict[str, list[str]] = json.loads(result.stdout)
    return report


LAYERS = {
    "domain": ["textual", "rich", "sqlite_utils", "sqlite3", "click",
               "pmconsole.store", "pmconsole.exchange", "pmconsole.tui", "pmconsole.cli"],
    "exchange": ["textual", "sqlite_utils", "pmconsole.store", "pmconsole.tui"],
    "store": ["textual", "pmconsole.tui"],
}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layer_imports_nothing_from_above(layer: str) -> None:
    modules = layer_modules(layer)
    assert f"pmconsole.{layer}" in modules
    assert violations(modules, LAYERS[layer]) == {}


def test_domain_modules_are_all_found() -> None:
    modules = layer_modules("domain")
    for expected in ("model", "clock", "metrics", "agenda", "text", "times"):
        assert f"pmconsole.domain.{expected}" in modules


def test_the_check_reports_a_forbidden_import_and_who_made_it() -> None:
    # pendulum is allowed in domain; forbidding it here shows the check can fail.
    report = violations(layer_modules("domain"), ["pendulum"])
    assert report and all(module.startswith("pmconsole.domain") for module in report)
    assert any("pendulum" in found for found in report.values())
