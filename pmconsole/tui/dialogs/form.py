"""A modal form that edits one entry: fields, inline validation, save through a callback.

The dialog does not dismiss until the caller's ``save`` callback has committed the entry,
so "saved" on screen always means saved in SQLite. When validation or the save fails,
the message appears next to the field (or under the form) and everything typed stays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from pmconsole.store.errors import StoreError, not_saved

T = TypeVar("T")


class TickBox(Checkbox):
    """A checkbox whose mark is a shape: ✓ when on, empty when off. Textual's draws an X
    either way and tells on from off by colour alone, which a projector can wash out."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        return "✓" if self.value else " "


class FieldError(ValueError):
    """A value that cannot be accepted; the message is shown under the field."""


class ConfirmFirst(Exception):
    """Raised by a save callback that needs a yes before it goes ahead (e.g. overwrite)."""

    def __init__(self, question: str, proceed: Callable[[], Any], *, yes: str = "Overwrite") -> None:
        super().__init__(question)
        self.question = question
        self.proceed = proceed
        self.yes = yes


@dataclass(frozen=True)
class FormField:
    """One input of a form.

    ``parse`` turns the typed text into a value or raises ``FieldError``/``ValueError``
    with a message for the user. ``kind`` picks the widget: text, textarea, choice or bool.
    """

    name: str
    label: str
    value: Any = ""
    kind: str = "text"
    choices: Sequence[str] = ()
    placeholder: str = ""
    parse: Callable[[str], Any] | None = None
    hint: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def required(label: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if not text.strip():
            raise FieldError(f"{label} cannot be empty.")
        return text.strip()

    return parse


class FormDialog(ModalScreen[T | None], Generic[T]):
    """Edit the fields of one entry; Enter (or Ctrl+S) saves, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="form.cancel", tooltip="Close without saving."),
        Binding("ctrl+s", "save", "Save", id="form.save", tooltip="Validate and save.", priority=True),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        build: Callable[[dict[str, Any]], T],
        save: Callable[[T], T],
        *,
        note: str = "",
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.build = build
        self.save_entry = save
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(Content(self.form_title), id="form-title")
            with VerticalScroll(id="form-fields"):
                for f in self.fields:
                    yield Label(Content(f.label), classes="form-label")
                    yield self._widget(f)
                    if f.hint:
                        yield Static(Content(f.hint), classes="form-hint")
                    yield Static("", id=f"error-{f.name}", classes="form-error")
            yield Static("", id="form-error", classes="form-error")
            if self.note:
                yield Static(Content(self.note), id="form-note")
            with Horizontal(id="form-buttons"):
                yield Button("Save  Ctrl+S", variant="primary", id="save")
                yield Button("Cancel  Esc", id="cancel")

    def _widget(self, f: FormField) -> Any:
        wid = f"field-{f.name}"
        if f.kind == "textarea":
            area = TextArea(str(f.value), id=wid, soft_wrap=True, show_line_numbers=False)
            area.tooltip = "Enter adds a line; Ctrl+S saves."
            return area
        if f.kind == "choice":
            options = [(c, c) for c in f.choices]
            return Select(options, value=f.value if f.value in f.choices else Select.NULL,
                          allow_blank=f.value not in f.choices, id=wid)
        if f.kind == "bool":
            return TickBox(f.label, value=bool(f.value), id=wid)
        return Input(str(f.value), placeholder=f.placeholder, id=wid)

    def on_mount(self) -> None:
        first = self.query("#form-fields Input, #form-fields TextArea, #form-fields Select")
        if first:
            first.first().focus()

    # -- reading and validating -------------------------------------------------------------

    def raw_value(self, f: FormField) -> Any:
        widget = self.query_one(f"#field-{f.name}")
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value
        if isinstance(widget, Checkbox):
            return widget.value
        assert isinstance(widget, Input)
        return widget.value

    def show_error(self, name: str | None, message: str) -> None:
        target = self.query_one(f"#error-{name}" if name else "#form-error", Static)
        target.update(Content(message))
        target.set_class(bool(message), "-visible")

    def collect(self) -> dict[str, Any] | None:
        """Parse every field; show each problem next to its field; None if any failed."""
        values: dict[str, Any] = {}
        ok = True
        for f in self.fields:
            raw = self.raw_value(f)
            try:
                values[f.name] = f.parse(raw) if f.parse else raw
                self.show_error(f.name, "")
            except (FieldError, ValueError, OverflowError) as error:
                ok = False
                self.show_error(f.name, str(error) or "Not a valid value.")
        return values if ok else None

    def action_save(self) -> None:
        # Ctrl+S is a priority binding: it runs as soon as the app reads it, while keys typed
        # just before it (fast typing, a paste, a text expander) may still wait in the
        # focused field's queue. Save from that queue, after them, so none is lost.
        focused = self.focused
        if focused is None:
            self._save()
        else:
            focused.call_later(self._save)

    def _save(self) -> None:
        if not self.is_active:
            return  # already saved and closed (Ctrl+S pressed twice)
        values = self.collect()
        if values is None:
            self.show_error(None, "Nothing saved yet: fix the field marked above.")
            return
        try:
            entry = self.build(values)
        except (FieldError, ValueError) as error:
            self.show_error(None, str(error))
            return
        try:
            saved = self.save_entry(entry)
        except StoreError as error:
            # The transaction rolled back; keep the dialog and everything typed in it.
            self.show_error(None, not_saved(error))
            return
        except ConfirmFirst as question:
            self._confirm(question)
            return
        except (FieldError, ValueError, OSError) as error:
            self.show_error(None, str(error))
            return
        self.dismiss(saved)

    def _confirm(self, question: ConfirmFirst) -> None:
        from pmconsole.tui.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if not yes:
                self.show_error(None, "Not done: nothing was changed.")
                return
            try:
                result = question.proceed()
            except (StoreError, FieldError, ValueError, OSError) as error:
                self.show_error(None, str(error))
                return
            self.dismiss(result)

        self.app.push_screen(ConfirmDialog(question.question, yes=question.yes), answered)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
