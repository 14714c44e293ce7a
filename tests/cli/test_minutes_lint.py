"""`pmconsole lint` on minutes from `pmconsole export`: clean unless the meeting's own words
hold blameful wording nobody resolved. And the lint comments, on hand-written Markdown.

The sessions are made as the console makes them: an entry is saved with the flags the
detector raises on its text (``save_with_flags``), then the facilitator dismisses or
accepts a flag, and shows a script card.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pendulum
import pytest
from click.testing import CliRunner, Result

from pmconsole.cli import main
from pmconsole.domain.blame import apply_reframe, detect, flags_for, session_names
from pmconsole.domain.model import (
    BlameFlag,
    EntityKind,
    EventKind,
    FlagStatus,
    ScriptUse,
    Session,
    TimelineEvent,
)
from pmconsole.domain.scripts import builtin_cards, find_card
from pmconsole.store.repository import Store
from tests.exchange.mdparse import lint_comments, only_table, parse_minutes, section

NOW = pendulum.datetime(2026, 11, 20, 13, 0, tz="UTC")
BLAMEFUL = "Dave forgot to renew the cert again"


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


class Meeting:
    """A session in a database file, edited the way the console edits it."""

    def __init__(self, path: Path, **fields: object) -> None:
        self.path = path
        self.store = Store.open(path)
        self.session = self.store.create_session(Session(
            title="Card payments declined", timezone="Europe/Berlin",
            facilitator="Priya Natarajan", attendees=("Dave Kim", "Priya Natarajan"),
            impact_started=pendulum.datetime(2026, 11, 19, 13, 58, tz="UTC"),
            **fields))  # type: ignore[arg-type]
        assert self.session.id is not None
        self.id: int = self.session.id

    def type_event(self, minute: int, text: str) -> tuple[TimelineEvent, list[BlameFlag]]:
        event = TimelineEvent(self.id, NOW.add(minutes=minute), text, EventKind.DIAGNOSIS)
        flags = flags_for(text, names=session_names(self.session), session_id=self.id,
                          entity=EntityKind.TIMELINE, entity_id=0, now=NOW)
        return self.store.save_with_flags(event, EntityKind.TIMELINE, flags)

    def dismiss(self, flag: BlameFlag) -> None:
        self.store.update(dataclasses.replace(flag, status=FlagStatus.DISMISSED,
                                              resolved_at=NOW))

    def accept(self, event: TimelineEvent, flag: BlameFlag) -> TimelineEvent:
        """Accept the reframe: the flag is resolved and the text rewritten, in one go."""
        [match] = [m for m in detect(event.text, names=session_names(self.session))
                   if (m.start, m.phrase) == (flag.start, flag.phrase)]
        reframed = apply_reframe(event.text, match)
        assert reframed is not None
        with self.store.transaction():
            self.store.update(dataclasses.replace(flag, status=FlagStatus.ACCEPTED,
                                                  resolved_at=NOW))
            saved, _ = self.store.save_with_flags(
                dataclasses.replace(event, text=reframed), EntityKind.TIMELINE,
                flags_for(reframed, names=session_names(self.session), session_id=self.id,
                          entity=EntityKind.TIMELINE, entity_id=0, now=NOW))
        return saved

    def show_card(self, card_id: str) -> None:
        card = find_card(builtin_cards(), card_id)
        assert card is not None
        self.store.add(ScriptUse(self.id, card.id, card.title, NOW))

    def export(self, tmp_path: Path) -> tuple[Path, str]:
        self.store.close()
        target = tmp_path / "minutes.md"
        result = run("--db", str(self.path), "export", str(self.id), "-o", str(target))
        assert result.exit_code == 0, result.output
        return target, target.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    [number] = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return number


def column_of(text: str, needle: str, phrase: str) -> int:
    return text.splitlines()[line_of(text, needle) - 1].index(phrase) + 1


# -- exported minutes ------------------------------------------------------------------------


def test_minutes_with_a_dismissed_flag_and_an_objection_card_lint_clean(tmp_path: Path) -> None:
    meeting = Meeting(tmp_path / "pm.db")
    _, [flag] = meeting.type_event(4, BLAMEFUL)
    assert flag.phrase == "Dave forgot to"
    meeting.dismiss(flag)
    meeting.show_card("objection-who-is-responsible")
    meeting.show_card("objection-be-more-careful")
    path, text = meeting.export(tmp_path)

    result = run("lint", str(path))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")

    blocks = parse_minutes(text)
    assert only_table(section(blocks, "Timeline"))[1][3] == BLAMEFUL  # kept as the room left it
    review = section(blocks, "Blameless-language review")
    assert [b.text for b in review] == [
        "1 phrase was flagged as blameful: 1 dismissed. The room judged the dismissed one "
        "fine as written; it is not listed."]
    assert only_table(section(blocks, "Scripted responses used"))[1:] == [
        ["2026-11-20 14:00", "“Who is responsible? Who do we hold accountable?”"],
        ["14:00", "“People just need to be more careful”"],
    ]
    assert text.count("Dave forgot to") == 2  # the timeline row, and the comment before it
    assert lint_comments(text) == [
        '<!-- pmconsole-lint names: "Dave Kim", "Priya Natarajan" -->',
        '<!-- pmconsole-lint allow 3: "Dave forgot to" -->',
        "<!-- pmconsole-lint off -->",
        "<!-- pmconsole-lint on -->",
    ]


def test_an_open_flag_fails_lint_once_where_the_meeting_wrote_it(tmp_path: Path) -> None:
    meeting = Meeting(tmp_path / "pm.db")
    meeting.type_event(4, BLAMEFUL)  # flagged, never resolved
    meeting.show_card("objection-who-is-responsible")
    path, text = meeting.export(tmp_path)

    result = run("lint", str(path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:{line_of(text, BLAMEFUL)}:{column_of(text, BLAMEFUL, 'Dave')}: attribution: "
        "Dave forgot to — Say what did not "
        "happen and what would have prompted it: “Nothing reminded us to renew the "
        "certificate.”"]
    review = section(parse_minutes(text), "Blameless-language review")
    assert only_table(review)[1][0] == "Dave forgot to"  # quoted: someone has to act


def test_an_accepted_reframe_is_shown_as_the_reframe(tmp_path: Path) -> None:
    meeting = Meeting(tmp_path / "pm.db")
    event, [flag] = meeting.type_event(4, BLAMEFUL)
    meeting.accept(event, flag)
    path, text = meeting.export(tmp_path)

    assert run("lint", str(path)).exit_code == 0
    blocks = parse_minutes(text)
    assert only_table(section(blocks, "Timeline"))[1][3] == (
        "Nothing reminded us to renew the cert again")
    rows = only_table(section(blocks, "Blameless-language review"))
    assert rows[1] == ["(reframed)", "attribution", "timeline event at 2026-11-20 14:04",
                       flag.suggestion, "accepted"]
    assert "Dave forgot" not in text


def test_unflagged_blameful_wording_in_the_meetings_words_still_fails(tmp_path: Path) -> None:
    meeting = Meeting(tmp_path / "pm.db", summary="The outage was human error.")
    _, [flag] = meeting.type_event(4, BLAMEFUL)
    meeting.dismiss(flag)
    # Written by an older pmconsole, or another program: no flag was ever raised on it.
    meeting.store.add(TimelineEvent(meeting.id, NOW.add(minutes=9), BLAMEFUL))
    path, text = meeting.export(tmp_path)

    rows = json.loads(run("lint", "--json", str(path)).stdout)
    assert [(r["line"], r["phrase"]) for r in rows] == [
        (line_of(text, "human error"), "human error"),
        (line_of(text, "14:09"), "Dave forgot to"),  # the same words on another row
    ]


def test_the_sessions_people_are_known_to_lint(tmp_path: Path) -> None:
    # "Priya" is only a person because she is in the room; lint needs no --name for it.
    meeting = Meeting(tmp_path / "pm.db")
    meeting.type_event(4, "Priya broke the checkout config")
    path, text = meeting.export(tmp_path)
    result = run("lint", str(path))
    assert result.exit_code == 1
    assert result.stdout.startswith(
        f"{path}:{line_of(text, 'Priya broke the checkout')}:"
        f"{column_of(text, 'Priya broke the checkout', 'Priya')}: attribution: Priya broke — ")
    assert len(result.stdout.splitlines()) == 1


# -- the lint comments, by hand ----------------------------------------------------------------


def lint(text: str) -> list[tuple[int, str]]:
    result = run("lint", "--json", "-", input=text)
    return [(row["line"], row["phrase"]) for row in json.loads(result.stdout)]


def test_off_and_on_skip_a_region() -> None:
    assert lint("Who did this?\n<!-- pmconsole-lint off -->\nWho did this?\n\nWho did this?\n"
                "<!-- pmconsole-lint on -->\nWho did this?\n<!-- pmconsole-lint off -->\n"
                "Who did this?\n") == [(1, "Who did this"), (7, "Who did this")]


def test_allow_covers_its_block_or_its_lines_only() -> None:
    text = (
        '<!-- pmconsole-lint allow 3: "Dave forgot to" -->\n'
        "| Time | Event |\n"
        "| --- | --- |\n"
        "| 10:00 | Dave forgot to page |\n"
        "| 10:05 | Dave forgot to page |\n"
        "\n"
        '<!-- pmconsole-lint allow: "human error" -->\n'
        "It was human\\\n"
        "  error, and human error again.\n"
        "\n"
        "More human error.\n"
    )
    assert lint(text) == [(5, "Dave forgot to"), (11, "human error")]


def test_names_are_for_the_whole_file() -> None:
    assert lint("Priya broke prod.\n") == []
    assert lint('Priya broke prod.\n\n<!-- pmconsole-lint names: "Priya Natarajan" -->\n') == [
        (1, "Priya broke")]


@pytest.mark.parametrize("comment", [
    '<!-- pmconsole-lint allow: Dave forgot to -->',  # not JSON strings
    '<!-- pmconsole-lint allow 0: "Dave forgot to" -->',  # lines count from 1
    '\\<!-- pmconsole-lint allow: "Dave forgot to" -->',  # typed text, escaped by the minutes
])
def test_a_comment_lint_cannot_read_is_read_as_text(comment: str) -> None:
    assert lint(f"{comment}\nDave forgot to page\n") == [(1, "Dave forgot to"),
                                                         (2, "Dave forgot to")]


def test_windows_line_endings() -> None:
    text = ('<!-- pmconsole-lint allow 1: "Dave forgot to" -->\r\nDave forgot to page\r\n'
            "Dave forgot to page\r\n<!-- pmconsole-lint off -->\r\nWho did this?\r\n")
    assert lint(text) == [(3, "Dave forgot to")]


def test_a_comment_inside_code_is_code() -> None:
    text = "```\n<!-- pmconsole-lint off -->\n```\nWho did this?\n"
    assert lint(text) == [(4, "Who did this")]
