"""The root ``pmconsole`` command and what every subcommand shares.

Nothing here imports Textual: ``pmconsole --help`` and the non-UI commands stay fast.
Commands that open the console import the ``tui`` package inside their function body.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

from pmconsole.store.errors import StoreError
from pmconsole.store.repository import Store

EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print a one-line error (no traceback) and exit."""
    click.echo(f"pmconsole: {message}", err=True)
    sys.exit(code)


# Which module defines each command. A command's module is imported only when that
# command runs (or for --help, which lists them all).
COMMAND_MODULES: dict[str, str] = {
    "open": "console", "demo": "console",
    "new": "sessions", "incident": "sessions", "list": "sessions", "metrics": "sessions",
    "export": "exchange", "import": "exchange", "timeline": "exchange",
    "actions": "review",
    "scripts": "scripts", "lint": "scripts", "invite": "scripts",
    "serve": "serve",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            import importlib

            importlib.import_module(f"pmconsole.cli.{COMMAND_MODULES[cmd_name]}")
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    # No dir_okay=False or readable check here: the store refuses a folder or an unreadable
    # file with the same one-line message as every other unusable database (click's would
    # be a three-line usage error).
    type=click.Path(readable=False, path_type=Path),
    metavar="FILE",
    help="Database file (default: $PMCONSOLE_DB, else the user data folder).",
)
@click.version_option(package_name="pmconsole")
@click.pass_context
def main(ctx: click.Context, db_path: Path | None) -> None:
    """pmconsole: run a blameless post-mortem meeting from the terminal.

    With no command, opens the console on the list of sessions.
    """
    from pmconsole.paths import default_db_path

    ctx.obj = db_path or default_db_path()
    if ctx.invoked_subcommand is None:
        from pmconsole.cli.console import run_console

        run_console(ctx.obj)


def db_path_of(ctx: click.Context) -> Path:
    obj = ctx.find_root().obj
    assert isinstance(obj, Path)
    return obj


@contextmanager
def opened_store(
    ctx: click.Context, *, readonly: bool = False, missing_ok: bool = False,
    must_exist: bool = False,
) -> Iterator[Store]:
    """The store for a command; a bad database ends the command with a clear message.

    With ``missing_ok`` (and ``readonly``), a database that does not exist yet reads as an
    empty one and nothing is created: ``pmconsole list`` before the first ``new`` is not
    an error. Commands about one session keep "does not exist", which points at a
    mistyped path; ``must_exist`` says so for commands that write (``incident``), which
    would otherwise create an empty database, and its folders, on the way to failing.
    """
    path = db_path_of(ctx)
    if must_exist and not path.exists() and not path.is_symlink():
        fail(f"{path}: does not exist.")
    try:
        if readonly and missing_ok and not path.exists() and not path.is_symlink():
            from pmconsole.store.db import open_memory

            store = Store(open_memory(), path=path, readonly=True)
        else:
            store = Store.open(path, readonly=readonly)
    except StoreError as error:
        fail(str(error))
    try:
        yield store
    except StoreError as error:
        fail(str(error))
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        # Damage that the integrity check on opening cannot see (it checks structure,
        # not every value): still a message, not a traceback.
        detail = " ".join(str(error).split())
        fail(f"{path}: cannot be read ({detail}).")
    finally:
        store.close()


def session_or_fail(store: Store, session_id: int):  # type: ignore[no-untyped-def]
    from pmconsole.store.errors import NotFound

    try:
        return store.get_session(session_id)
    except NotFound:
        fail(f"no session with id {session_id} in {store.name}")
