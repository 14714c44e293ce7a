"""The script library: built-in cards, filling them from a session, and the user's own file."""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest

from pmconsole.domain.blame import detect
from pmconsole.domain.model import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Finding,
    FindingKind,
    Session,
    SessionRecord,
)
from pmconsole.domain.scripts import (
    BUILTIN,
    GROUPS,
    PLACEHOLDERS,
    Card,
    ScriptFileError,
    builtin_cards,
    fill,
    fill_text,
    find_card,
    load_cards,
    search_cards,
)

# Every part of the source guide, as the card that makes it usable from the console.
SEED_CARDS = {
    "pre-meeting-email": "opening",
    "opening-statement": "opening",
    "ground-rules": "opening",
    "objection-someone-made-a-mistake": "objections",
    "objection-who-is-responsible": "objections",
    "objection-be-more-careful": "objections",
    "probe-data-at-the-time": "probing",
    "probe-assumptions": "probing",
    "probe-given-what-was-known": "probing",
    "probe-what-instead-of-who": "probing",
    "probe-how-instead-of-why": "probing",
    "probe-systemic-questions": "probing",
    "probe-timeline-walkthrough": "probing",
    "redirect-blame": "redirects",
    "redirect-reiterate-blameless": "redirects",
    "redirect-tangent": "redirects",
    "redirect-dominating-speaker": "redirects",
    "redirect-quiet-participant": "redirects",
    "redirect-defensive-participant": "redirects",
    "closing-checkpoint": "closing",
    "conclusion": "closing",
    "closing-follow-up": "closing",
    "framing-executive": "framing",
    "framing-stakes": "framing",
    "framing-psychological-safety": "framing",
    "framing-data-over-speculation": "framing",
    "framing-documentation": "framing",
    "framing-stakeholder-updates": "framing",
    "framing-humility-ownership": "framing",
    "framing-learning": "framing",
}

GLOSSARY = {
    "Blast radius": "glossary-blast-radius",
    "Runbook": "glossary-runbook",
    "SLO": "glossary-slo",
    "MTTR": "glossary-mttr",
    "Instrumentation": "glossary-instrumentation",
    "Circuit breaker": "glossary-circuit-breaker",
    "Observability": "glossary-observability",
    "Correlation ID": "glossary-correlation-id",
    "Backpressure": "glossary-backpressure",
    "Chaos engineering": "glossary-chaos-engineering",
}


def card(card_id: str) -> Card:
    """A built-in card that must exist."""
    found = find_card(builtin_cards(), card_id)
    assert found is not None, card_id
    return found


def full_record() -> SessionRecord:
    session = Session(
        id=1,
        title="Checkout outage",
        service="checkout-api",
        facilitator="Priya Natarajan",
        scribe="Sam Lee",
        attendees=("Dave Kim", "Priya Natarajan", "Sam Lee"),
        timezone="Europe/Paris",
        scheduled=pendulum.datetime(2026, 11, 24, 9, 0, tz="UTC"),
        follow_up_date=pendulum.date(2026, 12, 8),
        slo_target=99.9,
    )
    return SessionRecord(
        session=session,
        agenda=(
            AgendaItem(session_id=1, title="Opening", planned_minutes=5),
            AgendaItem(session_id=1, title="Timeline", planned_minutes=25),
            AgendaItem(session_id=1, title="Actions", planned_minutes=15),
        ),
        findings=(
            Finding(session_id=1, text="The certificate expiry had no alert."),
            Finding(session_id=1, text="Rollback took\n12 minutes.", kind=FindingKind.WENT_WELL),
        ),
        actions=(
            ActionItem(session_id=1, text="Alert 30 days before expiry", owner="Dave Kim",
                       due=pendulum.date(2026, 12, 1)),
            ActionItem(session_id=1, text="Automate renewal", owner="Platform team",
                       status=ActionStatus.DONE),
            ActionItem(session_id=1, text="Update the runbook"),
        ),
    )


def empty_record() -> SessionRecord:
    return SessionRecord(session=Session(title=""))


# -- built-in cards -------------------------------------------------------------------------------


@pytest.mark.parametrize(("card_id", "group"), sorted(SEED_CARDS.items()))
def test_every_part_of_the_guide_has_a_card(card_id: str, group: str) -> None:
    card = find_card(builtin_cards(), card_id)
    assert card is not None
    assert card.group == group
    assert card.source == BUILTIN


@pytest.mark.parametrize(("term", "card_id"), sorted(GLOSSARY.items()))
def test_every_glossary_term_has_a_card(term: str, card_id: str) -> None:
    card = find_card(builtin_cards(), card_id)
    assert card is not None and card.group == "glossary"
    assert term.lower() in card.title.lower()
    assert card.body.lower().startswith(term.lower().split()[0])


def test_built_in_cards_are_complete_and_in_display_order() -> None:
    cards = builtin_cards()
    ids = [card.id for card in cards]
    assert len(ids) == len(set(ids))
    for card in cards:
        assert card.group in GROUPS
        assert card.title.strip() and card.when.strip() and card.body.strip() and card.tags
        assert card.body == card.body.strip()
    ranks = [GROUPS.index(card.group) for card in cards]
    assert ranks == sorted(ranks)
    assert {card.group for card in cards} == set(GROUPS)


def test_built_in_cards_use_only_known_placeholders() -> None:
    import re

    for card in builtin_cards():
        for name in re.findall(r"\{([a-z_]+)\}", card.body):
            assert name in PLACEHOLDERS, (card.id, name)


@pytest.mark.parametrize("group", ["opening", "closing", "framing", "glossary"])
def test_what_the_facilitator_reads_aloud_is_itself_blameless(group: str) -> None:
    # Objection and probing cards quote blameful wording on purpose; these never should.
    for card in builtin_cards():
        if card.group == group:
            text = fill(card, full_record())
            assert detect(text, names=("Dave Kim", "Priya Natarajan", "Sam Lee")) == [], card.id


# -- filling --------------------------------------------------------------------------------------


def test_conclusion_lists_findings_and_actions_with_owners() -> None:
    text = fill(card("conclusion"), full_record())
    assert "- Contributing factor: The certificate expiry had no alert." in text
    assert "- Went well: Rollback took 12 minutes." in text
    assert "- Alert 30 days before expiry — owner: Dave Kim (due Tuesday 1 December 2026)" in text
    assert "- Automate renewal — owner: Platform team, done" in text
    assert "- Update the runbook — owner: [owner?]" in text
    assert "in 2 weeks (Tuesday 8 December 2026)" in text
    assert "Priya Natarajan" in text
    assert "{" not in text and "?]" in text  # only the missing owner is a gap


def test_opening_statement_names_the_service() -> None:
    text = fill(card("opening-statement"), full_record())
    assert "affected checkout-api" in text


@pytest.mark.parametrize("record", [None, empty_record()], ids=["no session", "empty session"])
def test_missing_data_shows_as_visible_gaps(record: SessionRecord | None) -> None:
    conclusion = fill(card("conclusion"), record)
    for gap in ("[findings?]", "[actions?]", "[timeframe?]", "[follow-up date?]",
                "[facilitator?]"):
        assert gap in conclusion
    assert "[service?]" in fill(card("opening-statement"), record)
    for each in builtin_cards():
        filled = fill(each, record)
        assert filled.strip()
        assert not any(f"{{{name}}}" in filled for name in PLACEHOLDERS)


def test_unknown_placeholders_and_stray_braces_stay_as_typed() -> None:
    typed = Card("x", "closing", "t", "", "{service} {nope} { } {{service}} {123} {", (), "f")
    assert fill(typed, full_record()) == "checkout-api {nope} { } {checkout-api} {123} {"
    assert fill(typed, None) == "[service?] {nope} { } {[service?]} {123} {"


def test_session_text_is_inserted_once_never_reinterpreted() -> None:
    record = full_record()
    session = record.session.__class__(**{**record.session.__dict__, "service": "{title} [b]"})
    text = fill_text("{service} / {title}", SessionRecord(session=session))
    assert text == "{title} [b] / Checkout outage"


def test_agenda_placeholder_gives_planned_start_times_in_the_session_timezone() -> None:
    text = fill_text("{agenda}\n{duration}\n{when}\n{attendees}\n{slo_target}", full_record())
    assert text.splitlines() == [
        "- 10:00  Opening (5 min)",
        "- 10:05  Timeline (25 min)",
        "- 10:30  Actions (15 min)",
        "45 minutes",
        "Tuesday 24 November 2026 at 10:00 (Europe/Paris)",
        "Dave Kim, Priya Natarajan and Sam Lee",
        "99.9%",
    ]


# -- search ---------------------------------------------------------------------------------------


def test_search_is_case_insensitive_over_title_when_tags_and_body() -> None:
    cards = builtin_cards()
    assert "glossary-blast-radius" in [c.id for c in search_cards(cards, "BLAST")]
    assert "objection-who-is-responsible" in [c.id for c in search_cards(cards, "accountable")]
    assert [c.id for c in search_cards(cards, "dominating")] == ["redirect-dominating-speaker"]
    assert [c.id for c in search_cards(cards, "circuit cascading")] == ["glossary-circuit-breaker"]
    assert search_cards(cards, "  ") == cards
    assert search_cards(cards, "zzzz-nothing") == []


def test_find_card() -> None:
    assert find_card(builtin_cards(), "conclusion") is not None
    assert find_card(builtin_cards(), "nope") is None


# -- the user's file ------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scripts.toml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_builtins_present(cards: list[Card]) -> None:
    ids = {card.id for card in cards}
    assert set(SEED_CARDS) <= ids and set(GLOSSARY.values()) <= ids


def test_no_user_file_gives_the_built_in_cards() -> None:
    assert load_cards(None) == (builtin_cards(), [])


def test_a_missing_user_file_is_not_an_error(tmp_path: Path) -> None:
    assert load_cards(tmp_path / "absent.toml") == (builtin_cards(), [])


def test_user_card_is_added_in_its_group(tmp_path: Path) -> None:
    path = write(tmp_path, """
[[card]]
id = "our-incident-channel"
group = "opening"
title = "Where to talk"
when = "At the start"
body = "Questions go in #incident-{service}."
tags = ["slack"]
""")
    cards, errors = load_cards(path)
    assert errors == []
    added = find_card(cards, "our-incident-channel")
    assert added == Card("our-incident-channel", "opening", "Where to talk", "At the start",
                        "Questions go in #incident-{service}.", ("slack",), str(path))
    opening = [c.id for c in cards if c.group == "opening"]
    assert opening[-1] == "our-incident-channel"
    assert_builtins_present(cards)


def test_user_card_overrides_a_built_in_one_by_id(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[[card]]\nid = "conclusion"\nbody = "Thanks all. Owners:\\n{actions}"\n'
    )
    cards, errors = load_cards(path)
    assert errors == []
    overridden = find_card(cards, "conclusion")
    assert overridden is not None
    assert overridden.body == "Thanks all. Owners:\n{actions}"
    assert overridden.title == "Conclusion" and overridden.group == "closing"  # kept
    assert overridden.source == str(path)
    assert [c.id for c in cards].count("conclusion") == 1
    assert [c.id for c in cards] == [c.id for c in builtin_cards()]


def test_malformed_toml_names_file_and_line_and_keeps_built_ins(tmp_path: Path) -> None:
    path = write(tmp_path, '[[card]]\nid = "a"\ntitle = "unterminated\nbody = "x"\n')
    cards, errors = load_cards(path)
    assert cards == builtin_cards()
    (error,) = errors
    assert error.startswith(f"{path}:3:")
    assert "not valid TOML" in error


def test_truncated_file_points_at_its_last_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[[card]]\nid = "a"\ntags = [\n')
    (error,) = load_cards(path)[1]
    assert error.startswith(f"{path}:3")


@pytest.mark.parametrize(
    ("toml", "line", "problem"),
    [
        ('[[card]]\nid = "mine"\ngroup = "closing"\ntitle = "t"\n', 2,
         "card 'mine': missing field 'body'"),
        ('[[card]]\ngroup = "closing"\ntitle = "t"\nbody = "b"\n', 1,
         "card #1: missing field 'id'"),
        ('[[card]]\nid = "mine"\ngroup = "closing"\ntitle = 3\nbody = "b"\n', 4,
         "card 'mine': field 'title' must be a string, not an integer"),
        ('[[card]]\nid = "mine"\ngroup = "closing"\ntitle = "t"\nbody = "b"\ntags = "x"\n', 6,
         "card 'mine': field 'tags' must be a list of strings"),
        ('[[card]]\nid = "mine"\ngroup = "party"\ntitle = "t"\nbody = "b"\n', 3,
         "card 'mine': unknown group 'party' (groups are: opening, objections, probing,"),
        ('[[card]]\nid = "mine"\ngroup = "closing"\ntitle = "t"\nbody = "b"\ncolour = 1\n', 6,
         "card 'mine': unknown field 'colour'"),
        ('[[card]]\nid = "conclusion"\nbody = "   "\n', 3,
         "card 'conclusion': field 'body' is empty"),
        ('[[card]]\nid = "has space"\n', 2, "card #1: field 'id' must be a word"),
        ('[card]\nid = "mine"\n', None, "write each card as a [[card]] table"),
        ('cards = 1\n', 1, "unknown top-level key 'cards'"),
    ],
)
def test_bad_card_is_reported_with_line_and_skipped(
    tmp_path: Path, toml: str, line: int | None, problem: str
) -> None:
    path = write(tmp_path, toml)
    cards, errors = load_cards(path)
    assert len(errors) == 1
    where = f"{path}:{line}: " if line is not None else f"{path}: "
    assert errors[0].startswith(where + problem), errors[0]
    assert_builtins_present(cards)
    assert find_card(cards, "conclusion").source == BUILTIN  # type: ignore[union-attr]


def test_one_bad_card_does_not_stop_the_good_ones(tmp_path: Path) -> None:
    path = write(tmp_path, """
[[card]]
id = "good"
group = "probing"
title = "Good"
body = "What happened next?"

[[card]]
id = "bad"
group = "probing"
title = "Bad"

[[card]]
id = "good"
group = "probing"
title = "Again"
body = "Twice"
""")
    cards, errors = load_cards(path)
    assert find_card(cards, "good").title == "Good"  # type: ignore[union-attr]
    assert find_card(cards, "bad") is None
    assert len(errors) == 2
    assert f"{path}:9: card 'bad': missing field 'body'" in errors
    assert errors[1].startswith(f"{path}:14: card 'good' is defined twice")


def test_unreadable_user_files_are_reported(tmp_path: Path) -> None:
    binary = tmp_path / "scripts.toml"
    binary.write_bytes(b'[[card]]\nid = "x"\ntitle = "\xff"\n')
    cards, errors = load_cards(binary)
    assert cards == builtin_cards()
    assert errors == [f"{binary}:3: is not UTF-8 text (byte 0xff)"]
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    assert load_cards(folder) == (builtin_cards(), [f"{folder}: is a folder, not a file"])


def test_script_file_error_names_file_line_and_problem() -> None:
    error = ScriptFileError("/x/scripts.toml", "card 'a': missing field 'body'", 4)
    assert str(error) == "/x/scripts.toml:4: card 'a': missing field 'body'"
    assert isinstance(error, ValueError) and error.line == 4
    assert str(ScriptFileError("f", "bad", 2, 7)) == "f:2:7: bad"
