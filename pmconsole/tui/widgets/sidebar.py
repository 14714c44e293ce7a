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
from textual.widgets.option_list import Option, OptionDoesNotExist

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
    """The cards, one option per card under a disabled group heading."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy_card", "Copy", id="card.copy",
                tooltip="Copy the highlighted card's text to the clipboard."),
        Binding("slash", "filter", "Filter", id="card.filter", tooltip="Type to filter the cards."),
    ]

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self._measured_width = 0

    def _update_lines(self) -> None:
        # OptionList (Textual 8.2.8) caches each option's wrapped height and rendered strips for
        # the content width of the moment, and forgets them only on Resize. The vertical
        # scrollbar appearing or going away narrows or widens that width without a Resize (e.g.
        # refilling the list hides it while the list is empty), so titles measured one line
        # wide but drawn two lines wide lost their last line. Measure again when the width moves.
        width = self.scrollable_content_region.width
        if width and width != self._measured_width:
            self._measured_width = width
            self._line_cache.clear()
            self._option_render_cache.clear()
        super()._update_lines()

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
        self._query = ""
        """The filter the list is showing ("" for every card)."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: who, mistake, quiet…", id="card-filter")
        yield CardList(id="card-list")

    def set_cards(self, cards: Sequence[Any]) -> None:
        self.cards = cards
        self._fill(self._matching())

    def _fill(self, cards: Sequence[Any], highlight: str | None = None) -> None:
        """Show ``cards`` by group and highlight ``highlight`` (a card id), else the best match."""
        options: list[Option | None] = []
        group = None
        shown = sorted(cards, key=lambda c: _group_order(c.group))
        for card in shown:
            if card.group != group:
                group = card.group
                title = GROUP_TITLES.get(group, group.title())
                options.append(Option(Content.styled(f"── {title}", "bold underline"), disabled=True))
            options.append(Option(Content(f"  {card.title}"), id=card.id))
        option_list = self.query_one(CardList)
        # set_options, not clear_options + add_options: no empty list in between, so the
        # scrollbar does not vanish and come back while the options are measured.
        option_list.set_options(options)
        if highlight is None and shown:
            highlight = _best_match(shown, self._query).id
        if highlight is not None and highlight in {c.id for c in shown}:
            option_list.highlighted = option_list.get_option_index(highlight)

    def filter(self, text: str) -> None:
        self._query = text.strip()
        self._fill(self._matching())

    def _matching(self) -> Sequence[Any]:
        if not self._query:
            return self.cards
        from pmconsole.domain.scripts import search_cards

        return search_cards(self.cards, self._query)

    def jump_to(self, card_id: str) -> None:
        """Clear the filter and highlight one card (used when a blame flag points at it)."""
        filter_input = self.query_one(Input)
        if filter_input.value:
            # The Changed message would refill the list after this jump and lose the highlight.
            with filter_input.prevent(Input.Changed):
                filter_input.value = ""
        if self._query:
            self._query = ""
            self._fill(self.cards, highlight=card_id)
            return
        option_list = self.query_one(CardList)
        try:
            option_list.highlighted = option_list.get_option_index(card_id)
        except OptionDoesNotExist:  # a user file may have removed the card
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


def _best_match(cards: Sequence[Any], query: str) -> Any:
    """The card Enter should present for ``query``: the first whose title has every word, then
    the first with them in its title, when or tags, then simply the first (a body match)."""
    words = query.casefold().split()

    def rank(card: Any) -> int:
        if all(word in card.title.casefold() for word in words):
            return 0
        label = " ".join((card.title, card.when, *card.tags)).casefold()
        return 1 if all(word in label for word in words) else 2

    return min(cards, key=rank)  # min keeps the first of equal ranks: display order


def _group_order(group: str) -> int:
    order = list(GROUP_TITLES)
    return order.index(group) if group in order else len(order)
