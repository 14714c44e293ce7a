"""A made-up incident history, for trying the review screens, snapshots and the benchmark.

``sample_history(count, today=..., seed=...)`` returns ``count`` finished post-mortems
spread over the past two years, each with a timeline, findings and action items (some
overdue), all from a seeded random generator: the same arguments give the same records.
The text is our own; the company is the demo's fictional Larkspur.
"""

from __future__ import annotations

import random

import pendulum
from pendulum import Date

from pmconsole.domain.model import (
    ActionItem,
    ActionStatus,
    ActionType,
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

SERVICES = ("checkout", "auth", "search-api", "payments-gateway", "notifications",
            "mobile-api", "inventory", "billing", "cdn-edge", "reporting")
PEOPLE = ("Priya Natarajan", "Tomás Ortega", "Dave Kim", "Mei Lin", "Sam Okafor",
          "Joanna Berg", "Ravi Shah", "Lena Fischer")
TEAMS = ("storage-team", "sre", "platform", "search-team", "identity-team", "mobile-team")
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo")
PROBLEMS = (
    ("Elevated 5xx on {service} after a config push", "a config push"),
    ("{service} latency spike from a slow database query", "a slow query"),
    ("Partial {service} outage during a zone failover", "a zone failover"),
    ("{service} errors after a dependency upgrade", "a dependency upgrade"),
    ("Stale data served by {service} after a cache flush", "a cache flush"),
    ("{service} unavailable after a certificate rotation", "a certificate rotation"),
    ("Queue backlog in {service} after a consumer crash", "a consumer crash"),
    ("{service} rate limits hit during a traffic surge", "a traffic surge"),
)
EVENT_TEXTS = (
    (EventKind.TRIGGER, "Change rolled out to {service}; error rate starts climbing."),
    (EventKind.DETECTION, "Alert on {service} error budget burn pages the on-call engineer."),
    (EventKind.ESCALATION, "Incident channel opened; {team} joins the call."),
    (EventKind.DIAGNOSIS, "Dashboards show the errors began right after {cause}."),
    (EventKind.DIAGNOSIS, "Connection pool on {service} saturated; retries amplify the load."),
    (EventKind.COMMUNICATION, "Status page updated: degraded performance on {service}."),
    (EventKind.MITIGATION, "Traffic shifted away from the failing replicas of {service}."),
    (EventKind.MITIGATION, "Rollback of {cause} completes; errors fall back to baseline."),
    (EventKind.RESOLUTION, "Root fix deployed and verified; incident closed."),
    (EventKind.OTHER, "Customer support reports a rise in tickets about {service}."),
)
FINDING_TEXTS = (
    (FindingKind.CONTRIBUTING_FACTOR, FindingCategory.TESTING,
     "The staging environment does not reproduce {cause} at production scale."),
    (FindingKind.CONTRIBUTING_FACTOR, FindingCategory.MONITORING,
     "No alert watched saturation of the {service} connection pool."),
    (FindingKind.ROOT_CAUSE, FindingCategory.PROCESS,
     "The rollout of {cause} had no automatic halt on rising errors."),
    (FindingKind.WENT_WELL, FindingCategory.COMMUNICATION,
     "The status page went out within ten minutes of detection."),
    (FindingKind.WENT_WRONG, FindingCategory.TOOLING,
     "The runbook for {service} pointed at a retired dashboard."),
    (FindingKind.GOT_LUCKY, FindingCategory.OTHER,
     "The surge hit outside peak hours for most customers."),
    (FindingKind.OPEN_QUESTION, FindingCategory.REVIEW,
     "Should changes to {service} need a second reviewer from {team}?"),
)
ACTION_TEXTS = (
    (ActionType.DETECT, "Add an alert on {service} connection pool saturation"),
    (ActionType.PREVENT, "Halt rollouts automatically when {service} errors rise"),
    (ActionType.MITIGATE, "Document a one-command rollback for {cause}"),
    (ActionType.PROCESS, "Update the {service} runbook with the new dashboards"),
    (ActionType.DETECT, "Add a synthetic probe for {service} from two regions"),
    (ActionType.PREVENT, "Load-test {cause} in staging at production scale"),
)


def sample_history(
    count: int, *, today: Date, seed: int = 7, events_per_session: int = 6
) -> list[SessionRecord]:
    """``count`` ended or reviewed sessions, oldest first, ending a few days before ``today``."""
    rng = random.Random(seed)
    records = []
    span_days = 730
    for index in range(count):
        days_ago = span_days - (span_days - 3) * index // max(1, count - 1) if count > 1 else 10
        records.append(_record(rng, today, days_ago, events_per_session))
    return records


def _record(rng: random.Random, today: Date, days_ago: int, events: int) -> SessionRecord:
    service = rng.choice(SERVICES)
    title_pattern, cause = rng.choice(PROBLEMS)
    team = rng.choice(TEAMS)
    zone = rng.choice(ZONES)
    day = today.subtract(days=days_ago)
    start = pendulum.datetime(day.year, day.month, day.day, rng.randrange(0, 22),
                              rng.choice((0, 15, 30, 45)), tz=zone)
    ttd = rng.choice((2, 4, 6, 9, 14, 22, 35, 60, 95)) * 60
    tta = ttd + rng.choice((1, 3, 5, 10)) * 60
    ttm = tta + rng.choice((10, 20, 35, 50, 80, 140)) * 60
    ttr = ttm + rng.choice((15, 30, 60, 120, 240)) * 60
    facilitator, scribe = rng.sample(PEOPLE, 2)
    meeting = start.add(days=rng.choice((2, 3, 5, 7)))
    status = SessionStatus.REVIEWED if days_ago > 60 else SessionStatus.ENDED
    words = {"service": service, "cause": cause, "team": team}
    session = Session(
        id=0,
        title=title_pattern.format(**words),
        service=service,
        severity=rng.choices(list(Severity), weights=(1, 3, 5, 3, 1))[0],
        status=status,
        facilitator=facilitator,
        scribe=scribe,
        attendees=tuple(sorted({facilitator, scribe, *rng.sample(PEOPLE, 3)})),
        timezone=zone,
        scheduled=meeting.replace(hour=14, minute=0).in_timezone("UTC"),
        started=meeting.replace(hour=14, minute=0).in_timezone("UTC"),
        ended=meeting.replace(hour=15, minute=0).in_timezone("UTC"),
        impact_started=start.in_timezone("UTC"),
        detected=start.add(seconds=ttd).in_timezone("UTC"),
        acknowledged=start.add(seconds=tta).in_timezone("UTC"),
        mitigated=start.add(seconds=ttm).in_timezone("UTC"),
        resolved=start.add(seconds=ttr).in_timezone("UTC"),
        summary=f"{session_summary(rng, words)}",
        created=start.add(days=1).in_timezone("UTC"),
    )
    timeline = tuple(
        TimelineEvent(
            session_id=0,
            id=i + 1,
            at=start.add(seconds=ttr * i // max(1, events - 1)).in_timezone("UTC"),
            kind=kind,
            text=text.format(**words),
        )
        for i, (kind, text) in enumerate(
            EVENT_TEXTS[i % len(EVENT_TEXTS)] for i in range(events)
        )
    )
    findings = tuple(
        Finding(session_id=0, id=i + 1, position=i, kind=kind, category=category,
                text=text.format(**words))
        for i, (kind, category, text) in enumerate(rng.sample(FINDING_TEXTS, 3))
    )
    actions = []
    for i, (kind, text) in enumerate(rng.sample(ACTION_TEXTS, rng.choice((1, 2, 3)))):
        due = meeting.date().add(days=rng.choice((7, 14, 30, 60)))
        # Old items are mostly finished; recent ones mostly still open (some overdue).
        if days_ago > 120:
            status_ = rng.choices(list(ActionStatus), weights=(1, 1, 8, 1))[0]
        else:
            status_ = rng.choices(list(ActionStatus), weights=(5, 3, 2, 0))[0]
        actions.append(ActionItem(
            session_id=0, id=i + 1, position=i, text=text.format(**words),
            owner=rng.choice((*TEAMS, *PEOPLE)), due=due, type=kind,
            priority=rng.choice(list(Priority)), status=status_,
        ))
    return SessionRecord(session, (), timeline, findings, tuple(actions))


def session_summary(rng: random.Random, words: dict[str, str]) -> str:
    minutes = rng.choice((12, 25, 40, 75, 130))
    return (f"For about {minutes} minutes {words['service']} served errors to some users "
            f"after {words['cause']}.")
