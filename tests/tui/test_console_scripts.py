"""Pilot tests of the Blame-redirect sidebar, the card view and the palette's script cards."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList, Static

from pmconsole.domain.model import ScriptUse
from pmconsole.tui.screens.card import CardScreen
from pmconsole.tui.screens.console import ConsoleScreen
from tests.factory import demo_store, make_app

SIZE = (160, 48)


def option_titles(option_list: OptionList) -> list[str]:
    return [str(option_list.get_option_at_index(i).prompt).strip()
            for i in range(option_list.option_count)]


async def test_sidebar_groups_and_filter_by_typing(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "s.db")
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        cards = app.screen.query_one("#card-list", OptionList)
        titles = option_titles(cards)
        for group in ("Opening", "Objections", "Probing questions", "Redirects", "Closing", "Glossary"):
            assert f"── {group}" in titles
        assert "Blast radius" in titles
        await pilot.press("5", "slash", *"accountable")
        await pilot.pause()
        filtered = [t for t in option_titles(cards) if not t.startswith("──")]
        assert len(filtered) < len([t for t in titles if not t.startswith("──")])
        assert any("responsible" in t.lower() for t in filtered)


async def test_enter_presents_the_card_filled_and_records_its_use(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "s.db")
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5", "slash", *"opening statement", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CardScreen)
        body = str(app.screen.query_one("#card-body", Static).render())
        assert "payments-gateway" in body  # the {service} placeholder, filled
        assert "[service?]" not in body
        uses = store.list_children(ScriptUse, sid)
        assert [u.script_id for u in uses] == ["opening-statement"]
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == body
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)


async def test_palette_brings_up_objection_cards_by_typing_who(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "s.db")
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"script: who")
        await pilot.pause(0.5)
        from textual.command import CommandList

        listing = app.screen.query_one(CommandList)
        prompts = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert any("Who is responsible" in p for p in prompts), prompts
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, CardScreen)
        assert len(store.list_children(ScriptUse, sid)) == 1


async def test_flag_points_the_sidebar_at_the_matching_card(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "s.db")
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "a", *"cf: the operator was careless with the config", "enter")
        await pilot.pause()
        flag = [f for f in store.load(sid).flags][-1]
        cards = app.screen.query_one("#card-list", OptionList)
        highlighted = cards.get_option_at_index(cards.highlighted or 0)
        assert highlighted.id == flag.card_id
        assert app.screen.query_one("#card-filter", Input).value == ""
