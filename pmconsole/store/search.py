"""Full-text search across every session, safe for any query text."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from pmconsole.domain.model import EntityKind
from pmconsole.domain.text import clean_text

# Snippet markers: control characters are stripped from user text before it is stored,
# so these can never collide with typed text. The UI turns them into highlighting.
MARK_START = "\x02"
MARK_END = "\x03"

_TOKEN = re.compile(r"\w+", re.UNICODE)
# Control characters a snippet may carry when another program wrote the row (pmconsole
# cleans what it stores), except the two markers, which SQLite put there.
_SNIPPET_CONTROL = re.compile(r"[\x00\x01\x04-\x08\x0b-\x1f\x7f-\x9f]")

_SOURCES: tuple[tuple[EntityKind, str, str], ...] = (
    # (entity, table, expression giving the owning session's id)
    (EntityKind.SESSION, "sessions", "t.id"),
    (EntityKind.AGENDA, "agenda_items", "t.session_id"),
    (EntityKind.TIMELINE, "timeline_events", "t.session_id"),
    (EntityKind.FINDING, "findings", "t.session_id"),
    (EntityKind.ACTION, "action_items", "t.session_id"),
    (EntityKind.SCRIPT, "script_uses", "t.session_id"),
)


@dataclass(frozen=True)
class SearchHit:
    """One matching entry: which session, which kind of entry, and a marked-up snippet."""

    session_id: int
    session_title: str
    entity: EntityKind
    entity_id: int
    snippet: str
    rank: float


def fts_query(text: str) -> str | None:
    """Turn anything typed into a safe FTS5 query: every word quoted, as a prefix.

    Operators (AND, OR, NEAR, ``-``, ``*``, quotes, parentheses) lose their meaning and
    become plain words or are dropped; ``None`` means there is nothing to search for.
    """
    words = _TOKEN.findall(text)
    if not words:
        return None
    # Every word is a prefix: results follow the typing ("replicat" already finds
    # "replication") and "fail" finds "failed", "failover" and "failure".
    return " ".join('"{}"*'.format(w.replace('"', '""')) for w in words)


def search(conn: sqlite3.Connection, text: str, *, limit: int = 50) -> list[SearchHit]:
    """Best matches first across all sessions and entry kinds."""
    query = fts_query(text)
    if query is None:
        return []
    parts = []
    params: list[object] = []
    for entity, table, session_expr in _SOURCES:
        parts.append(
            f"""SELECT * FROM (
                SELECT {session_expr} AS session_id, '{entity.value}' AS entity, t.id AS entity_id,
                       snippet({table}_fts, -1, '{MARK_START}', '{MARK_END}', '…', 12) AS snippet,
                       {table}_fts.rank AS rank
                FROM {table}_fts JOIN {table} t ON t.rowid = {table}_fts.rowid
                WHERE {table}_fts MATCH ? ORDER BY rank LIMIT ?)"""
        )
        params.extend([query, limit])
    sql = (
        "SELECT h.session_id, s.title, h.entity, h.entity_id, h.snippet, h.rank FROM ("
        + " UNION ALL ".join(parts)
        + ") h JOIN sessions s ON s.id = h.session_id ORDER BY h.rank LIMIT ?"
    )
    params.append(limit)
    return [
        SearchHit(
            session_id=row[0],
            session_title=clean_text(row[1] or ""),
            entity=EntityKind(row[2]),
            entity_id=row[3],
            snippet=_clean_snippet(row[4] or ""),
            rank=row[5],
        )
        for row in conn.execute(sql, params).fetchall()
    ]


def _clean_snippet(snippet: str) -> str:
    """The snippet with any control character but the markers removed (see above)."""
    return _SNIPPET_CONTROL.sub("", snippet)
