"""pmconsole's own words pass its blame detector, and whose names the detector is given."""

from __future__ import annotations

import tomllib

import pytest

from pmconsole.domain.blame import RULES_FILE, SCANNED_TEXT, detect, rules, session_names
from pmconsole.domain.model import (
    ActionItem,
    AgendaItem,
    EntityKind,
    Finding,
    Session,
    TimelineEvent,
)


def _own_sentences() -> list[tuple[str, str]]:
    """(where, text) for every suggestion and replacement the console and minutes show."""
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    found = [(f"category {name!r} suggestion", fields["suggestion"])
             for name, fields in data["categories"].items()]
    for rule in rules():
        found.append((f"rule {rule.id!r} suggestion", rule.suggestion))
        if rule.replacement:
            found.append((f"rule {rule.id!r} replacement", rule.replacement))
    return found


@pytest.mark.parametrize(("where", "text"), _own_sentences(), ids=lambda v: str(v)[:40])
def test_our_suggestions_are_not_blameful_themselves(where: str, text: str) -> None:
    # A suggestion is typed back into the meeting and printed in the minutes; if the
    # detector flagged it ("what should have prompted it"), accepting our own advice would
    # raise a new flag and `pmconsole lint` would fail on the minutes.
    assert detect(text, names=("Dave",)) == [], f"{where}: {text}"


def test_session_names_are_everyone_in_the_room_once() -> None:
    session = Session(title="x", facilitator="Priya Natarajan", scribe="Bo Chen",
                      attendees=("Dave Kim", "Priya Natarajan", ""))
    assert session_names(session) == ("Dave Kim", "Priya Natarajan", "Bo Chen")
    assert session_names(Session(title="x")) == ()


def test_the_names_make_a_first_name_a_person() -> None:
    # "Priya broke prod": without the session's names "Priya" is just a capitalised word.
    session = Session(title="x", attendees=("Priya Natarajan",))
    assert detect("Priya broke prod") == []
    assert [m.phrase for m in detect("Priya broke prod", names=session_names(session))] == [
        "Priya broke"]


def test_every_kind_of_entry_has_a_scanned_text() -> None:
    assert SCANNED_TEXT == {
        TimelineEvent: (EntityKind.TIMELINE, "text"),
        Finding: (EntityKind.FINDING, "text"),
        ActionItem: (EntityKind.ACTION, "text"),
        AgendaItem: (EntityKind.AGENDA, "notes"),
    }
