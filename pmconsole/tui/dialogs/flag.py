"""One entry's blame flags: why each was raised, the reframe, and what to do about it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from pmconsole.domain.model import BlameFlag


class FlagDialog(ModalScreen[tuple[str, BlameFlag] | None]):
    """Accept the reframe (a), dismiss the flag (d), or open the matching card (c)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "choose('accept')", "Accept reframe", id="flag.accept",
                tooltip="Replace the flagged words with the reframe (u undoes)."),
        Binding("d", "choose('dismiss')", "Dismiss", id="flag.dismiss",
                tooltip="Keep the text; mark the flag as dismissed."),
        Binding("c", "choose('card')", "Show card", id="flag.card",
                tooltip="Open the script card that helps redirect this."),
        Binding("escape", "cancel", "Close", id="flag.close", tooltip="Close, changing nothing."),
    ]

    def __init__(self, text: str, flags: Sequence[BlameFlag], cards: Sequence[Any]) -> None:
        super().__init__()
        self.text = text
        self.flag = flags[0]
        self.more = len(flags) - 1
        self.card_title = next((c.title for c in cards if c.id == self.flag.card_id), "")

    def compose(self) -> ComposeResult:
        f = self.flag
        quoted = Content(self.text[: f.start]) + Content.styled(
            self.text[f.start:f.end], "bold reverse"
        ) + Content(self.text[f.end:])
        with Vertical(id="flag"):
            yield Static(Content.styled(f"⚑ {f.category.value}: “{f.phrase}”", "bold"), id="flag-title")
            yield Static(quoted, id="flag-text")
            yield Static(Content(f.explanation), id="flag-explanation")
            yield Static(Content(f"Try instead: {f.suggestion}"), id="flag-suggestion")
            if self.card_title:
                yield Static(Content(f"Card: {self.card_title}"), id="flag-card")
            if self.more:
                yield Static(Content(f"{self.more} more flag(s) on this entry after this one."))
            with Horizontal(id="flag-buttons"):
                yield Button("Accept reframe  a", variant="success", id="accept")
                yield Button("Dismiss  d", variant="warning", id="dismiss")
                yield Button("Show card  c", id="card")
                yield Button("Close  Esc", id="close")

    def action_choose(self, verb: str) -> None:
        self.dismiss((verb, self.flag))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "close":
            self.dismiss(None)
        else:
            self.dismiss((str(event.button.id), self.flag))
