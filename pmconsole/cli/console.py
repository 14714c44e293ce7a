"""Commands that open the console: the bare ``pmconsole``, ``open`` and ``demo``.

Textual is imported inside the functions, so these commands cost nothing to the others.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pmconsole.cli.base import db_path_of, fail, main
from pmconsole.store.errors import StoreError
from pmconsole.store.repository import Store

if TYPE_CHECKING:
    from pendulum import Date


def run_console(db_path: Path, session_id: int | None = None) -> None:
    """Open the database (read-only if it cannot be written) and run the console."""
    # Start-up (Textual's import, the widgets, the session) makes a few hundred thousand
    # objects that live as long as the app; the cyclic collector would walk them again and
    # again meanwhile, for nothing. The app turns it back on, and freezes what start-up
    # made, once its first frame is on screen (PostMortemApp.on_ready).
    gc.disable()
    if session_id is not None and not db_path.exists() and not db_path.is_symlink():
        # A session in a file that is not there: a mistyped path, not a new database.
        fail(f"{db_path}: does not exist.")
    try:
        store = Store.open(db_path)
    except StoreError as error:
        fail(str(error))
    if session_id is not None:
        try:
            store.get_session(session_id)
        except StoreError:
            store.close()
            fail(f"no session with id {session_id} in {db_path}")
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


def demo_db_path(ctx: click.Context) -> Path:
    """The demo keeps its own database unless --db or PMCONSOLE_DB names one."""
    import os

    from pmconsole.paths import DB_ENV

    root = ctx.find_root()
    explicit = root.params.get("db_path") or os.environ.get(DB_ENV)
    if explicit:
        return db_path_of(ctx)
    import platformdirs

    return platformdirs.user_data_path("pmconsole") / "demo.db"


def seed_demo(store: Store, today: Date | None = None) -> int:
    """Put the demo sessions into ``store`` unless already there; returns the demo's id."""
    import pendulum

    from pmconsole.domain.agenda import DEFAULT_AGENDA
    from pmconsole.domain.demo import demo_records

    records = demo_records(today or pendulum.today().date(), DEFAULT_AGENDA)
    main_title = records[0].session.title
    for session in store.list_sessions():
        if session.title == main_title:
            assert session.id is not None
            return session.id
    # One transaction: an interrupted first run leaves no partial demo to duplicate later.
    with store.transaction():
        ids = [store.import_record(record) for record in reversed(records)]
    return ids[-1]


@main.command()
@click.option("--fresh", is_flag=True, help="Start the demo over from its original content.")
@click.pass_context
def demo(ctx: click.Context, fresh: bool) -> None:
    """Open the console on a demo post-mortem (kept in its own database)."""
    path = demo_db_path(ctx)
    if fresh and path.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    try:
        store = Store.open(path)
        session_id = seed_demo(store)
        store.close()
    except StoreError as error:
        fail(str(error))
    run_console(path, session_id)
