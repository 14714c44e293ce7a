"""The demo database (package data ``data/demo.toml``) as session records.

Dates in the file are relative to ``today`` so the demo always looks recent.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pendulum
from pendulum import Date, DateTime

from pmconsole.domain.model import (
    ActionItem,
    ActionStatus,
    ActionType,
    AgendaItem,
    EventKind,
    Finding,
    FindingCategory,
    FindingKind,
    Priority,
    Session,
    SessionRecord,
    SessionStatus,
    Severity,
    TimelineEvent,
)

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo.toml"


def _at(day: Date, time: str, tz: str) -> DateTime:
    hour, minute = (int(part) for part in time.split(":"))
    return pendulum.datetime(day.year, day.month, day.day, hour, minute, tz=tz)


def _record(raw: dict[str, Any], today: Date, agenda: tuple[tuple[str, int], ...]) -> SessionRecord:
    tz = raw["timezone"]
    day = today.add(days=raw["incident_day"])

    def when(key: str) -> DateTime | None:
        return _at(day, raw[key], tz) if key in raw else None

    scheduled = raw["scheduled"]
    session = Session(
        id=0,
        title=raw["title"],
        service=raw["service"],
        severity=Severity(raw["severity"]),
        status=SessionStatus(raw["status"]),
        facilitator=raw["facilitator"],
        scribe=raw["scribe"],
        attendees=tuple(raw["attendees"]),
        timezone=tz,
        scheduled=_at(today.add(days=scheduled["day"]), scheduled["time"], tz),
        impact_started=when("impact_started"),
        detected=when("detected"),
        acknowledged=when("acknowledged"),
        mitigated=when("mitigated"),
        resolved=when("resolved"),
        slo_target=raw.get("slo_target"),
        slo_window_days=raw.get("slo_window_days"),
        follow_up_date=today.add(days=raw["follow_up_day"]) if "follow_up_day" in raw else None,
        summary=raw["summary"].strip(),
        impact=raw["impact"].strip(),
        created=_at(today.add(days=scheduled["day"] - 1), "09:00", tz).in_timezone("UTC"),
    )
    timeline = tuple(
        TimelineEvent(
            session_id=0,
            id=i + 1,
            at=_at(day, e["time"], tz).in_timezone("UTC"),
            kind=EventKind(e["kind"]),
            text=e["text"],
            link=e.get("link", ""),
            starred=e.get("starred", False),
        )
        for i, e in enumerate(raw.get("timeline", []))
    )
    findings = tuple(
        Finding(
            session_id=0,
            id=i + 1,
            position=i,
            kind=FindingKind(f["kind"]),
            category=FindingCategory(f["category"]),
            text=f["text"],
        )
        for i, f in enumerate(raw.get("findings", []))
    )
    actions = tuple(
        ActionItem(
            session_id=0,
            id=i + 1,
            position=i,
            text=a["text"],
            owner=a["owner"],
            due=today.add(days=a["due_day"]),
            type=ActionType(a["type"]),
            priority=Priority(a["priority"]),
            status=ActionStatus(a.get("status", "open")),
            link=a.get("link", ""),
        )
        for i, a in enumerate(raw.get("actions", []))
    )
    agenda_items = tuple(
        AgendaItem(session_id=0, id=i + 1, position=i, title=title, planned_minutes=minutes)
        for i, (title, minutes) in enumerate(agenda)
    )
    return SessionRecord(session, agenda_items, timeline, findings, actions)


def demo_records(today: Date, agenda: tuple[tuple[str, int], ...]) -> list[SessionRecord]:
    """Every demo session; the first is the meeting the demo opens on."""
    with DEMO_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    return [_record(raw, today, agenda) for raw in data["sessions"]]
