"""Figures: timings of a subject against a reference measured in the same run, and budgets.

A figure holds the raw samples of both sides (milliseconds, or KiB for memory), their
median, min and max, the ratio of the medians, the budget from DESIGN.md that applies to
it and whether it holds. A ratio of two medians measured side by side (interleaved) means
the same on a fast, slow or busy machine; the absolute medians are kept for the budgets
that are absolute (keystroke ≤ 16 ms, search ≤ 20 ms, export ≤ 200 ms).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# Every figure the benchmark produces, in the order of the table. The smoke test checks
# that each one is in the JSON.
FIGURE_KEYS: tuple[str, ...] = (
    "startup_demo",
    "startup_skeleton",
    "startup_help",
    "startup_export",
    "key_down_timeline",
    "key_down_actions",
    "key_pane_switch",
    "add_event",
    "open_session",
    "open_session_process",
    "search",
    "home_first_frame",
    "export_markdown",
    "export_json",
    "memory_console",
)


@dataclass
class Side:
    """One side of a comparison: what was run and what was measured."""

    label: str
    samples: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    """CPU time of each sample's process (ms), for whole-process figures."""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "label": self.label,
            "n": len(self.samples),
            "median": round(self.median, 3),
            "min": round(min(self.samples), 3),
            "max": round(max(self.samples), 3),
            "samples": [round(s, 3) for s in self.samples],
        }
        if self.cpu:
            found["cpu_median"] = round(statistics.median(self.cpu), 3)
            found["cpu_samples"] = [round(s, 3) for s in self.cpu]
        return found


@dataclass
class Budget:
    """What DESIGN.md allows; ``None`` fields do not apply."""

    ratio_max: float | None = None
    median_max: float | None = None
    no_textual: bool = False

    def describe(self, unit: str) -> str:
        parts = []
        if self.ratio_max is not None:
            parts.append(f"≤ {self.ratio_max:g}×")
        if self.median_max is not None:
            parts.append(f"≤ {self.median_max:g} {unit}")
        if self.no_textual:
            parts.append("no Textual")
        return ", ".join(parts) or "—"

    def as_dict(self) -> dict[str, Any]:
        return {"ratio_max": self.ratio_max, "median_max": self.median_max,
                "no_textual": self.no_textual}


@dataclass
class Figure:
    key: str
    title: str
    method: str
    subject: Side
    reference: Side
    unit: str = "ms"
    budget: Budget = field(default_factory=Budget)
    textual_imported: bool | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        reference = self.reference.median
        return self.subject.median / reference if reference else float("inf")

    @property
    def cpu_ratio(self) -> float | None:
        """Ratio of the processes' CPU times: the same work, nearly blind to machine load."""
        if not (self.subject.cpu and self.reference.cpu):
            return None
        return statistics.median(self.subject.cpu) / statistics.median(self.reference.cpu)

    @property
    def failures(self) -> list[str]:
        failed = []
        if self.budget.ratio_max is not None and self.ratio > self.budget.ratio_max:
            failed.append(f"ratio {self.ratio:.2f}× > {self.budget.ratio_max:g}×")
        if self.budget.median_max is not None and self.subject.median > self.budget.median_max:
            failed.append(f"median {self.subject.median:.1f} {self.unit} > "
                          f"{self.budget.median_max:g} {self.unit}")
        if self.budget.no_textual and self.textual_imported is not False:
            failed.append("imports Textual")
        return failed

    @property
    def has_budget(self) -> bool:
        b = self.budget
        return b.ratio_max is not None or b.median_max is not None or b.no_textual

    @property
    def passed(self) -> bool | None:
        return not self.failures if self.has_budget else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "method": self.method,
            "unit": self.unit,
            "subject": self.subject.as_dict(),
            "reference": self.reference.as_dict(),
            "ratio": round(self.ratio, 3),
            "cpu_ratio": None if self.cpu_ratio is None else round(self.cpu_ratio, 3),
            "budget": self.budget.as_dict(),
            "textual_imported": self.textual_imported,
            "pass": self.passed,
            "failures": self.failures,
            "notes": self.notes,
        }


def _amount(value: float, unit: str) -> str:
    if unit == "KiB":
        return f"{value / 1024:.0f} MiB"
    if value >= 100:
        return f"{value:.0f} {unit}"
    if value >= 10:
        return f"{value:.1f} {unit}"
    return f"{value:.2f} {unit}"


def _side(side: Side, unit: str) -> str:
    if unit == "KiB":
        low, high = min(side.samples) / 1024, max(side.samples) / 1024
        return f"{_amount(side.median, unit)} [{low:.0f}–{high:.0f}]"
    low, high = min(side.samples), max(side.samples)
    digits = 0 if high >= 100 else 1 if high >= 10 else 2
    return f"{_amount(side.median, unit)} [{low:.{digits}f}–{high:.{digits}f}]"


def table(figures: Sequence[Figure]) -> str:
    """A plain-text table, one figure per line, then the references and methods."""
    header = ("figure", "subject: median [min–max]", "reference: median [min–max]", "ratio",
              "cpu ratio", "budget", "status")
    rows = []
    for f in figures:
        status = {None: "info", True: "ok", False: "FAIL: " + "; ".join(f.failures)}[f.passed]
        budget = f.budget.describe(f.unit)
        if f.textual_imported is not None:
            status += f" (Textual imported: {'yes' if f.textual_imported else 'no'})"
        cpu = "" if f.cpu_ratio is None else f"{f.cpu_ratio:.2f}×"
        rows.append((f.title, _side(f.subject, f.unit), _side(f.reference, f.unit),
                     f"{f.ratio:.2f}×", cpu, budget, status))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
             for row in [header, tuple("-" * w for w in widths), *rows]]
    lines.append("")
    lines.append("ratio: median of the subject / median of the reference, both measured in "
                 "this run (interleaved).")
    lines.append("cpu ratio: the same for the CPU time of whole processes (informative; "
                 "barely moved by machine load).")
    lines.append("subject vs reference:")
    for f in figures:
        lines.append(f"  {f.title}: {f.subject.label}  vs  {f.reference.label}")
    return "\n".join(lines)
