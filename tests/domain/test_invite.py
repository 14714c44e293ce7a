"""The pre-meeting email, filled from a session."""

from __future__ import annotations

import dataclasses

import pendulum

from pmconsole.domain.invite import invite_text, render_invite
from pmconsole.domain.model import AgendaItem, Session, SessionRecord
from pmconsole.domain.scripts import Card
from tests.domain.test_scripts import full_record


def test_subject_and_body_carry_the_session() -> None:
    subject, body = render_invite(full_record())
    assert subject == (
        "Blameless post-mortem: Checkout outage — Tuesday 24 November 2026 at 10:00 "
        "(Europe/Paris)"
    )
    assert "post-mortem on Checkout outage, the outage that hit checkout-api" in body
    assert "Priya Natarajan will facilitate" in body
    assert "Invited: Dave Kim, Priya Natarajan and Sam Lee" in body
    assert "blameless review" in body
    assert "- a short list of action items, each with an owner and a date." in body
    assert "Agenda (45 minutes):\n- 10:00  Opening (5 min)\n- 10:05  Timeline (25 min)\n" \
           "- 10:30  Actions (15 min)\n" in body
    assert body.rstrip().endswith("Priya Natarajan")
    assert not body.startswith("Subject:")


def test_agenda_times_follow_the_session_timezone() -> None:
    record = full_record()
    session = dataclasses.replace(
        record.session,
        timezone="America/New_York",
        scheduled=pendulum.datetime(2026, 3, 8, 6, 30, tz="UTC"),  # 01:30 EST, DST at 02:00
    )
    _, body = render_invite(dataclasses.replace(record, session=session))
    # Planned starts are wall-clock times: 30 minutes after 01:30 EST is 03:00 EDT.
    assert "- 01:30  Opening (5 min)\n- 01:35  Timeline (25 min)\n- 03:00  Actions" in body


def test_an_unscheduled_session_shows_gaps_and_tbd_times() -> None:
    record = SessionRecord(
        session=Session(title="Search latency", id=3),
        agenda=(AgendaItem(session_id=3, title="Opening", planned_minutes=5),
                AgendaItem(session_id=3, title="Timeline", planned_minutes=10)),
    )
    subject, body = render_invite(record)
    assert subject == "Blameless post-mortem: Search latency — [date and time?]"
    assert "- TBD  Opening (5 min)\n- TBD  Timeline (10 min)" in body
    assert "[service?]" in body and "[attendees?]" in body and "[facilitator?]" in body


def test_a_users_card_replaces_the_wording() -> None:
    card = Card("pre-meeting-email", "opening", "Invite", "",
                "Subject: PM {title}\n\nHi {attendees}", (), "/cfg/scripts.toml")
    assert render_invite(full_record(), card=card) == (
        "PM Checkout outage", "Hi Dave Kim, Priya Natarajan and Sam Lee\n",
    )
    no_subject = dataclasses.replace(card, body="Hello {title}")
    subject, body = render_invite(full_record(), card=no_subject)
    assert subject.startswith("Blameless post-mortem: Checkout outage — Tuesday 24 November")
    assert body == "Hello Checkout outage\n"


def test_hostile_title_stays_on_one_subject_line() -> None:
    record = full_record()
    session = dataclasses.replace(record.session, title="Outage\nBcc: everyone [/] {x}")
    subject, _ = render_invite(dataclasses.replace(record, session=session))
    assert "\n" not in subject
    assert "Outage Bcc: everyone [/] {x}" in subject


def test_invite_text_is_subject_blank_line_then_body() -> None:
    subject, body = render_invite(full_record())
    assert invite_text(full_record()) == f"Subject: {subject}\n\n{body}"
