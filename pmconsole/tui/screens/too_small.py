"""A plain "terminal too small" message in place of a squashed screen.

A mixin for full screens: Textual runs the ``on_mount`` and ``on_resize`` of every class in
a screen's MRO, so these add to the screen's own handlers. Keys keep working underneath; the
screen comes back as soon as the terminal is large enough. (The console has its own, larger
threshold, since its panes need more room.)
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widgets import Static

MIN_WIDTH = 40
MIN_HEIGHT = 10


class TooSmallView:
    """Mixin for a Screen: hide its content and say why while the terminal is too small."""

    def on_mount(self) -> None:
        message = f"Terminal too small.\nMake it at least {MIN_WIDTH} × {MIN_HEIGHT}."
        self.mount(Static(Content(message), id="too-small-view"))  # type: ignore[attr-defined]

    def on_resize(self, event: events.Resize) -> None:
        width, height = event.size
        self.set_class(width < MIN_WIDTH or height < MIN_HEIGHT, "-too-small")  # type: ignore[attr-defined]
