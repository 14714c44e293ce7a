"""Property tests: any text typed into any field survives both exports exactly.

Texts are arbitrary Unicode passed through ``clean_text`` (what the store keeps), with a
second generator biased towards characters that mean something to Markdown.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pendulum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmconsole.domain.model import (
    ActionItem,
    AgendaItem,
    BlameFlag,
    EntityKind,
    EventKind,
    Finding,
    FindingCategory,
    FindingKind,
    FlagCategory,
    ScriptUse,
    SessionRecord,
    TimelineEvent,
)
from pmconsole.domain.text import clean_text
from pmconsole.exchange.json_io import dump_session, load_session
from pmconsole.exchange.minutes import render_minutes
from tests.exchange.mdparse import header_fields, only_table, parse_minutes, section
from tests.exchange.sample import NOW, SESSION_ID, empty_record, full_record, utc

MARKDOWN_CHARS = "\\`*_[]<>&|~$#-+=:.)(!0123456789 \t\n\"'/;@{}^%abc\u00a0\u3000\u202e"
texts = st.one_of(st.text(), st.text(alphabet=MARKDOWN_CHARS)).map(clean_text)
PROPERTY = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def one_line(text: str) -> str:
    """How a table cell or heading shows typed text (see minutes.py)."""
    return text.replace("\n", " ")


def as_paragraph(text: str, otherwise: str) -> str:
    """How a paragraph shows typed text (see minutes.py)."""
    return text.strip("\n") if text.strip() else otherwise


FIELDS = ("title", "service", "facilitator", "scribe", "attendee", "summary", "impact",
          "event", "link", "finding", "action", "owner", "action_link", "agenda", "notes",
          "script", "phrase", "suggestion", "linked")


def record_with(t: dict[str, str]) -> SessionRecord:
    base = full_record()
    session = dataclasses.replace(
        base.session, title=t["title"], service=t["service"], facilitator=t["facilitator"],
        scribe=t["scribe"], attendees=(t["attendee"], "Bo"), summary=t["summary"],
        impact=t["impact"])
    return dataclasses.replace(
        base,
        session=session,
        timeline=(TimelineEvent(SESSION_ID, utc(19, 14, 0), t["event"], EventKind.DIAGNOSIS,
                                t["link"], id=1),),
        findings=(Finding(SESSION_ID, t["finding"], FindingKind.ROOT_CAUSE,
                          FindingCategory.TOOLING, id=1),),
        actions=(ActionItem(SESSION_ID, t["action"], t["owner"], link=t["action_link"],
                            id=1),),
        agenda=(AgendaItem(SESSION_ID, t["agenda"], 5, id=1, started=utc(20, 13, 0),
                           ended=utc(20, 13, 5), notes=t["notes"]),),
        script_uses=(ScriptUse(SESSION_ID, "card", t["script"], utc(20, 13, 1), id=1),),
        flags=(BlameFlag(SESSION_ID, EntityKind.FINDING, 1, 0, 3, t["phrase"],
                         FlagCategory.ATTRIBUTION, "why", t["suggestion"], id=1),),
    )


@PROPERTY
@given(st.fixed_dictionaries({name: texts for name in FIELDS}))
def test_any_text_reads_back_from_the_markdown(t: dict[str, str]) -> None:
    record = record_with(t)
    blocks = parse_minutes(render_minutes(record, linked={1: t["linked"]}, now=NOW))

    title = one_line(t["title"]) if t["title"].strip() else "(untitled)"
    assert blocks[0].text == f"Post-mortem: {title}"
    fields = header_fields(blocks)
    for name, key in (("Service", "service"), ("Facilitator", "facilitator"),
                      ("Scribe", "scribe")):
        assert fields[name] == (one_line(t[key]) if t[key] else "—")
    assert fields["Attendees"] == f"{one_line(t['attendee'])}, Bo"
    assert section(blocks, "Summary")[0].text == as_paragraph(
        t["summary"], "No summary was recorded.")
    assert section(blocks, "Impact")[0].text == as_paragraph(
        t["impact"], "No impact statement was recorded.")

    timeline = only_table(section(blocks, "Timeline"))
    assert len(timeline) == 2
    assert timeline[1][3] == one_line(t["event"])
    assert timeline[1][4] == one_line(t["link"])
    finding = section(blocks, "Root causes")[0].items
    assert finding == [f"Tooling: {as_paragraph(t['finding'], '(no text)')}"]
    actions = only_table(section(blocks, "Action items"))
    assert len(actions) == 2
    assert [actions[1][1], actions[1][3], actions[1][7]] == [
        one_line(t["action"]), one_line(t["owner"]), one_line(t["action_link"])]
    agenda = only_table(section(blocks, "Agenda"))
    assert agenda[1][0] == one_line(t["agenda"])
    if t["notes"]:
        assert agenda[1][4] == one_line(t["notes"])
    assert only_table(section(blocks, "Scripted responses used"))[1][1] == one_line(t["script"])
    flags = only_table(section(blocks, "Blameless-language review"))
    assert [flags[1][0], flags[1][3]] == [one_line(t["phrase"]), one_line(t["suggestion"])]
    follows = section(blocks, "Follow-up")[0].items[1]
    assert follows == ("Follows up session #1" + (f": {one_line(t['linked'])}"
                                                  if t["linked"] else ""))


moments = st.datetimes(
    # Hypothesis takes naive bounds and adds the timezone itself.
    min_value=datetime(1990, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)),
                               timezone(timedelta(hours=-8))]),
).map(lambda dt: pendulum.instance(dt))


@PROPERTY
@given(st.fixed_dictionaries({name: texts for name in FIELDS}), moments, moments,
       st.booleans())
def test_any_session_survives_the_json_round_trip(
    t: dict[str, str], first: pendulum.DateTime, second: pendulum.DateTime, starred: bool
) -> None:
    record = record_with(t)
    record = dataclasses.replace(
        record,
        session=dataclasses.replace(record.session, detected=first, created=second),
        timeline=(dataclasses.replace(record.timeline[0], at=first, starred=starred),),
    )
    text = dump_session(record)
    loaded = load_session(text)
    assert dump_session(loaded) == text

    # The values themselves, not only the text: everything but ids and follows_up.
    assert loaded.session == dataclasses.replace(record.session, id=None, follows_up=None)
    assert loaded.timeline[0] == dataclasses.replace(record.timeline[0], session_id=0, id=1)
    assert loaded.findings[0].text == t["finding"]
    assert (loaded.actions[0].text, loaded.actions[0].owner, loaded.actions[0].link) == (
        t["action"], t["owner"], t["action_link"])
    assert (loaded.agenda[0].title, loaded.agenda[0].notes) == (t["agenda"], t["notes"])
    assert loaded.script_uses[0].title == t["script"]
    assert (loaded.flags[0].phrase, loaded.flags[0].suggestion) == (t["phrase"],
                                                                   t["suggestion"])
    assert loaded.flags[0].entity_id == 1  # the finding, by its synthetic id


def test_the_empty_session_survives_the_json_round_trip() -> None:
    text = dump_session(empty_record())
    assert dump_session(load_session(text)) == text
