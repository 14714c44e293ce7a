"""The key line at the bottom of every screen: the keys that work here and now.

Textual's Footer is a widget per key, and it composes them all again whenever the
bindings change, which they do on every focus change. Switching panes in the console
laid the whole screen out again for it (most of a 50 ms keystroke), and at start-up
its first compose waits for the first frame, so the first complete frame was the
second one. KeyBar draws one line from the same active bindings, repaints only itself
when they change, and still answers the mouse: a click presses the key, hovering shows
the binding's tooltip.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget


class _Key(NamedTuple):
    key: str
    binding: Binding
    enabled: bool
    tooltip: str


class _Span(NamedTuple):
    start: int
    end: int
    key: _Key


class KeyBar(Widget):
    """One line: ``key description`` for each shown binding; quit, help and the palette on the right."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "keybar--key",
        "keybar--description",
        "keybar--disabled",
        "keybar--hover",
    }

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._spans: list[_Span] = []
        self._hover: _Key | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen[object]) -> None:
        self.refresh()

    def shown_keys(self) -> tuple[list[_Key], list[_Key]]:
        """The keys to show, one per action in binding order: this screen's and its
        widgets' on the left, the app's own (quit, help, the palette) on the right."""
        by_action: dict[str, _Key] = {}
        app_keys: dict[str, _Key] = {}
        palette_key = self.app.COMMAND_PALETTE_BINDING if self.app.ENABLE_COMMAND_PALETTE else None
        for key, (node, binding, enabled, tooltip) in self.screen.active_bindings.items():
            shown = _Key(key, binding, enabled, tooltip or binding.description)
            if key == palette_key:
                app_keys.setdefault(binding.action, shown)
            elif not binding.show:
                continue
            elif node is self.app:
                app_keys.setdefault(binding.action, shown)
            else:
                by_action.setdefault(binding.action, shown)
        # The palette key last, at the right edge, as in Textual's Footer.
        right = sorted(app_keys.values(), key=lambda k: k.key == palette_key)
        return list(by_action.values()), right

    def _label(self, key: _Key) -> Content:
        display = self.app.get_key_display(key.binding)
        if not key.enabled:
            return Content.assemble(
                (f" {display} {key.binding.description} ", self.get_visual_style("keybar--disabled"))
            )
        hover = ("keybar--hover",) if key == self._hover else ()
        return Content.assemble(
            (f" {display} ", self.get_visual_style("keybar--key", *hover)),
            (f"{key.binding.description} ", self.get_visual_style("keybar--description", *hover)),
        )

    def render(self) -> Content:
        # The app's keys (quit, help, palette) stay on the right whatever the width; the
        # screen's keys fill the rest in binding order, most important first, and those
        # that do not fit are left out whole (F1 and the palette list every key).
        keys, app_keys = self.shown_keys()
        width = self.size.width
        spans: list[_Span] = []
        right_parts: list[Content] = [Content.assemble(("▏", self.get_visual_style("keybar--disabled")))]
        right_keys: list[tuple[int, _Key]] = []
        offset = 1
        for key in app_keys:
            label = self._label(key)
            right_keys.append((offset, key))
            right_parts.append(label)
            offset += label.cell_length
        right = Content("").join(right_parts) if app_keys else Content("")
        parts: list[Content] = []
        x = 0
        for key in keys:
            label = self._label(key)
            if x + label.cell_length > width - right.cell_length:
                break
            spans.append(_Span(x, x + label.cell_length, key))
            parts.append(label)
            x += label.cell_length
        start = width - right.cell_length
        for index, (at, key) in enumerate(right_keys):
            end = start + (right_keys[index + 1][0] if index + 1 < len(right_keys) else right.cell_length)
            spans.append(_Span(start + at, end, key))
        self._spans = spans
        left = Content("").join(parts)
        gap = Content(" " * max(0, width - left.cell_length - right.cell_length))
        return (left + gap + right).truncate(width)

    def _key_at(self, x: int) -> _Key | None:
        for span in self._spans:
            if span.start <= x < span.end:
                return span.key
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._key_at(event.x)
        if key != self._hover:
            self._hover = key
            self.tooltip = key.tooltip if key is not None else None
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        key = self._key_at(event.x)
        if key is not None and key.enabled:
            event.stop()
            self.app.simulate_key(key.key)
