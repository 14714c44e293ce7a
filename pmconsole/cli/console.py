"""Commands that open the console: the bare ``pmconsole``, ``open`` and ``demo``.

Textual is imported inside the functions, so these commands cost nothing to the others.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pmconsole.cli.base import db_path_of, fail, main
from pmconsole.store.errors import StoreError
from pmconsole.store.repository import Store

if TYPE_CHECKING:
    from pendulum import Date

    from pmconsole.domain.model import SessionRecord


def terminal_problem() -> str | None:
    """Why the console cannot run here, or None: it reads keys from standard input and
    draws on standard error, so both must be a terminal (unless textual-serve runs it, with
    the browser for a terminal).

    Without this check, Textual started with its input from a file or a pipe reads end of
    file in a loop at full CPU, for ever, and shows nothing.
    """
    if os.environ.get("TEXTUAL_DRIVER"):
        return None
    for name, stream in (("standard input", sys.__stdin__), ("standard error", sys.__stderr__)):
        try:
            if stream is not None and os.isatty(stream.fileno()):
                continue
        except (OSError, ValueError):
            pass
        return (f"the console needs a terminal, and its {name} is not one; run it in a "
                "terminal, or share it in a browser with `pmconsole serve`.")
    return None


def run_console(db_path: Path, session_id: int | None = None, *, store: Store | None = None) -> None:
    """Open the database (read-only if it cannot be written) and run the console; or run
    it on ``store``, opened already (the demo's, just seeded: no second open)."""
    # Start-up (Textual's import, the widgets, the session) makes a few hundred thousand
    # objects that live as long as the app; the cyclic collector would walk them again and
    # again meanwhile, for nothing. The app turns it back on, and freezes what start-up
    # made, once its first frame is on screen (PostMortemApp.on_ready).
    gc.disable()
    problem = terminal_problem()
    if store is None:
        missing = not db_path.exists() and not db_path.is_symlink()
        if session_id is not None and missing:
            # A session in a file that is not there: a mistyped path, not a new database.
            fail(f"{db_path}: does not exist.")
        if missing and problem is not None:
            fail(problem)  # before the new database is created, for a console that cannot run
        try:
            # Without a terminal the database is still checked, so a damaged file or a wrong
            # session gets its own message, but read-only: nothing is written or merged.
            store = Store.open(db_path, readonly=problem is not None)
        except StoreError as error:
            fail(str(error))
    if session_id is not None:
        try:
            store.get_session(session_id)
        except StoreError:
            store.close()
            fail(f"no session with id {session_id} in {db_path}")
    if problem is not None:  # after the database's own refusals, which say more
        store.close()
        fail(problem)
    from pmconsole.tui.app import PostMortemApp

    app = PostMortemApp(store, session_id=session_id)
    try:
        app.run()
    finally:
        store.close()


@main.command("open")
@click.argument("session_id", metavar="SESSION", type=int)
@click.pass_context
def open_session(ctx: click.Context, session_id: int) -> None:
    """Open one session in the console."""
    run_console(db_path_of(ctx), session_id)


# The demo never uses the user's database. ``PMCONSOLE_DB`` names the real one, which must
# neither fill up with fake sessions (they would skew history and metrics) nor be deleted by
# ``--fresh``; so the demo ignores it. An explicit ``--db FILE`` is honoured only for a file
# that holds no sessions or is already a demo database, and ``--fresh`` deletes only the
# demo's own file or a file whose every session is the demo's. Which sessions are the demo's
# is recorded in the database itself (``Store.demo_sessions``), never guessed from titles.

DEMO_MEETING = 0  # the index, in the demo file, of the meeting the demo opens on


class NotADemoDatabase(StoreError):
    """The database holds sessions, none of them the demo's: the demo leaves it alone."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            f"{path}: is not a demo database (it holds sessions that are not the demo's) and "
            "was left as it was; run `pmconsole demo` without --db to use the demo's own database."
        )


def own_demo_db_path() -> Path:
    """The demo's own database, beside the default one in the user data folder."""
    import platformdirs

    return platformdirs.user_data_path("pmconsole") / "demo.db"


def demo_db_path(ctx: click.Context) -> Path:
    """``--db FILE`` if given, else the demo's own database; ``PMCONSOLE_DB`` is not used."""
    explicit = ctx.find_root().params.get("db_path")
    return Path(explicit) if explicit else own_demo_db_path()


def _is_own_demo_db(path: Path) -> bool:
    return path.resolve() == own_demo_db_path().resolve()


def _demo_records(today: Date | None = None) -> list[SessionRecord]:
    import pendulum

    from pmconsole.domain.agenda import DEFAULT_AGENDA
    from pmconsole.domain.demo import demo_records

    return demo_records(today or pendulum.today().date(), DEFAULT_AGENDA)


def _demo_session_ids(store: Store, *, by_title: bool) -> dict[int, int]:
    """The demo's sessions in ``store``, {session id: index in the demo file}.

    ``by_title`` is for the demo's own database written before the demo recorded its
    sessions: the titles are all that identifies them there, as they did then.
    """
    marked = store.demo_sessions()
    if marked is not None or not by_title:
        return marked or {}
    index = {record.session.title: i for i, record in enumerate(_demo_records())}
    return {s.id: index[s.title] for s in store.list_sessions()
            if s.id is not None and s.title in index}


def _by_index(ids: dict[int, int]) -> dict[int, int]:
    """{index in the demo file: session id}; the latest session where there are several."""
    found: dict[int, int] = {}
    for session_id, index in sorted(ids.items()):
        found[index] = session_id
    return found


def seed_demo(store: Store, today: Date | None = None, *, own_database: bool = False) -> int:
    """Put the demo sessions into ``store`` unless already there; returns the demo's id.

    Refuses (``NotADemoDatabase``) a store that holds sessions none of which is the demo's,
    unless it is the demo's own database. Once the demo is there, only its meeting is put
    back if it was deleted: the other sessions stay as the user left them (``--fresh``
    restores everything).
    """
    found = _by_index(store.demo_sessions() or {})
    if DEMO_MEETING in found:
        return found[DEMO_MEETING]
    records = _demo_records(today)
    # One transaction, which takes the write lock before looking: an interrupted first run
    # leaves no partial demo, and two demos started at once do not both seed it.
    with store.transaction():
        if own_database and store.demo_sessions() is None:
            for session_id, index in _demo_session_ids(store, by_title=True).items():
                store.mark_demo_session(session_id, index)
        found = _by_index(store.demo_sessions() or {})
        if not found and not own_database and store.list_sessions():
            raise NotADemoDatabase(store.name)
        if not found:
            missing: list[int] = list(range(len(records)))
        else:
            missing = [] if DEMO_MEETING in found else [DEMO_MEETING]
        # The meeting last, so that it has the highest id, as it always had.
        for index in reversed(missing):
            session_id = store.import_record(records[index])
            store.mark_demo_session(session_id, index)
            found[index] = session_id
    return found[DEMO_MEETING]


def _census(path: Path, *, own: bool) -> tuple[int, int] | None:
    """(sessions, of which the demo's) in the file at ``path``, read without writing a byte;
    None when there is no file. Raises ``StoreError`` for a file that cannot be read."""
    if not path.exists() and not path.is_symlink():
        return None
    store = Store.open(path, readonly=True)
    try:
        total = len(store.list_sessions())
        demo_sessions = len(_demo_session_ids(store, by_title=own))
    finally:
        store.close()
    return total, demo_sessions


def _delete_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


@main.command()
@click.option("--fresh", is_flag=True,
              help="Start the demo over from its original content (deletes only a demo database).")
@click.pass_context
def demo(ctx: click.Context, fresh: bool) -> None:
    """Open the console on a demo post-mortem (kept in its own database)."""
    from pmconsole.store.errors import DatabaseDamaged

    path = demo_db_path(ctx)
    own = _is_own_demo_db(path)
    census = None
    start_over = False  # --fresh: delete the demo's database before seeding it again
    # Look before writing: at a file the user named, and at whatever --fresh would delete.
    # (The demo's own file, opened plainly, is seeded below; no second open to start up.)
    if fresh or not own:
        try:
            census = _census(path, own=own)
        except DatabaseDamaged as error:
            # The demo's own file, damaged: starting over is the only way back to a working
            # demo, and no one names that file to keep their work in. A file the user named
            # (--db) is left exactly as it is.
            if not (own and fresh):
                fail(str(error))
            start_over = True
        except StoreError as error:
            fail(str(error))
    if census is not None:
        total, demo_sessions = census
        if not own and total and not demo_sessions:
            fail(str(NotADemoDatabase(path)))
        if fresh and total > demo_sessions:
            others = total - demo_sessions
            fail(f"{path}: holds {others} session{'s' if others > 1 else ''} that "
                 f"{'are' if others > 1 else 'is'} not the demo's; --fresh deleted nothing "
                 "(it deletes only a database that holds the demo alone).")
        start_over = fresh and demo_sessions > 0
    problem = terminal_problem()
    if problem is not None:  # before --fresh deletes anything or the demo is written
        fail(problem)
    if start_over:
        _delete_database(path)
    try:
        store = Store.open(path)
    except StoreError as error:
        fail(str(error))
    try:
        session_id = seed_demo(store, own_database=own)
    except StoreError as error:
        store.close()
        fail(str(error))
    run_console(path, session_id, store=store)
