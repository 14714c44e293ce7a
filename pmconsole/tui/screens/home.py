"""The home screen: the history of every session, sortable and filterable.

From here a reviewer opens a session (Enter), searches all of them (/), follows the action
items across sessions (t), looks at metrics over time (g), previews minutes (m) and plans a
follow-up meeting (F). The list is a DataTable filled in one pass; sessions are re-read
only when the database changed since the last look.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Static

from pmconsole.domain.history import (
    FILTER_HELP,
    SORT_COLUMNS,
    SessionFilter,
    SessionSummary,
    filter_summaries,
    natural_descending,
    next_sort_column,
    parse_filter,
    sort_summaries,
)
from pmconsole.domain.metrics import format_duration
from pmconsole.domain.model import Session, Severity
from pmconsole.paths import styles_dir
from pmconsole.store.errors import StoreError
from pmconsole.tui.guard import GuardedMessages
from pmconsole.tui.screens.too_small import TooSmallView
from pmconsole.tui.widgets.keybar import KeyBar
from pmconsole.tui.widgets.review_list import FilterInput, ReviewList, ReviewTable, status_line

# Fixed widths; the Title column takes whatever the others leave.
COLUMN_WIDTHS: dict[str, int] = {
    "date": 10, "sev": 4, "status": 8, "title": 0, "service": 16,
    "open": 4, "overdue": 7, "ttd": 7, "ttr": 7,
}
NARROW_SERVICE_WIDTH = 10
MIN_TITLE_WIDTH = 16
RIGHT_ALIGNED = {"open", "overdue", "ttd", "ttr"}
# The review screens' stylesheet; loaded once, whichever review screen comes first (the
# app may also list it in its CSS_PATH: Textual reads a file only once).
REVIEW_CSS: list[str | PurePath] = [styles_dir() / "review.tcss"]


def binding_commands(screen: Any, bindings: Iterable[BindingType]) -> Iterable[SystemCommand]:
    """A palette command ("group: action") for each binding with an id, app keys excluded."""
    for binding in bindings:
        if not isinstance(binding, Binding) or not binding.id or binding.id.startswith("app."):
            continue
        group = binding.id.split(".")[0]
        yield SystemCommand(f"{group}: {binding.description.lower()}",
                            binding.tooltip or binding.description,
                            lambda b=binding: screen.run_action(b.action))


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


class SessionCell(Text):
    """The first cell of a row; knows its session, so rows can be reordered in place."""

    def __init__(self, text: str, session_id: int | None) -> None:
        super().__init__(text, no_wrap=True)
        self.session_id = session_id


class SessionTable(ReviewTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", id="session.open",
                tooltip="Open the highlighted session (ended ones open read-only)."),
    ]


class FollowUpDialog(ModalScreen[bool]):
    """Ask before creating a follow-up meeting (nothing is destroyed, so no red)."""

    CSS_PATH = REVIEW_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Create", id="followup.yes",
                tooltip="Create the follow-up session and open it."),
        Binding("n,escape", "answer(False)", "Cancel", id="followup.no",
                tooltip="Create nothing."),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="followup"):
            yield Static(Content("New follow-up meeting"), id="followup-title")
            yield Static(Content(self.question), id="followup-question")
            with Horizontal(id="followup-buttons"):
                yield Button("Create  y", variant="primary", id="yes")
                yield Button("Cancel  n", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")


def start_follow_up(screen: Screen[Any], session_id: int) -> None:
    """Ask, then create a follow-up of ``session_id`` and open it (home and console use this)."""
    from pmconsole.store.review import create_follow_up, follow_ups_of, open_action_count

    app: Any = screen.app
    store = app.store
    if store.readonly:
        app.say("Read-only database: a follow-up session cannot be created.", severity="warning")
        return
    try:
        session = store.get_session(session_id)
        existing = follow_ups_of(store, session_id)
        open_count = open_action_count(store, session_id)
    except StoreError as error:
        app.say(f"No follow-up created: {error}", severity="error")
        return
    lines = [
        f"Plan a follow-up meeting for “{session.title}”?",
        "",
        "Its agenda starts by reviewing this session's open action items "
        f"({open_count:,} open now). They are listed in the follow-up's Action items pane, "
        "marked ↩; closing one there closes it here too.",
    ]
    if session.follow_up_date is not None:
        lines.append(f"Scheduled for the planned follow-up date, "
                     f"{session.follow_up_date.isoformat()}.")
    if existing:
        lines.append(f"Note: it already has {plural(len(existing), 'follow-up')} "
                     f"(latest: “{existing[-1].title}”).")

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        try:
            new = create_follow_up(store, session_id, app.clock.now())
        except StoreError as error:
            app.say(f"No follow-up created: {error}", severity="error")
            return
        app.say(f"Created “{new.title}”.")
        app.open_session(new.id)

    app.push_screen(FollowUpDialog("\n".join(lines)), answered)


class HomeScreen(TooSmallView, GuardedMessages, ReviewList, Screen[None]):
    """Every session: sort, filter, open, search, track action items, metrics, follow-ups."""

    CSS_PATH = REVIEW_CSS
    # The key line shows these in this order and drops whole keys from the end when the
    # terminal is narrow (Quit, Help and the palette keep their place on the right): what
    # a facilitator needs most comes first. Every key is in Help (F1) and the palette.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_session", "New", id="session.new",
                tooltip="Create a session with the default agenda."),
        Binding("slash", "search", "Search", id="review.search",
                tooltip="Search the text of every session: timeline, findings, action items…"),
        Binding("t", "tracker", "Actions", id="review.tracker",
                tooltip="Every action item across sessions: open, overdue, done; "
                        "change status and due dates."),
        Binding("F", "follow_up", "Follow-up", id="session.follow_up",
                tooltip="Plan a follow-up meeting of the highlighted session that reviews "
                        "its open action items."),
        Binding("m", "minutes", "Minutes", id="review.minutes",
                tooltip="Preview the highlighted session's Markdown minutes."),
        Binding("g", "metrics", "Metrics", id="review.metrics",
                tooltip="MTTD, MTTM and MTTR over time, by quarter and severity, "
                        "with TTD and TTR charts."),
        Binding("f", "filter", "Filter", id="review.filter",
                tooltip="Filter the list, e.g. sev:SEV1 status:ended service:auth "
                        "from:2026-01-01 to:2026-06-30 or words from the title."),
        Binding("s", "sort", "Sort", id="review.sort",
                tooltip="Sort by the next column (Date, Sev, Status, Title, …); "
                        "clicking a column header sorts by it too."),
        Binding("r", "reverse", "Reverse", show=False, id="review.reverse",
                tooltip="Reverse the sort order."),
        Binding("d,delete", "delete_session", "Delete", id="session.delete",
                tooltip="Delete the highlighted session and everything in it (asks first)."),
        Binding("o", "open_session", "Open", show=False, id="session.open_key",
                tooltip="Open the highlighted session."),
        Binding("q", "app.quit", "Quit", show=False, id="app.quit_home",
                tooltip="Leave pmconsole."),
    ]

    def __init__(self, *, tz: str | None = None) -> None:
        super().__init__()
        self.tz_name = tz
        self.summaries: list[SessionSummary] = []
        self.shown: list[SessionSummary] = []
        self.sessions: dict[str, Session] = {}
        self.sort_column = "date"
        self.descending = True
        self.filter = SessionFilter()
        self.filter_problems: list[str] = []
        self._stamp: tuple[Any, ...] | None = None
        self._visible: tuple[str, ...] = tuple(SORT_COLUMNS)
        self._filled: tuple[Any, ...] | None = None

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="home"):
            with Horizontal(id="home-top"):
                yield Static(Content("Post-mortem sessions"), id="home-title")
                yield Static("", id="home-stats")
            yield Static("", id="home-banner")
            yield FilterInput(placeholder="Filter: " + FILTER_HELP, id="home-filter",
                              select_on_focus=False)
            yield Static("", id="home-status")
            yield SessionTable(id="sessions", cursor_type="row", zebra_stripes=True)
            yield Static(Content("No sessions yet. Press n to create one."), id="home-empty")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.store.readonly:
            banner = self.query_one("#home-banner", Static)
            banner.update(Content(f"Read-only: {self.store.name} cannot be written. "
                                  "Sessions open for review only."))
            banner.add_class("-visible")
        self.refresh_sessions()
        self.query_one(SessionTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_sessions()

    def on_resize(self, event: events.Resize) -> None:
        if self.visible_columns(self.size.width) != self._visible:
            self.show_rows()
        else:
            self._fit_title_column()

    @staticmethod
    def visible_columns(width: int) -> tuple[str, ...]:
        """Every column when they fit; on narrow screens TTR, then TTD, make room for titles.

        Sorting by a hidden column still works (s cycles through all of them).
        """
        columns = list(SORT_COLUMNS)
        for drop in ("", "ttr", "ttd"):
            if drop:
                columns.remove(drop)
            fixed = sum(HomeScreen._column_width(c) for c in columns if c != "service")
            needed = fixed + NARROW_SERVICE_WIDTH + MIN_TITLE_WIDTH + 2 * len(columns) + 1
            if width == 0 or needed + 6 <= width:
                break
        return tuple(columns)

    # -- loading and showing --------------------------------------------------------------------

    def refresh_sessions(self, *, force: bool = False) -> None:
        """Re-read the sessions if the database changed, then show them."""
        from pmconsole.store.review import session_summaries

        stamp = self.data_stamp()
        if force or stamp != self._stamp:
            self.summaries = session_summaries(self.store, self.today())
            self.sessions = {str(s.session.id): s.session for s in self.summaries}
            self._stamp = stamp
            self._show_stats()
        self.show_rows()

    def _show_stats(self) -> None:
        open_count = sum(s.open_actions for s in self.summaries)
        overdue = sum(s.overdue_actions for s in self.summaries)
        text = Content.assemble(
            plural(len(self.summaries), "session"), " · ",
            plural(open_count, "open item"),
            *((" · ", (f"{overdue:,} overdue !", "bold $error")) if overdue else ()),
        )
        self.query_one("#home-stats", Static).update(text)

    def show_rows(self, *, to_top: bool = False) -> None:
        """Filter and sort what was read and show it (``to_top``: cursor on the first row).

        When only the order changed, the rows already in the table are reordered in place
        (no cell is measured again); otherwise the table is filled in one pass.
        """
        table = self.query_one(SessionTable)
        selected = self.selected_id
        rows = sort_summaries(filter_summaries(self.summaries, self.filter), self.sort_column,
                              descending=self.descending)
        self.shown = rows
        visible = self.visible_columns(self.size.width)
        ids = [s.session.id for s in rows]
        filled = (self._stamp, visible, frozenset(ids))
        if filled == self._filled and table.row_count == len(ids):
            self._label_columns()
            position = {session_id: index for index, session_id in enumerate(ids)}
            table.sort(key=lambda cells: position[cells[0].session_id])
            if to_top or selected is None:
                table.move_cursor(row=0, animate=False)
            else:
                table.move_cursor(row=position.get(selected, 0), animate=False)
            self._show_status()
            return
        self._filled = filled
        self._visible = visible
        # Labelled just after, with the sort arrow.
        table.set_columns((key, Text(""), self._column_width(key))
                          for key in SORT_COLUMNS if key in visible)
        self._label_columns()
        today = self.today()
        shown = [key in visible for key in SORT_COLUMNS]
        for summary in rows:
            cells = self._cells(summary, today)
            table.add_row(*(c for c, keep in zip(cells, shown, strict=True) if keep),
                          key=str(summary.session.id))
        self._fit_title_column()
        self._show_status()
        empty = self.query_one("#home-empty", Static)
        if not self.summaries:
            empty.update(Content("No sessions yet. Press n to create one."))
        else:
            empty.update(Content("No session matches the filter. "
                                 "Press f, then Escape, to clear it."))
        empty.display = not rows
        if selected is not None and not to_top:
            table.move_to(selected)

    @staticmethod
    def _column_width(key: str) -> int:
        """Room for the label and its sort arrow, so sorting never changes the widths."""
        base = COLUMN_WIDTHS[key]
        return max(base, len(SORT_COLUMNS[key]) + 2) if base else 0

    def _label_columns(self) -> None:
        """Header labels, the sorted column marked ▼ (descending) or ▲ (ascending)."""
        for column in self.query_one(SessionTable).columns.values():
            key = str(column.key.value)
            label = SORT_COLUMNS[key]
            if key == self.sort_column:
                label += " ▼" if self.descending else " ▲"
            column.label = Text(label, justify="right" if key in RIGHT_ALIGNED else "left")

    def _cells(self, summary: SessionSummary, today: Any) -> list[Text]:
        s = summary.session
        severe = s.severity in (Severity.SEV1, Severity.SEV2)
        overdue = summary.overdue_actions
        return [
            SessionCell(summary.day.isoformat(), s.id),
            Text(s.severity.value, style="bold" if severe else ""),
            Text(s.status.value),
            Text(s.title, no_wrap=True, overflow="ellipsis"),
            Text(s.service, no_wrap=True, overflow="ellipsis"),
            Text(str(summary.open_actions), justify="right"),
            Text(f"{overdue} !" if overdue else "0", justify="right",
                 style="bold red" if overdue else ""),
            Text(format_duration(summary.ttd), justify="right"),
            Text(format_duration(summary.ttr), justify="right"),
        ]

    def _fit_title_column(self) -> None:
        table = self.query_one(SessionTable)
        columns = {c.key.value: c for c in table.columns.values()}
        service = columns.get("service")
        if "title" not in columns or service is None or table.size.width == 0:
            return
        service.width = self._column_width("service")
        if table.room_for("title") < MIN_TITLE_WIDTH + 10:
            # Narrow screens (80 columns): the title matters more than the full service name.
            service.width = NARROW_SERVICE_WIDTH
        table.stretch("title", MIN_TITLE_WIDTH)

    def _show_status(self) -> None:
        direction = {
            "date": ("newest first", "oldest first"),
            "sev": ("SEV5 first", "SEV1 first"),
            "status": ("reviewed first", "planned first"),
            "title": ("Z to A", "A to Z"),
            "service": ("Z to A", "A to Z"),
        }.get(self.sort_column, ("largest first", "smallest first"))
        order = direction[0] if self.descending else direction[1]
        shown = f"Showing {len(self.shown):,} of {len(self.summaries):,}"
        self.query_one("#home-status", Static).update(status_line([
            shown if not self.filter.is_empty else plural(len(self.summaries), "session"),
            f" · sorted by {SORT_COLUMNS[self.sort_column]}, {order}  (s: next column, r: reverse)",
        ], self.filter_problems))

    @property
    def selected_id(self) -> int | None:
        return self.query_one(SessionTable).cursor_id

    def select_session(self, session_id: int) -> None:
        self.query_one(SessionTable).move_to(session_id)

    # -- filter and sort -------------------------------------------------------------------------

    def apply_typed_text(self, text: str) -> None:
        wanted, problems = parse_filter(text)
        if wanted == self.filter and problems == self.filter_problems:
            return
        self.filter, self.filter_problems = wanted, problems
        self.show_rows()

    def action_filter(self) -> None:
        self.query_one(FilterInput).focus()

    def sort_by(self, column: str, descending: bool | None = None) -> None:
        self.sort_column = column
        self.descending = natural_descending(column) if descending is None else descending
        self.show_rows(to_top=True)

    def action_sort(self) -> None:
        self.sort_by(next_sort_column(self.sort_column))

    def action_reverse(self) -> None:
        self.sort_by(self.sort_column, not self.descending)

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = str(event.column_key.value)
        if column not in SORT_COLUMNS:
            return
        if column == self.sort_column:
            self.action_reverse()
        else:
            self.sort_by(column)

    # -- opening and the other views ---------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.app.open_session(int(event.row_key.value))  # type: ignore[attr-defined]

    def action_open_session(self) -> None:
        if self.selected_id is not None:
            self.app.open_session(self.selected_id)  # type: ignore[attr-defined]

    def action_search(self) -> None:
        from pmconsole.tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_tracker(self) -> None:
        from pmconsole.tui.screens.tracker import TrackerScreen

        self.app.push_screen(TrackerScreen(tz=self.tz_name))

    def action_metrics(self) -> None:
        from pmconsole.tui.screens.trends import MetricsScreen

        self.app.push_screen(MetricsScreen())

    def action_minutes(self) -> None:
        from pmconsole.tui.screens.minutes import minutes_screen

        session_id = self.selected_id
        if session_id is None:
            self.app.bell()
            return
        try:
            screen = minutes_screen(self.store, session_id, self.app.clock.now())  # type: ignore[attr-defined]
        except StoreError as error:
            self.app.say(f"No minutes: {error}", severity="error")  # type: ignore[attr-defined]
            return
        self.app.push_screen(screen)

    def action_follow_up(self) -> None:
        session_id = self.selected_id
        if session_id is None:
            self.app.bell()
            return
        start_follow_up(self, session_id)

    def action_new_session(self) -> None:
        from pmconsole.domain.agenda import DEFAULT_AGENDA
        from pmconsole.tui.dialogs.new_session import new_session_dialog

        if self.store.readonly:
            self.app.say("Read-only database: sessions cannot be created.", severity="warning")  # type: ignore[attr-defined]
            return

        def save(session: Session) -> Session:
            saved: Session = self.store.create_session(session, DEFAULT_AGENDA)
            return saved

        def opened(session: Session | None) -> None:
            if session is not None and session.id is not None:
                self.refresh_sessions()
                self.app.open_session(session.id)  # type: ignore[attr-defined]

        now = self.app.clock.now()  # type: ignore[attr-defined]
        self.app.push_screen(new_session_dialog(now, save), opened)

    def action_delete_session(self) -> None:
        from pmconsole.tui.dialogs.confirm import ConfirmDialog

        session_id = self.selected_id
        if session_id is None:
            return
        if self.store.readonly:
            self.app.say("Read-only database: nothing can be deleted.", severity="warning")  # type: ignore[attr-defined]
            return
        session = self.sessions[str(session_id)]

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.store.delete(Session, session_id)
            except StoreError as error:
                self.app.say(f"Not deleted: {error}", severity="error")  # type: ignore[attr-defined]
                return
            self.app.say(f"Deleted “{session.title}”.")  # type: ignore[attr-defined]
            self.refresh_sessions()

        self.app.push_screen(
            ConfirmDialog(f"Delete “{session.title}” with its timeline, findings and action "
                          "items?\nThis cannot be undone."),
            answered,
        )

    def palette_commands(self) -> Iterable[SystemCommand]:
        # Enter on the table is "o" here: the palette runs the screen's actions.
        yield from binding_commands(self, self.BINDINGS)
