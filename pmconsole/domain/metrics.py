"""Incident metrics: pure functions of a session's timestamps.

Per session: time to detect, acknowledge, mitigate and resolve (each from impact
start), impact duration and error budget consumed. Across sessions: median and p90 of
each. Timestamps out of order are reported as problems, never silently used.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pendulum import Duration

from pmconsole.domain.model import Session

# The incident's milestones in the order they must happen.
MILESTONES: tuple[tuple[str, str], ...] = (
    ("impact_started", "impact start"),
    ("detected", "detected"),
    ("acknowledged", "acknowledged"),
    ("mitigated", "mitigated"),
    ("resolved", "resolved"),
)

METRIC_NAMES: dict[str, str] = {
    "ttd": "time to detect",
    "tta": "time to acknowledge",
    "ttm": "time to mitigate",
    "ttr": "time to resolve",
    "impact": "impact duration",
}


@dataclass(frozen=True)
class SessionMetrics:
    """Durations in seconds, ``None`` where a timestamp is missing or out of order."""

    ttd: float | None
    tta: float | None
    ttm: float | None
    ttr: float | None
    impact: float | None
    budget_minutes: float | None
    """Downtime the SLO allows over its window, in minutes (99.9 % over 30 days: 43.2)."""
    budget_consumed: float | None
    """Impact as a fraction of that budget (1.0 = the whole budget)."""
    problems: tuple[str, ...]

    def as_dict(self) -> dict[str, float | None]:
        return {"ttd": self.ttd, "tta": self.tta, "ttm": self.ttm, "ttr": self.ttr,
                "impact": self.impact}


def timestamp_problems(session: Session) -> list[str]:
    """Pairs of incident timestamps that are out of order, in words."""
    problems = []
    present = [(label, getattr(session, name)) for name, label in MILESTONES
               if getattr(session, name) is not None]
    for i, (label_a, a) in enumerate(present):
        for label_b, b in present[i + 1:]:
            if b < a:
                problems.append(f"{label_b} is before {label_a}")
    return problems


def error_budget_minutes(slo_target: float | None, window_days: int | None) -> float | None:
    """Minutes of full outage an availability SLO allows over its window."""
    if slo_target is None or window_days is None or not 0 < slo_target < 100 or window_days <= 0:
        return None
    return (100.0 - slo_target) / 100.0 * window_days * 24 * 60


def session_metrics(session: Session) -> SessionMetrics:
    """Metrics for one session; a value whose inputs are out of order is ``None``."""
    problems = tuple(timestamp_problems(session))
    start = session.impact_started
    # A milestone in an out-of-order pair is not trusted for any figure.
    present = [(n, getattr(session, n)) for n, _ in MILESTONES if getattr(session, n) is not None]
    suspect = {
        name
        for i, (name_a, a) in enumerate(present)
        for name_b, b in present[i + 1:]
        if b < a
        for name in (name_a, name_b)
    }

    def since_start(name: str) -> float | None:
        end = getattr(session, name)
        if start is None or end is None or end < start or name in suspect:
            return None
        return float((end - start).total_seconds())

    ttr = since_start("resolved")
    # Impact lasts until service is restored: mitigation if recorded, else resolution.
    impact = since_start("mitigated")
    if session.mitigated is None:
        impact = ttr
    budget = error_budget_minutes(session.slo_target, session.slo_window_days)
    consumed = None if budget is None or impact is None else impact / 60.0 / budget
    return SessionMetrics(
        ttd=since_start("detected"),
        tta=since_start("acknowledged"),
        ttm=since_start("mitigated"),
        ttr=ttr,
        impact=impact,
        budget_minutes=budget,
        budget_consumed=consumed,
        problems=problems,
    )


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear-interpolated percentile (``fraction`` in 0..1); ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Aggregate:
    """Median and p90 of one metric over the sessions that have it."""

    count: int
    median: float | None
    p90: float | None


def aggregate(sessions: Iterable[Session]) -> dict[str, Aggregate]:
    """MTTD / MTTA / MTTM / MTTR and impact across sessions, as median and p90."""
    per_metric: dict[str, list[float]] = {key: [] for key in METRIC_NAMES}
    for session in sessions:
        for key, value in session_metrics(session).as_dict().items():
            if value is not None:
                per_metric[key].append(value)
    return {
        key: Aggregate(len(values), percentile(values, 0.5), percentile(values, 0.9))
        for key, values in per_metric.items()
    }


def format_duration(seconds: float | None, *, blank: str = "—") -> str:
    """``1h 05m``, ``12m 30s``, ``45s``; ``blank`` when unknown."""
    if seconds is None:
        return blank
    total = int(round(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def as_duration(seconds: float | None) -> Duration | None:
    return None if seconds is None else Duration(seconds=seconds)
