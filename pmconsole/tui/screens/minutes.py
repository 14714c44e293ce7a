"""A preview of a session's Markdown minutes, rendered as the wiki will show them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from pendulum import DateTime
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import MarkdownViewer, Static

from pmconsole.tui.guard import GuardedMessages
from pmconsole.tui.screens.home import REVIEW_CSS, binding_commands
from pmconsole.tui.screens.too_small import TooSmallView
from pmconsole.tui.widgets.keybar import KeyBar


def minutes_markdown(store: Any, session_id: int, now: DateTime) -> tuple[str, str]:
    """The minutes of a session as ``(title, markdown)``, linked to its follow-ups."""
    from pmconsole.exchange.minutes import render_minutes
    from pmconsole.store.review import linked_titles

    record = store.load(session_id)
    return record.session.title, render_minutes(
        record, linked=linked_titles(store, record.session), now=now
    )


def minutes_screen(store: Any, session_id: int, now: DateTime) -> MinutesScreen:
    """The preview screen for one session (what the console's and home's ``m`` push)."""
    title, text = minutes_markdown(store, session_id, now)
    return MinutesScreen(text, title=title)


class MinutesScreen(TooSmallView, GuardedMessages, Screen[None]):
    """The exported Markdown minutes, rendered; Escape goes back."""

    CSS_PATH = REVIEW_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back", id="minutes.close",
                tooltip="Close the preview and go back."),
        Binding("c", "copy", "Copy Markdown", id="minutes.copy",
                tooltip="Copy the minutes as Markdown to the clipboard, ready to paste in a wiki."),
        Binding("t", "contents", "Contents", id="minutes.contents",
                tooltip="Show or hide the table of contents."),
    ]

    def __init__(self, markdown_text: str, *, title: str = "") -> None:
        super().__init__()
        self.markdown_text = markdown_text
        self.session_title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="minutes"):
            with Horizontal(id="minutes-top"):
                yield Static(Content("Minutes preview"), id="minutes-heading")
                yield Static(Content(self.session_title), id="minutes-title")
            yield MarkdownViewer(self.markdown_text, id="minutes-viewer",
                                 show_table_of_contents=False)
        yield KeyBar()

    def on_mount(self) -> None:
        viewer = self.query_one(MarkdownViewer)
        viewer.show_table_of_contents = self.size.width >= 110
        viewer.document.focus()

    def action_close(self) -> None:
        self.dismiss()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.markdown_text)
        self.app.say("Minutes copied to the clipboard as Markdown.")  # type: ignore[attr-defined]

    def action_contents(self) -> None:
        viewer = self.query_one(MarkdownViewer)
        viewer.show_table_of_contents = not viewer.show_table_of_contents

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield from binding_commands(self, self.BINDINGS)
