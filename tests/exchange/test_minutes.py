"""Markdown minutes: what a reader of the exported document sees.

Golden files: ``PMCONSOLE_REGEN_GOLDEN=1 pytest tests/exchange`` rewrites them; read the
diff (and the rendered file) before committing.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pendulum
import pytest

from pmconsole.domain.model import (
    AgendaItem,
    BlameFlag,
    EntityKind,
    EventKind,
    Finding,
    FindingKind,
    FlagCategory,
    FlagStatus,
    Session,
    SessionRecord,
    TimelineEvent,
)
from pmconsole.exchange.minutes import render_minutes
from tests.exchange.mdparse import (
    header_fields,
    headings,
    lint_comments,
    only_table,
    parse_minutes,
    section,
)
from tests.exchange.sample import (
    HOSTILE,
    LINKED,
    NOW,
    SESSION_ID,
    empty_record,
    full_record,
    utc,
)

GOLDEN = Path(__file__).parent / "golden"
SECTIONS = [
    "Summary", "Impact", "Timeline", "Contributing factors and root causes",
    "Lessons learned", "Open questions", "Action items", "Agenda",
    "Blameless-language review", "Scripted responses used", "Follow-up",
]


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PMCONSOLE_REGEN_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"{path} missing: run with PMCONSOLE_REGEN_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} differs from the golden file; if the change is intended, regenerate with "
        "PMCONSOLE_REGEN_GOLDEN=1 and review the diff")


def test_golden_empty_session() -> None:
    check_golden("minutes_empty.md", render_minutes(empty_record(), now=NOW))


def test_golden_full_session() -> None:
    check_golden("minutes_full.md", render_minutes(full_record(), linked=LINKED, now=NOW))


def test_every_section_is_there_in_order_even_when_empty() -> None:
    for record in (empty_record(), full_record()):
        blocks = parse_minutes(render_minutes(record, now=NOW))
        assert headings(blocks, 2) == SECTIONS


def test_empty_sections_say_so_in_one_line() -> None:
    blocks = parse_minutes(render_minutes(empty_record(), now=NOW))
    said = {title: [b.text for b in section(blocks, title) if b.kind == "paragraph"]
            for title in SECTIONS if title != "Impact"}
    assert said == {
        "Summary": ["No summary was recorded."],
        "Timeline": ["No timeline events were recorded."],
        "Contributing factors and root causes":
            ["No contributing factors or root causes were recorded."],
        "Lessons learned": ["No lessons learned were recorded."],
        "Open questions": ["No open questions were recorded."],
        "Action items": ["No action items were recorded."],
        "Agenda": ["No agenda was recorded."],
        "Blameless-language review": ["No blameful wording was flagged."],
        "Scripted responses used": ["No scripted responses were used."],
        "Follow-up": ["No follow-up is planned."],
    }


def test_header_names_the_session() -> None:
    blocks = parse_minutes(render_minutes(full_record(), linked=LINKED, now=NOW))
    assert blocks[0].kind == "heading" and blocks[0].level == 1
    assert blocks[0].text == "Post-mortem: Checkout outage: payments | cart"
    assert header_fields(blocks) == {
        "Date": "Fri 2026-11-20 14:02–15:10",
        "Time zone": "Europe/Berlin (all times below)",
        "Severity": "SEV2",
        "Service": "checkout-api",
        "Status": "ended",
        "Facilitator": "Ana Souza",
        "Scribe": "Bo Chen",
        "Attendees": "Ana Souza, Bo Chen, Chidi Okafor, Dana Müller",
    }


def test_impact_metrics_table() -> None:
    blocks = parse_minutes(render_minutes(full_record(), now=NOW))
    rows = dict(map(tuple, only_table(section(blocks, "Impact"))[1:]))  # type: ignore[arg-type]
    assert rows == {
        "Impact started": "2026-11-19 14:58",
        "Detected": "2026-11-19 15:06",
        "Acknowledged": "2026-11-19 15:09",
        "Mitigated": "2026-11-19 15:41",
        "Resolved": "2026-11-19 16:30",
        "Time to detect (TTD)": "8m 00s",
        "Time to acknowledge (TTA)": "11m 00s",
        "Time to mitigate (TTM)": "43m 00s",
        "Time to resolve (TTR)": "1h 32m",
        "Impact duration": "43m 00s",
        "Error budget consumed": "99.5% of 43.2 min (SLO 99.9% over 30 days)",
    }


def test_unknown_metrics_are_blank_and_timestamp_problems_are_shown() -> None:
    record = full_record()
    session = dataclasses.replace(record.session, detected=utc(19, 13, 50), mitigated=None,
                                  resolved=None, slo_target=None)
    blocks = parse_minutes(render_minutes(SessionRecord(session=session), now=NOW))
    impact = section(blocks, "Impact")
    rows = dict(map(tuple, only_table(impact)[1:]))  # type: ignore[arg-type]
    assert rows["Time to detect (TTD)"] == ""  # detected before impact start: not a duration
    assert rows["Mitigated"] == rows["Time to resolve (TTR)"] == ""
    assert rows["Error budget consumed"] == ""
    problems = [b for b in impact if b.kind == "list"]
    assert problems and problems[0].items == ["detected is before impact start"]


def test_timeline_is_chronological_with_starred_events_marked() -> None:
    record = full_record()
    shuffled = dataclasses.replace(record, timeline=tuple(reversed(record.timeline)))
    blocks = parse_minutes(render_minutes(shuffled, now=NOW))
    rows = only_table(section(blocks, "Timeline"))
    assert rows[0] == ["Time", "★", "Kind", "Event", "Link"]
    assert [r[3] for r in rows[1:]] == [e.text for e in record.timeline]
    assert [r[0] for r in rows[1:4]] == ["2026-11-19 14:52", "14:58", "15:06"]
    assert [r[1] for r in rows[1:]] == ["★" if e.starred else "" for e in record.timeline]
    assert rows[3][4] == "https://grafana.example.com/d/checkout?from=now-6h&to=now"


def test_timeline_shows_the_date_again_when_the_day_changes() -> None:
    events = tuple(TimelineEvent(SESSION_ID, at, f"e{i}", EventKind.OTHER, id=i)
                   for i, at in enumerate([utc(19, 22, 50), utc(19, 22, 59, 30),
                                           utc(19, 23, 5)], 1))
    record = dataclasses.replace(empty_record(), timeline=events)
    rows = only_table(section(parse_minutes(render_minutes(record)), "Timeline"))
    # Berlin is UTC+1: the third event is after midnight. Seconds shown since one has them.
    assert [r[0] for r in rows[1:]] == ["2026-11-19 23:50:00", "23:59:30", "2026-11-20 00:05:00"]


def test_only_http_links_are_clickable() -> None:
    blocks = parse_minutes(render_minutes(full_record(), now=NOW))
    timeline = [b for b in section(blocks, "Timeline") if b.kind == "table"][0]
    assert timeline.links == ["https://git.example.com/ops/pull/2291",
                              "https://grafana.example.com/d/checkout?from=now-6h&to=now"]
    assert only_table([timeline])[-1][4] == "javascript:alert(1)"  # shown, not linked


def test_findings_are_grouped_by_kind_with_their_category() -> None:
    blocks = parse_minutes(render_minutes(full_record(), now=NOW))
    factors = section(blocks, "Contributing factors and root causes")
    assert [b.text for b in factors if b.kind == "heading"] == ["Root causes",
                                                                "Contributing factors"]
    assert section(blocks, "Root causes")[0].items == [
        "Testing: The payment client's timeout was raised without a load test."]
    assert section(blocks, "Contributing factors")[0].items[0] == (
        "Process: The pool size (200) was tuned for 5 s calls.\nNobody owned the pool settings.")
    assert section(blocks, "What went well")[0].items == [
        "Monitoring: The 5xx alert fired within 8 minutes.", "Rollback was one command."]
    assert section(blocks, "Where we got lucky")[0].items == [
        "It happened at 15:00, not during the evening peak."]
    assert section(blocks, "Open questions")[0].items == [
        'Process: Why did the canary tag default to "low risk"?',
        "Do other clients share the pool?"]


def test_a_lesson_kind_without_entries_says_so() -> None:
    record = dataclasses.replace(empty_record(), findings=(
        Finding(SESSION_ID, "Rollback was fast", FindingKind.WENT_WELL, id=1),))
    blocks = parse_minutes(render_minutes(record))
    assert section(blocks, "What went wrong")[0].text == "Nothing was recorded."
    assert section(blocks, "Contributing factors and root causes")[0].text == (
        "No contributing factors or root causes were recorded.")


def test_action_items_table_and_carried_over_items() -> None:
    blocks = parse_minutes(render_minutes(full_record(), linked=LINKED, now=NOW))
    own = [b for b in section(blocks, "Action items") if b.kind == "table"][0].rows
    assert own[0] == ["#", "Action", "Type", "Owner", "Due", "Priority", "Status", "Link"]
    assert own[1] == ["1", "Load-test timeout changes before rollout", "prevent",
                      "Chidi Okafor", "2026-12-01", "P1", "open",
                      "https://jira.example.com/browse/CHK-101"]
    assert own[2][1] == "Size the connection pool from the timeout | document the formula"
    assert own[4] == ["4", "Page on pool saturation > 90%", "detect", "", "", "P3", "won't do",
                      ""]
    carried = section(blocks, "Carried over from session #1: Payments latency spike")
    assert only_table(carried)[1][1] == "Add p99 latency alert for payments"


def test_agenda_planned_versus_actual() -> None:
    blocks = parse_minutes(render_minutes(full_record(), now=NOW))
    rows = only_table(section(blocks, "Agenda"))
    assert rows[0] == ["Item", "Planned", "Actual", "Difference", "Notes"]
    assert rows[1][:4] == ["Blameless opening and ground rules", "5 min", "4 min", "-1 min"]
    assert rows[2][:4] == ["Walk through the timeline", "10 min (+5 extended)", "15 min",
                           "+5 min"]
    assert rows[4][:4] == ["Action items and owners", "15 min", "12 min", "-3 min"]  # paused 2
    assert rows[5][3] == "+1 min"
    assert rows[-1][:4] == ["Total", "60 min", "66 min", "+6 min"]  # 4+15+23+12+6+6


def test_agenda_item_still_running() -> None:
    item = AgendaItem(SESSION_ID, "Timeline", 10, id=1, started=utc(20, 13, 0))
    waiting = AgendaItem(SESSION_ID, "Factors", 20, id=2)
    record = dataclasses.replace(empty_record(), agenda=(item, waiting))
    rows = only_table(section(parse_minutes(render_minutes(record)), "Agenda"))
    assert rows[1][2] == "in progress" and rows[2][2] == "not started"
    rows = only_table(section(parse_minutes(render_minutes(record, now=utc(20, 13, 12))),
                              "Agenda"))
    assert rows[1][2:] == ["12 min", "+2 min"]


def test_blame_flags_with_their_resolution() -> None:
    blocks = parse_minutes(render_minutes(full_record(), now=NOW))
    review = section(blocks, "Blameless-language review")
    assert review[0].text == (
        "3 phrases were flagged as blameful: 1 open, 1 accepted, 1 dismissed. The room "
        "judged the dismissed one fine as written; it is not listed.")
    rows = only_table(review)
    assert rows[0] == ["Phrase", "Category", "Where", "Suggestion", "Resolution"]
    # Accepted, but the finding still says "Dave forgot": quoted as it stands.
    assert rows[1] == ["Dave forgot", "attribution", "finding (went wrong)",
                       "The dashboard check was not part of the merge checklist", "accepted"]
    assert rows[2][2] == "session details" and rows[2][4] == "open"
    assert len(rows) == 3  # the dismissed "Chidi" is counted, not quoted


def _flag(entity: EntityKind, entity_id: int, phrase: str, status: FlagStatus,
          start: int = 0) -> BlameFlag:
    return BlameFlag(SESSION_ID, entity, entity_id, start, start + len(phrase), phrase,
                     FlagCategory.ATTRIBUTION, "Names a person.", "Describe the event.",
                     status=status)


def test_lint_comments_name_the_lines_of_each_resolved_entry() -> None:
    findings = (
        Finding(SESSION_ID, "Two lines:\nDave forgot to page", FindingKind.WENT_WRONG, id=1),
        Finding(SESSION_ID, "Dave forgot to page\nagain\nand again", FindingKind.WENT_WRONG,
                id=2),
        Finding(SESSION_ID, "Dave forgot to page", FindingKind.WENT_WRONG, id=3),
    )
    flags = (
        _flag(EntityKind.FINDING, 1, "Dave forgot to", FlagStatus.DISMISSED, 11),
        _flag(EntityKind.FINDING, 2, "Dave forgot to", FlagStatus.ACCEPTED),  # still there
        _flag(EntityKind.FINDING, 3, "Dave forgot to", FlagStatus.OPEN),
    )
    record = dataclasses.replace(full_record(), findings=findings, flags=flags)
    text = render_minutes(record, now=NOW)
    assert '<!-- pmconsole-lint allow 1-2: "Dave forgot to" -->' in lint_comments(text)
    assert '<!-- pmconsole-lint allow 3-5: "Dave forgot to" -->' in lint_comments(text)
    assert not any(" 6" in c for c in lint_comments(text))  # the open one is not allowed
    items = section(parse_minutes(text), "What went wrong")[0].items
    assert items == [f.text for f in findings]  # a reader sees nothing of the comments


def test_a_phrase_still_open_on_the_entry_is_never_allowed() -> None:
    event = TimelineEvent(SESSION_ID, utc(19, 14, 0), "Dave forgot to page; Dave forgot it",
                          id=1)
    flags = (_flag(EntityKind.TIMELINE, 1, "Dave forgot", FlagStatus.OPEN, 20),
             _flag(EntityKind.TIMELINE, 1, "Dave forgot to", FlagStatus.DISMISSED))
    record = dataclasses.replace(empty_record(), timeline=(event,), flags=flags)
    assert not any("allow" in c for c in lint_comments(render_minutes(record, now=NOW)))


def test_lint_comments_hold_hostile_text_safely() -> None:
    phrase = 'Eve --> <b>"x"</b>'
    event = TimelineEvent(SESSION_ID, utc(19, 14, 0), f"{phrase} broke it", id=1)
    session = dataclasses.replace(empty_record().session, attendees=(phrase, "a\nb"))
    record = SessionRecord(session=session, timeline=(event,),
                           flags=(_flag(EntityKind.TIMELINE, 1, phrase, FlagStatus.DISMISSED),))
    text = render_minutes(record, now=NOW)
    blocks = parse_minutes(text)  # strict: raises if a comment let HTML out
    assert only_table(section(blocks, "Timeline"))[1][3] == f"{phrase} broke it"
    # JSON strings, with ">" as \u003e: nothing typed can end the comment.
    assert lint_comments(text) == [
        r'<!-- pmconsole-lint names: "Eve --\u003e <b\u003e\"x\"</b\u003e", "a\nb" -->',
        r'<!-- pmconsole-lint allow 3: "Eve --\u003e <b\u003e\"x\"</b\u003e" -->',
    ]
    assert text.count("-->") == 2


def test_scripted_responses_with_time() -> None:
    blocks = parse_minutes(render_minutes(full_record(), now=NOW))
    assert only_table(section(blocks, "Scripted responses used")) == [
        ["Time", "Card"],
        ["2026-11-20 14:12", '"But who made the change?"'],
        ["14:30", '"It was just human error"'],
    ]


def test_follow_up_names_linked_sessions() -> None:
    blocks = parse_minutes(render_minutes(full_record(), linked=LINKED, now=NOW))
    assert section(blocks, "Follow-up")[0].items == [
        "Follow-up meeting: 2026-12-04",
        "Follows up session #1: Payments latency spike",
        "Followed up by session #7: Checkout outage: 30-day review",
    ]
    # Without titles, the ids are still given.
    blocks = parse_minutes(render_minutes(full_record(), now=NOW))
    assert section(blocks, "Follow-up")[0].items[1] == "Follows up session #1"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_reads_back_as_typed_everywhere(hostile: str) -> None:
    record = full_record()
    session = dataclasses.replace(record.session, title=hostile, service=hostile,
                                  facilitator=hostile, summary=f"{hostile}\n{hostile}",
                                  impact=hostile, attendees=(hostile, "Bo"))
    timeline = (dataclasses.replace(record.timeline[0], text=hostile, link=hostile),
                *record.timeline[1:])
    findings = (dataclasses.replace(record.findings[0], text=f"{hostile}\n\n{hostile}"),
                *record.findings[1:])
    actions = (record.actions[0],
               dataclasses.replace(record.actions[1], text=hostile, owner=hostile),
               *record.actions[2:])
    record = dataclasses.replace(record, session=session, timeline=timeline,
                                 findings=findings, actions=actions)
    markdown = render_minutes(record, linked={1: hostile}, now=NOW)
    blocks = parse_minutes(markdown)

    assert headings(blocks, 2) == SECTIONS
    title = hostile if hostile.strip() else "(untitled)"
    assert blocks[0].text == f"Post-mortem: {title}"
    fields = header_fields(blocks)
    assert fields["Service"] == fields["Facilitator"] == hostile
    assert fields["Attendees"] == f"{hostile}, Bo"
    assert section(blocks, "Summary")[0].text == f"{hostile}\n{hostile}"
    assert section(blocks, "Impact")[0].text == hostile
    timeline_rows = only_table(section(blocks, "Timeline"))
    assert len(timeline_rows) == 1 + len(record.timeline)
    assert timeline_rows[1][3:] == [hostile, hostile]
    assert section(blocks, "Root causes")[0].items[0] == f"Testing: {hostile}\n\n{hostile}"
    action_rows = only_table(section(blocks, "Action items")[:1])
    assert action_rows[1][1] == action_rows[1][3] == hostile
    assert section(blocks, "Follow-up")[0].items[1] == f"Follows up session #1: {hostile}"


def test_leading_spaces_do_not_make_a_code_block() -> None:
    session = dataclasses.replace(empty_record().session,
                                  summary="    four spaces\n\tand a tab\n        eight")
    blocks = parse_minutes(render_minutes(SessionRecord(session=session)))
    assert section(blocks, "Summary")[0].text == "    four spaces\n\tand a tab\n        eight"


def test_newlines_in_table_cells_become_spaces() -> None:
    event = TimelineEvent(SESSION_ID, utc(19, 14, 0), "first line\nsecond line\n",
                          EventKind.OTHER, id=1)
    record = dataclasses.replace(empty_record(), timeline=(event,))
    markdown = render_minutes(record)
    rows = only_table(section(parse_minutes(markdown), "Timeline"))
    assert rows[1][3] == "first line second line "


def test_paragraph_line_breaks_are_kept_but_not_at_the_ends() -> None:
    session = dataclasses.replace(empty_record().session, summary="\n\none\n\n\ntwo\n\n")
    blocks = parse_minutes(render_minutes(SessionRecord(session=session)))
    assert section(blocks, "Summary")[0].text == "one\n\n\ntwo"


def test_blank_text_is_reported_as_not_recorded() -> None:
    session = dataclasses.replace(empty_record().session, title="  \n", summary=" \n\t ")
    blocks = parse_minutes(render_minutes(SessionRecord(session=session)))
    assert blocks[0].text == "Post-mortem: (untitled)"
    assert section(blocks, "Summary")[0].text == "No summary was recorded."


def test_text_not_cleaned_by_the_store_cannot_break_a_table() -> None:
    # Carriage returns would start a new table row; control characters are dropped.
    event = TimelineEvent(SESSION_ID, utc(19, 14, 0), "a\r| b\x1b[31m\u2028c", EventKind.OTHER,
                          id=1)
    record = dataclasses.replace(empty_record(), timeline=(event,))
    rows = only_table(section(parse_minutes(render_minutes(record)), "Timeline"))
    assert rows[1][3] == "a | b[31m c"


def test_ten_thousand_events_all_render_in_order() -> None:
    # Speed is measured by the benchmark, not asserted here; this checks nothing is lost.
    start = utc(19, 12, 0)
    events = tuple(
        TimelineEvent(SESSION_ID, start.add(seconds=7 * i), f"event {i} | *{i}* <b>",
                      EventKind.OTHER, link=f"https://example.com/{i}", starred=i % 10 == 0,
                      id=i + 1)
        for i in range(10_000))
    record = dataclasses.replace(empty_record(), timeline=events)
    rows = only_table(section(parse_minutes(render_minutes(record)), "Timeline"))
    assert [r[3] for r in rows[1:]] == [f"event {i} | *{i}* <b>" for i in range(10_000)]


def test_rendering_is_pure() -> None:
    record = full_record()
    assert render_minutes(record, linked=LINKED, now=NOW) == render_minutes(
        record, linked=LINKED, now=NOW)
    assert record == full_record()


def test_session_without_a_saved_id_lists_all_its_actions() -> None:
    record = full_record()
    unsaved = dataclasses.replace(record, session=dataclasses.replace(record.session, id=None))
    rows = only_table(section(parse_minutes(render_minutes(unsaved, now=NOW)),
                              "Action items"))
    assert len(rows) == 1 + len(record.actions)


def test_meeting_across_midnight_gives_both_dates() -> None:
    session = Session(title="Late", timezone="America/New_York",
                      started=pendulum.datetime(2026, 11, 20, 4, 30, tz="UTC"),
                      ended=pendulum.datetime(2026, 11, 20, 5, 15, tz="UTC"),
                      created=utc(19, 0, 0))
    blocks = parse_minutes(render_minutes(SessionRecord(session=session)))
    assert header_fields(blocks)["Date"] == "Thu 2026-11-19 23:30–2026-11-20 00:15"
