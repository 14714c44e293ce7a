"""Hand-built sessions shared by the exchange and CLI tests (fixed times, no database)."""

from __future__ import annotations

import pendulum

from pmconsole.domain.model import (
    ActionItem,
    ActionStatus,
    ActionType,
    AgendaItem,
    BlameFlag,
    EntityKind,
    EventKind,
    Finding,
    FindingCategory,
    FindingKind,
    FlagCategory,
    FlagStatus,
    Priority,
    ScriptUse,
    Session,
    SessionRecord,
    SessionStatus,
    Severity,
    TimelineEvent,
)

SESSION_ID = 3
EARLIER_ID = 1
LATER_ID = 7
LINKED = {EARLIER_ID: "Payments latency spike", LATER_ID: "Checkout outage: 30-day review"}
# The moment the minutes are rendered: after the meeting, so nothing is still running.
NOW = pendulum.datetime(2026, 11, 20, 15, 0, tz="UTC")


def utc(day: int, hour: int, minute: int, second: int = 0) -> pendulum.DateTime:
    return pendulum.datetime(2026, 11, day, hour, minute, second, tz="UTC")


def empty_record() -> SessionRecord:
    return SessionRecord(session=Session(
        title="Untriaged incident", id=SESSION_ID, timezone="Europe/Berlin",
        created=utc(19, 16, 0),
    ))


def full_session() -> Session:
    return Session(
        title="Checkout outage: payments | cart",
        id=SESSION_ID,
        service="checkout-api",
        severity=Severity.SEV2,
        status=SessionStatus.ENDED,
        facilitator="Ana Souza",
        scribe="Bo Chen",
        attendees=("Ana Souza", "Bo Chen", "Chidi Okafor", "Dana Müller"),
        timezone="Europe/Berlin",
        scheduled=utc(20, 13, 0),
        started=utc(20, 13, 2),
        ended=utc(20, 14, 10),
        impact_started=utc(19, 13, 58),
        detected=utc(19, 14, 6),
        acknowledged=utc(19, 14, 9),
        mitigated=utc(19, 14, 41),
        resolved=utc(19, 15, 30),
        slo_target=99.9,
        slo_window_days=30,
        follow_up_date=pendulum.date(2026, 12, 4),
        follows_up=EARLIER_ID,
        summary=(
            "A configuration change raised the payment client's timeout to 30 s.\n"
            "Under load the checkout pool ran out of connections and *every* checkout "
            "failed for 43 minutes.\n"
            "\n"
            "Rolling back the change restored service; no orders were lost."
        ),
        impact=(
            "~38% of checkout attempts failed (HTTP 503) between 14:58 and 15:41.\n"
            "- 1,204 customers saw an error page\n"
            "- support received 87 tickets"
        ),
        created=utc(19, 16, 0),
    )


def full_record() -> SessionRecord:
    session = full_session()
    sid = SESSION_ID
    agenda = (
        AgendaItem(sid, "Blameless opening and ground rules", 5, position=0, id=1,
                   started=utc(20, 13, 2), ended=utc(20, 13, 6)),
        AgendaItem(sid, "Walk through the timeline", 10, position=1, id=2,
                   started=utc(20, 13, 6), ended=utc(20, 13, 21), extra_minutes=5,
                   notes="Timeline agreed; 15:41 rollback time confirmed from deploy log"),
        AgendaItem(sid, "Contributing factors and what helped", 20, position=2, id=3,
                   started=utc(20, 13, 21), ended=utc(20, 13, 44)),
        AgendaItem(sid, "Action items and owners", 15, position=3, id=4,
                   started=utc(20, 13, 44), ended=utc(20, 13, 58), paused_seconds=120.0),
        AgendaItem(sid, "Impact and stakeholder messaging", 5, position=4, id=5,
                   started=utc(20, 13, 58), ended=utc(20, 14, 4)),
        AgendaItem(sid, "Recap and follow-up", 5, position=5, id=6,
                   started=utc(20, 14, 4), ended=utc(20, 14, 10)),
    )
    timeline = (
        TimelineEvent(sid, utc(19, 13, 52), "Config change CHG-2291 merged: payment timeout "
                      "5 s -> 30 s", EventKind.TRIGGER, "https://git.example.com/ops/pull/2291",
                      starred=True, id=1),
        TimelineEvent(sid, utc(19, 13, 58), "Checkout error rate starts climbing (p99 > 8 s)",
                      EventKind.TRIGGER, id=2),
        TimelineEvent(sid, utc(19, 14, 6), "Alert `checkout_5xx_ratio > 5%` fires; "
                      "#payments-oncall paged", EventKind.DETECTION,
                      "https://grafana.example.com/d/checkout?from=now-6h&to=now", starred=True,
                      id=3),
        TimelineEvent(sid, utc(19, 14, 9), "Chidi acknowledges the page", EventKind.ESCALATION,
                      id=4),
        TimelineEvent(sid, utc(19, 14, 15), "Status page: \"Degraded checkout\" posted",
                      EventKind.COMMUNICATION, id=5),
        TimelineEvent(sid, utc(19, 14, 27), "Connection pool exhausted | 200/200 in use "
                      "[payments-client]", EventKind.DIAGNOSIS, id=6),
        TimelineEvent(sid, utc(19, 14, 41), "CHG-2291 rolled back; error rate falls",
                      EventKind.MITIGATION, starred=True, id=7),
        TimelineEvent(sid, utc(19, 15, 30), "Queue drained, incident closed",
                      EventKind.RESOLUTION, "javascript:alert(1)", id=8),
    )
    findings = (
        Finding(sid, "The payment client's timeout was raised without a load test.",
                FindingKind.ROOT_CAUSE, FindingCategory.TESTING, 0, id=1),
        Finding(sid, "The pool size (200) was tuned for 5 s calls.\nNobody owned the "
                "pool settings.", FindingKind.CONTRIBUTING_FACTOR, FindingCategory.PROCESS,
                1, id=2),
        Finding(sid, "The config change skipped canary because it was tagged \"low risk\".",
                FindingKind.CONTRIBUTING_FACTOR, FindingCategory.REVIEW, 2, id=3),
        Finding(sid, "The 5xx alert fired within 8 minutes.", FindingKind.WENT_WELL,
                FindingCategory.MONITORING, 3, id=4),
        Finding(sid, "Rollback was one command.", FindingKind.WENT_WELL, FindingCategory.OTHER,
                4, id=5),
        Finding(sid, "Dave forgot to check the dashboard before merging.",
                FindingKind.WENT_WRONG, FindingCategory.COMMUNICATION, 5, id=6),
        Finding(sid, "It happened at 15:00, not during the evening peak.",
                FindingKind.GOT_LUCKY, FindingCategory.OTHER, 6, id=7),
        Finding(sid, "Why did the canary tag default to \"low risk\"?",
                FindingKind.OPEN_QUESTION, FindingCategory.PROCESS, 7, id=8),
        Finding(sid, "Do other clients share the pool?", FindingKind.OPEN_QUESTION,
                FindingCategory.OTHER, 8, id=9),
    )
    actions = (
        ActionItem(EARLIER_ID, "Add p99 latency alert for payments", "payments-team",
                   pendulum.date(2026, 11, 15), ActionType.DETECT, Priority.P2,
                   ActionStatus.IN_PROGRESS, "https://jira.example.com/browse/PAY-88", 0,
                   id=11),
        ActionItem(sid, "Load-test timeout changes before rollout", "Chidi Okafor",
                   pendulum.date(2026, 12, 1), ActionType.PREVENT, Priority.P1,
                   ActionStatus.OPEN, "https://jira.example.com/browse/CHK-101", 0, id=12),
        ActionItem(sid, "Size the connection pool from the timeout | document the formula",
                   "Dana Müller", pendulum.date(2026, 12, 8), ActionType.MITIGATE,
                   Priority.P2, ActionStatus.OPEN, "", 1, id=13),
        ActionItem(sid, "Remove the \"low risk\" tag default from the change template",
                   "release-eng", None, ActionType.PROCESS, Priority.P2, ActionStatus.DONE,
                   "https://jira.example.com/browse/REL-7", 2, id=14),
        ActionItem(sid, "Page on pool saturation > 90%", "", None, ActionType.DETECT,
                   Priority.P3, ActionStatus.WONT_DO, "", 3, id=15),
    )
    script_uses = (
        ScriptUse(sid, "who-did-it", "\"But who made the change?\"", utc(20, 13, 12), id=1),
        ScriptUse(sid, "human-error", "\"It was just human error\"", utc(20, 13, 30), id=2),
    )
    flags = (
        BlameFlag(sid, EntityKind.FINDING, 6, 0, 11, "Dave forgot", FlagCategory.ATTRIBUTION,
                  "Names a person as the cause.", "The dashboard check was not part of the "
                  "merge checklist", "who-did-it", FlagStatus.ACCEPTED, utc(20, 13, 30),
                  utc(20, 13, 31), id=1),
        BlameFlag(sid, EntityKind.TIMELINE, 4, 0, 5, "Chidi", FlagCategory.ATTRIBUTION,
                  "Names a person.", "The on-call engineer", "", FlagStatus.DISMISSED,
                  utc(20, 13, 10), utc(20, 13, 11), id=2),
        BlameFlag(sid, EntityKind.SESSION, sid, 0, 0, "should have", FlagCategory.HINDSIGHT,
                  "Hindsight.", "Describe what was known at the time", "", FlagStatus.OPEN,
                  utc(20, 13, 40), None, id=3),
    )
    return SessionRecord(session=session, agenda=agenda, timeline=timeline, findings=findings,
                         actions=actions, script_uses=script_uses, flags=flags)


# Strings that mean something to Markdown, HTML, Rich markup or terminals; each must come
# out of every export exactly as typed.
HOSTILE = [
    "|", "a|b", "\\|", "# x", "> x", "- x", "1. x", "1) x", "---", "===", "```", "~~~",
    "<script>alert(1)</script>", "[link](javascript:alert(1))", "*x*", "_x_", "**x**",
    "\\", "\\\\", "&amp;", "&#32;", "    indented", "\tindented", "[/]", "[@click=app.quit]x[/]",
    "x  ", "trailing\\", "<https://example.com>", "![img](x.png)", "`code`", "$x$", "~~x~~",
    "+ x", ":--", "| a | b |", "[x]: https://example.com", "<!-- c -->", "café 🔥 👩‍👩‍👧",
    "事故の振り返り", "\u202eevil\u202c", "a\u00a0", "\u3000x", "@here #incident",
]
