"""The Store: every read and write of sessions and their entries.

Each public mutation is one transaction, committed before the method returns; callers
show an edit as saved only after that. Rows go in and come out as domain dataclasses.

The store speaks to SQLite through the standard library's ``sqlite3``: its reads and
writes are plain statements that sqlite-utils would only wrap (at a cost per call
and, for importing it, a tenth of the console's start-up). sqlite-utils builds and
migrates the schema (``migrations``), and ``Store.db`` hands it out, on the same
connection, to scripts and tests that want its API.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pendulum import DateTime

from pmconsole.domain.model import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    BlameFlag,
    EntityKind,
    Finding,
    FlagStatus,
    ScriptUse,
    Session,
    SessionRecord,
    TimelineEvent,
)
from pmconsole.store.codec import from_row, to_row
from pmconsole.store.db import open_database, open_memory
from pmconsole.store.errors import (
    DatabaseLocked,
    NotFound,
    ReadOnlyDatabase,
    SaveFailed,
    StoreError,
)

if TYPE_CHECKING:
    import sqlite_utils

    from pmconsole.store.search import SearchHit

T = TypeVar("T")

_PART_FAILED = "Not saved: part of this edit failed, so none of it was kept."

TABLES: dict[type, str] = {
    Session: "sessions",
    AgendaItem: "agenda_items",
    TimelineEvent: "timeline_events",
    Finding: "findings",
    ActionItem: "action_items",
    ScriptUse: "script_uses",
    BlameFlag: "blame_flags",
}

# Entries whose order the user controls keep a position column; the others sort by meaning.
ORDER_BY: dict[type, str] = {
    AgendaItem: "position, id",
    TimelineEvent: "at, id",
    Finding: "position, id",
    ActionItem: "position, id",
    ScriptUse: "shown_at, id",
    BlameFlag: "id",
}

ENTITY_TABLES: dict[EntityKind, str] = {
    EntityKind.SESSION: "sessions",
    EntityKind.AGENDA: "agenda_items",
    EntityKind.TIMELINE: "timeline_events",
    EntityKind.FINDING: "findings",
    EntityKind.ACTION: "action_items",
    EntityKind.SCRIPT: "script_uses",
}

Child = AgendaItem | TimelineEvent | Finding | ActionItem | ScriptUse | BlameFlag
C = TypeVar("C", AgendaItem, TimelineEvent, Finding, ActionItem, ScriptUse, BlameFlag)
S = TypeVar("S", Session, AgendaItem, TimelineEvent, Finding, ActionItem, ScriptUse, BlameFlag)


class Store:
    """Sessions and their entries in one SQLite file."""

    def __init__(self, conn: sqlite3.Connection, *, path: Path | None, readonly: bool) -> None:
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self.path = path
        self.readonly = readonly
        # Test hook for fault injection: called inside every write transaction.
        self.before_commit: Callable[[], None] | None = None
        # How deep in Store.transaction() we are, and whether SQLite ended the transaction
        # under a nested write (see _nested).
        self._depth = 0
        self._aborted = False

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = False) -> Store:
        """Open or create the database file; raises a ``StoreError`` with a clear message."""
        conn, is_readonly = open_database(Path(path), readonly=readonly)
        return cls(conn, path=Path(path), readonly=is_readonly)

    @classmethod
    def memory(cls) -> Store:
        return cls(open_memory(), path=None, readonly=False)

    @property
    def db(self) -> sqlite_utils.Database:
        """The same connection as a sqlite-utils ``Database`` (imported on first use)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn, execute_plugins=False)
        return self._db

    def change_stamp(self) -> tuple[int, int]:
        """A value that changes whenever anyone (this connection or another) commits, so
        a screen can tell whether what it read is still current without reading it again."""
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        return int(version), self.conn.total_changes

    def close(self) -> None:
        self.conn.close()

    @property
    def name(self) -> str:
        return str(self.path) if self.path else ":memory:"

    # -- transactions -----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic write; any failure rolls it all back and raises a ``StoreError``.

        ``BEGIN IMMEDIATE`` takes the write lock up front, so a second pmconsole on the same
        file waits (up to the busy timeout) instead of failing when its first statement
        is a read. Nested calls become savepoints inside the outer transaction.
        """
        if self.readonly:
            raise ReadOnlyDatabase(self.name)
        conn = self.conn
        if self._depth or conn.in_transaction:
            yield from self._nested(conn)
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            self._depth, self._aborted = 1, False
            try:
                yield
                if self._aborted or not conn.in_transaction:
                    raise SaveFailed(_PART_FAILED)
                if self.before_commit is not None:
                    self.before_commit()
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise
            finally:
                self._depth, self._aborted = 0, False
        except StoreError:
            raise
        except sqlite3.OperationalError as error:
            text = str(error).lower()
            if "locked" in text or "busy" in text:
                raise DatabaseLocked(self.name) from error
            if "readonly" in text or "read-only" in text:
                raise ReadOnlyDatabase(self.name) from error
            raise SaveFailed(f"Not saved: {error}.") from error
        except Exception as error:
            # Whatever went wrong inside a write (a database error, text that cannot be
            # encoded, a bug), the transaction is rolled back and the caller hears one thing.
            raise SaveFailed(f"Not saved: {error}.") from error

    def _nested(self, conn: sqlite3.Connection) -> Iterator[None]:
        """A write inside another: a savepoint, undone alone if it fails. Some failures
        (a trigger's RAISE(ROLLBACK), a full disk) make SQLite end the whole transaction;
        then nothing of the outer edit can be saved either, even if its caller carries on:
        every later write in it, and its commit, fail with ``SaveFailed``."""
        if self._depth and not conn.in_transaction:
            self._aborted = True  # ended by SQLite under a statement whose error was caught
        if self._aborted:
            raise SaveFailed(_PART_FAILED)
        conn.execute("SAVEPOINT store_nested")
        self._depth += 1
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK TO store_nested")
                conn.execute("RELEASE store_nested")
            else:
                self._aborted = True
            raise
        finally:
            self._depth -= 1
        conn.execute("RELEASE store_nested")

    # -- generic helpers ----------------------------------------------------------------------

    def _select(self, table: str, where: str | None, params: Sequence[Any] = (), *,
                order_by: str | None = None) -> list[dict[str, Any]]:
        """The rows of one table, each as {column: value}."""
        sql = f"SELECT * FROM {table}"
        if where:
            sql += f" WHERE {where}"
        if order_by:
            sql += f" ORDER BY {order_by}"
        cursor = self.conn.execute(sql, params)
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]

    def _insert_row(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row (column names come from our dataclasses, never from the user)."""
        columns = ", ".join(f"[{name}]" for name in row)
        marks = ", ".join("?" * len(row))
        cursor = self.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                                   list(row.values()))
        new_id = cursor.lastrowid
        assert isinstance(new_id, int)
        return new_id

    def _update_row(self, table: str, entry_id: int, row: dict[str, Any]) -> None:
        assignments = ", ".join(f"[{name}] = ?" for name in row)
        self.conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*row.values(), entry_id])

    def _get(self, cls: type[S], entry_id: int) -> S:
        rows = self._select(TABLES[cls], "id = ?", [entry_id])
        if not rows:
            raise NotFound(f"No {cls.__name__} with id {entry_id}.")
        return from_row(cls, rows[0])

    def _insert(self, obj: S) -> S:
        row = to_row(obj)
        if isinstance(obj, AgendaItem | Finding | ActionItem) and "position" in row:
            row["position"] = self._next_position(type(obj), obj.session_id)
        new_id = self._insert_row(TABLES[type(obj)], row)
        return dataclasses.replace(
            obj, id=new_id, **({"position": row["position"]} if "position" in row else {})
        )  # type: ignore[return-value]

    def _next_position(self, cls: type, session_id: int) -> int:
        row = self.conn.execute(
            f"SELECT coalesce(max(position), -1) + 1 FROM {TABLES[cls]} WHERE session_id = ?",
            [session_id],
        ).fetchone()
        return int(row[0])

    def _list(self, cls: type[C], session_id: int) -> list[C]:
        rows = self._select(TABLES[cls], "session_id = ?", [session_id], order_by=ORDER_BY[cls])
        return [from_row(cls, r) for r in rows]

    # -- generic CRUD, public -----------------------------------------------------------------

    def add(self, obj: S) -> S:
        """Insert a new session or entry; returns it with its id (and position) set."""
        with self.transaction():
            return self._insert(obj)

    def add_many(self, objs: Iterable[Any]) -> list[Any]:
        """Insert several entries in one transaction: all of them or none."""
        with self.transaction():
            return [self._insert(obj) for obj in objs]

    def add_many_with_flags(
        self, entries: Iterable[Any], *, names: Sequence[str], now: DateTime
    ) -> tuple[list[Any], list[BlameFlag]]:
        """Insert new entries and the blame flags of their text, all in one transaction.

        What ``save_with_flags`` does for one typed entry, for entries that arrive in bulk
        (a CSV timeline import): each entry's text is read by the blame detector with the
        session's people (``names``, see ``blame.session_names``) and every match becomes an
        open flag on that entry, raised at ``now``. Every entry and every flag is saved, or,
        if anything fails, none.
        """
        # Imported here: the detector (its rules file, its patterns) is not needed to open a
        # database, and every command and the console's start-up open one.
        from pmconsole.domain.blame import SCANNED_TEXT, detect, to_flag

        entries = list(entries)
        # Detect before taking the write lock: a big file is scanned while others can write.
        found = []
        for entry in entries:
            entity, field = SCANNED_TEXT[type(entry)]
            found.append((entity, detect(getattr(entry, field), names=names)))
        saved: list[Any] = []
        flags: list[BlameFlag] = []
        with self.transaction():
            for entry, (entity, matches) in zip(entries, found, strict=True):
                obj = self._insert(entry)
                assert obj.id is not None
                saved.append(obj)
                flags.extend(
                    self._insert(to_flag(match, obj.session_id, entity, obj.id, now))
                    for match in matches
                )
        return saved, flags

    def update(self, obj: S, *, since: S | None = None) -> S:
        """Save an existing session or entry; returns it as it now is in the database.

        ``since`` is the entry as the caller last saw it: only the fields that differ from
        it are written, so what another instance changed in the other fields stays.
        Without it, every field is written.
        """
        assert obj.id is not None
        with self.transaction():
            self._write(obj, since)
            return self._get(type(obj), obj.id)

    def _write(self, obj: Any, since: Any | None) -> None:
        table = TABLES[type(obj)]
        if self.conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", [obj.id]).fetchone() is None:
            raise NotFound(f"That {type(obj).__name__} was deleted meanwhile.")
        row = to_row(obj)
        row.pop("id")
        if since is not None:
            before = to_row(since)
            row = {k: v for k, v in row.items() if before.get(k) != v}
        if row:
            self._update_row(table, obj.id, row)

    def update_many(self, objs: Iterable[Any]) -> None:
        """Save several existing entries together (e.g. two agenda items on "next")."""
        with self.transaction():
            for obj in objs:
                row = to_row(obj)
                row.pop("id")
                self._update_row(TABLES[type(obj)], obj.id, row)

    def delete(self, cls: type, entry_id: int) -> None:
        """Delete a session (with everything in it) or one entry."""
        with self.transaction():
            entity = _ENTITY_OF.get(cls)
            if entity is not None:
                self.conn.execute(
                    "DELETE FROM blame_flags WHERE entity = ? AND entity_id = ?",
                    [entity.value, entry_id],
                )
            self.conn.execute(f"DELETE FROM {TABLES[cls]} WHERE id = ?", [entry_id])

    def restore(self, entry: S, flags: Iterable[BlameFlag] = ()) -> S:
        """Put a deleted entry back as it was (undo): its id if no one has taken it since,
        its place in the order, and its blame flags with their status; one transaction."""
        cls = type(entry)
        table_name = TABLES[cls]
        with self.transaction():
            row = to_row(entry)
            taken = self.conn.execute(f"SELECT 1 FROM {table_name} WHERE id = ?", [entry.id]).fetchone()
            if taken:
                row.pop("id", None)
            if "position" in row:
                # Make room: the entries from its old place on move down one.
                self.conn.execute(
                    f"UPDATE {table_name} SET position = position + 1 WHERE session_id = ? AND position >= ?",
                    [row["session_id"], row["position"]],
                )
            new_id = self._insert_row(table_name, row)
            for flag in flags:
                flag_row = to_row(dataclasses.replace(flag, id=None, entity_id=new_id))
                flag_row.pop("id", None)
                self._insert_row("blame_flags", flag_row)
        return dataclasses.replace(entry, id=new_id)  # type: ignore[return-value]

    def get(self, cls: type[S], entry_id: int) -> S:
        return self._get(cls, entry_id)

    def move(self, cls: type[C], entry_id: int, delta: int) -> list[C]:
        """Move an ordered entry up (negative) or down (positive); returns the new order."""
        item = self._get(cls, entry_id)
        with self.transaction():
            items = self._list(cls, item.session_id)  # type: ignore[attr-defined]
            index = next(i for i, it in enumerate(items) if it.id == entry_id)
            target = max(0, min(len(items) - 1, index + delta))
            items.insert(target, items.pop(index))
            for position, it in enumerate(items):
                self.conn.execute(f"UPDATE {TABLES[cls]} SET position = ? WHERE id = ?", [position, it.id])
        return self._list(cls, item.session_id)  # type: ignore[attr-defined]

    # -- sessions ---------------------------------------------------------------------------

    def get_session(self, session_id: int) -> Session:
        return self._get(Session, session_id)

    def list_sessions(self) -> list[Session]:
        """Every session, newest first."""
        rows = self._select("sessions", None,
                            order_by="coalesce(scheduled, started, created) DESC, id DESC")
        return [from_row(Session, r) for r in rows]

    def action_counts(self, today: str) -> dict[int, tuple[int, int]]:
        """Per session: (open action items, of which overdue on ``today``, an ISO date)."""
        rows = self.conn.execute(
            """SELECT session_id,
                      sum(status IN ('open', 'in progress')),
                      sum(status IN ('open', 'in progress') AND due IS NOT NULL AND due < ?)
               FROM action_items GROUP BY session_id""",
            [today],
        ).fetchall()
        return {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in rows}

    def create_session(self, session: Session, agenda: Iterable[tuple[str, int]] = ()) -> Session:
        """Insert a session and its agenda in one transaction."""
        with self.transaction():
            saved = self._insert(session)
            assert saved.id is not None
            for title, minutes in agenda:
                self._insert(AgendaItem(session_id=saved.id, title=title, planned_minutes=minutes))
        return saved

    def load(self, session_id: int) -> SessionRecord:
        """A session with every entry, in display order.

        A follow-up session also lists the open action items of the session it follows up:
        the same rows, so a status changed here changes there.
        """
        session = self.get_session(session_id)
        actions = self._list(ActionItem, session_id)
        if session.follows_up is not None:
            inherited = [
                from_row(ActionItem, r)
                for r in self._select(
                    "action_items", "session_id = ?", [session.follows_up], order_by="position, id"
                )
            ]
            actions = inherited + actions
        return SessionRecord(
            session=session,
            agenda=tuple(self._list(AgendaItem, session_id)),
            timeline=tuple(self._list(TimelineEvent, session_id)),
            findings=tuple(self._list(Finding, session_id)),
            actions=tuple(actions),
            script_uses=tuple(self._list(ScriptUse, session_id)),
            flags=tuple(self._list(BlameFlag, session_id)),
        )

    def list_children(self, cls: type[C], session_id: int) -> list[C]:
        return self._list(cls, session_id)

    def import_record(self, record: SessionRecord) -> int:
        """Insert a whole session as a new one (ids renumbered); all or nothing."""
        with self.transaction():
            session = self._insert(dataclasses.replace(record.session, id=None))
            assert session.id is not None
            new_ids: dict[tuple[EntityKind, int], int] = {}
            for entity, entries in (
                (EntityKind.AGENDA, record.agenda),
                (EntityKind.TIMELINE, record.timeline),
                (EntityKind.FINDING, record.findings),
                (EntityKind.ACTION, record.actions),
                (EntityKind.SCRIPT, record.script_uses),
            ):
                for entry in entries:
                    saved = self._insert(dataclasses.replace(entry, id=None, session_id=session.id))  # type: ignore[type-var]
                    if entry.id is not None and saved.id is not None:
                        new_ids[(entity, entry.id)] = saved.id
            for flag in record.flags:
                entity_id = (
                    session.id
                    if flag.entity is EntityKind.SESSION
                    else new_ids.get((flag.entity, flag.entity_id), flag.entity_id)
                )
                self._insert(dataclasses.replace(flag, id=None, session_id=session.id, entity_id=entity_id))
        return session.id

    def search(self, text: str, *, limit: int = 50) -> list[SearchHit]:
        """Best matches for ``text`` across every session (see ``store.search``)."""
        from pmconsole.store.search import search

        return search(self.conn, text, limit=limit)

    # -- the demo's sessions ----------------------------------------------------------------------

    # Which sessions ``pmconsole demo`` wrote, so that it finds its meeting after a rename and
    # ``demo --fresh`` can tell a demo database from a user's (titles can be edited, so they
    # cannot say). A table the demo creates, not a migration: it exists only in databases
    # the demo wrote to, while a migration would change every user's database for the demo's
    # sake (and refuse a read-only one made before it: see db._readonly_database). Each row
    # also keeps the session's ``created``: a program that deletes a session without
    # enforcing foreign keys (the sqlite3 shell, sqlite-utils) leaves the row behind, and
    # SQLite may give the next new session the same id; that session was created at another
    # moment, so it is not taken for the demo's.

    def demo_sessions(self) -> dict[int, int] | None:
        """The demo's sessions, as {session id: index in the demo file}; None if the demo
        never wrote to this database."""
        if self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'demo_sessions'"
        ).fetchone() is None:
            return None
        rows = self.conn.execute(
            "SELECT d.session_id, d.demo_index FROM demo_sessions AS d"
            " JOIN sessions AS s ON s.id = d.session_id AND s.created = d.created"
        ).fetchall()
        return {int(r[0]): int(r[1]) for r in rows}

    def mark_demo_session(self, session_id: int, demo_index: int) -> None:
        """Record that session ``session_id`` is the demo's (see ``demo_sessions``)."""
        with self.transaction():
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS demo_sessions ("
                " session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,"
                " demo_index INTEGER NOT NULL,"
                " created TEXT NOT NULL)"
            )
            self.conn.execute(
                "INSERT OR REPLACE INTO demo_sessions (session_id, demo_index, created)"
                " SELECT id, ?, created FROM sessions WHERE id = ?",
                [demo_index, session_id],
            )

    # -- action items across sessions ---------------------------------------------------------

    def list_actions(
        self,
        *,
        statuses: Sequence[ActionStatus] | None = None,
        owner: str | None = None,
        session_id: int | None = None,
    ) -> list[ActionItem]:
        """Action items of every session, filtered; oldest due date first, undated last."""
        where, params = [], []  # type: list[str], list[Any]
        if statuses:
            where.append("status IN ({})".format(",".join("?" * len(statuses))))
            params.extend(s.value for s in statuses)
        if owner:
            where.append("owner LIKE ? ESCAPE '\\'")
            params.append("%" + owner.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        if session_id is not None:
            where.append("session_id = ?")
            params.append(session_id)
        rows = self._select(
            "action_items", " AND ".join(where) or None, params,
            order_by="due IS NULL, due, session_id, position",
        )
        return [from_row(ActionItem, r) for r in rows]

    # -- blame flags ------------------------------------------------------------------------------

    def replace_flags(
        self, session_id: int, entity: EntityKind, entity_id: int, flags: Iterable[BlameFlag]
    ) -> list[BlameFlag]:
        """Replace the open flags of one entry after its text changed.

        Flags already accepted or dismissed stay as the record of what the facilitator did;
        an open flag whose phrase is still present is kept as it was.
        """
        with self.transaction():
            return self._replace_flags(session_id, entity, entity_id, flags)

    def _replace_flags(
        self, session_id: int, entity: EntityKind, entity_id: int, flags: Iterable[BlameFlag]
    ) -> list[BlameFlag]:
        existing = [
            from_row(BlameFlag, r)
            for r in self._select(
                "blame_flags", "entity = ? AND entity_id = ?", [entity.value, entity_id], order_by="id"
            )
        ]
        resolved_keys = {(f.phrase.lower(), f.category) for f in existing if f.status is not FlagStatus.OPEN}
        self.conn.execute(
            "DELETE FROM blame_flags WHERE entity = ? AND entity_id = ? AND status = 'open'",
            [entity.value, entity_id],
        )
        saved = []
        for flag in flags:
            if (flag.phrase.lower(), flag.category) in resolved_keys:
                continue  # Dismissed once for this entry: do not nag again.
            saved.append(
                self._insert(
                    dataclasses.replace(flag, session_id=session_id, entity=entity, entity_id=entity_id)
                )
            )
        return saved

    def save_with_flags(
        self, obj: S, entity: EntityKind, flags: Iterable[BlameFlag], *, since: S | None = None
    ) -> tuple[S, list[BlameFlag]]:
        """Insert or update an entry and its blame flags in one transaction (``since``:
        see ``update``)."""
        with self.transaction():
            if obj.id is None:
                obj = self._insert(obj)
            else:
                self._write(obj, since)
                obj = self._get(type(obj), obj.id)
            assert obj.id is not None
            session_id = obj.id if isinstance(obj, Session) else obj.session_id  # type: ignore[union-attr]
            saved_flags = self._replace_flags(session_id, entity, obj.id, flags)
        return obj, saved_flags


_ENTITY_OF: dict[type, EntityKind] = {
    AgendaItem: EntityKind.AGENDA,
    TimelineEvent: EntityKind.TIMELINE,
    Finding: EntityKind.FINDING,
    ActionItem: EntityKind.ACTION,
}
