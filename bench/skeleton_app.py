"""An informative reference: the console's layout with nothing behind it.

The same five panes as pmconsole's console (agenda with a countdown, timeline, key
findings, action items as DataTables with a one-line input under each, a card list in a
sidebar), a header and a footer, ten rows per table, no database, no pmconsole code.
DESIGN.md quotes such a skeleton at about 1.8× the minimal app: the share of the
start-up that any five-pane Textual app pays, whatever it does.
Run as a script, like the minimal app.
"""

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Input, OptionList, Static

READY_TEXT = "Skeleton reference app"

CSS = """
.pane { border: round $primary-darken-2; height: 1fr; }
.pane:focus-within { border: round $accent; }
#top { height: 12; }
#countdown { width: 30; height: 100%; content-align: center middle; text-style: bold; }
#sidebar { width: 36; border: round $primary-darken-2; }
DataTable { height: 1fr; }
Input { height: 3; }
"""


class Pane(Vertical):
    def __init__(self, title: str, columns: tuple[str, ...]) -> None:
        super().__init__(classes="pane")
        self.border_title = title
        self.columns = columns

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Input(placeholder="+ quick add")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*self.columns)
        table.add_rows([[Text(f"{c} {row}", no_wrap=True) for c in self.columns]
                        for row in range(10)])


class SkeletonApp(App[None]):
    TITLE = READY_TEXT
    CSS = CSS
    BINDINGS = [Binding("s", "noop", "Start"), Binding("n", "noop", "Next"),
                Binding("p", "noop", "Pause"), Binding("z", "noop", "Zoom"),
                Binding("i", "noop", "Details"), Binding("escape", "noop", "Sessions")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical():
                with Horizontal(id="top"):
                    yield Static("12:34", id="countdown")
                    yield Pane("Agenda", ("State", "Plan", "Actual", "Item"))
                with Horizontal():
                    yield Pane("Timeline", ("Marks", "Time", "Kind", "Event"))
                    with Vertical():
                        yield Pane("Key findings", ("Flag", "Kind", "Finding"))
                        yield Pane("Action items", ("Flag", "St", "Owner", "Action"))
            yield OptionList(*(f"Script card {n}" for n in range(30)), id="sidebar")
        yield Static(READY_TEXT)
        yield Footer()

    def action_noop(self) -> None:
        pass


if __name__ == "__main__":
    SkeletonApp().run()
