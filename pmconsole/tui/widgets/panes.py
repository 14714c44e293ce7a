"""The four entry panes: Agenda, Timeline, Key findings and Action items.

Each pane is a DataTable (it scales to tens of thousands of rows) with a one-line
quick-add input under it. Panes only display what they are given and post
``EntryCommand`` messages; the console screen does the saving and hands results back.
Cells are ``rich.text.Text`` objects, never strings, so user text is never read as markup.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from operator import itemgetter
from typing import Any, ClassVar, Generic, TypeVar

from pendulum import Date, DateTime
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual._two_way_dict import TwoWayDict
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.widget import PseudoClasses, Widget
from textual.widgets import DataTable, Input, Static
from textual.widgets.data_table import Row, RowKey

from pmconsole.domain import agenda as agenda_clock
from pmconsole.domain.model import ActionItem, AgendaItem, EntityKind, EventKind, Finding, TimelineEvent
from pmconsole.domain.times import clock_time, local_date

E = TypeVar("E", AgendaItem, TimelineEvent, Finding, ActionItem)
S = TypeVar("S")

FLAG_MARK = "⚑"
FIRST_TEXT_WIDTH = 10
STAR_MARK = "★"


def cell(value: str, style: str = "") -> Text:
    """A table cell that shows ``value`` literally (no markup), on one line."""
    first, _, rest = value.partition("\n")
    return Text(first + (" …" if rest else ""), style=style, no_wrap=True, overflow="ellipsis")


class _LazyCells(MutableMapping[Any, Any]):
    """One row's cells (column key → cell), made on first use by ``make(source)``.

    DataTable keeps a mapping per row and goes through its mapping methods whenever it
    reads or changes a row (drawing it, get_row/get_cell, update_cell, sorting, adding or
    removing a column); the cells are made then. Removing a row only lists its columns.
    """

    __slots__ = ("_cells", "_keys", "_make", "_source")

    def __init__(self, make: Callable[[Any], Sequence[Any]], source: Any, keys: tuple[Any, ...]) -> None:
        self._make, self._source, self._keys = make, source, keys
        self._cells: dict[Any, Any] | None = None

    def _made(self) -> dict[Any, Any]:
        if self._cells is None:
            values = list(self._make(self._source))
            if len(values) > len(self._keys):
                raise ValueError("More values provided than there are columns.")
            self._cells = dict(zip_longest(self._keys, values))
            self._make = self._source = None  # type: ignore[assignment]
        return self._cells

    def __getitem__(self, key: Any) -> Any:
        return self._made()[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._made()[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._made()[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._keys if self._cells is None else self._cells)

    def __len__(self) -> int:
        return len(self._keys if self._cells is None else self._cells)


class EntryTable(DataTable[Any]):
    """The table inside a pane; its bindings act on the highlighted entry."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "pane('open_quick')",
            "Quick add",
            id="entry.quick",
            tooltip="Type one line to add an entry (Enter saves).",
        ),
        Binding(
            "N,insert",
            "pane('new')",
            "New…",
            show=False,
            id="entry.new",
            tooltip="Add an entry with every field in a dialog.",
        ),
        Binding("enter,e", "pane('edit')", "Edit", id="entry.edit", tooltip="Edit the highlighted entry."),
        Binding(
            "delete,d",
            "pane('delete')",
            "Delete",
            show=False,
            id="entry.delete",
            tooltip="Delete the highlighted entry (u undoes).",
        ),
        Binding(
            "f",
            "pane('flags')",
            "Blame flag",
            id="entry.flags",
            tooltip="Show the blame flag on this entry, its reframe, accept or dismiss.",
        ),
    ]

    def on_resize(self) -> None:
        pane = self.parent
        if isinstance(pane, EntryPane):
            pane.fit_last_column()

    # -- a DataTable for tens of thousands of one-line rows ------------------------------------
    # Textual's DataTable does per-row work in Python that a 10,000-event timeline feels:
    # add_row re-assigns the cursor (a reactive) and rebuilds the column order for every
    # row, the first layout measures every cell (its auto-width pass), and every change
    # rebuilds the row order and the line offsets from all rows. Every row here is one
    # line high, unlabelled and added through add_rows or insert_row, which makes these
    # simple. The overrides follow DataTable of the Textual version pinned in pyproject.

    def add_rows(self, rows: Iterable[Iterable[Any]]) -> list[RowKey]:
        """Add rows at the bottom in one batch (DataTable.add_row's work, done once)."""
        keys = [column.key for column in self.ordered_columns]

        def cells_of(values: Iterable[Any]) -> dict[Any, Any]:
            values = list(values)
            if len(values) > len(keys):
                raise ValueError("More values provided than there are columns.")
            return dict(zip_longest(keys, values))

        return self._append_rows(cells_of(row) for row in rows)

    def add_rows_lazily(self, sources: Iterable[S], make: Callable[[S], Sequence[Any]]) -> list[RowKey]:
        """Add a row per source whose cells ``make(source)`` makes when the row is first
        read (drawn, changed, copied): opening a 10,000-event timeline makes the cells of the rows on
        screen, not 40,000 cells. ``make`` reads the pane as it is then."""
        keys = tuple(column.key for column in self.ordered_columns)
        return self._append_rows(_LazyCells(make, source, keys) for source in sources)

    def _append_rows(self, cell_maps: Iterable[MutableMapping[Any, Any]]) -> list[RowKey]:
        columns = self.ordered_columns
        was_empty = self.row_count == 0
        measure = any(column.auto_width for column in self.columns.values())
        forward, reverse = self._row_locations._forward, self._row_locations._reverse  # noqa: SLF001
        data, table_rows, new_rows = self._data, self.rows, self._new_rows
        keys: list[RowKey] = []
        for cells in cell_maps:
            key = RowKey(None)
            index = len(table_rows)
            forward[key] = index
            reverse[index] = key
            data[key] = cells  # type: ignore[assignment]
            table_rows[key] = Row(key, 1)
            keys.append(key)
        if keys:
            self._update_count += 1
            if measure:
                new_rows.update(keys)
                self._require_update_dimensions = True  # measured when idle, as usual
            else:
                # Nothing to measure: the new size now rather than when idle, so that a
                # cursor moved to a new row scrolls to it in this frame, not the next.
                self._update_dimensions(())
            self.cursor_coordinate = self.cursor_coordinate
            if was_empty and columns and self.show_cursor and self.cursor_type != "none":
                self._highlight_cursor()
            self.check_idle()
        return keys

    def insert_row(self, cells: Sequence[Any], index: int) -> RowKey:
        """Add a row at ``index`` (0: the top) without sorting the whole table again."""
        count = self.row_count
        if index >= count:
            return self.add_rows([cells])[0]
        by_index = self._row_locations._reverse  # noqa: SLF001 - index -> row key
        order = [by_index[i] for i in range(count)]
        key = self.add_rows([cells])[0]
        order.insert(index, key)
        self._row_locations = TwoWayDict({k: i for i, k in enumerate(order)})
        self._update_count += 1  # the row order caches are keyed by it
        self.refresh()
        return key

    @property
    def ordered_rows(self) -> list[Row]:
        cache_key = (self.row_count, self._update_count)
        ordered = self._ordered_row_cache.get(cache_key)
        if ordered is None:
            by_index = self._row_locations._reverse  # noqa: SLF001 - index -> row key
            rows = self.rows
            ordered = [rows[by_index[index]] for index in range(len(rows))]
            self._ordered_row_cache[cache_key] = ordered
        return ordered

    @property
    def _y_offsets(self) -> list[tuple[RowKey, int]]:
        return _OneLineOffsets(self)  # type: ignore[return-value]

    def _get_row_region(self, row_index: int) -> Region:
        if not self.is_valid_row_index(row_index):
            return Region(0, 0, 0, 0)
        row_width = (sum(column.get_render_width(self) for column in self.columns.values())
                     + self._row_label_column_width)
        y = row_index + (self.header_height if self.show_header else 0)
        return Region(0, y, max(self.size.width, row_width), 1)

    # -- a focus change redraws the cursor row, not the table --------------------------------
    # Textual restyles a widget, its descendants and its component classes (nine virtual
    # nodes for a DataTable) whenever its focus changes, and DataTable then drops every
    # render cache: each pane switch cost two tables restyled and redrawn, 25 ms and
    # more. Here nothing in the stylesheet depends on a table's focus (styles/app.tcss:
    # no focus tint; the pane's border shows the focus, see EntryPane): the cursor
    # is one of two component classes, picked in Python by focus, and the caches ignore
    # focus. A focus change redraws the cursor row only.

    COMPONENT_CLASSES: ClassVar[set[str]] = {"entrytable--cursor-focused", "entrytable--cursor-blurred"}

    def watch_has_focus(self, _has_focus: bool) -> None:
        # Instead of Widget.watch_has_focus, which restyles: see above.
        self._forget_cursor_row()
        self.refresh_row(self.cursor_row)

    # Widget's focus handlers as they are, less their repaint of the whole table
    # (prevent_default keeps Textual from calling Widget's own after these).
    def _on_focus(self, event: events.Focus) -> None:
        event.prevent_default()
        self.has_focus = True
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def _on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))

    def get_component_rich_style(self, *names: str, partial: bool = False,
                                 default: Style | None = None) -> Style:
        # Component styles are worked out with the table's focus of the moment they are
        # styled, and a table is no longer restyled on focus: both cursors are classes
        # of their own that do not depend on focus, and the focus picks one.
        if names == ("datatable--cursor",):
            names = ("entrytable--cursor-focused" if self.has_focus else "entrytable--cursor-blurred",)
        return super().get_component_rich_style(*names, partial=partial, default=default)

    def get_pseudo_class_state(self) -> PseudoClasses:
        state = super().get_pseudo_class_state()
        return PseudoClasses(state.enabled, False, state.hover)

    def _forget_cursor_row(self) -> None:
        self._get_styles_to_render_cell.cache_clear()  # holds the cursor's colours
        row = self.cursor_row
        if not self.is_valid_row_index(row):
            return
        key = self._row_locations.get_key(row)
        line = row + (self.header_height if self.show_header else 0)
        for cache, first in ((self._cell_render_cache, key), (self._row_render_cache, key),
                             (self._line_cache, line)):
            for cached in [k for k in cache.keys() if k[0] == first]:
                cache.discard(cached)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        # DataTable renders every cell through Rich's layout engine (Padding, Styled,
        # render_lines: wrapping and cropping in general), a fraction of a millisecond a
        # cell, paid again for every cell in view whenever the caches are dropped (a
        # resize, a theme change, a session opened). A body cell here is one line of
        # Text: cut it to the column, pad it, style it. Same segments, a tenth the work.
        if row_index < 0 or column_index < 0:  # the header row: DataTable's own path
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        cache_key = (row_key, column_key, base_style, cursor, hover, self._show_hover_cursor,
                     self._update_count, self._pseudo_class_state)
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        value = self._get_row_renderables(row_index)[1][column_index]
        if not isinstance(value, Text) or "\n" in value.plain:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css",
        )
        style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        padding = self.cell_padding
        inner = max(0, width - 2 * padding)
        text = value.copy()
        text.end = ""
        text.truncate(inner, overflow=value.overflow or "fold")
        console = self.app.console
        # Text.render leaves out the Text's own style when it has no spans.
        own = console.get_style(value.style, default=Style.null()) if value.style else None
        body = text.render(console)
        gap = " " * padding
        segments = [
            Segment(gap),
            *(Segment.apply_style(body, own) if own else body),
            Segment(gap + " " * (inner - text.cell_len)),
        ]
        line = list(Segment.apply_style(segments, style, post_style))
        lines = [line]
        self._cell_render_cache[cache_key] = lines
        return lines

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # Every column has a fixed width (the pane fits the last one), so nothing needs
        # measuring; the virtual size is still recomputed.
        columns = list(self.columns.values())
        if any(column.auto_width for column in columns):
            super()._update_dimensions(new_rows)
            return
        # The text column is fitted to the table (fit_last_column), so nothing scrolls
        # sideways and the virtual width is only a lower bound: counted with the text
        # column at its first width, it stays the same when the column is fitted, and the
        # fit (after the first layout, and on every resize) does not lay the screen out again.
        header = self.header_height if self.show_header else 0
        width = sum(column.get_render_width(self) for column in columns[:-1])
        if columns:
            width += FIRST_TEXT_WIDTH + 2 * self.cell_padding
        self.virtual_size = Size(width + self._row_label_column_width, self._total_row_height + header)

    # The bindings act on the pane around the table, which knows its entries.
    def action_pane(self, verb: str) -> None:
        pane = self.parent
        if isinstance(pane, EntryPane):
            pane.action_pane(verb)

    def action_move(self, delta: int) -> None:
        pane = self.parent
        if isinstance(pane, EntryPane):
            pane.action_move(delta)


class _OneLineOffsets:
    """DataTable's ``_y_offsets`` (screen line → (row key, line within the row)) when every
    row is one line high, looked up when asked instead of built for every row."""

    __slots__ = ("_table",)

    def __init__(self, table: EntryTable) -> None:
        self._table = table

    def __len__(self) -> int:
        return self._table.row_count

    def __getitem__(self, y: int) -> tuple[RowKey, int]:
        return self._table.ordered_rows[y].key, 0

    def clear(self) -> None:
        """DataTable.clear() empties the cached list; nothing is cached here."""


class QuickAddInput(Input):
    """The one-line quick-add; Escape goes back to the table instead of leaving the screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "back_to_table",
            "Back to entries",
            id="quick.back",
            tooltip="Leave the quick-add line for the pane's entries (what is typed stays).",
        ),
    ]

    class Pasted(Message):
        """A paste of several lines became one line (the pane says so)."""

        def __init__(self, lines: int) -> None:
            super().__init__()
            self.lines = lines

    def action_back_to_table(self) -> None:
        pane = self.parent
        if isinstance(pane, EntryPane):
            pane.focus_table()

    async def _on_key(self, event: events.Key) -> None:
        # Enter is a binding, and bindings run once the key has bubbled up to the app:
        # keys that came in the same read after it (a text expander, a fast typist, a
        # pasted "line⏎line⏎") were already in the line by then and were saved with it.
        # Here Enter takes the line in its place among the keys.
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            await self.action_submit()

    async def action_submit(self) -> None:
        # The line is emptied the moment Enter is read, not once it is saved: keys typed
        # after Enter and before the save start a new line instead of joining the one
        # being saved. A line that cannot be saved is put back in front of them
        # (EntryPane.quick_result).
        value = self.value
        if not value.strip():
            return
        self.value = ""
        self.post_message(self.Submitted(self, value, None))

    def _on_paste(self, event: events.Paste) -> None:
        # Input keeps the first line of a multi-line paste and drops the rest, silently.
        # Here the lines are joined with spaces, so nothing pasted is lost, and the pane
        # says what happened.
        lines = [line.strip() for line in event.text.splitlines() if line.strip()]
        if len(lines) <= 1:
            return  # Input's own handler: one line, as pasted
        event.prevent_default()
        event.stop()
        text = " ".join(lines)
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *self.selection)
        self.post_message(self.Pasted(len(lines)))


class EntryPane(Vertical, Generic[E]):
    """A titled pane: a table of entries and a quick-add line."""

    entity: ClassVar[EntityKind]
    title: ClassVar[str]
    quick_placeholder: ClassVar[str]
    extra_bindings: ClassVar[list[BindingType]] = []
    table_class: ClassVar[type[EntryTable]] = EntryTable

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Textual reads BINDINGS per class, so each pane gets its own table class that adds
        # the pane's extra keys (star, done, move) to the common ones.
        if "extra_bindings" in cls.__dict__:
            cls.table_class = type(f"{cls.__name__}Table", (EntryTable,), {"BINDINGS": cls.extra_bindings})

    @dataclass
    class Command(Message):
        """The user asked to do ``verb`` to an entry of ``entity`` (``entry_id`` None: new)."""

        entity: EntityKind
        verb: str
        entry_id: int | None
        text: str = ""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, classes="pane")
        self.entries: dict[int, E] = {}
        self.flagged: set[int] = set()
        self._row_keys: dict[int, RowKey] = {}
        self._ids_by_key: dict[RowKey, int] = {}
        # The sort keys of the rows in the order shown (kept sorted).
        self._sort_keys: list[Any] = []
        self.border_title = Content(self.title)
        self.tz = "UTC"
        self._shows_focus = False

    def compose(self) -> ComposeResult:
        yield self.table_class(cursor_type="row", zebra_stripes=True, id=f"{self.id}-table")
        yield Static("", classes="quick-error")
        yield QuickAddInput(placeholder=self.quick_placeholder, classes="quick-add", id=f"{self.id}-quick")

    @property
    def table(self) -> EntryTable:
        return self.query_one(EntryTable)

    @property
    def quick(self) -> Input:
        return self.query_one(".quick-add", Input)

    def on_mount(self) -> None:
        for key, label, width in self.columns():
            # The text column (width None) gets its width from fit_last_column once the
            # table has a size; a fixed width until then spares measuring every cell.
            self.table.add_column(label, key=key, width=width or FIRST_TEXT_WIDTH)
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._paint_focus())

    def on_unmount(self) -> None:
        self.app.theme_changed_signal.unsubscribe(self)

    # -- where the focus is ---------------------------------------------------------------------
    # The border and title take the theme's primary colour while the focus is in the pane.
    # Not with :focus-within in the stylesheet: that restyles the whole pane, table and
    # all, on every focus change (see EntryTable); an inline colour repaints the border.

    def on_descendant_focus(self, _event: events.DescendantFocus) -> None:
        self._show_focus()

    def on_descendant_blur(self, _event: events.DescendantBlur) -> None:
        self._show_focus()

    def _show_focus(self) -> None:
        if self.has_focus_within != self._shows_focus:
            self._shows_focus = self.has_focus_within
            self._paint_focus()
            if not self._shows_focus:
                # A quick-add message is about the line being typed: the room should not
                # keep reading it once the facilitator has moved on (the line itself stays).
                self._show_quick_message(None)

    def _paint_focus(self) -> None:
        # The title's colour goes into the title itself: setting border-title-color
        # would repaint every widget in the pane.
        if self._shows_focus:
            color = Color.parse(self.app.current_theme.primary)
            self.styles.border = ("round", color)
            self.border_title = Content.styled(self.title, color.hex)
        else:  # back to the stylesheet's colours
            self.styles.border = None
            self.border_title = Content(self.title)

    # -- what to show (subclasses) -------------------------------------------------------------

    def columns(self) -> Sequence[tuple[str, str, int | None]]:
        raise NotImplementedError

    def row(self, entry: E) -> list[Text]:
        raise NotImplementedError

    def sort_key(self, entry: E) -> Any:
        return (entry.position, entry.id)  # type: ignore[union-attr]

    # -- attributes down -------------------------------------------------------------------------

    def set_entries(self, entries: Iterable[E], flagged: set[int]) -> None:
        """Replace everything shown (one batched add, for large sessions)."""
        table = self.table
        current = self.selected_id
        table.clear()
        # Sort keys end with the id: unique, so entries themselves are never compared.
        ordered = sorted(((self.sort_key(e), e) for e in entries), key=itemgetter(0))
        self._sort_keys = [sort_key for sort_key, _ in ordered]
        self.entries = {e.id: e for _, e in ordered if e.id is not None}
        self.flagged = set(flagged)
        keys = table.add_rows_lazily((e for _, e in ordered), self.row)
        self._row_keys = dict(zip(self.entries, keys, strict=True))
        self._ids_by_key = {k: i for i, k in self._row_keys.items()}
        self.fit_last_column()
        if current is not None:
            self.select(current)

    def upsert(self, entry: E, flagged: bool) -> None:
        """Show a saved entry: update its row in place, or add it where it sorts."""
        assert entry.id is not None
        if flagged:
            self.flagged.add(entry.id)
        else:
            self.flagged.discard(entry.id)
        old = self.entries.get(entry.id)
        self.entries[entry.id] = entry
        table = self.table
        sort_key = self.sort_key(entry)
        if old is not None and self.sort_key(old) == sort_key:
            key = self._row_keys[entry.id]
            for column, value in zip(table.columns, self.row(entry), strict=True):
                table.update_cell(key, column, value)
            return
        if old is not None:
            self._forget_sort_key(self.sort_key(old))
            key = self._row_keys.pop(entry.id)
            self._ids_by_key.pop(key, None)
            table.remove_row(key)
        # Where it sorts, found by bisection: no pass over every entry, no re-sort.
        index = bisect.bisect(self._sort_keys, sort_key)
        self._sort_keys.insert(index, sort_key)
        key = table.insert_row(self.row(entry), index)
        self._row_keys[entry.id] = key
        self._ids_by_key[key] = entry.id
        self.fit_last_column()
        self.select(entry.id)

    def _forget_sort_key(self, sort_key: Any) -> None:
        index = bisect.bisect_left(self._sort_keys, sort_key)
        if index < len(self._sort_keys) and self._sort_keys[index] == sort_key:
            del self._sort_keys[index]

    def remove(self, entry_id: int) -> None:
        old = self.entries.pop(entry_id, None)
        if old is not None:
            self._forget_sort_key(self.sort_key(old))
        self.flagged.discard(entry_id)
        key = self._row_keys.pop(entry_id, None)
        if key is not None:
            self._ids_by_key.pop(key, None)
            self.table.remove_row(key)

    def mark_flagged(self, flagged: set[int]) -> None:
        changed = (self.flagged ^ flagged) & set(self.entries)
        self.flagged = set(flagged)
        for entry_id in changed:
            self.upsert(self.entries[entry_id], entry_id in flagged)

    # -- selection ---------------------------------------------------------------------------------

    @property
    def selected_id(self) -> int | None:
        table = self.table
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - an empty or shrinking table has no valid cursor
            return None
        return self._ids_by_key.get(key)

    @property
    def selected(self) -> E | None:
        entry_id = self.selected_id
        return None if entry_id is None else self.entries.get(entry_id)

    def select(self, entry_id: int) -> None:
        key = self._row_keys.get(entry_id)
        if key is None:
            return
        try:
            index = self.table.get_row_index(key)
        except Exception:  # noqa: BLE001
            return
        self.table.move_cursor(row=index, animate=False)

    def open_quick(self) -> None:
        """Put the focus on the quick-add line (the screen allows it: editing is on)."""
        self._focus(self.quick)

    def focus_table(self) -> None:
        self._focus(self.table)

    def _focus(self, widget: Widget) -> None:
        # set_focus is immediate, so keys already read in the same burst ("3a") follow it.
        # It refuses a hidden widget (terminal too small); the deferred focus() does not.
        self.screen.set_focus(widget)
        if self.screen.focused is not widget:
            widget.focus()

    # -- layout ---------------------------------------------------------------------------------

    def fit_last_column(self) -> None:
        """The last column (the text) takes what the others leave, so long text ends in '…'."""
        table = self.table
        columns = list(table.columns.values())
        if not columns:
            return
        if table.size.width == 0:
            return
        others = sum(c.get_render_width(table) for c in columns[:-1])
        # One cell stays free for the vertical scrollbar.
        width = max(10, table.size.width - others - 2 * table.cell_padding - 1)
        if columns[-1].width != width:
            columns[-1].width = width
            columns[-1].auto_width = False
            table._require_update_dimensions = True  # noqa: SLF001
            table.refresh()

    # -- messages up -------------------------------------------------------------------------------

    def action_pane(self, verb: str) -> None:
        # "open_quick" asks the screen, which knows whether editing is on, and calls
        # open_quick back (messages up, attributes down).
        entry_id = None if verb in ("new", "open_quick") else self.selected_id
        if entry_id is None and verb not in ("new", "open_quick"):
            self.app.bell()
            return
        self.post_message(self.Command(self.entity, verb, entry_id))

    def action_move(self, delta: int) -> None:
        if self.selected_id is not None:
            self.post_message(self.Command(self.entity, "move", self.selected_id, str(delta)))

    @on(Input.Submitted, ".quick-add")
    def _quick_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.post_message(self.Command(self.entity, "quick", None, event.value))

    @on(Input.Changed, ".quick-add")
    def _quick_changed(self, event: Input.Changed) -> None:
        if not event.value:  # emptied (Ctrl+U, or Enter taking the line): its message goes
            self._show_quick_message(None)

    @on(QuickAddInput.Pasted)
    def _quick_pasted(self, event: QuickAddInput.Pasted) -> None:
        event.stop()
        self._show_quick_message(f"{event.lines} pasted lines joined into one; Enter saves them as one "
                                 "entry (I imports many timeline events from a CSV file).")

    def quick_result(self, error: str | None, submitted: str = "") -> None:
        """Called by the screen after a quick-add: ``error`` is why ``submitted`` was not
        saved, None when it was. The line was emptied on Enter; an unsaved one comes back."""
        self._show_quick_message(error)
        if error is not None and submitted:
            quick = self.quick
            typed_since = quick.value
            quick.value = submitted + (" " + typed_since if typed_since else "")
            quick.cursor_position = len(submitted)

    def _show_quick_message(self, text: str | None) -> None:
        message = self.query_one(".quick-error", Static)
        message.update(Content(text or ""))
        message.set_class(bool(text), "-visible")

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_pane("edit")


# Cells that depend on a few values only are made once and shared by every row showing
# them (DataTable never changes a cell it is given): a 10,000-event timeline makes half
# as many objects. Dates are formatted once per day.

# English month abbreviations, as pendulum's "MMM" writes them: its formatter loads its
# locale machinery on first use, a few milliseconds of the console's start-up.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@functools.lru_cache(maxsize=4096)
def _short_date(day: Date | None, today: Date | None) -> str:
    """``Dec 12`` within the coming months, ``2027-01-12`` further away or in another year."""
    if day is None:
        return "—"
    if today is not None and abs((day - today).days) < 180:
        return f"{_MONTHS[day.month - 1]} {day.day}"
    return day.isoformat()


@functools.cache
def _flag_cell(flagged: bool) -> Text:
    return Text(FLAG_MARK if flagged else " ", style="bold dark_orange" if flagged else "")


class AgendaPane(EntryPane[AgendaItem]):
    entity = EntityKind.AGENDA
    title = "Agenda"
    quick_placeholder = "+ agenda item  e.g. Review dashboards 10m"
    extra_bindings: ClassVar[list[BindingType]] = [
        Binding("ctrl+up,K", "move(-1)", "Move up", id="entry.up", tooltip="Move the item earlier."),
        Binding("ctrl+down,J", "move(1)", "Move down", id="entry.down", tooltip="Move the item later."),
    ]

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.now: DateTime | None = None

    def columns(self) -> Sequence[tuple[str, str, int | None]]:
        return [("state", " ", 2), ("planned", "Plan", 5), ("actual", "Actual", 6), ("title", "Item", None)]

    def row(self, entry: AgendaItem) -> list[Text]:
        now = self.now
        actual = agenda_clock.actual_minutes(entry, now) if now is not None else None
        if entry.ended is not None:
            state = Text("✓", style="bold green")
        elif entry.started is not None:
            state = Text("‖" if entry.paused_at else "▶", style="bold dark_orange")
        else:
            state = Text("·")
        if entry.id in self.flagged:  # blameful notes: the mark beside the state, as elsewhere
            state.append(FLAG_MARK, style="bold red")
        planned = f"{entry.planned_minutes}" + (f"+{entry.extra_minutes}" if entry.extra_minutes else "")
        actual_text = "" if actual is None else f"{actual:.0f}m"
        over = actual is not None and actual * 60 > agenda_clock.allowed_seconds(entry)
        return [
            state,
            Text(planned + "m", no_wrap=True),
            Text(
                actual_text + (" !" if over else ""), style="bold dark_orange" if over else "", no_wrap=True
            ),
            cell(entry.title, "bold" if entry.started and not entry.ended else ""),
        ]


class TimelinePane(EntryPane[TimelineEvent]):
    entity = EntityKind.TIMELINE
    title = "Timeline"
    quick_placeholder = "+ 14:32 db primary failed over   (time first; kind: optional)"
    extra_bindings: ClassVar[list[BindingType]] = [
        Binding(
            "asterisk",
            "pane('star')",
            "Star",
            show=False,
            id="entry.star",
            tooltip="Star or unstar a key moment.",
        ),
    ]

    # A timeline within one day (in the session's zone) shows times alone. One that crosses
    # midnight marks the times of each later day with how many days after the first they
    # are, as timetables do ("00:10 +1"), or 00:10 after 23:50 would read as going back in
    # time. (The minutes and exports write whole dates.)
    TIME_WIDTH = 5
    first_day: Date | None = None
    last_day_shown = 0  # the most days after the first the time column has room for

    def columns(self) -> Sequence[tuple[str, str, int | None]]:
        return [("marks", " ", 2), ("time", "Time", self.TIME_WIDTH), ("kind", "Kind", 13),
                ("text", "Event", None)]

    def sort_key(self, entry: TimelineEvent) -> Any:
        return (entry.at, entry.id)

    def row(self, entry: TimelineEvent) -> list[Text]:
        assert entry.id is not None
        clock = clock_time(entry.at, self.tz)
        if self.last_day_shown and self.first_day is not None:
            later = (local_date(entry.at, self.tz) - self.first_day).days
            if later:
                clock = f"{clock} +{later}"
        return [
            _marks_cell(entry.starred, entry.id in self.flagged),
            _time_cell(clock),
            _kind_cell(entry.kind),
            cell(entry.text),
        ]

    def set_entries(self, entries: Iterable[TimelineEvent], flagged: set[int]) -> None:
        entries = list(entries)
        times = [e.at for e in entries]
        self.first_day = local_date(min(times), self.tz) if times else None
        days = (local_date(max(times), self.tz) - self.first_day).days if self.first_day else 0
        # Room for " +N" with as many digits as the last day needs: cut, "+34" would read "+3".
        self.last_day_shown = 10 ** len(str(days)) - 1 if days else 0
        width = self.TIME_WIDTH + (2 + len(str(days)) if days else 0)
        self.table.columns["time"].width = width  # type: ignore[index]
        super().set_entries(entries, flagged)

    def upsert(self, entry: TimelineEvent, flagged: bool) -> None:
        day = local_date(entry.at, self.tz)
        first = self.first_day
        old = self.entries.get(entry.id) if entry.id is not None else None
        moved_off_first = old is not None and day != first and local_date(old.at, self.tz) == first
        if first is None or day < first or (day - first).days > self.last_day_shown or moved_off_first:
            # The first day or the room the times need changes: every row is shown again.
            assert entry.id is not None
            marked = (self.flagged | {entry.id}) if flagged else (self.flagged - {entry.id})
            self.set_entries({**self.entries, entry.id: entry}.values(), marked)
            self.select(entry.id)
            return
        super().upsert(entry, flagged)


@functools.cache
def _marks_cell(starred: bool, flagged: bool) -> Text:
    marks = Text()
    marks.append(STAR_MARK if starred else " ", style="bold dark_orange")
    marks.append(FLAG_MARK if flagged else " ", style="bold red")
    return marks


@functools.lru_cache(maxsize=4096)  # one per minute of the day (and of a few more, when dated)
def _time_cell(clock: str) -> Text:
    return Text(clock, no_wrap=True)


@functools.cache
def _kind_cell(kind: EventKind) -> Text:
    return Text(kind.value, no_wrap=True)


class FindingsPane(EntryPane[Finding]):
    entity = EntityKind.FINDING
    title = "Key findings"
    quick_placeholder = "+ cf: / rc: / well: / wrong: / lucky: / q:  finding"
    extra_bindings: ClassVar[list[BindingType]] = AgendaPane.extra_bindings

    SHORT: ClassVar[dict[str, str]] = {
        "contributing factor": "factor",
        "root cause": "root cause",
        "went well": "went well",
        "went wrong": "went wrong",
        "got lucky": "lucky",
        "open question": "question",
    }

    def columns(self) -> Sequence[tuple[str, str, int | None]]:
        return [("flag", " ", 1), ("kind", "Kind", 10), ("text", "Finding", None)]

    def row(self, entry: Finding) -> list[Text]:
        assert entry.id is not None
        return [
            _flag_cell(entry.id in self.flagged),
            Text(self.SHORT[entry.kind.value], no_wrap=True),
            cell(entry.text),
        ]


class ActionsPane(EntryPane[ActionItem]):
    entity = EntityKind.ACTION
    title = "Action items"
    quick_placeholder = "+ Add alert on replica lag @storage-team due:+2w p1"
    extra_bindings: ClassVar[list[BindingType]] = [
        Binding(
            "x,space",
            "pane('done')",
            "Done",
            id="entry.done",
            tooltip="Mark the action item done (again: reopen it).",
        ),
        *AgendaPane.extra_bindings,
    ]

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.today: Date | None = None
        self.session_id: int | None = None

    def columns(self) -> Sequence[tuple[str, str, int | None]]:
        return [("flag", " ", 1), ("status", "St", 2), ("owner", "Owner · due", 18), ("text", "Action", None)]

    def sort_key(self, entry: ActionItem) -> Any:
        # Items inherited from the followed-up session come first, as they were listed there.
        return (
            (entry.session_id != self.session_id, entry.position, entry.id)
            if self.session_id
            else (entry.position, entry.id)
        )

    def row(self, entry: ActionItem) -> list[Text]:
        assert entry.id is not None
        overdue = self.today is not None and entry.is_overdue(self.today)
        # Shapes, not colours, tell the status apart: ○ open, ◐ in progress, ● done, ✕ won't do.
        status = {"open": "○", "in progress": "◐", "done": "●", "won't do": "✕"}[entry.status.value]
        text = (
            entry.text
            if entry.session_id == self.session_id or self.session_id is None
            else f"↩ {entry.text}"
        )
        owner_due = Text(no_wrap=True, overflow="ellipsis")
        owner_due.append(entry.owner or "no owner", style="" if entry.owner else "italic")
        if entry.due is not None:
            owner_due.append(" · " + _short_date(entry.due, self.today))
        if overdue:
            owner_due.append(" !", style="bold red")
        return [
            _flag_cell(entry.id in self.flagged),
            Text(status, style="dim" if entry.status.is_closed else "bold", no_wrap=True),
            owner_due,
            cell(text, "strike dim" if entry.status.is_closed else ""),
        ]
