"""`make bench-smoke` still works: every figure is measured and written (timings not checked).

The benchmark's budgets are reported by `make bench`, never asserted here: a test that
fails when the machine is busy proves nothing. This only runs the smoke variant (tiny
data, one or two repetitions) and checks the JSON it writes.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

from bench.figures import FIGURE_KEYS

ROOT = Path(__file__).resolve().parents[2]


def test_smoke_run_produces_every_figure(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--output", str(output)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["meta"]["smoke"] is True
    figures = document["figures"]
    assert sorted(figures) == sorted(FIGURE_KEYS)
    for key, figure in figures.items():
        for side in ("subject", "reference"):
            stats = figure[side]
            assert stats["n"] >= 1, (key, side)
            for name in ("median", "min", "max"):
                value = stats[name]
                assert isinstance(value, int | float) and math.isfinite(value), (key, side)
                assert value > 0, (key, side, name)
        assert math.isfinite(figure["ratio"]), key
        assert figure["pass"] in (True, False, None), key
    # The commands that must not import Textual were checked, whatever the timings.
    assert figures["startup_help"]["textual_imported"] is False
    assert figures["startup_export"]["textual_imported"] is False
    # The table went to standard output.
    assert "start-up: `pmconsole demo`" in done.stdout
    # pmconsole was measured compiled, as installed (bench.context.compile_bytecode): every
    # module has bytecode at least as new as its source.
    for source in (ROOT / "pmconsole").rglob("*.py"):
        compiled = Path(importlib.util.cache_from_source(str(source)))
        assert compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime, source
