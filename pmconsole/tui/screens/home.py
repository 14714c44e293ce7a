"""The home screen: every session, newest first; open, create or delete one."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from pmconsole.domain.metrics import format_duration, session_metrics
from pmconsole.domain.model import Session, Severity
from pmconsole.store.errors import StoreError


class SessionTable(DataTable[Any]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", id="session.open", tooltip="Open the highlighted session."),
    ]


class HomeScreen(Screen[None]):
    """Sessions list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_session", "New session", id="session.new",
                tooltip="Create a session with the default agenda."),
        Binding("o", "open_session", "Open", id="session.open_key", tooltip="Open the highlighted session."),
        Binding("d,delete", "delete_session", "Delete", id="session.delete",
                tooltip="Delete the highlighted session and everything in it (asks first)."),
        Binding("q", "app.quit", "Quit", id="app.quit_home", tooltip="Leave pmconsole."),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sessions: dict[str, Session] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="home"):
            yield Static(Content("pmconsole · post-mortem sessions"), id="home-title")
            yield Static("", id="home-banner")
            yield SessionTable(id="sessions", cursor_type="row", zebra_stripes=True)
            yield Static(Content("No sessions yet. Press n to create one."), id="home-empty")
        yield Footer()

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.app.store  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        table = self.query_one(SessionTable)
        for key, label in (("date", "Date"), ("sev", "Sev"), ("status", "Status"),
                           ("title", "Title"), ("service", "Service"), ("open", "Open"),
                           ("overdue", "Overdue"), ("ttd", "TTD"), ("ttr", "TTR")):
            table.add_column(label, key=key)
        if self.store.readonly:
            banner = self.query_one("#home-banner", Static)
            banner.update(Content(f"Read-only: {self.store.name} cannot be written. Review only."))
            banner.add_class("-visible")
        self.refresh_sessions()

    def on_screen_resume(self) -> None:
        self.refresh_sessions()

    def refresh_sessions(self) -> None:
        table = self.query_one(SessionTable)
        selected = self.selected_id
        table.clear()
        today = self.app.clock.now().date().isoformat()  # type: ignore[attr-defined]
        counts = self.store.action_counts(today)
        self.sessions = {}
        for s in self.store.list_sessions():
            key = str(s.id)
            self.sessions[key] = s
            m = session_metrics(s)
            open_count, overdue = counts.get(s.id, (0, 0))
            when = (s.scheduled or s.started or s.created).in_timezone(s.timezone)
            table.add_row(
                Text(when.format("YYYY-MM-DD")),
                Text(s.severity.value, style="bold" if s.severity in (Severity.SEV1, Severity.SEV2) else ""),
                Text(s.status.value),
                Text(s.title, no_wrap=True, overflow="ellipsis"),
                Text(s.service),
                Text(str(open_count)),
                Text(f"{overdue} !" if overdue else "0", style="bold red" if overdue else ""),
                Text(format_duration(m.ttd)),
                Text(format_duration(m.ttr)),
                key=key,
            )
        self.query_one("#home-empty").display = not self.sessions
        if selected is not None and str(selected) in self.sessions:
            table.move_cursor(row=table.get_row_index(str(selected)), animate=False)
        table.focus()

    @property
    def selected_id(self) -> int | None:
        table = self.query_one(SessionTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key.value else None

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.app.open_session(int(event.row_key.value))  # type: ignore[attr-defined]

    def action_open_session(self) -> None:
        if self.selected_id is not None:
            self.app.open_session(self.selected_id)  # type: ignore[attr-defined]

    def action_new_session(self) -> None:
        from pmconsole.domain.agenda import DEFAULT_AGENDA
        from pmconsole.tui.dialogs.new_session import new_session_dialog

        if self.store.readonly:
            self.app.say("Read-only database: sessions cannot be created.", severity="warning")  # type: ignore[attr-defined]
            return

        def save(session: Session) -> Session:
            return self.store.create_session(session, DEFAULT_AGENDA)

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
            ConfirmDialog(f"Delete “{session.title}” with its timeline, findings and action items?\n"
                          "This cannot be undone."),
            answered,
        )

    def palette_commands(self) -> Any:
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.id and not binding.id.startswith("app."):
                group = binding.id.split(".")[0]
                yield SystemCommand(f"{group}: {binding.description.lower()}", binding.tooltip,
                                    lambda b=binding: self.run_action(b.action))
