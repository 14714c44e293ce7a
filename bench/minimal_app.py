"""The reference for start-up: the smallest useful Textual app (Header, Static, Footer).

Run as a script (``python bench/minimal_app.py``) so that, like ``pmconsole``, the whole
process is timed: interpreter start, imports, first frame. It imports nothing from
pmconsole or from the bench package.
"""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

READY_TEXT = "Minimal reference app"


class MinimalApp(App[None]):
    TITLE = "reference"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(READY_TEXT)
        yield Footer()


if __name__ == "__main__":
    MinimalApp().run()
