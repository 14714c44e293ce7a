"""Commands: export a session (Markdown minutes or JSON), import a JSON session, import a
timeline from CSV.

None of these imports Textual. ``export`` opens the database read-only, so it works on a
file that cannot be written and never changes the one it reads.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import pendulum

from pmconsole.cli.base import fail, main, opened_store, session_or_fail
from pmconsole.domain.model import BlameFlag, Session, TimelineEvent
from pmconsole.domain.text import clean_text
from pmconsole.exchange.files import (
    MAX_IMPORT_BYTES,
    UnreadableFile,
    WouldOverwrite,
    read_text_file,
    safe_filename,
    write_text_atomic,
)
from pmconsole.exchange.json_io import ImportFailed, dump_session, load_session
from pmconsole.exchange.minutes import render_minutes
from pmconsole.exchange.timeline_csv import CsvImportFailed, not_yet_in, parse_timeline_csv
from pmconsole.store.review import linked_titles

# Files read by import: far above any real session or timeline, and safe to hold in memory.
MAX_FILE_BYTES = MAX_IMPORT_BYTES


def _read_text(path: Path) -> str:
    """A UTF-8 text file (a byte-order mark is allowed); one-line error and exit otherwise."""
    try:
        return read_text_file(path, limit=MAX_FILE_BYTES)
    except UnreadableFile as error:
        fail(str(error))


def _write_stdout(text: str) -> None:
    """UTF-8 whatever the terminal's locale says; a closed pipe (``| head``) is not an error."""
    try:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # stdout replaced by a text-only stream
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            buffer.write(text.encode("utf-8"))
            buffer.flush()
    except BrokenPipeError:
        # Point stdout at nothing so the interpreter's final flush does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)


@main.command("export")
@click.argument("session_id", metavar="SESSION", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json"], case_sensitive=False),
    default=None,
    help="md: Markdown minutes (default); json: the session for `pmconsole import`. "
    "Without it, a PATH ending in .json means json.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="File to write, or a folder to write a file named after the session in. "
    "Default: standard output.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.pass_context
def export_command(
    ctx: click.Context, session_id: int, fmt: str | None, output: Path | None, force: bool
) -> None:
    """Export a session as Markdown minutes or as JSON.

    The file is written completely under a temporary name and then moved into place, so it
    is never left half-written; an existing file is only replaced with --force.
    """
    if fmt is None:
        fmt = "json" if output is not None and output.suffix.lower() == ".json" else "md"
    fmt = fmt.lower()
    with opened_store(ctx, readonly=True) as store:
        session = session_or_fail(store, session_id)
        record = store.load(session_id)
        if fmt == "json":
            text = dump_session(record)
        else:
            text = render_minutes(
                record, linked=linked_titles(store, session), now=pendulum.now("UTC")
            )
    if output is None:
        _write_stdout(text)
        return
    target = output / safe_filename(session.title, fmt) if output.is_dir() else output
    if not target.parent.is_dir():
        fail(f"cannot write {target}: the folder {target.parent} does not exist")
    try:
        write_text_atomic(target, text, force=force)
    except WouldOverwrite as error:
        fail(f"{error}; use --force to replace it")
    except OSError as error:
        fail(f"cannot write {target}: {error.strerror or error}")
    click.echo(str(target))


@main.command("import")
@click.argument("file", metavar="FILE.json", type=click.Path(path_type=Path))
@click.pass_context
def import_command(ctx: click.Context, file: Path) -> None:
    """Import a session exported with `pmconsole export --format json`; prints its new id.

    The session is added as a new one (with everything in it) or, if the file has any
    problem, not at all.
    """
    text = _read_text(file)
    try:
        record = load_session(text)
    except ImportFailed as error:
        fail(f"{file}: {error}")
    with opened_store(ctx) as store:
        new_id = store.import_record(record)
    click.echo(new_id)


@main.group("timeline")
def timeline_group() -> None:
    """Work with a session's timeline from the command line."""


@timeline_group.command("import")
@click.argument("session_id", metavar="SESSION", type=int)
@click.argument("file", metavar="FILE.csv", type=click.Path(path_type=Path))
@click.pass_context
def timeline_import_command(ctx: click.Context, session_id: int, file: Path) -> None:
    """Add timeline events from a CSV file with the columns time,kind,text[,link].

    Times take the forms the app accepts (14:32, 2026-11-20 14:32, ISO 8601 with an
    offset); bare times fall on the incident's date in the session's timezone. Every row
    is added, or, if any row is bad, none is.

    Rows with blameful wording ("Dave forgot to renew the cert") are flagged as if typed
    in the console: the flags are listed here, marked with a flag in the console and
    listed in the minutes.
    """
    from pmconsole.domain.blame import session_names

    text = _read_text(file)
    now = pendulum.now("UTC")
    with opened_store(ctx, must_exist=True) as store:
        session = session_or_fail(store, session_id)
        try:
            events, warnings = parse_timeline_csv(text, session=session, now=now)
        except CsvImportFailed as error:
            fail(f"{file}: {error}")
        for warning in warnings:
            click.echo(f"pmconsole: warning: {file}: {warning}", err=True)
        events, known = not_yet_in(events, store.list_children(TimelineEvent, session_id))
        # One transaction for the whole file: all the events and their blame flags are
        # saved, or none. The flags are the ones typing each row in the console would raise.
        saved, flags = store.add_many_with_flags(events, names=session_names(session), now=now)
    noun = "event" if len(events) == 1 else "events"
    lines = [f"{len(events)} timeline {noun} added to session {session_id}"]
    if known:
        lines.append(f"{known} row{'s were' if known != 1 else ' was'} already in the timeline "
                     "and left out")
    if flags:
        lines.extend(_flag_lines(session, saved, flags))
    _write_stdout("".join(line + "\n" for line in lines))


# How many flagged phrases ``timeline import`` lists; the console and the minutes have them all.
_FLAGS_SHOWN = 20


def _flag_lines(session: Session, events: list[TimelineEvent], flags: list[BlameFlag]) -> list[str]:
    """What ``timeline import`` says about the blameful wording it flagged."""
    at = {event.id: event.at.in_timezone(session.timezone) for event in events}
    count = f"{len(flags)} phrase{'s' if len(flags) != 1 else ''}"
    lines = [f"{count} flagged as blameful (open; in the console, press f on the event "
             "for a reframe):"]
    for flag in flags[:_FLAGS_SHOWN]:
        moment = at[flag.entity_id]
        when = moment.format("YYYY-MM-DD HH:mm:ss" if moment.second else "YYYY-MM-DD HH:mm")
        phrase = " ".join(clean_text(flag.phrase).split())
        lines.append(f"  {when}  {flag.category.value}: {phrase}")
    if len(flags) > _FLAGS_SHOWN:
        lines.append(f"  ... and {len(flags) - _FLAGS_SHOWN} more")
    return lines
