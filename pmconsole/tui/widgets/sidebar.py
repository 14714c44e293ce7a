"""The Blame-redirect sidebar: scripted response cards, grouped, filtered as you type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

GROUP_TITLES = {
    "opening": "Opening",
    "objections": "Objections",
    "probing": "Probing questions",
    "redirects": "Redirects",
    "closing": "Closing",
    "framing": "Framing for leaders",
    "glossary": "Glossary",
}


class CardList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_card", "Copy", id="card.copy",
                tooltip="Copy the highlighted card's text to the clipboard."),
        Binding("slash", "filter", "Filter", id="card.filter", tooltip="Type to filter the cards."),
    ]

    def action_copy_card(self) -> None:
        sidebar = self.ancestors_with_self[1]
        if isinstance(sidebar, BlameSidebar):
            sidebar.request("copy")

    def action_filter(self) -> None:
        sidebar = self.ancestors_with_self[1]
        if isinstance(sidebar, BlameSidebar):
            sidebar.query_one(Input).focus()


class BlameSidebar(Vertical):
    """Cards by group; Enter presents one, c copies it."""

    @dataclass
    class CardRequested(Message):
        """Show (``verb`` "show") or copy ("copy") the card with ``card_id``."""

        card_id: str
        verb: str

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.border_title = Content("Blame-redirect")
        self.cards: Sequence[Any] = ()

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: who, mistake, quiet…", id="card-filter")
        yield CardList(id="card-list")

    def set_cards(self, cards: Sequence[Any]) -> None:
        self.cards = cards
        self._fill(cards)

    def _fill(self, cards: Sequence[Any]) -> None:
        options: list[Option | None] = []
        group = None
        for card in sorted(cards, key=lambda c: _group_order(c.group)):
            if card.group != group:
                group = card.group
                title = GROUP_TITLES.get(group, group.title())
                options.append(Option(Content.styled(f"── {title}", "bold underline"), disabled=True))
            options.append(Option(Content(f"  {card.title}"), id=card.id))
        option_list = self.query_one(CardList)
        option_list.clear_options()
        option_list.add_options(options)
        first = next((i for i, o in enumerate(options) if o is not None and not o.disabled), None)
        if first is not None:
            option_list.highlighted = first

    def filter(self, text: str) -> None:
        from pmconsole.domain.scripts import search_cards

        self._fill(search_cards(self.cards, text) if text.strip() else self.cards)

    def jump_to(self, card_id: str) -> None:
        """Clear the filter and highlight one card (used when a blame flag points at it)."""
        self.query_one(Input).value = ""
        self._fill(self.cards)
        option_list = self.query_one(CardList)
        try:
            option_list.highlighted = option_list.get_option_index(card_id)
        except Exception:  # noqa: BLE001 - a user file may have removed the card
            return

    def request(self, verb: str) -> None:
        option_list = self.query_one(CardList)
        if option_list.highlighted is None:
            return
        option = option_list.get_option_at_index(option_list.highlighted)
        if option.id:
            self.post_message(self.CardRequested(option.id, verb))

    @on(Input.Changed, "#card-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter(event.value)

    @on(Input.Submitted, "#card-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(CardList).focus()
        self.request("show")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.CardRequested(event.option.id, "show"))


def _group_order(group: str) -> int:
    order = list(GROUP_TITLES)
    return order.index(group) if group in order else len(order)
