"""Every key of the screen it was opened from, with what it does."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from pmconsole.tui.widgets.keybar import KeyBar
from pmconsole.tui.widgets.panes import EntryTable

QUICK_ADD_HELP = (
    "Quick add (a in a pane, then type, Enter saves):\n"
    "  Timeline   14:32 db primary failed over · -5m detection: pager fired · yesterday 23:10 …\n"
    "  Findings   cf: / rc: / well: / wrong: / lucky: / q:  then the finding\n"
    "  Actions    Add alert on replica lag @storage-team due:+2w p1 type:detect\n"
    "  Agenda     Review dashboards 10m"
)


def _key_label(keys: str) -> str:
    names = {"plus": "+", "asterisk": "*", "question_mark": "?", "slash": "/", "escape": "Esc",
             "enter": "Enter", "delete": "Del", "insert": "Ins", "space": "Space"}
    return " / ".join(names.get(k, k) for k in keys.split(","))


class HelpScreen(ModalScreen[None]):
    """Keys for the screen underneath, the panes, and quick-add syntax."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "dismiss", "Close", id="help.close", tooltip="Close help."),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static(Content("Keys"), id="help-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            yield Static(Content(QUICK_ADD_HELP), id="help-quick")
        yield KeyBar()

    def on_mount(self) -> None:
        from rich.text import Text

        table = self.query_one(DataTable)
        table.add_columns("Where", "Key", "Does")
        sections: list[tuple[str, list[BindingType]]] = [
            ("This screen", list(getattr(self.under, "BINDINGS", []))),
        ]
        if type(self.under).__name__ == "ConsoleScreen":
            sections.append(("In a pane", list(EntryTable.BINDINGS)))
            from pmconsole.tui.widgets.panes import ActionsPane, AgendaPane, TimelinePane

            sections.append(("Agenda, findings, actions", list(AgendaPane.extra_bindings)))
            sections.append(("Timeline", list(TimelinePane.extra_bindings)))
            sections.append(("Action items", list(ActionsPane.extra_bindings[:1])))
        sections.append(("Anywhere", list(self.app.BINDINGS) + [
            Binding("ctrl+p", "command_palette", "Command palette",
                    tooltip="Search every command, script card and theme.")]))
        for where, bindings in sections:
            for b in bindings:
                assert isinstance(b, Binding)
                table.add_row(Text(where), Text(_key_label(b.key)), Text(b.tooltip or b.description))
