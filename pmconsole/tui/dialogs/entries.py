"""The edit dialog of each entry kind: which fields, how they parse, how they build the entry."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

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
    SessionStatus,
    Severity,
    TimelineEvent,
)
from pmconsole.domain.text import clean_text
from pmconsole.domain.times import (
    TimeParseError,
    format_time,
    parse_date,
    parse_time,
    valid_timezone,
)
from pmconsole.tui.dialogs.form import FieldError, FormDialog, FormField, required

T = TypeVar("T")

TIME_HINT = "14:32, 14:32:05, 2026-11-20 14:32, -5m, now, yesterday 23:10, or ISO 8601"


def _values(enum: type[Any]) -> list[str]:
    return [member.value for member in enum]


def _time_parser(session: Session, now: DateTime, *, optional: bool) -> Callable[[str], DateTime | None]:
    def parse(text: str) -> DateTime | None:
        if not text.strip():
            if optional:
                return None
            raise FieldError("Give a time, e.g. 14:32.")
        try:
            return parse_time(text, tz=session.timezone, now=now, base_date=session.incident_date)
        except TimeParseError as error:
            raise FieldError(str(error)) from error

    return parse


def _date_parser(today: Date) -> Callable[[str], Date | None]:
    def parse(text: str) -> Date | None:
        if not text.strip():
            return None
        try:
            return parse_date(text, today=today)
        except TimeParseError as error:
            raise FieldError(str(error)) from error

    return parse


def _int_parser(label: str, low: int, high: int, *, optional: bool = False) -> Callable[[str], int | None]:
    def parse(text: str) -> int | None:
        if not text.strip() and optional:
            return None
        try:
            value = int(text.strip())
        except ValueError:
            raise FieldError(f"{label} must be a whole number.") from None
        if not low <= value <= high:
            raise FieldError(f"{label} must be between {low} and {high}.")
        return value

    return parse


def _slo_parser(text: str) -> float | None:
    text = text.strip().rstrip("%").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise FieldError("Give the SLO as a percentage, e.g. 99.9.") from None
    if not 0 < value < 100:
        raise FieldError("The SLO must be between 0 and 100 %, e.g. 99.9.")
    return value


def _timezone_parser(text: str) -> str:
    text = text.strip()
    if not valid_timezone(text):
        raise FieldError(f"Unknown timezone {text!r}; use an IANA name such as Europe/Berlin.")
    return text


def _clean(multiline: bool = False) -> Callable[[str], str]:
    return lambda text: clean_text(text, multiline=multiline).strip()


def _show(moment: DateTime | None, tz: str) -> str:
    if moment is None:
        return ""
    return format_time(moment, tz, with_date=True, seconds=moment.second != 0)


def timeline_dialog(
    event: TimelineEvent, session: Session, now: DateTime, save: Callable[[TimelineEvent], TimelineEvent]
) -> FormDialog[TimelineEvent]:
    is_new = event.id is None
    fields = [
        FormField(
            "at",
            f"Time ({session.timezone})",
            _show(event.at, session.timezone) if not is_new else "",
            placeholder="14:32",
            parse=_time_parser(session, now, optional=False),
            hint=TIME_HINT,
        ),
        FormField("kind", "Kind", event.kind.value, kind="choice", choices=_values(EventKind)),
        FormField(
            "text",
            "What happened",
            event.text,
            kind="textarea",
            parse=lambda t: required("What happened")(clean_text(t)),
        ),
        FormField("link", "Link (dashboard, log, ticket)", event.link, parse=_clean()),
        FormField("starred", "Starred (a key moment)", event.starred, kind="bool"),
    ]

    def build(v: dict[str, Any]) -> TimelineEvent:
        return dataclasses.replace(
            event,
            at=v["at"].in_timezone("UTC"),
            kind=EventKind(v["kind"]),
            text=v["text"],
            link=v["link"],
            starred=bool(v["starred"]),
        )

    return FormDialog("New timeline event" if is_new else "Edit timeline event", fields, build, save)


def finding_dialog(finding: Finding, save: Callable[[Finding], Finding]) -> FormDialog[Finding]:
    fields = [
        FormField("kind", "Kind", finding.kind.value, kind="choice", choices=_values(FindingKind)),
        FormField(
            "category", "Category", finding.category.value, kind="choice", choices=_values(FindingCategory)
        ),
        FormField(
            "text",
            "Finding",
            finding.text,
            kind="textarea",
            parse=lambda t: required("The finding")(clean_text(t)),
        ),
    ]

    def build(v: dict[str, Any]) -> Finding:
        return dataclasses.replace(
            finding, kind=FindingKind(v["kind"]), category=FindingCategory(v["category"]), text=v["text"]
        )

    return FormDialog("New finding" if finding.id is None else "Edit finding", fields, build, save)


def action_dialog(
    action: ActionItem, today: Date, save: Callable[[ActionItem], ActionItem]
) -> FormDialog[ActionItem]:
    fields = [
        FormField(
            "text",
            "Action",
            action.text,
            parse=lambda t: required("The action")(clean_text(t, multiline=False)),
        ),
        FormField("owner", "Owner (person or team)", action.owner, parse=_clean()),
        FormField(
            "due",
            "Due date",
            action.due.isoformat() if action.due else "",
            placeholder="2026-12-01, +2w, fri",
            parse=_date_parser(today),
            hint="2026-12-01, today, tomorrow, +3d, +2w, +1m or a weekday; empty for none",
        ),
        FormField("type", "Type", action.type.value, kind="choice", choices=_values(ActionType)),
        FormField("priority", "Priority", action.priority.value, kind="choice", choices=_values(Priority)),
        FormField("status", "Status", action.status.value, kind="choice", choices=_values(ActionStatus)),
        FormField("link", "Ticket link", action.link, parse=_clean()),
    ]

    def build(v: dict[str, Any]) -> ActionItem:
        return dataclasses.replace(
            action,
            text=v["text"],
            owner=v["owner"],
            due=v["due"],
            type=ActionType(v["type"]),
            priority=Priority(v["priority"]),
            status=ActionStatus(v["status"]),
            link=v["link"],
        )

    return FormDialog("New action item" if action.id is None else "Edit action item", fields, build, save)


def agenda_dialog(item: AgendaItem, save: Callable[[AgendaItem], AgendaItem]) -> FormDialog[AgendaItem]:
    fields = [
        FormField(
            "title",
            "Agenda item",
            item.title,
            parse=lambda t: required("The title")(clean_text(t, multiline=False)),
        ),
        FormField(
            "planned_minutes",
            "Planned minutes",
            str(item.planned_minutes),
            parse=_int_parser("Planned minutes", 1, 480),
        ),
        FormField("notes", "Notes", item.notes, kind="textarea", parse=_clean(multiline=True)),
    ]

    def build(v: dict[str, Any]) -> AgendaItem:
        return dataclasses.replace(
            item, title=v["title"], planned_minutes=v["planned_minutes"], notes=v["notes"]
        )

    return FormDialog("New agenda item" if item.id is None else "Edit agenda item", fields, build, save)


def session_dialog(
    session: Session, now: DateTime, today: Date, save: Callable[[Session], Session]
) -> FormDialog[Session]:
    tz = session.timezone
    when = _time_parser(session, now, optional=True)
    fields = [
        FormField(
            "title",
            "Incident title",
            session.title,
            parse=lambda t: required("The title")(clean_text(t, multiline=False)),
        ),
        FormField("service", "Affected service or feature", session.service, parse=_clean()),
        FormField("severity", "Severity", session.severity.value, kind="choice", choices=_values(Severity)),
        FormField("status", "Status", session.status.value, kind="choice", choices=_values(SessionStatus)),
        FormField("facilitator", "Facilitator", session.facilitator, parse=_clean()),
        FormField("scribe", "Scribe", session.scribe, parse=_clean()),
        FormField(
            "attendees",
            "Attendees (comma-separated)",
            ", ".join(session.attendees),
            parse=lambda t: tuple(
                n for n in (clean_text(p, multiline=False).strip() for p in t.split(",")) if n
            ),
        ),
        FormField(
            "timezone",
            "Timezone (IANA)",
            tz,
            parse=_timezone_parser,
            hint="Times below are read in the timezone the session had when the dialog opened.",
        ),
        FormField("scheduled", f"Meeting scheduled ({tz})", _show(session.scheduled, tz), parse=when),
        FormField(
            "impact_started",
            f"Impact started ({tz})",
            _show(session.impact_started, tz),
            parse=when,
            hint=TIME_HINT,
        ),
        FormField("detected", f"Detected ({tz})", _show(session.detected, tz), parse=when),
        FormField("acknowledged", f"Acknowledged ({tz})", _show(session.acknowledged, tz), parse=when),
        FormField("mitigated", f"Mitigated ({tz})", _show(session.mitigated, tz), parse=when),
        FormField("resolved", f"Resolved ({tz})", _show(session.resolved, tz), parse=when),
        FormField(
            "slo_target",
            "SLO target (%)",
            "" if session.slo_target is None else f"{session.slo_target:g}",
            placeholder="99.9",
            parse=_slo_parser,
        ),
        FormField(
            "slo_window_days",
            "SLO window (days)",
            "" if session.slo_window_days is None else str(session.slo_window_days),
            placeholder="30",
            parse=_int_parser("The SLO window", 1, 3660, optional=True),
        ),
        FormField(
            "follow_up_date",
            "Follow-up meeting date",
            session.follow_up_date.isoformat() if session.follow_up_date else "",
            placeholder="+2w",
            parse=_date_parser(today),
        ),
        FormField("summary", "Summary", session.summary, kind="textarea", parse=_clean(multiline=True)),
        FormField("impact", "Impact", session.impact, kind="textarea", parse=_clean(multiline=True)),
    ]

    def build(v: dict[str, Any]) -> Session:
        v = dict(v)
        v["severity"] = Severity(v["severity"])
        v["status"] = SessionStatus(v["status"])
        return dataclasses.replace(session, **v)

    return FormDialog("Session details", fields, build, save)
