"""A script card, large and readable, for reading out or sharing."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from pmconsole.tui.widgets.keybar import KeyBar


class CardScreen(ModalScreen[None]):
    """The presentation view of one card, with the session's details filled in."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss", "Close", id="card.close", tooltip="Back to the console."),
        Binding("c", "copy", "Copy", id="card.copy_shown", tooltip="Copy this text to the clipboard."),
    ]

    def __init__(self, title: str, text: str, *, when: str = "") -> None:
        super().__init__()
        self.card_title = title
        self.when = when
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="card-view"):
            yield Static(Content(self.card_title), id="card-title")
            if self.when:
                yield Static(Content(f"When: {self.when}"), id="card-when")
            with VerticalScroll(id="card-scroll"):
                yield Static(Content(self.text), id="card-body")
        yield KeyBar()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.app.say(f"Copied “{self.card_title}” to the clipboard.")  # type: ignore[attr-defined]
