"""The list that the home, search and tracker screens are built around.

Each of those review screens shows one DataTable whose row keys are integers (session ids,
action item ids, indexes of search hits), under a one-line Input whose text decides what the
table shows. What they do alike lives here, so that a fix to the cursor, the column widths or
the pause after typing is made once:

- ``ReviewTable``: the table, with the row under the cursor, moving to a row, and one column
  stretched over the room the others leave;
- ``FilterInput``: the filter box of the home and tracker screens;
- ``ReviewList``: a mixin for the screen, for its store and day, and for following what is
  typed in its Input;
- ``status_line`` and ``problem_part``: the line under the Input, where a problem with what
  was typed is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from pendulum import Date
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.timer import Timer
from textual.widgets import DataTable, Input

from pmconsole.domain.tracker import local_today, viewer_timezone


class ReviewTable(DataTable[Any]):
    """A row-cursor table whose row keys are integers; one column may take the room left."""

    def set_columns(self, columns: Iterable[tuple[str, str | Text, int]]) -> None:
        """Empty the table and add ``(key, label, width)`` columns.

        A width of 0 marks the column that ``stretch`` later widens to fill the table.
        """
        self.clear(columns=True)
        for key, label, width in columns:
            self.add_column(label, key=key, width=width or None)

    @property
    def cursor_id(self) -> int | None:
        """The key of the row under the cursor; None when there is no row."""
        if self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - a table being refilled has no valid cursor
            return None
        return int(key.value) if key.value else None

    def move_to(self, row_id: int) -> bool:
        """Put the cursor on the row keyed ``row_id``; False when that row is not shown."""
        try:
            self.move_cursor(row=self.get_row_index(str(row_id)), animate=False)
        except Exception:  # noqa: BLE001 - not shown (filtered out, or in another tab)
            return False
        return True

    def room_for(self, key: str) -> int:
        """The width left for column ``key`` by the other columns and every cell's padding."""
        others = sum(c.width for c in self.columns.values() if c.key.value != key)
        return self.size.width - others - 2 * self.cell_padding * len(self.columns) - 1

    def stretch(self, key: str, minimum: int) -> None:
        """Give column ``key`` the room the others leave, and at least ``minimum`` wide.

        The width is fixed (not measured from the cells), so that the column fits the screen
        rather than its longest text, and filling the table again does not resize it.
        """
        column = next((c for c in self.columns.values() if c.key.value == key), None)
        if column is None or self.size.width == 0:
            return
        width = max(minimum, self.room_for(key))
        if column.width != width or column.auto_width:
            column.width = width
            column.auto_width = False
            # DataTable has no public call to say a column's width changed (EntryPane does this too).
            self._require_update_dimensions = True
            self.refresh()


class FilterInput(Input):
    """The typed filter; Enter or ↓ goes to the list, Escape clears it (again: to the list)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave(True)", "Clear filter", id="filter.clear",
                tooltip="Clear the filter (when empty: back to the list)."),
        Binding("down", "leave(False)", "To the list", show=False, id="filter.down",
                tooltip="Go down to the list, keeping the filter."),
    ]

    def action_leave(self, clear: bool) -> None:
        if clear and self.value:
            self.value = ""
            return
        self.screen.query_one(ReviewTable).focus()


class ReviewList:
    """Mixin for a review screen: one ReviewTable that follows what is typed in one Input.

    The table follows the typing ``TYPING_PAUSE`` seconds after the last key, not at every
    key: filling thousands of rows per key press would make typing lag. Enter follows at
    once and goes to the table. ``_timer`` is None whenever nothing is waiting (the Pilot
    tests wait for that). The screen says what following means in ``apply_typed_text``.

    The handlers go by their names (``on_input_changed``), not ``@on``: Textual registers
    ``@on`` handlers only on its own classes, not on a plain mixin.
    """

    TYPING_PAUSE: ClassVar[float] = 0.15
    # The timezone whose calendar day decides "today" (overdue, …); None: the app's, or this
    # machine's.
    tz_name: str | None = None
    _timer: Timer | None = None

    @property
    def store(self) -> Any:
        return self.app.store  # type: ignore[attr-defined]

    @property
    def tz(self) -> str:
        return viewer_timezone(self.tz_name or getattr(self.app, "viewer_tz", None))  # type: ignore[attr-defined]

    def today(self) -> Date:
        return local_today(self.app.clock.now(), self.tz)  # type: ignore[attr-defined]

    def data_stamp(self) -> tuple[Any, ...]:
        """Changes whenever anyone (this connection or another) committed, or the day turned.

        A screen keeps the stamp of its last read, so that coming back to it re-reads the
        database only when something changed.
        """
        return (*self.store.change_stamp(), self.today())

    # -- following what is typed --------------------------------------------------------------

    def apply_typed_text(self, text: str) -> None:
        """Show in the table what ``text`` asks for (each screen filters or searches)."""
        raise NotImplementedError

    def run_typed_text(self) -> None:
        """Follow what is typed now, without waiting for the pause."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.apply_typed_text(self.query_one(Input).value)  # type: ignore[attr-defined]

    def focus_list(self) -> None:
        """Where Enter in the Input goes: the table."""
        self.query_one(ReviewTable).focus()  # type: ignore[attr-defined]

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.TYPING_PAUSE, self.run_typed_text)  # type: ignore[attr-defined]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.run_typed_text()
        self.focus_list()


def status_line(parts: Sequence[str | tuple[str, str]], problems: Iterable[str]) -> Content:
    """The status line under the Input: ``parts``, then each problem with the typed text."""
    lines: list[str | tuple[str, str]] = list(parts)
    for problem in problems:
        lines.extend(["\n", problem_part(problem)])
    return Content.assemble(*lines)


def problem_part(problem: str) -> tuple[str, str]:
    """A problem with what was typed, marked ⚠ as well as coloured (it reads without colour)."""
    return ("⚠ " + problem, "bold $warning")
