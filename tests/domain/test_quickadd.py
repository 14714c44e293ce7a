"""The one-line quick-add of each pane: what is parsed, and what is refused with which message.

A token that is almost the syntax (``p5``, ``due:`` with no date, ``9999m``) is refused with a
message saying what is accepted; it is never kept as text or replaced by a default. Prose in
the text of an entry is never refused.
"""

from __future__ import annotations

import pendulum
import pytest

from pmconsole.domain.model import (
    ActionItem,
    ActionType,
    AgendaItem,
    EventKind,
    Finding,
    FindingKind,
    Priority,
    Session,
    TimelineEvent,
)
from pmconsole.domain.quickadd import (
    QuickAddError,
    parse_action,
    parse_agenda,
    parse_finding,
    parse_timeline,
)

TODAY = pendulum.date(2026, 11, 20)  # a Friday
NOW = pendulum.datetime(2026, 11, 20, 15, 0, tz="UTC")
SESSION = Session(id=7, title="Card payments declined", timezone="Europe/Berlin",
                  impact_started=pendulum.datetime(2026, 11, 18, 9, 0, tz="UTC"))

RANGE = "between 1 and 480 minutes (8h), e.g. 10m or 1h30m"
TYPES = "prevent, mitigate, detect, process, other"


def agenda(text: str) -> tuple[str, int]:
    item = parse_agenda(text, 7)
    assert isinstance(item, AgendaItem) and item.session_id == 7
    return item.title, item.planned_minutes


def action(text: str) -> ActionItem:
    return parse_action(text, 7, TODAY)


def refused(parse: object, text: str) -> str:
    with pytest.raises(QuickAddError) as caught:
        if parse is parse_action:
            parse_action(text, 7, TODAY)
        elif parse is parse_timeline:
            parse_timeline(text, SESSION, NOW)
        else:
            parse(text, 7)  # type: ignore[operator]
    return str(caught.value)


# -- agenda -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "expected"), [
    ("Review dashboards 10m", ("Review dashboards", 10)),
    ("Review dashboards", ("Review dashboards", 5)),
    ("Review dashboards 10", ("Review dashboards", 10)),
    ("Review dashboards 10 min", ("Review dashboards", 10)),
    ("Review dashboards 10mins", ("Review dashboards", 10)),
    ("Review dashboards 10 minutes", ("Review dashboards", 10)),
    ("Review dashboards 480m", ("Review dashboards", 480)),
    ("Review dashboards 123", ("Review dashboards", 123)),
    ("Step 1 10m", ("Step 1", 10)),
    ("Review 10mm", ("Review 10mm", 5)),
])
def test_agenda_accepts_what_it_always_accepted(typed: str, expected: tuple[str, int]) -> None:
    assert agenda(typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("Wrap up 1 minute", ("Wrap up", 1)),  # used to be the title "Wrap up 1 minute", 5 minutes
    ("Deep dive 1h", ("Deep dive", 60)),
    ("Deep dive 1 hour", ("Deep dive", 60)),
    ("Deep dive 2hrs", ("Deep dive", 120)),
    ("Deep dive 1h30m", ("Deep dive", 90)),
    ("Deep dive 1h 30", ("Deep dive", 90)),
    ("Deep dive 8h", ("Deep dive", 480)),
])
def test_agenda_reads_minutes_and_hours(typed: str, expected: tuple[str, int]) -> None:
    assert agenda(typed) == expected


@pytest.mark.parametrize(("typed", "message"), [
    ("Zero item 0m", f"0m is too short; give {RANGE}."),
    ("Zero item 0", f"0 is too short; give {RANGE}."),
    ("Huge item 9999m", f"9999m is too long; give {RANGE}."),
    ("Huge item 500", f"500 is too long; give {RANGE}."),
    ("Huge item 481 min", f"481 min is too long; give {RANGE}."),
    ("Huge item 9h", f"9h is too long; give {RANGE}."),
    ("Huge item 8h1m", f"8h1m is too long; give {RANGE}."),
    ("Item -5m", f"-5m: give the length without a sign, {RANGE}."),
    ("Item +5m", f"+5m: give the length without a sign, {RANGE}."),
    ("Item 2.5m", f"2.5m: give whole minutes or hours, {RANGE}."),
    ("Item 1,5h", f"1,5h: give whole minutes or hours, {RANGE}."),
])
def test_agenda_refuses_a_length_out_of_range(typed: str, message: str) -> None:
    assert refused(parse_agenda, typed) == message


def test_agenda_quotes_a_pasted_run_of_digits_shortly() -> None:
    message = refused(parse_agenda, "Huge item " + "9" * 5000 + "m")
    assert message == f"{'9' * 20}… is too long; give {RANGE}."


@pytest.mark.parametrize("typed", ["", "   ", "10m", "0m", "9999m", "42", "1h30m"])
def test_agenda_needs_a_title(typed: str) -> None:
    assert refused(parse_agenda, typed) == "Type the agenda item, e.g. Review dashboards 10m."


@pytest.mark.parametrize("typed", ["Retro for INC 4021", "Plan for 2027", "Item -5", "Item 2.5", "2026"])
def test_agenda_keeps_numbers_that_are_not_lengths_in_the_title(typed: str) -> None:
    assert agenda(typed) == (typed, 5)


def test_agenda_with_a_long_run_of_spaces_is_quick() -> None:
    spaces = " " * 100_000
    assert agenda(f"Review{spaces}dashboards 10m") == (f"Review{spaces}dashboards", 10)


# -- action items -------------------------------------------------------------------------------


def test_action_reads_every_marker() -> None:
    item = action("Add alert on replica lag @storage-team due:+2w p1 type:detect")
    assert (item.text, item.owner, item.due, item.priority, item.type) == (
        "Add alert on replica lag", "storage-team", pendulum.date(2026, 12, 4), Priority.P1,
        ActionType.DETECT,
    )
    assert item.session_id == 7


def test_action_defaults() -> None:
    item = action("Rotate the internal CA")
    assert (item.text, item.owner, item.due, item.priority, item.type) == (
        "Rotate the internal CA", "", None, Priority.P2, ActionType.PREVENT,
    )


def test_action_markers_in_any_order_and_case() -> None:
    item = action("Fix renewal TYPE:Detect P3 DUE:fri @ops")
    assert (item.text, item.owner, item.due, item.priority, item.type) == (
        "Fix renewal", "ops", pendulum.date(2026, 11, 27), Priority.P3, ActionType.DETECT,
    )


def test_action_markers_inside_the_text_are_still_read() -> None:
    item = action("p1 Ask @alice to rotate certs")
    assert (item.text, item.owner, item.priority) == ("Ask to rotate certs", "alice", Priority.P1)


@pytest.mark.parametrize("typed", ["Fix p0", "Fix p4", "Fix p5", "Fix P9 @ops", "Fix p5 due:fri"])
def test_action_refuses_a_priority_out_of_range(typed: str) -> None:
    token = next(t for t in typed.split() if t.lower().startswith("p") and t[1:].isdigit())
    assert refused(parse_action, typed) == f"{token} is not a priority; use one of p1, p2, p3."


def test_action_refuses_an_empty_owner_and_due_marker() -> None:
    assert refused(parse_action, "@ due:") == "@ needs a name right after it, e.g. @storage-team."
    assert refused(parse_action, "Fix @") == "@ needs a name right after it, e.g. @storage-team."
    assert refused(parse_action, "Fix @ops @ p1") == "@ needs a name right after it, e.g. @storage-team."
    due = "due: needs a date right after the colon, e.g. due:fri or due:2026-12-01."
    assert refused(parse_action, "Fix due:") == due
    assert refused(parse_action, "Fix due: fri @ops") == due
    assert refused(parse_action, "due: @ops") == due


def test_action_refuses_an_empty_type_marker() -> None:
    message = f"type: needs a type right after the colon; use one of {TYPES}."
    assert refused(parse_action, "Fix type:") == message
    assert refused(parse_action, "Fix type: detect") == message


def test_action_refuses_a_wrong_type_and_date_as_before() -> None:
    assert refused(parse_action, "Fix type:bogus") == f"type:bogus is not a type; use one of {TYPES}."
    message = refused(parse_action, "Fix due:someday")
    assert message.startswith("due:someday — Could not read that as a date.")


@pytest.mark.parametrize(("typed", "message"), [
    ("Fix @alice @bob", "Two owners: @alice and @bob; give one."),
    ("Ask @alice to fix @bob", "Two owners: @alice and @bob; give one."),
    ("Fix p1 p3", "Two priorities: p1 and p3; give one."),
    ("Fix p1 the thing P2", "Two priorities: p1 and P2; give one."),
    ("Fix due:fri due:mon", "Two due dates: due:fri and due:mon; give one."),
    ("Fix due:fri and due:mon then", "Two due dates: due:fri and due:mon; give one."),
    ("Fix type:detect type:process", "Two types: type:detect and type:process; give one."),
])
def test_action_refuses_two_different_values_of_one_marker(typed: str, message: str) -> None:
    assert refused(parse_action, typed) == message


def test_action_accepts_the_same_marker_said_twice() -> None:
    item = action("Fix renewal @ops p1 @ops P1 due:fri due:+7d")
    assert (item.text, item.owner, item.priority, item.due) == (
        "Fix renewal", "ops", Priority.P1, pendulum.date(2026, 11, 27),
    )


@pytest.mark.parametrize(("typed", "text", "owner", "priority"), [
    ("Rebuild the p5 cluster @ops", "Rebuild the p5 cluster", "ops", Priority.P2),
    ("P5 cluster rebuild p1", "P5 cluster rebuild", "", Priority.P1),
    ("Alert on p99 latency @sre p1", "Alert on p99 latency", "sre", Priority.P1),
    ("Alert on latency over p99", "Alert on latency over p99", "", Priority.P2),
    ("Meet @ noon with the vendor @ops", "Meet @ noon with the vendor", "ops", Priority.P2),
    ("Ask @alice to pair with @bob on it", "Ask to pair with @bob on it", "alice", Priority.P2),
    ("Upgrade p1 nodes before p2 nodes", "Upgrade nodes before p2 nodes", "", Priority.P1),
    ("Mail ops@example.com the runbook", "Mail ops@example.com the runbook", "", Priority.P2),
])
def test_action_keeps_prose_inside_the_text(typed: str, text: str, owner: str, priority: Priority) -> None:
    item = action(typed)
    assert (item.text, item.owner, item.priority) == (text, owner, priority)


def test_action_accepts_a_due_date_in_the_past() -> None:
    # Reconstructing what was agreed earlier; the parser has no channel for a warning.
    assert action("Renew the certificate due:2025-01-01").due == pendulum.date(2025, 1, 1)


@pytest.mark.parametrize("typed", ["", "@ops p1", "due:fri type:detect"])
def test_action_needs_text(typed: str) -> None:
    assert refused(parse_action, typed) == (
        "Type the action, e.g. Add alert on replica lag @storage due:+2w."
    )


def test_action_quotes_long_tokens_shortly() -> None:
    message = refused(parse_action, "Fix type:" + "x" * 1000)
    assert message == f"type:{'x' * 20}… is not a type; use one of {TYPES}."


# -- findings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "kind", "text"), [
    ("cf: no alert on replica lag", FindingKind.CONTRIBUTING_FACTOR, "no alert on replica lag"),
    ("rc : certificate expired", FindingKind.ROOT_CAUSE, "certificate expired"),
    ("well: failover worked", FindingKind.WENT_WELL, "failover worked"),
    ("Wrong: paging was slow", FindingKind.WENT_WRONG, "paging was slow"),
    ("lucky: the backup region was idle", FindingKind.GOT_LUCKY, "the backup region was idle"),
    ("q: who owns the CA?", FindingKind.OPEN_QUESTION, "who owns the CA?"),
    ("no prefix at all", FindingKind.CONTRIBUTING_FACTOR, "no prefix at all"),
    # The kinds' own names, which used to be kept as text of a contributing factor:
    ("root cause: certificate expired", FindingKind.ROOT_CAUSE, "certificate expired"),
    ("Root-Cause: certificate expired", FindingKind.ROOT_CAUSE, "certificate expired"),
    ("went well: failover worked", FindingKind.WENT_WELL, "failover worked"),
    ("got lucky: idle region", FindingKind.GOT_LUCKY, "idle region"),
    ("open_question: who owns it", FindingKind.OPEN_QUESTION, "who owns it"),
    ("contributing factor: no alert", FindingKind.CONTRIBUTING_FACTOR, "no alert"),
    # Prose with a colon stays text.
    ("well done: the failover", FindingKind.CONTRIBUTING_FACTOR, "well done: the failover"),
    ("db primary: lag at p5 @ due:", FindingKind.CONTRIBUTING_FACTOR, "db primary: lag at p5 @ due:"),
])
def test_finding_prefixes(typed: str, kind: FindingKind, text: str) -> None:
    finding = parse_finding(typed, 7)
    assert isinstance(finding, Finding)
    assert (finding.kind, finding.text) == (kind, text)


@pytest.mark.parametrize("typed", ["", "cf:", "root cause:  "])
def test_finding_needs_text(typed: str) -> None:
    assert refused(parse_finding, typed) == "Type the finding, e.g. cf: no alert on replica lag."


# -- timeline -----------------------------------------------------------------------------------


def test_timeline_reads_time_and_kind() -> None:
    event = parse_timeline("10:07 detection: support escalates", SESSION, NOW)
    assert isinstance(event, TimelineEvent)
    assert (event.kind, event.text) == (EventKind.DETECTION, "support escalates")
    assert event.at == pendulum.datetime(2026, 11, 18, 10, 7, tz="Europe/Berlin")


@pytest.mark.parametrize("text", [
    "rolled back to p5 cluster",
    "@ due: type: p0 9999m left as typed",
    "Mitigated: traffic moved to the p9 region",
])
def test_timeline_keeps_prose(text: str) -> None:
    event = parse_timeline("14:32 " + text, SESSION, NOW)
    assert (event.kind, event.text) == (EventKind.OTHER, text)


def test_timeline_refusals() -> None:
    assert refused(parse_timeline, "14:32") == (
        "Type a time, then what happened, e.g. 14:32 db primary failed over."
    )
    assert refused(parse_timeline, "14:32 detection:") == "Say what happened after the time."
    assert refused(parse_timeline, "1430 db failed over") == (
        "Start with a time. Write times with a colon, such as 14:30."
    )
