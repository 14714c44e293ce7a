"""Metrics over time: MTTx overall and per quarter, severity counts, per-incident series."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pendulum import DateTime

from pmconsole.domain.metrics import Aggregate, aggregate, session_metrics
from pmconsole.domain.model import Session, Severity


def incident_moment(session: Session) -> DateTime:
    """When the incident happened, for ordering and bucketing."""
    return session.impact_started or session.detected or session.scheduled or session.created


def quarter_of(moment: DateTime) -> str:
    """``2026-Q4`` (in UTC, so every viewer buckets alike)."""
    utc = moment.in_timezone("UTC")
    return f"{utc.year}-Q{(utc.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class IncidentPoint:
    """One incident's TTD and TTR, in seconds, for the trend chart."""

    session_id: int | None
    title: str
    moment: DateTime
    ttd: float | None
    ttr: float | None


@dataclass(frozen=True)
class TrendReport:
    overall: dict[str, Aggregate]
    by_quarter: dict[str, dict[str, Aggregate]]
    severity_counts: dict[str, int]
    points: tuple[IncidentPoint, ...]

    def as_json(self) -> dict[str, object]:
        def agg(a: dict[str, Aggregate]) -> dict[str, object]:
            return {
                key: {
                    "count": v.count,
                    "median": None if v.median is None else int(round(v.median)),
                    "p90": None if v.p90 is None else int(round(v.p90)),
                }
                for key, v in a.items()
            }

        return {
            "sessions": len(self.points),
            "overall": agg(self.overall),
            "by_quarter": {q: agg(a) for q, a in self.by_quarter.items()},
            "severity_counts": self.severity_counts,
            "incidents": [
                {
                    "id": p.session_id,
                    "title": p.title,
                    "at": p.moment.in_timezone("UTC").isoformat(),
                    "ttd": None if p.ttd is None else int(round(p.ttd)),
                    "ttr": None if p.ttr is None else int(round(p.ttr)),
                }
                for p in self.points
            ],
        }


def trend_report(sessions: Sequence[Session]) -> TrendReport:
    ordered = sorted(sessions, key=incident_moment)
    quarters: dict[str, list[Session]] = {}
    for session in ordered:
        quarters.setdefault(quarter_of(incident_moment(session)), []).append(session)
    counts = Counter(s.severity.value for s in ordered)
    points = []
    for s in ordered:
        m = session_metrics(s)
        points.append(IncidentPoint(s.id, s.title, incident_moment(s), m.ttd, m.ttr))
    return TrendReport(
        overall=aggregate(ordered),
        by_quarter={q: aggregate(group) for q, group in quarters.items()},
        severity_counts={sev.value: counts.get(sev.value, 0) for sev in Severity},
        points=tuple(points),
    )
