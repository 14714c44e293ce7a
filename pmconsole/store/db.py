"""Opening the SQLite file safely: validate before touching, refuse what we do not understand.

The order matters. A file is first opened read-only and checked (is it SQLite, does
``quick_check`` pass, does this build know every migration it has applied). Only a file
that passes is opened for writing, switched to WAL and migrated, so a damaged file, or
one from a newer build, is never modified, and no ``-wal``/``-shm`` file is left beside it.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from pathlib import Path

from pmconsole.store import migrations
from pmconsole.store.errors import (
    DatabaseDamaged,
    DatabaseLocked,
    DatabaseTooNew,
    DatabaseUnavailable,
)

BUSY_TIMEOUT_SECONDS = 5.0
_SQLITE_HEADER = b"SQLite format 3\x00"


def _uri(path: Path, **params: str) -> str:
    query = urllib.parse.urlencode(params)
    return f"file:{urllib.parse.quote(str(path.resolve()))}?{query}"


def _is_locked(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _check_header(path: Path) -> bytes:
    """Reject a file that is clearly not SQLite without asking SQLite to open it.

    Returns the first 100 bytes (empty for a 0-byte file).
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(100)
    except PermissionError as error:
        raise DatabaseUnavailable(path, "cannot be read (permission denied)") from error
    except OSError as error:
        raise DatabaseUnavailable(path, f"cannot be read ({error.strerror})") from error
    if not head:
        return head  # A 0-byte file is an empty SQLite database.
    if not head.startswith(_SQLITE_HEADER):
        raise DatabaseDamaged(path, "is not a pmconsole database (not an SQLite file)")
    if len(head) < 100:
        raise DatabaseDamaged(path, "is truncated (shorter than an SQLite header)")
    return head


def _damaged(path: Path, error: Exception) -> DatabaseDamaged:
    # SQLite's messages can quote bytes of a damaged schema; keep the message one line.
    detail = " ".join(str(error).split())
    if isinstance(error, UnicodeDecodeError):
        detail = "text that is not valid UTF-8"
    return DatabaseDamaged(path, f"is damaged ({detail})")


def _open_readonly(path: Path) -> sqlite3.Connection:
    """Open without any chance of writing; fall back to immutable for read-only folders."""
    conn = sqlite3.connect(_uri(path, mode="ro"), uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as error:
        conn.close()
        if _is_locked(error):
            raise DatabaseLocked(path) from error
        # A WAL database in a folder we cannot write cannot create its -shm file;
        # immutable=1 reads the main file as it is.
        return sqlite3.connect(_uri(path, mode="ro", immutable="1"), uri=True)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        conn.close()
        raise _damaged(path, error) from error


def _open_probe(path: Path, head: bytes) -> sqlite3.Connection:
    """A read-only connection for validation that creates no file next to ``path``.

    Reading a WAL-mode database (header bytes 18-19 are 2) normally creates ``-wal`` and
    ``-shm`` files beside it. When there is no ``-wal`` file, every committed page is in
    the main file, so it can be read with ``immutable=1``, which creates nothing: a file
    we go on to refuse is then left exactly as we found it. With a ``-wal`` present
    (another program has it open, or one crashed), its content must be read too.
    """
    wal_mode = len(head) >= 20 and head[18] == 2 and head[19] == 2
    if wal_mode and not Path(f"{path}-wal").exists():
        return sqlite3.connect(_uri(path, mode="ro", immutable="1"), uri=True)
    return _open_readonly(path)


def _user_tables(tables: set[str]) -> set[str]:
    return {t for t in tables if not t.startswith("sqlite_") and t != "_sqlite_migrations"}


def _validate(conn: sqlite3.Connection, path: Path) -> None:
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        if isinstance(error, sqlite3.OperationalError) and _is_locked(error):
            raise DatabaseLocked(path) from error
        raise _damaged(path, error) from error
    if [tuple(r) for r in rows] != [("ok",)]:
        first = " ".join(str(rows[0][0]).split()) if rows else "no result"
        raise DatabaseDamaged(path, f"is damaged (integrity check: {first})")
    try:
        applied = migrations.applied(conn)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        raise _damaged(path, error) from error
    # Tables but no migration of ours: someone else's database (perhaps also migrated
    # with sqlite-utils, under another set name). Migrating it would add our tables to it.
    if _user_tables(tables) and not applied:
        raise DatabaseDamaged(path, "is an SQLite file but not a pmconsole database")
    unknown = sorted(applied - migrations.KNOWN)
    if unknown:
        raise DatabaseTooNew(path, unknown)


def open_database(path: Path, *, readonly: bool = False) -> tuple[sqlite3.Connection, bool]:
    """Open (creating if missing) and validate the database at ``path``.

    Returns the connection and whether it is read-only. A file that cannot be written
    is opened read-only rather than refused; a damaged, foreign, newer or locked file
    raises a ``StoreError`` subclass and is left exactly as it was.
    """
    path = Path(path)
    if path.exists():
        if path.is_dir():
            raise DatabaseUnavailable(path, "is a folder, not a database file")
        head = _check_header(path)
        probe = _open_probe(path, head)
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
        return _readonly_database(path), True

    conn: sqlite3.Connection | None = None
    try:
        # The timeout is read here, at call time, so tests can shorten it.
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS)
        # Autocommit at the driver level: every write goes through Store.transaction() (or,
        # for a migration, sqlite-utils' atomic()).
        conn.isolation_level = None
        _connection_pragmas(conn)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise DatabaseUnavailable(path, f"cannot use write-ahead logging (mode {mode})")
        conn.execute("PRAGMA synchronous = FULL")
        migrations.apply(conn)
    except sqlite3.OperationalError as error:
        if conn is not None:
            conn.close()
        if _is_locked(error):
            raise DatabaseLocked(path) from error
        if "readonly" in str(error).lower() or "read-only" in str(error).lower():
            return _readonly_database(path), True
        raise DatabaseUnavailable(path, f"cannot be opened ({error})") from error
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        if conn is not None:
            conn.close()
        raise _damaged(path, error) from error
    except BaseException:
        if conn is not None:
            conn.close()
        raise
    return conn, False


def _readonly_database(path: Path) -> sqlite3.Connection:
    """A read-only database; one that needs migrating cannot be, so it is handled here.

    An empty file (0 bytes, or SQLite with no tables yet) reads as an empty in-memory
    database with the full schema. A file that needs a migration it cannot be given is
    refused rather than read with a schema this build does not expect.
    """
    conn = _open_readonly(path)
    try:
        conn.execute("PRAGMA recursive_triggers = ON")  # as on every open (see _connection_pragmas)
        pending = migrations.pending(conn)
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        conn.close()
        raise _damaged(path, error) from error
    if pending:
        conn.close()
        if _user_tables(tables):
            raise DatabaseUnavailable(
                path, "needs upgrading by this version of pmconsole, but it is read-only")
        return open_memory()
    return conn


def open_memory() -> sqlite3.Connection:
    """An in-memory database with the full schema, for tests and benchmarks."""
    conn = sqlite3.connect(":memory:")
    conn.isolation_level = None
    _connection_pragmas(conn)
    migrations.apply(conn)
    return conn


def _connection_pragmas(conn: sqlite3.Connection) -> None:
    """Settings that last as long as the connection, so every open sets them.

    Recursive triggers: sqlite-utils switches them on whenever it wraps a connection, and its
    FTS triggers rely on it (a REPLACE that deletes a row fires the delete trigger that takes
    the row out of the search index only then). The store no longer wraps the connection
    unless it migrates, so it asks for them itself.
    """
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA recursive_triggers = ON")
