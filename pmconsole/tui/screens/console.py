"""The meeting console for one session: the coordinating screen.

Widgets below it display what they are given and post messages; this screen turns those
messages into store calls (each one committed transaction) and hands the saved result
back down. It also runs the agenda clock, the blame detector and the undo stack.
"""

from __future__ import annotations

import bisect
import dataclasses
import gc
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from pmconsole.domain import agenda as agenda_clock
from pmconsole.domain import quickadd
from pmconsole.domain.model import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    BlameFlag,
    EntityKind,
    Finding,
    FlagStatus,
    ScriptUse,
    Session,
    SessionRecord,
    SessionStatus,
    TimelineEvent,
)
from pmconsole.store.errors import StoreError, not_saved
from pmconsole.tui.guard import GuardedMessages
from pmconsole.tui.widgets.countdown import Countdown
from pmconsole.tui.widgets.keybar import KeyBar
from pmconsole.tui.widgets.panes import (
    ActionsPane,
    AgendaPane,
    EntryPane,
    EntryTable,
    FindingsPane,
    TimelinePane,
)
from pmconsole.tui.widgets.session_header import SessionHeader
from pmconsole.tui.widgets.sidebar import BlameSidebar

ENTRY_CLASSES: dict[EntityKind, type] = {
    EntityKind.AGENDA: AgendaItem,
    EntityKind.TIMELINE: TimelineEvent,
    EntityKind.FINDING: Finding,
    EntityKind.ACTION: ActionItem,
}
PANE_IDS: dict[EntityKind, str] = {
    EntityKind.AGENDA: "agenda",
    EntityKind.TIMELINE: "timeline",
    EntityKind.FINDING: "findings",
    EntityKind.ACTION: "actions",
}
# The text of an entry the blame detector reads.
SCANNED_TEXT: dict[type, str] = {
    TimelineEvent: "text",
    Finding: "text",
    ActionItem: "text",
    AgendaItem: "notes",
}

TOO_SMALL = "Terminal too small for the console.\nMake it at least 60 × 16."

SIZE_CLASSES = ("-narrow", "-medium", "-wide", "-short", "-tiny")


def size_classes(width: int, height: int) -> list[str]:
    """The layout classes (styles/console.tcss) for a terminal of this size."""
    wanted = {
        "-narrow": width < 100,
        "-medium": 100 <= width < 150,
        "-wide": width >= 190,
        "-short": height < 34,
        "-tiny": width < 60 or height < 16,
    }
    return [name for name in SIZE_CLASSES if wanted[name]]


class ConsoleScreen(GuardedMessages, Screen[None]):
    """Run the meeting for one session."""

    # Textual repaints the whole screen whenever the focus moves (Screen.focused is a
    # repainting reactive). The widgets that gain and lose focus restyle and repaint
    # themselves, so a pane switch here redraws those two panes, not the screen.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "s",
            "agenda('start')",
            "Start",
            id="agenda.start",
            tooltip="Start the meeting at the first agenda item not done.",
        ),
        Binding(
            "n",
            "agenda('advance')",
            "Next item",
            id="agenda.next",
            tooltip="End the current agenda item and start the next.",
        ),
        Binding(
            "b",
            "agenda('back')",
            "Back",
            show=False,
            id="agenda.back",
            tooltip="Reopen the previous agenda item.",
        ),
        Binding("p", "agenda('pause')", "Pause", id="agenda.pause", tooltip="Pause or resume the countdown."),
        Binding(
            "plus",
            "agenda('extend')",
            "+5 min",
            id="agenda.extend",
            tooltip="Give the current agenda item 5 more minutes.",
        ),
        Binding(
            "1",
            "focus_pane('agenda')",
            "Agenda",
            show=False,
            id="pane.agenda",
            tooltip="Go to the Agenda pane.",
        ),
        Binding(
            "2",
            "focus_pane('timeline')",
            "Timeline",
            show=False,
            id="pane.timeline",
            tooltip="Go to the Timeline pane.",
        ),
        Binding(
            "3",
            "focus_pane('findings')",
            "Findings",
            show=False,
            id="pane.findings",
            tooltip="Go to the Key findings pane.",
        ),
        Binding(
            "4",
            "focus_pane('actions')",
            "Actions",
            show=False,
            id="pane.actions",
            tooltip="Go to the Action items pane.",
        ),
        Binding(
            "5",
            "focus_pane('sidebar')",
            "Scripts",
            show=False,
            id="pane.sidebar",
            tooltip="Go to the Blame-redirect cards.",
        ),
        Binding(
            "z",
            "zoom",
            "Zoom",
            id="view.zoom",
            tooltip="Give the focused pane the whole screen (again: back).",
        ),
        Binding(
            "v",
            "presenter",
            "Presenter",
            show=False,
            id="view.presenter",
            tooltip="Hide the Blame-redirect sidebar from the shared screen (again: show).",
        ),
        Binding(
            "i",
            "details",
            "Details",
            id="session.details",
            tooltip="Edit the session: title, service, people, incident times, SLO.",
        ),
        Binding(
            "u",
            "undo",
            "Undo",
            show=False,
            id="edit.undo",
            tooltip="Undo the last delete or accepted reframe.",
        ),
        # One key, two bindings: the key line names what r does now (check_action).
        Binding(
            "r",
            "lock(False)",
            "Unlock",
            id="session.unlock",
            tooltip="Review mode: unlock editing of this ended session.",
        ),
        Binding(
            "r",
            "lock(True)",
            "Lock",
            id="session.lock",
            tooltip="Lock this ended session again (review mode: nothing can be changed by accident).",
        ),
        Binding(
            "m",
            "minutes",
            "Minutes",
            id="session.minutes",
            tooltip="Preview the minutes as they will be exported.",
        ),
        Binding(
            "E",
            "export",
            "Export",
            show=False,
            id="session.export",
            tooltip="Export the minutes (Markdown) or the whole session (JSON) to a file.",
        ),
        Binding(
            "Y",
            "copy_minutes",
            "Copy minutes",
            show=False,
            id="session.copy_minutes",
            tooltip="Copy the Markdown minutes to the clipboard.",
        ),
        Binding(
            "I",
            "import_csv",
            "Import CSV",
            show=False,
            id="timeline.import",
            tooltip="Add timeline events from a CSV file (time,kind,text,link).",
        ),
        Binding(
            "M",
            "invite",
            "Invite email",
            show=False,
            id="session.invite",
            tooltip="Show the pre-meeting email filled from this session (c copies it).",
        ),
        Binding(
            "F",
            "follow_up",
            "Follow-up",
            show=False,
            id="session.follow_up",
            tooltip="Create the follow-up meeting that reviews this session's open action items.",
        ),
        Binding(
            "escape",
            "home",
            "Back",
            id="app.home",
            tooltip="Back to the session list, or to the search or tracker this session was opened "
            "from (everything is saved).",
        ),
    ]

    def __init__(
        self,
        session_id: int,
        *,
        focus_entry: tuple[str, int] | None = None,
        size: tuple[int, int] = (120, 36),
    ) -> None:
        # The layout classes are set before the first layout, not on the first Resize:
        # otherwise every widget is styled twice before the first frame.
        super().__init__(classes=" ".join(size_classes(*size)))
        self.session_id = session_id
        self.focus_entry = focus_entry
        self.record: SessionRecord | None = None
        self.flags: list[BlameFlag] = []
        self.undo_stack: list[tuple[str, Callable[[], None]]] = []
        self.unlocked = False
        self.zoomed: str | None = None
        self._shown = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual restyles every node of a screen each time it is shown, in case something
        # changed while it was covered. Shown for the first time, it was styled as it was
        # mounted, a moment ago (order and focus styles are kept current as they change):
        # styling its 36 nodes again cost about 10 ms of the console's start-up. Runs
        # before Screen's own handler, which reads the flag.
        if not self._shown:
            self._shown = True
            event.refresh_styles = False

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SessionHeader(id="header")
        yield Static("", id="banner")
        with Horizontal(id="console-body"):
            with Vertical(id="column-main"):
                with Horizontal(id="top-row"):
                    yield Countdown(id="countdown")
                    yield AgendaPane(id="agenda")
                with Horizontal(id="bottom-row"):
                    yield TimelinePane(id="timeline")
                    with Vertical(id="column-middle"):
                        yield FindingsPane(id="findings")
                        yield ActionsPane(id="actions")
            yield BlameSidebar(id="sidebar")
        yield Static(Content(TOO_SMALL), id="too-small")
        yield KeyBar()

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.app.store  # type: ignore[attr-defined]

    def now(self):  # type: ignore[no-untyped-def]
        return self.app.clock.now()  # type: ignore[attr-defined]

    @property
    def session(self) -> Session:
        assert self.record is not None
        return self.record.session

    def pane(self, entity: EntityKind) -> EntryPane[Any]:
        return self.query_one(f"#{PANE_IDS[entity]}", EntryPane)

    def on_mount(self) -> None:
        self.reload()
        self.query_one(BlameSidebar).set_cards(self.app.cards)  # type: ignore[attr-defined]
        self.set_interval(1.0, self.tick)
        if self.focus_entry is not None:
            kind, entry_id = self.focus_entry
            try:
                entity = EntityKind(kind)
            except ValueError:
                entity = EntityKind.SESSION
            if entity in PANE_IDS:
                self.pane(entity).select(entry_id)
                self.pane(entity).table.focus()
                return
        self.pane(EntityKind.TIMELINE).table.focus()

    def on_resize(self) -> None:
        wanted = set(size_classes(*self.size))
        for name in SIZE_CLASSES:
            self.set_class(name in wanted, name)

    # -- loading and showing -----------------------------------------------------------------

    def reload(self) -> None:
        """Read the whole session from the store and show it (on open and after undo)."""
        # A big session makes a few hundred thousand objects here; left on, the cyclic
        # garbage collector would walk the app's whole heap several times meanwhile (most
        # of the time it takes to open a 10,000-event session), and nothing made here is
        # garbage. Afterwards what is alive is frozen: the session stays on screen for the
        # whole meeting, and later collections (every few hundred allocations while
        # typing) no longer walk it. on_unmount unfreezes it.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._reload()
        finally:
            gc.freeze()
            if collecting:
                gc.enable()

    def on_unmount(self) -> None:
        gc.unfreeze()

    def _reload(self) -> None:
        record = self.store.load(self.session_id)
        self.record = record
        self.flags = list(record.flags)
        now = self.now()
        tz = record.session.timezone
        flagged = self._flagged_ids()
        agenda = self.query_one(AgendaPane)
        agenda.now = now
        actions = self.query_one(ActionsPane)
        actions.today = now.in_timezone(tz).date()
        actions.session_id = self.session_id
        self.query_one(TimelinePane).tz = tz
        for entity, entries in (
            (EntityKind.AGENDA, record.agenda),
            (EntityKind.TIMELINE, record.timeline),
            (EntityKind.FINDING, record.findings),
            (EntityKind.ACTION, record.actions),
        ):
            self.pane(entity).set_entries(entries, flagged.get(entity, set()))
        self.refresh_header()
        self.tick()

    def _flagged_ids(self) -> dict[EntityKind, set[int]]:
        result: dict[EntityKind, set[int]] = {}
        for flag in self.flags:
            if flag.status is FlagStatus.OPEN:
                result.setdefault(flag.entity, set()).add(flag.entity_id)
        return result

    @property
    def locked(self) -> str:
        """Why editing is off, or '' when it is on."""
        if self.store.readonly:
            return "READ-ONLY FILE"
        if self.session.status in (SessionStatus.ENDED, SessionStatus.REVIEWED) and not self.unlocked:
            return "REVIEW MODE (r unlocks)"
        return ""

    def refresh_header(self) -> None:
        open_flags = sum(1 for f in self.flags if f.status is FlagStatus.OPEN)
        self.query_one(SessionHeader).show(self.session, open_flags=open_flags, locked=self.locked)
        banner = self.query_one("#banner", Static)
        if self.locked:
            text = (
                "Read-only: this database file cannot be written. Browse, search and export."
                if self.store.readonly
                else "Review mode: this meeting has ended, so editing is locked. Press r to unlock."
            )
            banner.update(Content(text))
        banner.set_class(bool(self.locked), "-visible")
        self.set_class(bool(self.locked), "-locked")

    def tick(self) -> None:
        """Once a second: clock, countdown and the running agenda row, all from stored times."""
        if self.record is None:
            return
        now = self.now()
        self.query_one(SessionHeader).tick(now, self.session.timezone)
        self.query_one(Countdown).show(self.record.agenda, now)
        agenda_pane = self.query_one(AgendaPane)
        agenda_pane.now = now
        index = agenda_clock.current_index(self.record.agenda)
        if index is not None:
            item = self.record.agenda[index]
            agenda_pane.upsert(item, False)

    # -- guarded editing ------------------------------------------------------------------------

    def editable(self) -> bool:
        if self.locked:
            self.app.say(  # type: ignore[attr-defined]
                "Read-only database: nothing can be changed."
                if self.store.readonly
                else "Review mode: press r to unlock editing first.",
                severity="warning",
            )
            return False
        return True

    def run_safely(self, description: str, operation: Callable[[], None]) -> bool:
        """Run a store operation; a failure is reported and the meeting goes on."""
        try:
            operation()
        except StoreError as error:
            self.app.say(f"{description} failed: {error}", severity="error", timeout=8)  # type: ignore[attr-defined]
            return False
        return True

    @property
    def names(self) -> tuple[str, ...]:
        """People in the room, so "Dave forgot…" is recognised as being about a person."""
        from pmconsole.domain.blame import session_names

        return session_names(self.session)

    def detect_flags(self, entity: EntityKind, text: str) -> list[BlameFlag]:
        from pmconsole.domain.blame import detect, to_flag

        now = self.now()
        return [to_flag(m, self.session_id, entity, 0, now) for m in detect(text, names=self.names)]

    def reframed(self, text: str, flag: BlameFlag) -> str | None:
        """The text with the flagged phrase replaced by its rule's reframe, if it has one."""
        from pmconsole.domain.blame import apply_reframe, detect

        for match in detect(text, names=self.names):
            if (match.start, match.end, match.phrase) == (flag.start, flag.end, flag.phrase):
                return apply_reframe(text, match)
        return None

    def save_entry(self, entry: Any) -> Any:
        """Commit an entry (and the blame flags of its text) and show it. Raises StoreError."""
        entity, saved, saved_flags = self._store_entry(entry)
        self._show_saved(entity, saved, saved_flags)
        return saved

    def _store_entry(self, entry: Any) -> tuple[EntityKind, Any, list[BlameFlag]]:
        """The database half of ``save_entry``: may run inside a larger transaction."""
        entity = _entity_of(entry)
        text = getattr(entry, SCANNED_TEXT.get(type(entry), ""), "") if entity else ""
        flags = self.detect_flags(entity, text) if text else []
        saved, saved_flags = self.store.save_with_flags(entry, entity, flags, since=self._as_seen(entry))
        return entity, saved, saved_flags

    def _show_saved(self, entity: EntityKind, saved: Any, saved_flags: list[BlameFlag]) -> None:
        self._after_save(entity, saved, saved_flags)
        if saved_flags:
            # The kind of wording, not the phrase: a notification on the shared screen that
            # repeats "Bob made a mistake" in large letters would amplify the very blame the
            # flag is there to redirect. The phrase is in the row, and f shows it.
            kinds = ", ".join(dict.fromkeys(flag.category.value for flag in saved_flags))
            self.app.say(  # type: ignore[attr-defined]
                f"⚑ Blameful wording ({kinds}) flagged on this entry. Press f on it for a reframe.",
                severity="warning",
                timeout=6,
            )

    def _after_save(self, entity: EntityKind, saved: Any, saved_flags: list[BlameFlag]) -> None:
        self.flags = [
            f
            for f in self.flags
            if not (f.entity is entity and f.entity_id == saved.id and f.status is FlagStatus.OPEN)
        ] + saved_flags
        self._replace_in_record(saved)
        if entity in PANE_IDS:
            self.pane(entity).upsert(saved, bool(saved_flags))
        if saved_flags:
            self.query_one(BlameSidebar).jump_to(saved_flags[0].card_id)
        self.refresh_header()

    def _as_seen(self, entry: Any) -> Any:
        """The entry as this console last loaded or saved it (None for a new one)."""
        if entry.id is None or self.record is None:
            return None
        if isinstance(entry, Session):
            return self.record.session
        field = {AgendaItem: "agenda", TimelineEvent: "timeline", Finding: "findings", ActionItem: "actions"}[
            type(entry)
        ]
        return next((e for e in getattr(self.record, field) if e.id == entry.id), None)

    def _replace_in_record(self, saved: Any) -> None:
        assert self.record is not None
        if isinstance(saved, Session):
            self.record = dataclasses.replace(self.record, session=saved)
            return
        field = {AgendaItem: "agenda", TimelineEvent: "timeline", Finding: "findings", ActionItem: "actions"}[
            type(saved)
        ]
        order: Callable[[Any], Any]
        if field == "timeline":
            order = _timeline_order
        elif field == "actions":
            session_id = self.session_id
            order = lambda e: (e.session_id != session_id, e.position, e.id)  # noqa: E731
        else:
            order = _position_order
        # The entries are in order: put the saved one where it belongs (a bisection)
        # instead of sorting them all again on every save.
        entries = [e for e in getattr(self.record, field) if e.id != saved.id]
        bisect.insort(entries, saved, key=order)
        self.record = dataclasses.replace(self.record, **{field: tuple(entries)})

    def _remove_from_record(self, entity: EntityKind, entry_id: int) -> None:
        assert self.record is not None
        field = {
            EntityKind.AGENDA: "agenda",
            EntityKind.TIMELINE: "timeline",
            EntityKind.FINDING: "findings",
            EntityKind.ACTION: "actions",
        }[entity]
        entries = tuple(e for e in getattr(self.record, field) if e.id != entry_id)
        self.record = dataclasses.replace(self.record, **{field: entries})

    # -- pane commands --------------------------------------------------------------------------

    @on(EntryPane.Command)
    def _entry_command(self, message: EntryPane.Command) -> None:
        message.stop()
        handler = getattr(self, f"_do_{message.verb}")
        handler(message)

    def _do_open_quick(self, message: EntryPane.Command) -> None:
        if self.editable():  # a locked session says why instead of taking typing it won't save
            self.pane(message.entity).open_quick()

    def _do_quick(self, message: EntryPane.Command) -> None:
        pane = self.pane(message.entity)
        if not self.editable():
            pane.quick_result(f"Not saved: {self.locked.lower()}.", message.text)
            return
        now = self.now()
        try:
            if message.entity is EntityKind.TIMELINE:
                entry: Any = quickadd.parse_timeline(message.text, self.session, now)
            elif message.entity is EntityKind.FINDING:
                entry = quickadd.parse_finding(message.text, self.session_id)
            elif message.entity is EntityKind.ACTION:
                entry = quickadd.parse_action(
                    message.text, self.session_id, now.in_timezone(self.session.timezone).date()
                )
            else:
                entry = quickadd.parse_agenda(message.text, self.session_id)
        except quickadd.QuickAddError as error:
            pane.quick_result(str(error), message.text)
            return
        try:
            self.save_entry(entry)
        except StoreError as error:
            pane.quick_result(not_saved(error), message.text)
            return
        pane.quick_result(None)

    def _do_new(self, message: EntryPane.Command) -> None:
        if not self.editable():
            return
        blank: Any = {
            EntityKind.AGENDA: AgendaItem(session_id=self.session_id, title="", planned_minutes=5),
            EntityKind.TIMELINE: TimelineEvent(session_id=self.session_id, at=self.now(), text=""),
            EntityKind.FINDING: Finding(session_id=self.session_id, text=""),
            EntityKind.ACTION: ActionItem(session_id=self.session_id, text=""),
        }[message.entity]
        self._open_dialog(blank)

    def _do_edit(self, message: EntryPane.Command) -> None:
        entry = self.pane(message.entity).entries.get(message.entry_id or -1)
        if entry is None:
            return
        if not self.editable():
            return
        self._open_dialog(entry)

    def _open_dialog(self, entry: Any) -> None:
        from pmconsole.tui.dialogs import entries as dialogs

        now = self.now()
        today = now.in_timezone(self.session.timezone).date()
        if isinstance(entry, TimelineEvent):
            dialog: Any = dialogs.timeline_dialog(entry, self.session, now, self.save_entry)
        elif isinstance(entry, Finding):
            dialog = dialogs.finding_dialog(entry, self.save_entry)
        elif isinstance(entry, ActionItem):
            dialog = dialogs.action_dialog(entry, today, self.save_entry)
        else:
            dialog = dialogs.agenda_dialog(entry, self.save_entry)
        self.app.push_screen(dialog)

    def _do_delete(self, message: EntryPane.Command) -> None:
        if not self.editable():
            return
        pane = self.pane(message.entity)
        entry = pane.entries.get(message.entry_id or -1)
        if entry is None:
            return
        if isinstance(entry, ActionItem) and entry.session_id != self.session_id:
            self.app.say(
                "This action item belongs to the earlier session; change its status here, "  # type: ignore[attr-defined]
                "or delete it there.",
                severity="warning",
            )
            return
        entry_flags = [f for f in self.flags if f.entity is message.entity and f.entity_id == entry.id]

        def delete() -> None:
            self.store.delete(type(entry), entry.id)
            pane.remove(entry.id)
            self._remove_from_record(message.entity, entry.id)
            self.flags = [f for f in self.flags if f not in entry_flags]
            self.refresh_header()

        if self.run_safely("Delete", delete):
            self.undo_stack.append(("delete", lambda: self._restore(entry, entry_flags)))
            self.app.say("Deleted. Press u to undo.", timeout=6)  # type: ignore[attr-defined]

    def _restore(self, entry: Any, flags: list[BlameFlag]) -> None:
        restored = self.store.restore(entry, flags)  # same id and place, flags as they were
        self.reload()
        self.pane(_entity_of(entry)).select(restored.id)

    def _do_move(self, message: EntryPane.Command) -> None:
        if not self.editable() or message.entry_id is None:
            return
        cls = ENTRY_CLASSES[message.entity]
        entry_id = message.entry_id

        def move() -> None:
            items = self.store.move(cls, entry_id, int(message.text))
            pane = self.pane(message.entity)
            assert self.record is not None
            if message.entity is EntityKind.ACTION:
                inherited = [a for a in self.record.actions if a.session_id != self.session_id]
                items = inherited + items
            field = {
                EntityKind.AGENDA: "agenda",
                EntityKind.FINDING: "findings",
                EntityKind.ACTION: "actions",
            }[message.entity]
            self.record = dataclasses.replace(self.record, **{field: tuple(items)})
            pane.set_entries(items, self._flagged_ids().get(message.entity, set()))
            pane.select(entry_id)

        self.run_safely("Move", move)

    def _do_star(self, message: EntryPane.Command) -> None:
        entry = self.pane(EntityKind.TIMELINE).entries.get(message.entry_id or -1)
        if entry is None or not self.editable():
            return
        self.run_safely(
            "Star", lambda: self._save_plain(dataclasses.replace(entry, starred=not entry.starred))
        )

    def _do_done(self, message: EntryPane.Command) -> None:
        entry = self.pane(EntityKind.ACTION).entries.get(message.entry_id or -1)
        if entry is None or not self.editable():
            return
        status = ActionStatus.OPEN if entry.status is ActionStatus.DONE else ActionStatus.DONE
        self.run_safely("Status change", lambda: self._save_plain(dataclasses.replace(entry, status=status)))

    def _save_plain(self, entry: Any) -> None:
        """Save a change that does not touch the scanned text (star, status)."""
        saved = self.store.update(entry, since=self._as_seen(entry))
        entity = _entity_of(saved)
        self._replace_in_record(saved)
        self.pane(entity).upsert(saved, saved.id in self._flagged_ids().get(entity, set()))

    def _do_flags(self, message: EntryPane.Command) -> None:
        from pmconsole.tui.dialogs.flag import FlagDialog

        entry = self.pane(message.entity).entries.get(message.entry_id or -1)
        if entry is None:
            return
        flags = [
            f
            for f in self.flags
            if f.entity is message.entity and f.entity_id == entry.id and f.status is FlagStatus.OPEN
        ]
        if not flags:
            self.app.say("No open blame flag on this entry.")  # type: ignore[attr-defined]
            return
        text = getattr(entry, SCANNED_TEXT[type(entry)])

        def resolved(result: tuple[str, BlameFlag] | None) -> None:
            if result is not None:
                self.resolve_flag(entry, *result)

        self.app.push_screen(FlagDialog(text, flags, self.app.cards), resolved)  # type: ignore[attr-defined]

    def resolve_flag(self, entry: Any, verb: str, flag: BlameFlag) -> None:
        if verb == "card":
            self.show_card(flag.card_id)
            return
        if not self.editable():
            return
        now = self.now()
        field = SCANNED_TEXT[type(entry)]
        old_text = getattr(entry, field)

        def resolve() -> None:
            status = FlagStatus.ACCEPTED if verb == "accept" else FlagStatus.DISMISSED
            new_text = self.reframed(old_text, flag) if verb == "accept" else None
            reframe = new_text is not None and new_text != old_text
            # One edit, one transaction: the flag is resolved with the text or not at all.
            with self.store.transaction():
                done = self.store.update(dataclasses.replace(flag, status=status, resolved_at=now))
                stored = (
                    self._store_entry(dataclasses.replace(entry, **{field: new_text})) if reframe else None
                )
            self.flags = [done if f.id == flag.id else f for f in self.flags]
            if stored is not None:
                self._show_saved(*stored)
                self.undo_stack.append(("reframe", lambda: self._undo_reframe(entry, done)))
                return
            self.pane(flag.entity).mark_flagged(self._flagged_ids().get(flag.entity, set()))
            self.refresh_header()

        if self.run_safely("Resolving the flag", resolve):
            self.app.say("Reframe accepted (u undoes)." if verb == "accept" else "Flag dismissed.")  # type: ignore[attr-defined]

    def _undo_reframe(self, entry: Any, flag: BlameFlag) -> None:
        self.store.update(dataclasses.replace(flag, status=FlagStatus.OPEN, resolved_at=None))
        self.store.update(entry)
        self.reload()

    # -- scripts ---------------------------------------------------------------------------------

    @on(BlameSidebar.CardRequested)
    def _card_requested(self, message: BlameSidebar.CardRequested) -> None:
        message.stop()
        if message.verb == "copy":
            self.copy_card(message.card_id)
        else:
            self.show_card(message.card_id)

    def filled_card(self, card_id: str) -> tuple[Any, str] | None:
        from pmconsole.domain.scripts import fill, find_card

        card = find_card(self.app.cards, card_id)  # type: ignore[attr-defined]
        if card is None:
            self.app.say(f"No script card {card_id!r}.", severity="warning")  # type: ignore[attr-defined]
            return None
        return card, fill(card, self.record)

    def show_card(self, card_id: str) -> None:
        """Present a card full-screen and record that it was shown."""
        from pmconsole.tui.screens.card import CardScreen

        found = self.filled_card(card_id)
        if found is None:
            return
        card, text = found
        if not self.store.readonly:

            def record_use() -> None:
                use = self.store.add(
                    ScriptUse(
                        session_id=self.session_id, script_id=card.id, title=card.title, shown_at=self.now()
                    )
                )
                assert self.record is not None
                self.record = dataclasses.replace(self.record, script_uses=self.record.script_uses + (use,))

            self.run_safely("Recording the card", record_use)
        self.app.push_screen(CardScreen(card.title, text, when=card.when))

    def copy_card(self, card_id: str) -> None:
        found = self.filled_card(card_id)
        if found is not None:
            self.app.copy_to_clipboard(found[1])
            self.app.say(f"Copied “{found[0].title}” to the clipboard.")  # type: ignore[attr-defined]

    # -- agenda ------------------------------------------------------------------------------------

    def action_agenda(self, verb: str) -> None:
        if not self.editable():
            return
        assert self.record is not None
        now = self.now()
        agenda = self.record.agenda
        changed = {
            "start": lambda: agenda_clock.start(agenda, now),
            "advance": lambda: agenda_clock.advance(agenda, now),
            "back": lambda: agenda_clock.go_back(agenda, now),
            "pause": lambda: agenda_clock.toggle_pause(agenda, now),
            "extend": lambda: agenda_clock.extend(agenda),
        }[verb]()
        if not changed:
            self.app.bell()
            return
        by_id = {item.id: item for item in changed}
        new_agenda = tuple(by_id.get(item.id, item) for item in agenda)
        session = self.session
        if agenda_clock.meeting_started(new_agenda) and session.status is SessionStatus.PLANNED:
            session = dataclasses.replace(session, status=SessionStatus.LIVE, started=now)
        finished = agenda_clock.meeting_finished(new_agenda)
        if finished and session.status is SessionStatus.LIVE:
            session = dataclasses.replace(session, status=SessionStatus.ENDED, ended=now)
            # The meeting just ended in front of everyone: keep it editable until reopened.
            self.unlocked = True
        elif (not finished and session.status is SessionStatus.ENDED
              and agenda_clock.meeting_started(new_agenda)):
            # Back (b) from the end: the meeting goes on, so it is live again, and it ends
            # (with a new end time) when its last item does.
            session = dataclasses.replace(session, status=SessionStatus.LIVE, ended=None)

        def save() -> None:
            self.store.update_many([*changed, *([session] if session != self.session else [])])
            assert self.record is not None
            self.record = dataclasses.replace(self.record, agenda=new_agenda, session=session)
            pane = self.query_one(AgendaPane)
            pane.now = now
            for item in changed:
                pane.upsert(item, False)
            self.refresh_header()
            self.tick()
            self.refresh_bindings()  # the footer follows the meeting: Start gives way to Next

        self.run_safely("Agenda change", save)

    # -- minutes, files and the invitation ----------------------------------------------------

    def minutes_text(self) -> str:
        from pmconsole.exchange.minutes import render_minutes
        from pmconsole.store.review import linked_titles

        assert self.record is not None
        return render_minutes(self.record, linked=linked_titles(self.store, self.session), now=self.now())

    def action_minutes(self) -> None:
        from pmconsole.tui.screens.minutes import MinutesScreen

        self.app.push_screen(MinutesScreen(self.minutes_text(), title=self.session.title))

    def action_copy_minutes(self) -> None:
        self.app.copy_to_clipboard(self.minutes_text())
        self.app.say("Minutes copied to the clipboard as Markdown.")  # type: ignore[attr-defined]

    def export_text(self, fmt: str) -> str:
        from pmconsole.exchange.json_io import dump_session

        assert self.record is not None
        return self.minutes_text() if fmt == "md" else dump_session(self.record)

    def action_export(self) -> None:
        from pmconsole.exchange.files import safe_filename, write_text_atomic
        from pmconsole.tui.dialogs.files import export_dialog
        from pmconsole.tui.dialogs.form import ConfirmFirst

        if self.app.is_web:
            # In a browser tab the file belongs on the viewer's machine, not the server's.
            from io import StringIO

            self.app.deliver_text(
                StringIO(self.minutes_text()),
                save_filename=safe_filename(self.session.title, "md"),
                mime_type="text/markdown",
            )
            return

        def save(values: dict[str, Any]) -> dict[str, Any]:
            fmt = values["format"]
            path = values["path"]
            if path.is_dir():
                path = path / safe_filename(self.session.title, fmt)
            text = self.export_text(fmt)

            def write(force: bool) -> dict[str, Any]:
                written = write_text_atomic(path, text, force=force)
                self.app.say(f"Exported to {written}")  # type: ignore[attr-defined]
                return {"path": written}

            if path.exists():
                raise ConfirmFirst(f"{path} already exists. Replace it?", lambda: write(True))
            return write(False)

        self.app.push_screen(export_dialog(safe_filename(self.session.title, "md"), save))

    def action_import_csv(self) -> None:
        from pmconsole.exchange.files import UnreadableFile, read_text_file
        from pmconsole.exchange.timeline_csv import CsvImportFailed, not_yet_in, parse_timeline_csv
        from pmconsole.tui.dialogs.files import csv_import_dialog
        from pmconsole.tui.dialogs.form import FieldError

        if not self.editable():
            return

        def save(values: dict[str, Any]) -> dict[str, Any]:
            try:
                text = read_text_file(values["path"])  # UTF-8, and at most 64 MiB
            except UnreadableFile as error:
                raise FieldError(str(error)) from error
            try:
                now = self.now()
                events, warnings = parse_timeline_csv(text, session=self.session, now=now)
            except CsvImportFailed as error:
                raise FieldError(str(error)) from error
            events, known = not_yet_in(events, self.store.list_children(TimelineEvent, self.session_id))
            # Each row is flagged as a typed entry is, in the same transaction as the events.
            _, flags = self.store.add_many_with_flags(events, names=self.names, now=now)
            self.reload()  # reads the flags too: the rows show ⚑
            for warning in warnings:
                self.app.say(warning, severity="warning", timeout=8)  # type: ignore[attr-defined]
            count = f"{len(events)} timeline event{'s' if len(events) != 1 else ''} imported."
            if known:
                count += (f" {known} row{'s were' if known != 1 else ' was'} already in the timeline "
                          "and left out.")
            if flags:
                count += (f" ⚑ {len(flags)} blameful phrase{'s' if len(flags) != 1 else ''} flagged: "
                          "press f on the event for a reframe.")
            self.app.say(count, severity="warning" if flags else "information")  # type: ignore[attr-defined]
            return values

        self.app.push_screen(csv_import_dialog(save))

    def action_invite(self) -> None:
        from pmconsole.domain.invite import render_invite
        from pmconsole.domain.scripts import find_card
        from pmconsole.tui.screens.card import CardScreen

        assert self.record is not None
        card = find_card(self.app.cards, "pre-meeting-email")  # type: ignore[attr-defined]
        subject, body = render_invite(self.record, card=card)
        self.app.push_screen(
            CardScreen(
                "Pre-meeting email",
                f"Subject: {subject}\n\n{body}",
                when="Send it to everyone invited, before the meeting.",
            )
        )

    def action_follow_up(self) -> None:
        from pmconsole.tui.screens.home import start_follow_up

        start_follow_up(self, self.session_id)

    # -- views and navigation ------------------------------------------------------------------------

    def action_focus_pane(self, name: str) -> None:
        if name == "sidebar":
            if self.has_class("-presenter"):
                self.action_presenter()
            self.add_class("-show-sidebar")  # narrow terminals hide it until asked for
            self.set_focus(self.query_one("#card-list"))
            return
        pane = self.query_one(f"#{name}", EntryPane)
        if self.zoomed and self.zoomed != name:
            self._zoom(name)
        pane.focus_table()

    def _focused_area(self) -> str | None:
        node = self.focused
        while node is not None:
            if node.id in ("agenda", "timeline", "findings", "actions", "sidebar", "countdown"):
                return node.id
            node = node.parent  # type: ignore[assignment]
        return None

    def action_zoom(self) -> None:
        if self.zoomed:
            self._zoom(None)
        else:
            self._zoom(self._focused_area() or "timeline")

    def _zoom(self, name: str | None) -> None:
        for widget in self.query(".-zoom-target"):
            widget.remove_class("-zoom-target")
        self.zoomed = name
        self.set_class(name is not None, "-zoomed")
        if name:
            # The target and every container up to the body stay visible.
            node: Any = self.query_one(f"#{name}")
            while node is not None and node.id != "console-body":
                node.add_class("-zoom-target")
                node = node.parent

    def action_presenter(self) -> None:
        self.remove_class("-show-sidebar")
        self.toggle_class("-presenter")
        shown = not self.has_class("-presenter")
        self.app.say("Sidebar shown." if shown else "Presenter view: sidebar hidden (v shows it).")  # type: ignore[attr-defined]

    def action_details(self) -> None:
        from pmconsole.tui.dialogs.entries import session_dialog

        if not self.editable():
            return
        now = self.now()
        today = now.in_timezone(self.session.timezone).date()

        def save(session: Session) -> Session:
            from pmconsole.domain.blame import session_names

            before = self.session
            with self.store.transaction():  # the details and the flags they change, or neither
                saved = self.store.update(session, since=before)
                rescanned = session_names(saved) != session_names(before)
                if rescanned:
                    self._rescan_flags(saved)
            self._replace_in_record(saved)
            self.query_one(TimelinePane).tz = saved.timezone
            self.reload()
            if rescanned:
                open_flags = sum(1 for f in self.flags if f.status is FlagStatus.OPEN)
                self.app.say(  # type: ignore[attr-defined]
                    f"The people in the room changed, so every entry was read again for blameful "
                    f"wording: {open_flags} open flag{'s' if open_flags != 1 else ''}.",
                    timeout=6,
                )
            return saved

        self.app.push_screen(session_dialog(self.session, now, today, save))

    def _rescan_flags(self, session: Session) -> None:
        """Read every entry of this session again with ``session``'s people: "Bob made a
        mistake" is about a person once Bob is an attendee (as the minutes' lint reads it),
        and no longer once he is not. Accepted and dismissed flags stay; runs inside the
        caller's transaction."""
        from pmconsole.domain.blame import SCANNED_TEXT, flags_for, session_names

        assert self.record is not None
        names, now = session_names(session), self.now()
        record = self.record
        for entries in (record.agenda, record.timeline, record.findings, record.actions):
            for entry in entries:
                if entry.session_id != self.session_id or entry.id is None:
                    continue  # an open action item of the session this one follows up
                entity, field = SCANNED_TEXT[type(entry)]
                flags = flags_for(getattr(entry, field), names=names, session_id=self.session_id,
                                  entity=entity, entity_id=entry.id, now=now)
                self.store.replace_flags(self.session_id, entity, entry.id, flags)

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.app.say("Nothing to undo.")  # type: ignore[attr-defined]
            return
        if not self.editable():
            return
        description, undo = self.undo_stack.pop()
        if self.run_safely("Undo", undo):
            self.app.say(f"Undone: {description}.")  # type: ignore[attr-defined]

    def action_lock(self, lock: bool) -> None:
        if self.store.readonly:
            self.app.say("The database file is read-only; editing cannot be unlocked.", severity="warning")  # type: ignore[attr-defined]
            return
        if self.session.status not in (SessionStatus.ENDED, SessionStatus.REVIEWED):
            self.app.say("This session is not locked.")  # type: ignore[attr-defined]
            return
        self.unlocked = not lock
        self.refresh_header()
        self.refresh_bindings()
        self.app.say(  # type: ignore[attr-defined]
            "Editing unlocked: changes are saved as you make them."
            if self.unlocked
            else "Locked again: review mode.",
            severity="warning" if self.unlocked else "information",
        )

    def action_home(self) -> None:
        if self.zoomed:
            self._zoom(None)
            return
        # Back to where the console was opened from (the session list, search, tracker);
        # a console opened from the command line has nothing below it but Textual's
        # default screen, and takes the session list's place.
        if len(self.app.screen_stack) > 2:
            self.dismiss()
        else:
            self.app.go_home()  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide keys that do nothing in the current state (the footer follows the meeting)."""
        if self.record is None:
            return True
        if action == "agenda":
            verb = parameters[0] if parameters else ""
            running = agenda_clock.current_index(self.record.agenda) is not None
            # Keys that do nothing now are hidden from the footer (they stay in help).
            if verb == "start":
                return not running and not agenda_clock.meeting_finished(self.record.agenda)
            if verb in ("advance", "pause", "extend"):
                return running
        if action == "lock":
            ended = self.session.status in (SessionStatus.ENDED, SessionStatus.REVIEWED)
            return ended and parameters == (self.unlocked,)
        return True

    # -- palette ---------------------------------------------------------------------------------------

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Every key of this screen and the focused pane, then every script card."""
        seen: set[str] = set()
        for binding in [*self._palette_bindings()]:
            if binding.id in seen or binding.id is None or binding.id.startswith("app."):
                continue
            seen.add(binding.id)
            group = binding.id.split(".")[0]
            title = f"{group}: {binding.description.lower()}"
            yield SystemCommand(
                title, binding.tooltip or binding.description, lambda b=binding: self.run_binding(b)
            )
        for card in self.app.cards:  # type: ignore[attr-defined]
            yield SystemCommand(
                f"script: {card.title}", card.when or card.group, lambda c=card.id: self.show_card(c)
            )

    def _palette_bindings(self) -> Iterable[Binding]:
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            yield binding
        area = self._focused_area()
        if area in PANE_IDS.values():
            pane = self.query_one(f"#{area}", EntryPane)
            for binding in [*EntryTable.BINDINGS, *pane.extra_bindings]:
                assert isinstance(binding, Binding)
                yield binding

    def run_binding(self, binding: Binding) -> None:
        target: Any = self
        if binding.id and binding.id.startswith("entry."):
            area = self._focused_area()
            if area:
                target = self.query_one(f"#{area}", EntryPane)
        self.call_later(target.run_action, binding.action)


def _timeline_order(event: TimelineEvent) -> tuple[Any, ...]:
    return (event.at, event.id)


def _position_order(entry: Any) -> tuple[Any, ...]:
    return (entry.position, entry.id)


def _entity_of(entry: Any) -> EntityKind:
    if isinstance(entry, Session):
        return EntityKind.SESSION
    for entity, cls in ENTRY_CLASSES.items():
        if isinstance(entry, cls):
            return entity
    raise TypeError(type(entry))
