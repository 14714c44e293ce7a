"""Every action item across sessions: open, overdue, done; change status and due date in place.

"Overdue" is judged on the viewer's calendar day (``tz``, by default this machine's
timezone). Each change is saved at once (one transaction) and shown after it is saved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, ClassVar

from pendulum import Date
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static, Tab, Tabs

from pmconsole.domain.model import ActionItem, ActionStatus
from pmconsole.domain.tracker import (
    STATE_LABELS,
    TRACKER_FILTER_HELP,
    TrackedAction,
    TrackerFilter,
    TrackerState,
    TrackerView,
    classify,
    parse_tracker_filter,
    select,
)
from pmconsole.store.errors import StoreError
from pmconsole.tui.guard import GuardedMessages
from pmconsole.tui.screens.home import REVIEW_CSS, binding_commands, plural
from pmconsole.tui.screens.too_small import TooSmallView
from pmconsole.tui.widgets.keybar import KeyBar
from pmconsole.tui.widgets.review_list import FilterInput, ReviewList, ReviewTable, status_line

VIEW_LABELS: dict[TrackerView, str] = {
    TrackerView.OPEN: "Open",
    TrackerView.OVERDUE: "Overdue",
    TrackerView.DONE: "Done",
    TrackerView.ALL: "All",
}
EMPTY: dict[TrackerView, str] = {
    TrackerView.OPEN: "No open action items.",
    TrackerView.OVERDUE: "Nothing is overdue.",
    TrackerView.DONE: "No action item is finished yet.",
    TrackerView.ALL: "No action items yet: they are added in a session's Action items pane.",
}
STATUS_WORDS = {"open": ActionStatus.OPEN, "progress": ActionStatus.IN_PROGRESS,
                "done": ActionStatus.DONE, "wont": ActionStatus.WONT_DO}
COLUMNS = {"state": "State", "due": "Due", "owner": "Owner", "priority": "Pri", "text": "Action",
           "session": "Session"}
COLUMN_WIDTHS = {"state": 14, "due": 10, "owner": 16, "priority": 3, "text": 0, "session": 28}
# Below this width the priority goes and owner and session get narrower: the action's text
# keeps room to be read.
NARROW = 110
NARROW_WIDTHS = {**COLUMN_WIDTHS, "owner": 12, "session": 14}
# The action's text takes the room the other columns leave, and never less than this.
MIN_TEXT_WIDTH = 16


class ActionTable(ReviewTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open session", id="action.open",
                tooltip="Open the item's session with the item selected."),
    ]


class TrackerScreen(TooSmallView, GuardedMessages, ReviewList, Screen[None]):
    """Action items across all sessions, by state, with owner and session filters."""

    CSS_PATH = REVIEW_CSS
    # In the key line's order: what is done to an item first, then moving around (the
    # tabs are on screen and take clicks); narrow terminals drop keys from the end.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x,space", "status('done')", "Done", id="action.done",
                tooltip="Mark the item done (again: open it again)."),
        Binding("p", "status('progress')", "In progress", id="action.progress",
                tooltip="Mark the item in progress."),
        Binding("w", "status('wont')", "Won't do", show=False, id="action.wont",
                tooltip="Mark the item as won't do."),
        Binding("o", "status('open')", "Reopen", show=False, id="action.reopen",
                tooltip="Set the item back to open."),
        Binding("e", "due_date", "Due date", id="action.due",
                tooltip="Change the due date: 2026-12-01, +2w, fri, tomorrow… (empty: none)."),
        Binding("f", "filter", "Filter", id="tracker.filter",
                tooltip="Filter by owner:NAME, session:ID or words."),
        Binding("escape", "back", "Back", id="tracker.back", tooltip="Back to the sessions."),
        Binding("1", "view('open')", "Open", id="tracker.open",
                tooltip="Show items not finished: open or in progress, overdue or not."),
        Binding("2", "view('overdue')", "Overdue", id="tracker.overdue",
                tooltip="Show items whose due date has passed (your timezone)."),
        Binding("3", "view('done')", "Done", show=False, id="tracker.done",
                tooltip="Show finished items: done or won't do."),
        Binding("4", "view('all')", "All", show=False, id="tracker.all",
                tooltip="Show every action item."),
        Binding("O", "only_owner", "This owner", show=False, id="tracker.owner",
                tooltip="Only the highlighted item's owner (again: everyone)."),
        Binding("S", "only_session", "This session", show=False, id="tracker.session",
                tooltip="Only the highlighted item's session (again: every session)."),
    ]

    def __init__(self, *, tz: str | None = None, view: TrackerView = TrackerView.OPEN,
                 query: str = "") -> None:
        super().__init__()
        self.tz_name = tz
        self.view = view
        self.initial_query = query
        self.items: dict[int, TrackedAction] = {}
        self.shown: list[int] = []
        self.filter = TrackerFilter()
        self.filter_problems: list[str] = []
        self._columns: tuple[tuple[str, int], ...] = ()
        self._stamp: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="tracker"):
            with Horizontal(id="tracker-top"):
                yield Static(Content("Action items across all sessions"), id="tracker-title")
                yield Static("", id="tracker-stats")
            yield Tabs(*(Tab(label, id=view.value) for view, label in VIEW_LABELS.items()),
                       active=self.view.value, id="tracker-tabs")
            yield FilterInput(self.initial_query, placeholder="Filter: " + TRACKER_FILTER_HELP,
                              id="tracker-filter", select_on_focus=False)
            yield Static("", id="tracker-status")
            yield ActionTable(id="tracker-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="tracker-empty")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(ActionTable)
        self.filter, self.filter_problems = parse_tracker_filter(self.initial_query)
        self.load()
        table.focus()

    def on_screen_resume(self) -> None:
        # Back from a session: read again only if something was saved meanwhile.
        if self.data_stamp() != self._stamp:
            self.load()

    def on_resize(self, event: events.Resize) -> None:
        if self._layout() != self._columns:
            self.show_rows()
        else:
            self._fit_text_column()

    def _layout(self) -> tuple[tuple[str, int], ...]:
        """The columns shown and their widths, for this screen width."""
        narrow = 0 < self.size.width < NARROW
        widths = NARROW_WIDTHS if narrow else COLUMN_WIDTHS
        return tuple((key, widths[key]) for key in COLUMNS if not (narrow and key == "priority"))

    # -- loading and showing -----------------------------------------------------------------------

    def load(self) -> None:
        """Read every action item (one query) and show the current tab."""
        from pmconsole.store.review import tracked_actions

        self._stamp = self.data_stamp()
        self.items = {t.item.id: t for t in tracked_actions(self.store) if t.item.id is not None}
        self.show_rows()

    def show_rows(self) -> None:
        table = self.query_one(ActionTable)
        selected = self.selected_id
        today = self.today()
        chosen = select(self.items.values(), self.view, self.filter, today)
        self.shown = [t.item.id for t in chosen if t.item.id is not None]
        layout = self._layout()
        if layout != self._columns:
            self._columns = layout
            table.set_columns((key, COLUMNS[key], width) for key, width in layout)
        else:
            table.clear()
        for tracked in chosen:
            table.add_row(*self._cells(tracked, today), key=str(tracked.item.id))
        self._fit_text_column()
        self._show_counts(today)
        empty = self.query_one("#tracker-empty", Static)
        empty.update(Content(EMPTY[self.view] if self.filter == TrackerFilter()
                             else "No action item matches the filter."))
        empty.display = not chosen
        if selected is not None:
            table.move_to(selected)

    def _cells(self, tracked: TrackedAction, today: Date) -> list[Text]:
        """The cells of the columns shown, in order."""
        cells = dict(zip(COLUMNS, self._all_cells(tracked, today), strict=True))
        return [cells[key] for key, _ in self._columns]

    def _all_cells(self, tracked: TrackedAction, today: Date) -> list[Text]:
        item = tracked.item
        state = classify(item, today)
        label = STATE_LABELS[state]
        if state is TrackerState.OVERDUE and item.due is not None:
            label += f" {(today - item.due).in_days()}d"
        closed = item.status.is_closed
        return [
            Text(label, style={TrackerState.OVERDUE: "bold red",
                               TrackerState.DONE: "dim",
                               TrackerState.WONT_DO: "dim"}.get(state, ""), no_wrap=True),
            Text(item.due.isoformat() if item.due else "—",
                 style="bold" if state is TrackerState.OVERDUE else "", no_wrap=True),
            Text(item.owner or "(no owner)", style="" if item.owner else "italic",
                 no_wrap=True, overflow="ellipsis"),
            Text(item.priority.value, no_wrap=True),
            Text(item.text.replace("\n", " "), style="strike dim" if closed else "",
                 no_wrap=True, overflow="ellipsis"),
            Text(f"#{item.session_id} {tracked.session_title}", no_wrap=True,
                 overflow="ellipsis"),
        ]

    def _show_counts(self, today: Date) -> None:
        counts: dict[TrackerView, int] = dict.fromkeys(TrackerView, 0)
        states: dict[TrackerState, int] = dict.fromkeys(TrackerState, 0)
        for tracked in self.items.values():
            if not self.filter.matches(tracked):
                continue
            state = classify(tracked.item, today)
            states[state] += 1
        counts[TrackerView.OVERDUE] = states[TrackerState.OVERDUE]
        counts[TrackerView.OPEN] = (states[TrackerState.OVERDUE] + states[TrackerState.OPEN]
                                    + states[TrackerState.IN_PROGRESS])
        counts[TrackerView.DONE] = states[TrackerState.DONE] + states[TrackerState.WONT_DO]
        counts[TrackerView.ALL] = sum(states.values())
        tabs = self.query_one(Tabs)
        for view, label in VIEW_LABELS.items():
            tab = tabs.query_one(f"#{view.value}", Tab)
            tab.label = Content(f"{label} {counts[view]:,}")
        overdue = states[TrackerState.OVERDUE]
        self.query_one("#tracker-stats", Static).update(Content.assemble(
            plural(counts[TrackerView.OPEN], "open item"), " · ",
            (f"{overdue:,} overdue !", "bold $error") if overdue else "none overdue",
            f" · {states[TrackerState.IN_PROGRESS]:,} in progress · "
            f"{counts[TrackerView.DONE]:,} finished",
        ))
        self.query_one("#tracker-status", Static).update(status_line([
            f"{VIEW_LABELS[self.view]}: {plural(len(self.shown), 'item')}, "
            "unfinished first, by due date · overdue = due before today, "
            f"{today.isoformat()} ({self.tz})",
        ], self.filter_problems))

    def _fit_text_column(self) -> None:
        self.query_one(ActionTable).stretch("text", MIN_TEXT_WIDTH)

    @property
    def selected_id(self) -> int | None:
        return self.query_one(ActionTable).cursor_id

    @property
    def selected(self) -> TrackedAction | None:
        item_id = self.selected_id
        return None if item_id is None else self.items.get(item_id)

    def select_item(self, item_id: int) -> None:
        self.query_one(ActionTable).move_to(item_id)

    # -- views and filters ------------------------------------------------------------------------

    def action_view(self, name: str) -> None:
        self.query_one(Tabs).active = name

    @on(Tabs.TabActivated)
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        if event.tab.id is None:
            return
        view = TrackerView(event.tab.id)
        if view is not self.view:
            self.view = view
            self.show_rows()
            self.query_one(ActionTable).focus()

    def apply_typed_text(self, text: str) -> None:
        wanted, problems = parse_tracker_filter(text)
        if (wanted, problems) != (self.filter, self.filter_problems):
            self.filter, self.filter_problems = wanted, problems
            self.show_rows()

    def action_filter(self) -> None:
        self.query_one(FilterInput).focus()

    def _set_filter_text(self, text: str) -> None:
        self.query_one(FilterInput).value = text
        self.run_typed_text()

    def action_only_owner(self) -> None:
        tracked = self.selected
        if self.filter.owner:
            self._set_filter_text("")
        elif tracked is not None and tracked.item.owner:
            owner = tracked.item.owner.replace('"', "")
            self._set_filter_text(f'owner:"{owner}"')

    def action_only_session(self) -> None:
        tracked = self.selected
        if self.filter.session_id is not None:
            self._set_filter_text("")
        elif tracked is not None:
            self._set_filter_text(f"session:{tracked.item.session_id}")

    # -- changes -----------------------------------------------------------------------------------

    def _editable(self) -> bool:
        if self.store.readonly:
            self.app.say("Read-only database: action items cannot be changed.",  # type: ignore[attr-defined]
                         severity="warning")
            return False
        return True

    def action_status(self, word: str) -> None:
        from pmconsole.store.review import set_action_status

        tracked = self.selected
        if tracked is None:
            self.app.bell()
            return
        if not self._editable():
            return
        status = STATUS_WORDS[word]
        if status is ActionStatus.DONE and tracked.item.status is ActionStatus.DONE:
            status = ActionStatus.OPEN
        try:
            saved = set_action_status(self.store, tracked.item, status)
        except StoreError as error:
            self.app.say(f"Status not changed: {error}", severity="error")  # type: ignore[attr-defined]
            return
        self.show_saved(dataclasses.replace(tracked, item=saved))
        self.app.say(f"{status.value.capitalize()}: “{saved.text}”.")  # type: ignore[attr-defined]

    def action_due_date(self) -> None:
        from pmconsole.domain.times import TimeParseError, parse_date
        from pmconsole.store.review import set_action_due
        from pmconsole.tui.dialogs.form import FieldError, FormDialog, FormField

        tracked = self.selected
        if tracked is None:
            self.app.bell()
            return
        if not self._editable():
            return
        today = self.today()
        item = tracked.item

        def parse(text: str) -> Date | None:
            if not text.strip():
                return None
            try:
                return parse_date(text, today=today)
            except TimeParseError as error:
                raise FieldError(str(error)) from error

        def build(values: dict[str, Any]) -> ActionItem:
            return dataclasses.replace(item, due=values["due"])

        def save(changed: ActionItem) -> ActionItem:
            return set_action_due(self.store, item, changed.due)

        def done(saved: ActionItem | None) -> None:
            if saved is not None:
                self.show_saved(dataclasses.replace(tracked, item=saved))
                self.app.say(  # type: ignore[attr-defined]
                    f"Due {saved.due.isoformat() if saved.due else 'date removed'}: "
                    f"“{saved.text}”.")

        field = FormField("due", "Due date", item.due.isoformat() if item.due else "",
                          placeholder="2026-12-01", parse=parse,
                          hint="2026-12-01, today, tomorrow, +3d, +2w, +1m or a weekday such "
                               "as fri; leave empty for no due date.")
        title = f"Due date of “{item.text.replace(chr(10), ' ')}”"
        self.app.push_screen(FormDialog(title, [field], build, save), done)

    def show_saved(self, tracked: TrackedAction) -> None:
        """Show a saved item in place; it stays in this tab until the tab is shown again."""
        item_id = tracked.item.id
        assert item_id is not None
        self.items[item_id] = tracked
        table = self.query_one(ActionTable)
        today = self.today()
        if str(item_id) in {k.value for k in table.rows}:
            for column, value in zip(table.columns, self._cells(tracked, today), strict=True):
                table.update_cell(str(item_id), column, value)
        self._show_counts(today)

    # -- navigation --------------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        tracked = self.selected
        if tracked is not None and tracked.item.id is not None:
            self.app.open_session(  # type: ignore[attr-defined]
                tracked.item.session_id, focus_entry=("action", tracked.item.id))

    def action_back(self) -> None:
        self.dismiss()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield from binding_commands(self, self.BINDINGS)
