"""Search every session's text as you type; Enter opens the session at the matching entry."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from pmconsole.domain.model import EntityKind
from pmconsole.store.search import MARK_END, MARK_START, SearchHit, fts_query
from pmconsole.tui.guard import GuardedMessages
from pmconsole.tui.screens.home import REVIEW_CSS, binding_commands, plural
from pmconsole.tui.screens.too_small import TooSmallView
from pmconsole.tui.widgets.keybar import KeyBar
from pmconsole.tui.widgets.review_list import ReviewList, ReviewTable, problem_part

SEARCH_LIMIT = 100
# The Match column takes the room the other columns leave, and never less than this.
MIN_MATCH_WIDTH = 20
# A match is shown in bold reverse video: visible in every theme and without colour.
MATCH_STYLE = "bold reverse"

WHERE: dict[EntityKind, str] = {
    EntityKind.SESSION: "details",
    EntityKind.AGENDA: "agenda",
    EntityKind.TIMELINE: "timeline",
    EntityKind.FINDING: "finding",
    EntityKind.ACTION: "action item",
    EntityKind.SCRIPT: "script card",
}
_MARKS = re.compile(f"({re.escape(MARK_START)}|{re.escape(MARK_END)})")
_OPERATORS = re.compile(r'["*()^:+-]|\b(?:AND|OR|NOT|NEAR)\b')


# Words kept before the first match: enough to read it in context, little enough that the
# match itself shows in the narrowest Match column (an 80-column terminal cut it off).
LEAD_CHARS = 12


def snippet_content(snippet: str) -> Content:
    """A search snippet with its marked words highlighted, on one line; never markup.
    Long text before the first match is shortened to its last words, after an "…"."""
    snippet = snippet.replace("\r", " ").replace("\n", " ")
    lead, mark, rest = snippet.partition(MARK_START)
    if mark and len(lead) > LEAD_CHARS:
        kept = lead[-LEAD_CHARS:]
        # From a word's start where there is one; the snippet's own "…" is not doubled.
        space = kept.find(" ")
        kept = kept[space + 1:] if 0 <= space < len(kept) - 1 else kept
        snippet = "…" + kept + mark + rest
    pieces: list[str | tuple[str, str]] = []
    marked = False
    for part in _MARKS.split(snippet):
        if part == MARK_START:
            marked = True
        elif part == MARK_END:
            marked = False
        elif part:
            pieces.append((part, MATCH_STYLE) if marked else part)
    return Content.assemble(*pieces)


class ResultsTable(ReviewTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open at match", id="search.open",
                tooltip="Open the session with the matching entry selected."),
    ]


class QueryInput(Input):
    """The query; ↓ or Enter goes to the results, Escape clears (again: back)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_or_back", "Clear", id="search.clear",
                tooltip="Clear the query (when empty: back to the sessions)."),
        Binding("down", "results", "Results", show=False, id="search.results",
                tooltip="Go down to the results."),
    ]

    def action_clear_or_back(self) -> None:
        if self.value:
            self.value = ""
        else:
            self.screen.dismiss()

    def action_results(self) -> None:
        if isinstance(self.screen, SearchScreen):
            self.screen.focus_list()


class SearchScreen(TooSmallView, GuardedMessages, ReviewList, Screen[None]):
    """Full-text search across all sessions (timeline, findings, action items, scripts…)."""

    CSS_PATH = REVIEW_CSS
    # Results follow the typing a little sooner than the other lists follow their filter.
    TYPING_PAUSE = 0.12
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="search.back",
                tooltip="Back to the list of sessions."),
        Binding("slash", "edit_query", "Edit query", id="search.edit",
                tooltip="Go to the search box."),
        Binding("o", "open_result", "Open", show=False, id="search.open_key",
                tooltip="Open the session at the highlighted match."),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial_query = query
        self.hits: list[SearchHit] = []
        self.searched: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="search"):
            with Horizontal(id="search-top"):
                yield Static(Content("Search all sessions"), id="search-title")
                yield Static(Content("timeline · findings · action items · agenda · "
                                     "details · script cards"), id="search-stats")
            yield QueryInput(self.initial_query, placeholder="Type words from any session, "
                             "e.g. certificate or replica lag", id="search-input")
            yield Static("", id="search-status")
            yield ResultsTable(id="search-results", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(ResultsTable).set_columns([
            ("date", "Date", 10), ("session", "Session", 26), ("where", "Where", 11),
            ("match", "Match", 0),
        ])
        self.run_typed_text()
        self.query_one(QueryInput).focus()

    def on_resize(self, event: events.Resize) -> None:
        self._fit_match_column()

    # -- searching -------------------------------------------------------------------------------

    def focus_list(self) -> None:
        """To the results, when there are any (else typing goes on in the box)."""
        table = self.query_one(ResultsTable)
        if table.row_count:
            table.focus()

    def apply_typed_text(self, text: str) -> None:
        """Search for ``text`` (any text is safe: it is never an FTS expression)."""
        if text == self.searched:
            return
        self.searched = text
        status = self.query_one("#search-status", Static)
        problem = ""
        if fts_query(text) is None:
            self.hits = []
        else:
            try:
                self.hits = self.store.search(text, limit=SEARCH_LIMIT)
            except sqlite3.Error as error:
                # Reported on the line under the box, not as a dialog: typing goes on.
                self.hits = []
                problem = f"The search could not run: {error}."
        self._fill()
        status.update(self._status(text, problem))

    def _status(self, text: str, problem: str) -> Content:
        if problem:
            return Content.assemble(problem_part(problem))
        if fts_query(text) is None:
            return Content("Type a word to search every session; results appear as you type." if
                           not text.strip() else "Nothing to search for yet: type a word "
                           "(letters or digits).")
        plain_words = (" · quotes, AND/OR/NEAR, * and - are searched as plain words"
                       if _OPERATORS.search(text) else "")
        if not self.hits:
            return Content.assemble("No match for “", text.strip(), "”.", plain_words)
        sessions = len({h.session_id for h in self.hits})
        parts: list[str | tuple[str, str]] = [
            plural(len(self.hits), "match", "matches"),
            f" in {plural(sessions, 'session')}",
            " (the best " + str(SEARCH_LIMIT) + ")" if len(self.hits) >= SEARCH_LIMIT else "",
            ", best first · ↓ to the results, Enter opens the session at the match",
        ]
        parts.append(plain_words)
        return Content.assemble(*parts)

    def _fill(self) -> None:
        from pmconsole.store.review import session_days

        table = self.query_one(ResultsTable)
        table.clear()
        days = session_days(self.store, {h.session_id for h in self.hits})
        for index, hit in enumerate(self.hits):
            day = days.get(hit.session_id)
            table.add_row(
                Text(day.isoformat() if day else ""),
                Text(hit.session_title, no_wrap=True, overflow="ellipsis"),
                Text(WHERE.get(hit.entity, hit.entity.value)),
                snippet_content(hit.snippet),
                key=str(index),
            )
        self._fit_match_column()

    def _fit_match_column(self) -> None:
        self.query_one(ResultsTable).stretch("match", MIN_MATCH_WIDTH)

    # -- opening -----------------------------------------------------------------------------------

    @property
    def selected_hit(self) -> SearchHit | None:
        index = self.query_one(ResultsTable).cursor_id  # rows are keyed by their index in hits
        return self.hits[index] if index is not None and 0 <= index < len(self.hits) else None

    def open_hit(self, hit: SearchHit) -> None:
        self.app.open_session(  # type: ignore[attr-defined]
            hit.session_id, focus_entry=(hit.entity.value, hit.entity_id)
        )

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        hit = self.selected_hit
        if hit is not None:
            self.open_hit(hit)

    def action_open_result(self) -> None:
        hit = self.selected_hit
        if hit is None:
            self.app.bell()
            return
        self.open_hit(hit)

    def action_edit_query(self) -> None:
        self.query_one(QueryInput).focus()

    def action_back(self) -> None:
        self.dismiss()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield from binding_commands(self, self.BINDINGS)
