"""Importing a timeline from CSV, as kept in a spreadsheet or an incident channel export.

The first row is the header: ``time``, ``kind`` and ``text`` are required, ``link`` is
optional, names are case-insensitive and may come in any order; other columns are ignored
with a warning. A UTF-8 byte-order mark (as Excel writes) is tolerated. Fields holding
commas, quotes or line breaks are quoted the usual CSV way (``"say ""hi"", then go"``);
spaces after a comma are ignored, and a stray quote is an error (never a silent merge).

- ``time`` takes what the time entry in the app takes (``14:32``, ``14:32:05``,
  ``2026-11-20 14:32``, ISO 8601 with an offset such as ``2026-11-20T14:32:00-05:00``,
  ...). An offset is honoured; a bare time falls on the incident's date in the session's
  timezone.
- ``kind`` is one of the timeline kinds (case-insensitive); an empty kind means ``other``.
- ``text`` must not be empty. Surrounding spaces are removed from every value, and text
  goes through ``clean_text`` as typed text does.

Rows are numbered as a spreadsheet numbers them: the header is row 1. Rows whose cells are
all empty are skipped. Any bad row fails the whole import (``CsvImportFailed``, naming the
row), so a file is imported completely or not at all.

Parsing never touches the database, so it raises no blame flags: save the events with
``Store.add_many_with_flags(events, names=blame.session_names(session), now=...)``, which
flags each row as a typed entry is flagged, in the same transaction as the events (the
``timeline import`` command does; ``add_many`` would skip the detector).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from pendulum import DateTime

from pmconsole.domain.model import EventKind, Session, TimelineEvent
from pmconsole.domain.text import clean_text
from pmconsole.domain.times import TimeParseError, parse_time

REQUIRED = ("time", "kind", "text")
OPTIONAL = ("link",)
_KINDS = ", ".join(kind.value for kind in EventKind)


class CsvImportFailed(ValueError):
    """A CSV timeline that cannot be imported; ``str(error)`` names the row and problem."""


def parse_timeline_csv(
    text: str, *, session: Session, now: DateTime
) -> tuple[list[TimelineEvent], list[str]]:
    """Timeline events for ``session`` read from CSV text, and warnings about the file.

    Raises ``CsvImportFailed`` for the first bad row; nothing is returned in that case.
    """
    if session.id is None:
        raise ValueError("the session must be saved before events can be added to it")
    text = text.removeprefix("\ufeff")
    # strict: a stray quote fails with its row number instead of silently merging fields.
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True, strict=True)
    rows = _rows(reader)
    try:
        _, header = next(rows)
    except StopIteration:
        raise CsvImportFailed("the file is empty: the first row must be the header "
                              "time,kind,text,link") from None
    columns, warnings = _columns(header)

    events: list[TimelineEvent] = []
    previous: DateTime | None = None
    backwards: list[int] = []
    base_date = session.incident_date
    for number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            raise CsvImportFailed(
                f"row {number}: {len(cells)} cells but the header has {len(header)} "
                "(put text that contains commas in double quotes)")

        def cell(name: str, cells: list[str] = cells) -> str:
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        try:
            at = parse_time(cell("time"), tz=session.timezone, now=now, base_date=base_date)
        except TimeParseError as error:
            raise CsvImportFailed(f"row {number}: time {_short(cell('time'))}: {error}") from None
        kind_text = cell("kind").lower()
        try:
            kind = EventKind(kind_text) if kind_text else EventKind.OTHER
        except ValueError:
            raise CsvImportFailed(f"row {number}: unknown kind {_short(cell('kind'))} "
                                  f"(expected one of {_KINDS})") from None
        event_text = clean_text(cell("text")).strip()
        if not event_text:
            raise CsvImportFailed(f"row {number}: the text is empty")
        at = at.in_timezone("UTC")
        if previous is not None and at < previous:
            backwards.append(number)
        previous = at
        events.append(TimelineEvent(
            session_id=session.id,
            at=at,
            text=event_text,
            kind=kind,
            link=clean_text(cell("link"), multiline=False).strip(),
        ))
    if backwards:
        shown = ", ".join(str(n) for n in backwards[:5]) + (", ..." if len(backwards) > 5 else "")
        which = f"rows {shown} are" if len(backwards) > 1 else f"row {shown} is"
        warnings.append(
            f"{which} earlier than the row before; the timeline shows events by time (if the "
            "incident crossed midnight, write the date with the time)")
    if not events:
        warnings.append("the file has no rows after the header")
    return events, warnings


def not_yet_in(
    events: Sequence[TimelineEvent], timeline: Iterable[TimelineEvent]
) -> tuple[list[TimelineEvent], int]:
    """The events the timeline does not hold yet (same moment, kind, text and link), and
    how many it does: importing a file again, or a longer copy of it, adds only what is
    new instead of doubling the timeline."""
    def key(event: TimelineEvent) -> tuple[float, EventKind, str, str]:
        # The instant, not the aware time: == across zones fails for a repeated local hour.
        return (event.at.timestamp(), event.kind, event.text, event.link)

    seen = {key(e) for e in timeline}
    fresh = [e for e in events if key(e) not in seen]
    return fresh, len(events) - len(fresh)


def _rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) for each record; csv errors name the row."""
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvImportFailed(f"row {number}: {_csv_problem(error)}") from None
        yield number, cells


def _csv_problem(error: csv.Error) -> str:
    text = str(error)
    if "expected after" in text:
        return ("text follows a closing quote (write a quote inside quoted text as two "
                'quotes: "say ""hi""")')
    if "unexpected end of data" in text:
        return "a quoted field is not closed before the end of the file"
    if "field limit" in text:
        return f"a field is longer than {csv.field_size_limit():,} characters"
    return text


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Where each known column is; warnings for the columns ignored."""
    names = [clean_text(name, multiline=False).strip().lower() for name in header]
    if len(names) == 1 and names[0].count(";") >= 2:
        raise CsvImportFailed("row 1: the columns are separated by semicolons; separate "
                              "them with commas")
    columns: dict[str, int] = {}
    ignored = []
    for index, name in enumerate(names):
        if name in REQUIRED or name in OPTIONAL:
            if name in columns:
                raise CsvImportFailed(f"row 1: the column {name!r} appears twice")
            columns[name] = index
        else:
            ignored.append(repr(header[index].strip()) if name else f"column {index + 1} "
                           "(no name)")
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise CsvImportFailed(
            f"row 1: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)} (the header must have time, kind, text and optionally link)")
    warnings = []
    if ignored:
        warnings.append(f"ignored column{'s' if len(ignored) > 1 else ''} "
                        f"{', '.join(ignored)}: pmconsole reads time, kind, text and link")
    return columns, warnings


def _short(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:39] + "…")
