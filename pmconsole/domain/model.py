"""The post-mortem's data model: frozen dataclasses with no knowledge of storage or screens.

Ids are integers assigned by the store (``None`` until saved). Every time is a
timezone-aware ``pendulum.DateTime``; the store keeps them as UTC and the UI shows
them in the session's timezone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import pendulum
from pendulum import Date, DateTime


class Severity(StrEnum):
    """Incident severity; SEV1 is the worst."""

    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"
    SEV5 = "SEV5"


class SessionStatus(StrEnum):
    """Where a post-mortem session is in its life."""

    PLANNED = "planned"
    LIVE = "live"
    ENDED = "ended"
    REVIEWED = "reviewed"


class EventKind(StrEnum):
    """What a timeline event records."""

    TRIGGER = "trigger"
    DETECTION = "detection"
    ESCALATION = "escalation"
    DIAGNOSIS = "diagnosis"
    MITIGATION = "mitigation"
    RESOLUTION = "resolution"
    COMMUNICATION = "communication"
    OTHER = "other"


class FindingKind(StrEnum):
    """What sort of thing the room established."""

    CONTRIBUTING_FACTOR = "contributing factor"
    ROOT_CAUSE = "root cause"
    WENT_WELL = "went well"
    WENT_WRONG = "went wrong"
    GOT_LUCKY = "got lucky"
    OPEN_QUESTION = "open question"


class FindingCategory(StrEnum):
    """Which part of the system (in the wide sense) a finding is about."""

    PROCESS = "process"
    TOOLING = "tooling"
    MONITORING = "monitoring"
    TESTING = "testing"
    REVIEW = "review"
    COMMUNICATION = "communication"
    OTHER = "other"


class ActionType(StrEnum):
    """What an action item is meant to achieve."""

    PREVENT = "prevent"
    MITIGATE = "mitigate"
    DETECT = "detect"
    PROCESS = "process"
    OTHER = "other"


class Priority(StrEnum):
    """Action-item priority; P1 is the most urgent."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"


class ActionStatus(StrEnum):
    """Progress of an action item."""

    OPEN = "open"
    IN_PROGRESS = "in progress"
    DONE = "done"
    WONT_DO = "won't do"

    @property
    def is_closed(self) -> bool:
        return self in (ActionStatus.DONE, ActionStatus.WONT_DO)


class FlagStatus(StrEnum):
    """How the facilitator resolved a blame flag."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class FlagCategory(StrEnum):
    """The kinds of blameful wording the detector knows."""

    ATTRIBUTION = "attribution"
    HINDSIGHT = "hindsight"
    CHARACTER = "character"
    NON_FIX = "non-fix action"
    WHO_WHY = "who/why question"


class EntityKind(StrEnum):
    """The kinds of entry that hold user text; used by search results and flags."""

    SESSION = "session"
    AGENDA = "agenda"
    TIMELINE = "timeline"
    FINDING = "finding"
    ACTION = "action"
    SCRIPT = "script"


@dataclass(frozen=True)
class Session:
    """One post-mortem meeting about one incident."""

    title: str
    id: int | None = None
    service: str = ""
    severity: Severity = Severity.SEV3
    status: SessionStatus = SessionStatus.PLANNED
    facilitator: str = ""
    scribe: str = ""
    attendees: tuple[str, ...] = ()
    timezone: str = "UTC"
    scheduled: DateTime | None = None
    started: DateTime | None = None
    ended: DateTime | None = None
    impact_started: DateTime | None = None
    detected: DateTime | None = None
    acknowledged: DateTime | None = None
    mitigated: DateTime | None = None
    resolved: DateTime | None = None
    slo_target: float | None = None
    """Availability objective in percent, e.g. 99.9."""
    slo_window_days: int | None = None
    follow_up_date: Date | None = None
    follows_up: int | None = None
    """Id of the earlier session this one follows up."""
    summary: str = ""
    impact: str = ""
    created: DateTime = field(default_factory=lambda: pendulum.now("UTC"))

    @property
    def tz(self) -> pendulum.Timezone | pendulum.FixedTimezone:
        return pendulum.timezone(self.timezone)

    @property
    def incident_date(self) -> Date | None:
        """The day bare times typed in the meeting fall on, in the session's timezone."""
        for moment in (self.impact_started, self.detected, self.acknowledged, self.scheduled):
            if moment is not None:
                return moment.in_timezone(self.timezone).date()
        return None


@dataclass(frozen=True)
class AgendaItem:
    """A timeboxed part of the meeting.

    Remaining time is never counted by ticks: it is derived from the stored
    ``started`` time, the planned and extended minutes and the paused time
    (see ``domain.agenda``), so a restart or a blocked loop cannot make it drift.
    """

    session_id: int
    title: str
    planned_minutes: int
    position: int = 0
    id: int | None = None
    started: DateTime | None = None
    ended: DateTime | None = None
    extra_minutes: int = 0
    """Minutes added during the meeting ("extend"); planned_minutes stays as planned."""
    paused_at: DateTime | None = None
    paused_seconds: float = 0.0
    """Time spent paused in earlier pauses (the current pause counts from paused_at)."""
    notes: str = ""


@dataclass(frozen=True)
class TimelineEvent:
    """Something that happened during the incident, at a known time."""

    session_id: int
    at: DateTime
    text: str
    kind: EventKind = EventKind.OTHER
    link: str = ""
    starred: bool = False
    id: int | None = None


@dataclass(frozen=True)
class Finding:
    """Something the room established: a factor, a lesson or an open question."""

    session_id: int
    text: str
    kind: FindingKind = FindingKind.CONTRIBUTING_FACTOR
    category: FindingCategory = FindingCategory.OTHER
    position: int = 0
    id: int | None = None


@dataclass(frozen=True)
class ActionItem:
    """A follow-up with an owner. Follow-up sessions share these rows, never copies."""

    session_id: int
    text: str
    owner: str = ""
    due: Date | None = None
    type: ActionType = ActionType.PREVENT
    priority: Priority = Priority.P2
    status: ActionStatus = ActionStatus.OPEN
    link: str = ""
    position: int = 0
    id: int | None = None

    def is_overdue(self, today: Date) -> bool:
        return self.due is not None and not self.status.is_closed and self.due < today


@dataclass(frozen=True)
class ScriptUse:
    """A scripted response card shown during the meeting."""

    session_id: int
    script_id: str
    title: str
    shown_at: DateTime
    id: int | None = None


@dataclass(frozen=True)
class BlameFlag:
    """Blameful wording found in a saved text, and what the facilitator did about it."""

    session_id: int
    entity: EntityKind
    entity_id: int
    start: int
    end: int
    phrase: str
    category: FlagCategory
    explanation: str
    suggestion: str
    card_id: str = ""
    status: FlagStatus = FlagStatus.OPEN
    raised_at: DateTime | None = None
    resolved_at: DateTime | None = None
    id: int | None = None


@dataclass(frozen=True)
class SessionRecord:
    """A session with everything that belongs to it, as read in one go."""

    session: Session
    agenda: tuple[AgendaItem, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    findings: tuple[Finding, ...] = ()
    actions: tuple[ActionItem, ...] = ()
    script_uses: tuple[ScriptUse, ...] = ()
    flags: tuple[BlameFlag, ...] = ()
