"""Schema migrations. Append new ones to ``MIGRATIONS``; never edit one that has shipped.

A database that has applied a migration this list does not contain came from a newer
build and is refused (see ``db._validate``).

sqlite-utils' ``Migrations`` applies them and keeps its record in ``_sqlite_migrations``.
Which ones a database still needs is read from that record with plain SQL, so opening an
up-to-date database (every start of the console) does not import sqlite-utils: its import
is a tenth of the console's start-up.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

MIGRATION_SET_NAME = "pmconsole"
# Where sqlite-utils' Migrations records what it applied (its ``migrations_table``).
MIGRATIONS_TABLE = "_sqlite_migrations"

# Columns indexed for full-text search, per table. The FTS tables are external-content
# tables kept current by triggers (sqlite-utils' enable_fts with create_triggers=True).
FTS_COLUMNS: dict[str, tuple[str, ...]] = {
    "sessions": ("title", "service", "facilitator", "scribe", "attendees", "summary", "impact"),
    "agenda_items": ("title", "notes"),
    "timeline_events": ("text", "link"),
    "findings": ("text",),
    "action_items": ("text", "owner", "link"),
    "script_uses": ("title",),
}

_SCHEMA = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    service TEXT NOT NULL DEFAULT '',
    severity TEXT NOT NULL DEFAULT 'SEV3',
    status TEXT NOT NULL DEFAULT 'planned',
    facilitator TEXT NOT NULL DEFAULT '',
    scribe TEXT NOT NULL DEFAULT '',
    attendees TEXT NOT NULL DEFAULT '[]',
    timezone TEXT NOT NULL DEFAULT 'UTC',
    scheduled TEXT, started TEXT, ended TEXT,
    impact_started TEXT, detected TEXT, acknowledged TEXT, mitigated TEXT, resolved TEXT,
    slo_target REAL, slo_window_days INTEGER,
    follow_up_date TEXT,
    follows_up INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
    summary TEXT NOT NULL DEFAULT '',
    impact TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL
);
CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    planned_minutes INTEGER NOT NULL,
    extra_minutes INTEGER NOT NULL DEFAULT 0,
    started TEXT, ended TEXT, paused_at TEXT,
    paused_seconds REAL NOT NULL DEFAULT 0,
    notes TEXT NOT NULL DEFAULT ''
);
CREATE TABLE timeline_events (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    starred INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE TABLE action_items (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    due TEXT,
    type TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT ''
);
CREATE TABLE script_uses (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    script_id TEXT NOT NULL,
    title TEXT NOT NULL,
    shown_at TEXT NOT NULL
);
CREATE TABLE blame_flags (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    entity TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    phrase TEXT NOT NULL,
    category TEXT NOT NULL,
    explanation TEXT NOT NULL,
    suggestion TEXT NOT NULL,
    card_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open',
    raised_at TEXT,
    resolved_at TEXT
);
CREATE INDEX idx_agenda_session ON agenda_items(session_id, position);
CREATE INDEX idx_timeline_session ON timeline_events(session_id, at);
CREATE INDEX idx_findings_session ON findings(session_id, position);
CREATE INDEX idx_actions_session ON action_items(session_id, position);
CREATE INDEX idx_actions_status ON action_items(status, due);
CREATE INDEX idx_script_uses_session ON script_uses(session_id);
CREATE INDEX idx_flags_entity ON blame_flags(entity, entity_id);
CREATE INDEX idx_flags_session ON blame_flags(session_id, status);
CREATE INDEX idx_sessions_follows ON sessions(follows_up);
"""


def m001_initial_schema(db: sqlite_utils.Database) -> None:
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    for table, columns in FTS_COLUMNS.items():
        # No stemmer: search treats every word as a prefix (see search.fts_query), which finds
        # "failed" from "fail" and also works on half-typed words, where stems would not.
        db[table].enable_fts(  # type: ignore[union-attr]
            list(columns), create_triggers=True, tokenize="unicode61 remove_diacritics 2"
        )


# Every migration, in the order they apply; each is recorded under its function's name.
MIGRATIONS = (m001_initial_schema,)
KNOWN: frozenset[str] = frozenset(m.__name__ for m in MIGRATIONS)


def applied(conn: sqlite3.Connection) -> set[str]:
    """The names of our migrations that the database has applied (read-only)."""
    recorded = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]
    ).fetchone()
    if recorded is None:
        return set()
    rows = conn.execute(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", [MIGRATION_SET_NAME]
    )
    return {name for (name,) in rows}


def pending(conn: sqlite3.Connection) -> list[str]:
    """The names of the migrations the database still needs, in order (read-only)."""
    done = applied(conn)
    return [m.__name__ for m in MIGRATIONS if m.__name__ not in done]


def apply(conn: sqlite3.Connection) -> None:
    """Apply the pending migrations, each in one transaction with its record."""
    if not pending(conn):
        return
    import sqlite_utils

    migrations = sqlite_utils.Migrations(MIGRATION_SET_NAME)
    for migration in MIGRATIONS:
        migrations(name=migration.__name__)(migration)
    migrations.apply(sqlite_utils.Database(conn, execute_plugins=False))
