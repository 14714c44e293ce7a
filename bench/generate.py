"""Seeded benchmark data: sessions whose text looks like a real post-mortem's.

Everything is drawn from one ``random.Random(seed)``, so two runs with the same seed and
sizes produce the same rows (only the agenda of a *live* session is placed relative to
the wall clock, so its countdown runs). Lengths follow what people type in a meeting:
timeline events of 30–160 characters, findings of one to three sentences, action items of
one line with an owner and a due date.

Rows are inserted with sqlite-utils ``insert_all`` inside one ``Store.transaction()`` per
session, through the same FTS triggers as the app's own writes, so the search indexes
are real.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pendulum
from pendulum import DateTime

from pmconsole.domain.agenda import DEFAULT_AGENDA
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
from pmconsole.store.codec import to_row
from pmconsole.store.repository import Store

SEED = 20261120
# Incidents happen in the past; a fixed base keeps the data identical from run to run.
BASE = pendulum.datetime(2026, 6, 1, 8, 0, tz="UTC")

SERVICES = (
    "checkout", "payments-api", "auth", "search", "inventory", "notifications", "ledger",
    "edge-proxy", "image-resizer", "billing", "session-store", "feature-flags", "web-frontend",
    "mobile-gateway", "recommendations", "warehouse-sync", "dns", "kafka", "postgres-main",
)
COMPONENTS = (
    "primary database", "read replica", "connection pool", "load balancer", "CDN", "TLS terminator",
    "job queue", "cache cluster", "config service", "deploy pipeline", "rate limiter",
    "service mesh sidecar", "certificate issuer", "message broker", "autoscaler", "DNS resolver",
    "feature flag", "cron scheduler", "object storage bucket", "API gateway",
)
SYMPTOMS = (
    "p99 latency rose to {n} ms", "error rate reached {p}%", "CPU pinned at 100%",
    "memory climbed past {n} MiB", "connections exhausted ({n} of {n} in use)",
    "health checks started failing", "5xx responses spiked", "queue depth grew to {n}k",
    "disk filled to {p}%", "replication lag hit {n} s", "TLS handshakes failed",
    "requests timed out after {n} s", "pods crash-looped", "cache hit ratio dropped to {p}%",
)
ACTIONS_DONE = (
    "rolled back release {v}", "failed over to the standby", "scaled the pool from {n} to {n}",
    "disabled the {flag} flag", "restarted the {component}", "drained traffic from {region}",
    "raised the connection limit to {n}", "paused the {service} consumers",
    "renewed the expired certificate", "cleared the poisoned cache keys",
    "pinned the client library to {v}", "opened a status page incident",
)
PEOPLE = (
    "Ana", "Bo", "Chidi", "Dana", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kemi",
    "Lars", "Mei", "Nikhil", "Olga", "Priya", "Quentin", "Rosa", "Sami", "Tomás", "Uma", "Viktor",
)
TEAMS = (
    "@storage-team", "@payments-oncall", "@sre", "@platform", "@security", "@frontend",
    "@data-eng", "@release-eng", "@networking", "@support",
)
REGIONS = ("eu-west-1", "us-east-1", "ap-south-1", "eu-central-1", "us-west-2")
FLAGS = ("new-checkout-flow", "async-ledger-writes", "bulk-export", "smart-retry")
ZONES = ("Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata", "Europe/London")

EVENT_TEMPLATES = (
    "{service}: {symptom} on {component}",
    "Alert fired: {service} {symptom}",
    "{person} acknowledged the page and joined the bridge",
    "{person} {done}",
    "Customer reports in #support: checkout fails with a generic error",
    "{component} in {region}: {symptom}; {person} investigating",
    "Deploy {v} of {service} started (canary 5%)",
    "Dashboards show {symptom} only in {region}",
    "{person} suspects the {component} after comparing with last week's traffic",
    "Status page updated: degraded performance for {service}",
    "{done}; {service} recovering, error rate back under {p}%",
    "Escalated to {team}; incident commander is {person}",
    "Found log lines: 'too many open files' on {service} hosts",
)
FINDING_TEMPLATES = (
    "The {component} had no alert on {symptom_short}, so the first signal was customer reports.",
    "Runbook for {service} still described the old {component}; it took {n} minutes to find the "
    "right dashboard.",
    "The canary for {v} only covered {region}, where the {flag} flag was off.",
    "Failing over to the standby worked as designed and took under {n} minutes.",
    "We were lucky that the traffic peak came after the fix: a Monday morning would have been "
    "much worse.",
    "Nobody could tell from the dashboards whether {service} or the {component} failed first. "
    "Open question: which one should page?",
    "Load tests run against a {component} with ten times less data than production.",
    "The change passed review; the reviewers had no way to see its effect on the {component}.",
)
ACTION_TEMPLATES = (
    "Add an alert on {symptom_short} for the {component}",
    "Update the {service} runbook with the failover steps",
    "Run the load test against production-sized data for {service}",
    "Make the canary cover every region, including {region}",
    "Document who owns the {component} and how to reach them",
    "Automate renewal of the {component} certificates",
    "Add a dashboard panel comparing {service} error rate with the {component} saturation",
    "Review the timeout and retry settings between {service} and the {component}",
)
SESSION_TITLES = (
    "{service} outage after {component} failure",
    "Degraded {service} in {region}",
    "{service}: {symptom_short}",
    "Partial outage: {component} saturation",
    "Elevated errors on {service} after deploy {v}",
)


@dataclass(frozen=True)
class Sizes:
    """How much data each benchmark gets."""

    big_events: int = 10_000
    big_actions: int = 1_000
    big_findings: int = 100
    small_events: int = 10
    small_actions: int = 10
    small_findings: int = 10
    many_sessions: int = 1_000
    entries_per_session: int = 100  # 1,000 × 100 = 100,000 rows to search
    few_sessions: int = 10


SMOKE_SIZES = Sizes(
    big_events=300, big_actions=40, big_findings=12,
    many_sessions=25, entries_per_session=20, few_sessions=5,
)


class Words:
    """Fills templates from the vocabularies above with a seeded RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def fill(self, template: str) -> str:
        r = self.rng
        values = {
            "service": r.choice(SERVICES),
            "component": r.choice(COMPONENTS),
            "person": r.choice(PEOPLE),
            "team": r.choice(TEAMS),
            "region": r.choice(REGIONS),
            "flag": r.choice(FLAGS),
            "v": f"v{r.randint(1, 9)}.{r.randint(0, 40)}.{r.randint(0, 9)}",
            "n": str(r.choice((3, 5, 12, 40, 64, 200, 512, 1500, 4000))),
            "p": str(r.choice((2, 5, 12, 30, 85, 97))),
        }
        symptom = r.choice(SYMPTOMS).format(**values)
        values["symptom"] = symptom
        values["symptom_short"] = symptom.split(" (")[0]
        values["done"] = r.choice(ACTIONS_DONE).format(**values)
        return template.format(**values)

    def event_text(self) -> str:
        text = self.fill(self.rng.choice(EVENT_TEMPLATES))
        # Some scribes add detail; keep within what fits a meeting's pace.
        if self.rng.random() < 0.3:
            text += ". " + self.fill("{person} notes: {symptom} before {done}")
        return text[:160]

    def finding_text(self) -> str:
        sentences = [self.fill(self.rng.choice(FINDING_TEMPLATES))
                     for _ in range(self.rng.choice((1, 1, 2, 3)))]
        return " ".join(sentences)

    def action_text(self) -> str:
        return self.fill(self.rng.choice(ACTION_TEMPLATES))

    def title(self) -> str:
        return self.fill(self.rng.choice(SESSION_TITLES))

    def link(self) -> str:
        r = self.rng
        return r.choice((
            f"https://grafana.example.com/d/{r.randrange(16**8):08x}",
            f"https://tickets.example.com/browse/OPS-{r.randint(100, 9999)}",
            f"https://logs.example.com/q/{r.randrange(16**10):010x}",
        ))


@dataclass
class GeneratedSession:
    """A session and its entries, not yet saved (ids are filled in on insert)."""

    session: Session
    agenda: list[AgendaItem]
    timeline: list[TimelineEvent]
    findings: list[Finding]
    actions: list[ActionItem]


def make_session(
    rng: random.Random,
    *,
    events: int,
    findings: int,
    actions: int,
    index: int = 0,
    live_at: DateTime | None = None,
) -> GeneratedSession:
    """One session; ``live_at`` makes it a meeting in progress (third agenda item running)."""
    words = Words(rng)
    zone = rng.choice(ZONES)
    start = BASE.subtract(days=index * 2 + rng.randint(0, 1), minutes=rng.randint(0, 600))
    # The incident lasts long enough for the events to be a minute or less apart.
    span_seconds = max(3600, events * rng.randint(10, 20))
    people = tuple(dict.fromkeys(rng.sample(PEOPLE, rng.randint(4, 9))))
    session = Session(
        title=words.title(),
        service=rng.choice(SERVICES),
        severity=rng.choice(list(Severity)),
        status=SessionStatus.LIVE if live_at is not None else rng.choice(
            (SessionStatus.ENDED, SessionStatus.REVIEWED)),
        facilitator=people[0],
        scribe=people[1],
        attendees=people,
        timezone=zone,
        scheduled=start.add(days=2),
        started=live_at.subtract(minutes=40) if live_at is not None else start.add(days=2),
        ended=None if live_at is not None else start.add(days=2, minutes=60),
        impact_started=start,
        detected=start.add(minutes=rng.randint(2, 30)),
        acknowledged=start.add(minutes=rng.randint(31, 40)),
        mitigated=start.add(seconds=span_seconds // 2),
        resolved=start.add(seconds=span_seconds),
        slo_target=99.9,
        slo_window_days=30,
        summary=" ".join(words.finding_text() for _ in range(2)),
        impact=words.fill("About {n} customers could not use {service} for {n} minutes in "
                          "{region}."),
        created=start.add(days=1),
    )
    agenda = _agenda(live_at)
    moments = sorted(rng.randrange(span_seconds) for _ in range(events))
    kinds = list(EventKind)
    timeline = [
        TimelineEvent(
            session_id=0,
            at=start.add(seconds=s),
            text=words.event_text(),
            kind=rng.choice(kinds),
            link=words.link() if rng.random() < 0.15 else "",
            starred=rng.random() < 0.05,
        )
        for s in moments
    ]
    finding_list = [
        Finding(session_id=0, text=words.finding_text(), kind=rng.choice(list(FindingKind)),
                category=rng.choice(list(FindingCategory)), position=i)
        for i in range(findings)
    ]
    due_base = start.date().add(days=14)
    action_list = [
        ActionItem(
            session_id=0,
            text=words.action_text(),
            owner=rng.choice((*TEAMS, *PEOPLE)),
            due=due_base.add(days=rng.randint(0, 90)) if rng.random() < 0.8 else None,
            type=rng.choice(list(ActionType)),
            priority=rng.choice(list(Priority)),
            status=rng.choice((ActionStatus.OPEN, ActionStatus.OPEN, ActionStatus.IN_PROGRESS,
                               ActionStatus.DONE)),
            link=words.link() if rng.random() < 0.3 else "",
            position=i,
        )
        for i in range(actions)
    ]
    return GeneratedSession(session, agenda, timeline, finding_list, action_list)


def _agenda(live_at: DateTime | None) -> list[AgendaItem]:
    items = []
    for position, (title, minutes) in enumerate(DEFAULT_AGENDA):
        started = ended = None
        if live_at is not None and position < 2:
            started = live_at.subtract(minutes=40 - position * 15)
            ended = started.add(minutes=minutes + 5)
        elif live_at is not None and position == 2:
            started = live_at.subtract(minutes=4)
        items.append(AgendaItem(session_id=0, title=title, planned_minutes=minutes,
                                position=position, started=started, ended=ended))
    return items


def insert(store: Store, generated: GeneratedSession) -> int:
    """Save one generated session in one transaction; returns its id."""
    db = store.db
    with store.transaction():
        row = to_row(dataclasses.replace(generated.session, id=None))
        session_id = db.table("sessions").insert(row).last_pk
        assert isinstance(session_id, int)
        for table, entries in (
            ("agenda_items", generated.agenda),
            ("timeline_events", generated.timeline),
            ("findings", generated.findings),
            ("action_items", generated.actions),
        ):
            if entries:
                db.table(table).insert_all(
                    (to_row(dataclasses.replace(e, session_id=session_id)) for e in entries),
                    batch_size=500,
                )
    return session_id


def _open(path: Path) -> Store:
    """The app's own opening (schema, FTS triggers); fsync skipped: this is throwaway data."""
    store = Store.open(path)
    store.conn.execute("PRAGMA synchronous=OFF")
    return store


def _split(total: int, rng: random.Random) -> tuple[int, int, int]:
    """(events, findings, actions) for one session of ``total`` entries besides its agenda."""
    rest = max(0, total - len(DEFAULT_AGENDA))
    findings = max(1, rest * rng.randint(10, 16) // 100)
    actions = max(1, rest * rng.randint(10, 16) // 100)
    return max(1, rest - findings - actions), findings, actions


@dataclass(frozen=True)
class ConsoleData:
    path: Path
    small_id: int
    big_id: int


def console_db(path: Path, sizes: Sizes, *, seed: int = SEED,
               now: DateTime | None = None) -> ConsoleData:
    """Two live meetings: a small one (the reference) and a big one."""
    rng = random.Random(seed)
    now = now or pendulum.now("UTC")
    store = _open(path)
    try:
        small = insert(store, make_session(rng, events=sizes.small_events,
                                           findings=sizes.small_findings,
                                           actions=sizes.small_actions, live_at=now))
        big = insert(store, make_session(rng, events=sizes.big_events,
                                         findings=sizes.big_findings,
                                         actions=sizes.big_actions, index=1, live_at=now))
    finally:
        store.close()
    return ConsoleData(path, small, big)


def history_db(path: Path, sessions: int, entries_per_session: int, *,
               seed: int = SEED) -> list[int]:
    """``sessions`` past post-mortems of ``entries_per_session`` entries each."""
    rng = random.Random(seed + sessions)
    store = _open(path)
    ids = []
    try:
        for index in range(sessions):
            events, findings, actions = _split(entries_per_session, rng)
            ids.append(insert(store, make_session(rng, events=events, findings=findings,
                                                  actions=actions, index=index)))
    finally:
        store.close()
    return ids


def search_queries(seed: int = SEED) -> Sequence[str]:
    """What a reviewer types into search: common words, rare words, phrases, prefixes."""
    return (
        "certificate", "replica lag", "rolled back", "checkout", "connection pool exhausted",
        "Priya", "runbook", "canary eu-west", "dashb", "timeout retry", "status page",
        "OPS-4", "nothingmatchesthis",
    )


