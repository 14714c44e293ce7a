"""Pilot tests of the Blame-redirect sidebar: what its card list draws, and what Enter presents."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from pmconsole.domain.model import ScriptUse
from pmconsole.tui.app import PostMortemApp
from pmconsole.tui.screens.card import CardScreen
from tests.factory import demo_store, make_app

SIZE = (160, 48)
WIDE = (200, 60)
# Titles that wrap in the sidebar at these sizes: the ones that lost their last line.
WRAPPING = ("Blameless opening statement", "“Someone did make a mistake — we need to know what it was”")


def drawn_lines(cards: OptionList) -> list[str]:
    """Every line the card list draws, top to bottom, scrolling through it as a user would."""
    height = cards.scrollable_content_region.height
    top = cards.scroll_offset.y
    lines = []
    for line in range(cards.virtual_size.height):
        if not cards.scroll_offset.y <= line < cards.scroll_offset.y + height:
            cards.scroll_to(y=line, animate=False, immediate=True)
        lines.append(cards.render_line(line - cards.scroll_offset.y).text)
    cards.scroll_to(y=top, animate=False, immediate=True)
    return lines


def squeezed(text: str) -> str:
    """``text`` without whitespace, so a title reads the same however it wraps."""
    return "".join(text.split())


def missing_titles(app: PostMortemApp) -> list[str]:
    """Card titles that the sidebar does not draw in full (there should be none)."""
    cards = app.screen.query_one("#card-list", OptionList)
    drawn = squeezed("".join(drawn_lines(cards)))
    shown = {option.id for option in cards.options}
    titles = [card.title for card in app.cards if card.id in shown]
    assert titles, "the sidebar shows no cards"
    return [title for title in titles if squeezed(title) not in drawn]


def sidebar_width(app: PostMortemApp) -> int:
    return app.screen.query_one("#card-list", OptionList).scrollable_content_region.width


async def flag_a_finding(pilot: Pilot[None]) -> None:
    await pilot.press("3", "a", *"cf: Dave forgot to renew the cert", "enter")
    await pilot.pause()


async def test_titles_keep_every_wrapped_line_after_a_flag(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "s.db")
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert missing_titles(app) == []
        width = sidebar_width(app)
        await flag_a_finding(pilot)
        assert [f for f in store.load(sid).flags if f.phrase], "the finding was not flagged"
        assert sidebar_width(app) == width  # the list still scrolls: same width as before
        assert missing_titles(app) == []
        drawn = squeezed(" ".join(drawn_lines(app.screen.query_one("#card-list", OptionList))))
        for title in WRAPPING:
            assert squeezed(title) in drawn


async def test_titles_keep_every_wrapped_line_when_a_filter_is_cleared(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "s.db")
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "slash", *"quiet")
        await pilot.pause()
        # Two cards fit without a scrollbar; all of them need one, which narrows the list.
        assert missing_titles(app) == []
        await pilot.press(*["backspace"] * len("quiet"))
        await pilot.pause()
        cards = app.screen.query_one("#card-list", OptionList)
        assert cards.option_count > 40
        assert missing_titles(app) == []


async def test_titles_are_whole_at_a_wider_sidebar_too(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "s.db")
    app = make_app(store, session_id=sid)
    async with app.run_test(size=WIDE) as pilot:
        await flag_a_finding(pilot)
        assert missing_titles(app) == []


async def test_enter_after_a_filter_presents_the_highlighted_best_match(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "s.db")
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "slash", *"quiet")
        await pilot.pause()
        cards = app.screen.query_one("#card-list", OptionList)
        listed = [str(option.prompt).strip() for option in cards.options]
        # "Steer away…" matches too (its text says people "go quiet") and comes first.
        assert "Steer away from blameful wording" in listed
        highlighted = cards.highlighted_option
        assert highlighted is not None
        assert str(highlighted.prompt).strip() == "A quiet participant"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CardScreen)
        title = str(app.screen.query_one("#card-title", Static).render())
        assert title == "A quiet participant"
        body = str(app.screen.query_one("#card-body", Static).render())
        assert body.startswith("You were close to this part of the incident.")
        uses = store.list_children(ScriptUse, sid)
        assert [u.script_id for u in uses] == ["redirect-quiet-participant"]


async def test_enter_presents_the_first_match_when_no_title_matches(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "s.db")
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "slash", *"careless")
        await pilot.pause()
        cards = app.screen.query_one("#card-list", OptionList)
        first = next(option for option in cards.options if not option.disabled)
        assert cards.highlighted_option is first
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CardScreen)
        title = str(app.screen.query_one("#card-title", Static).render())
        assert title == str(first.prompt).strip()


async def test_a_flag_during_a_filter_shows_every_card_and_keeps_the_jump(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "s.db")
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "slash", *"quiet")
        await pilot.pause()
        await app.screen.run_action("focus_pane('findings')")
        await flag_a_finding(pilot)
        await pilot.pause()
        flag = store.load(sid).flags[-1]
        cards = app.screen.query_one("#card-list", OptionList)
        assert app.screen.query_one("#card-filter", Input).value == ""
        assert {option.id for option in cards.options if option.id} == {c.id for c in app.cards}
        highlighted = cards.highlighted_option
        assert highlighted is not None and highlighted.id == flag.card_id
        assert missing_titles(app) == []
