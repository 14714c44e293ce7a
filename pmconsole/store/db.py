"""Opening the SQLite file safely: validate before touching, refuse what we do not understand.

The order matters. A file is first opened read-only and checked (is it SQLite, does
``quick_check`` pass, does this build know every migration it has applied). Only a file
that passes is opened for writing, switched to WAL and migrated, so a damaged file, or
one from a newer build, is never modified.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from pathlib import Path

import sqlite_utils

from pmconsole.store.errors import (
    DatabaseDamaged,
    DatabaseLocked,
    DatabaseTooNew,
    DatabaseUnavailable,
)
from pmconsole.store.migrations import MIGRATION_SET_NAME, migrations

BUSY_TIMEOUT_SECONDS = 5.0
_SQLITE_HEADER = b"SQLite format 3\x00"


def _uri(path: Path, **params: str) -> str:
    query = urllib.parse.urlencode(params)
    return f"file:{urllib.parse.quote(str(path.resolve()))}?{query}"


def _is_locked(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _check_header(path: Path) -> None:
    """Reject a file that is clearly not SQLite without asking SQLite to open it."""
    try:
        with path.open("rb") as handle:
            head = handle.read(100)
    except PermissionError as error:
        raise DatabaseUnavailable(path, "cannot be read (permission denied)") from error
    except OSError as error:
        raise DatabaseUnavailable(path, f"cannot be read ({error.strerror})") from error
    if not head:
        return  # A 0-byte file is an empty SQLite database.
    if not head.startswith(_SQLITE_HEADER):
        raise DatabaseDamaged(path, "is not a pmconsole database (not an SQLite file)")
    if len(head) < 100:
        raise DatabaseDamaged(path, "is truncated (shorter than an SQLite header)")


def _open_readonly(path: Path) -> sqlite3.Connection:
    """Open without any chance of writing; fall back to immutable for read-only folders."""
    try:
        conn = sqlite3.connect(_uri(path, mode="ro"), uri=True, timeout=BUSY_TIMEOUT_SECONDS)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as error:
        if _is_locked(error):
            raise DatabaseLocked(path) from error
        # A WAL database in a folder we cannot write cannot create its -shm file;
        # immutable=1 reads the main file as it is.
        conn = sqlite3.connect(_uri(path, mode="ro", immutable="1"), uri=True)
        return conn


def _validate(conn: sqlite3.Connection, path: Path) -> None:
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as error:
        if _is_locked(error):
            raise DatabaseLocked(path) from error
        raise DatabaseDamaged(path, f"is damaged ({error})") from error
    if [tuple(r) for r in rows] != [("ok",)]:
        raise DatabaseDamaged(path, f"is damaged (integrity check: {rows[0][0]})")
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as error:
        raise DatabaseDamaged(path, f"is damaged ({error})") from error
    if tables and "_sqlite_migrations" not in tables:
        raise DatabaseDamaged(path, "is an SQLite file but not a pmconsole database")
    if "_sqlite_migrations" in tables:
        applied = {
            r[0]
            for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?",
                [MIGRATION_SET_NAME],
            )
        }
        known = {m.name for m in migrations._migrations}
        unknown = sorted(applied - known)
        if unknown:
            raise DatabaseTooNew(path, unknown)


def open_database(path: Path, *, readonly: bool = False) -> tuple[sqlite_utils.Database, bool]:
    """Open (creating if missing) and validate the database at ``path``.

    Returns the database and whether it is read-only. A file that cannot be written
    is opened read-only rather than refused; a damaged, foreign, newer or locked file
    raises a ``StoreError`` subclass and is left exactly as it was.
    """
    path = Path(path)
    if path.exists():
        if path.is_dir():
            raise DatabaseUnavailable(path, "is a folder, not a database file")
        _check_header(path)
        probe = _open_readonly(path)
        try:
            _validate(probe, path)
        finally:
            probe.close()
        writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    else:
        if readonly:
            raise DatabaseUnavailable(path, "does not exist")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable(path, f"cannot be created ({error.strerror})") from error
        writable = True

    if readonly or not writable:
        conn = _open_readonly(path)
        return sqlite_utils.Database(conn), True

    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
        # Autocommit at the driver level: every write goes through db.atomic().
        conn.isolation_level = None
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = %d" % int(BUSY_TIMEOUT_SECONDS * 1000))
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise DatabaseUnavailable(path, f"cannot use write-ahead logging (mode {mode})")
        db.execute("PRAGMA synchronous = FULL")
        migrations.apply(db)
    except sqlite3.OperationalError as error:
        if _is_locked(error):
            raise DatabaseLocked(path) from error
        if "readonly" in str(error).lower() or "read-only" in str(error).lower():
            conn = _open_readonly(path)
            return sqlite_utils.Database(conn), True
        raise DatabaseUnavailable(path, f"cannot be opened ({error})") from error
    except sqlite3.DatabaseError as error:
        raise DatabaseDamaged(path, f"is damaged ({error})") from error
    return db, False


def open_memory() -> sqlite_utils.Database:
    """An in-memory database with the full schema, for tests and benchmarks."""
    conn = sqlite3.connect(":memory:")
    conn.isolation_level = None
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    migrations.apply(db)
    return db
