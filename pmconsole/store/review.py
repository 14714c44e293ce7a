"""Store queries for reviewing past sessions: history, action tracker, follow-ups, links.

Each function takes a ``Store`` and runs a fixed number of queries whatever the number of
sessions (no query per session), so the review screens stay quick with thousands of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

import pendulum
from pendulum import Date, DateTime

from pmconsole.domain.history import SessionSummary
from pmconsole.domain.metrics import session_metrics
from pmconsole.domain.model import ActionItem, ActionStatus, Session, SessionStatus
from pmconsole.domain.text import clean_text
from pmconsole.domain.tracker import TrackedAction
from pmconsole.store.codec import from_row, load_time
from pmconsole.store.repository import Store

_TIME_COLUMNS = ("scheduled", "started", "ended", "impact_started", "detected", "acknowledged",
                 "mitigated", "resolved", "created")
_OPEN = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)


def _utc(text: str | None) -> DateTime | None:
    return load_time(text)

def _sessions(store: Store, where: str = "", params: Sequence[Any] = ()) -> list[Session]:
    """Sessions read in one query, newest first, with the fast time conversion."""
    cursor = store.conn.execute(
        f"SELECT * FROM sessions {where} "
        "ORDER BY coalesce(scheduled, started, created) DESC, id DESC",
        list(params),
    )
    columns = [d[0] for d in cursor.description]
    sessions = []
    for values in cursor.fetchall():
        row = dict(zip(columns, values, strict=True))
        times: dict[str, Any] = {name: _utc(row[name]) for name in _TIME_COLUMNS}
        for name in _TIME_COLUMNS:
            row[name] = None
        session = from_row(Session, row)
        created = times.pop("created") or session.created
        sessions.append(dataclasses.replace(session, created=created, **times))
    return sessions


def all_sessions(store: Store) -> list[Session]:
    """Every session, newest first (as ``Store.list_sessions``, for large histories)."""
    return _sessions(store)


def session_summaries(store: Store, today: Date) -> list[SessionSummary]:
    """Every session with its open/overdue action-item counts and TTD/TTR: two queries.

    ``today`` is the viewer's date; an item is overdue when its due date is before it.
    Counts are of the session's own items (a follow-up's inherited items count where
    they were agreed).
    """
    counts = store.action_counts(today.isoformat())
    zones: dict[str, Any] = {}
    summaries = []
    for session in _sessions(store):
        metrics = session_metrics(session)
        open_count, overdue = counts.get(session.id or 0, (0, 0))
        # pendulum reads a zone's file each time it is named: look each one up once.
        zone = zones.get(session.timezone)
        if zone is None:
            zone = zones[session.timezone] = pendulum.timezone(session.timezone)
        local = (session.scheduled or session.started or session.created).in_timezone(zone)
        day = pendulum.date(local.year, local.month, local.day)
        summaries.append(
            SessionSummary(session, open_count, overdue, metrics.ttd, metrics.ttr, day)
        )
    return summaries


def session_days(store: Store, session_ids: Iterable[int]) -> dict[int, Date]:
    """The meeting date of each session (as in the history list), in one query."""
    ids = sorted(set(session_ids))
    if not ids:
        return {}
    rows = store.conn.execute(
        "SELECT id, coalesce(scheduled, started, created), timezone FROM sessions "
        "WHERE id IN ({})".format(",".join("?" * len(ids))),
        ids,
    ).fetchall()
    result = {}
    for session_id, moment, zone in rows:
        at = _utc(moment)
        if at is not None:
            try:
                result[int(session_id)] = at.in_timezone(zone).date()
            except Exception:  # noqa: BLE001 - an unknown zone name: show the UTC date
                result[int(session_id)] = at.date()
    return result


def incident_sessions(sessions: Sequence[Session]) -> list[Session]:
    """The sessions that are about an incident: follow-up meetings are not new incidents."""
    return [s for s in sessions if s.follows_up is None]


# -- action items across sessions -----------------------------------------------------------------


def tracked_actions(
    store: Store,
    *,
    statuses: Sequence[ActionStatus] | None = None,
    owner: str | None = None,
    session_id: int | None = None,
    due_before: Date | None = None,
) -> list[TrackedAction]:
    """Action items of every session with their session's title, in one query.

    ``owner`` matches case-insensitively anywhere in the owner; ``due_before`` keeps items
    with a due date before that day (with ``statuses`` open/in progress: the overdue ones).
    Ordered by due date (undated last), then session and position.
    """
    where: list[str] = []
    params: list[Any] = []
    if statuses:
        where.append("a.status IN ({})".format(",".join("?" * len(statuses))))
        params.extend(s.value for s in statuses)
    if owner:
        where.append("a.owner LIKE ? ESCAPE '\\'")
        escaped = owner.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    if session_id is not None:
        where.append("a.session_id = ?")
        params.append(session_id)
    if due_before is not None:
        where.append("a.due IS NOT NULL AND a.due < ?")
        params.append(due_before.isoformat())
    cursor = store.conn.execute(
        "SELECT a.*, s.title AS session_title FROM action_items a "
        "JOIN sessions s ON s.id = a.session_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY a.due IS NULL, a.due, a.session_id, a.position, a.id",
        params,
    )
    columns = [d[0] for d in cursor.description]
    result = []
    for values in cursor.fetchall():
        row = dict(zip(columns, values, strict=True))
        result.append(TrackedAction(from_row(ActionItem, row),
                                    clean_text(row["session_title"])))
    return result


def set_action_status(store: Store, item: ActionItem, status: ActionStatus) -> ActionItem:
    """Save a new status for an item (one transaction); returns the saved item."""
    return store.update(dataclasses.replace(item, status=status))


def set_action_due(store: Store, item: ActionItem, due: Date | None) -> ActionItem:
    """Save a new due date (``None``: no due date); returns the saved item."""
    return store.update(dataclasses.replace(item, due=due))


# -- follow-up sessions ----------------------------------------------------------------------------

FOLLOW_UP_AGENDA: tuple[tuple[str, int], ...] = (
    ("Review open action items from {title}", 20),
    ("What has changed since the post-mortem", 10),
    ("New findings and open questions", 10),
    ("Close, re-plan or hand over each remaining item", 10),
    ("Recap and date of the next check-in", 5),
)


def follow_up_agenda(title: str) -> tuple[tuple[str, int], ...]:
    """The agenda of a follow-up meeting; the first item names the session followed up."""
    return tuple((item.format(title=title), minutes) for item, minutes in FOLLOW_UP_AGENDA)


def follow_up_time(session: Session, now: DateTime) -> DateTime:
    """When a follow-up of ``session`` is scheduled: on its follow-up date at the time of day
    of the original meeting (in the session's timezone), or ``now`` without a follow-up date.
    """
    if session.follow_up_date is None:
        return now
    day = session.follow_up_date
    at = (session.scheduled or session.started or now).in_timezone(session.timezone)
    local = pendulum.datetime(day.year, day.month, day.day, at.hour, at.minute, tz=session.timezone)
    return local.in_timezone("UTC")


def create_follow_up(store: Store, session_id: int, now: DateTime) -> Session:
    """A new planned session that follows up ``session_id``; one transaction.

    It keeps the service, severity, timezone and people of the original; its Action items
    pane lists the original's items (the same rows, see ``Store.load``).
    """
    old = store.get_session(session_id)
    new = Session(
        title=f"Follow-up: {old.title}",
        service=old.service,
        severity=old.severity,
        status=SessionStatus.PLANNED,
        facilitator=old.facilitator,
        scribe=old.scribe,
        attendees=old.attendees,
        timezone=old.timezone,
        scheduled=follow_up_time(old, now),
        follows_up=old.id,
        created=now,
    )
    return store.create_session(new, follow_up_agenda(old.title))


def follow_ups_of(store: Store, session_id: int) -> list[Session]:
    """Sessions that follow up ``session_id``, oldest first."""
    return list(reversed(_sessions(store, "WHERE follows_up = ?", [session_id])))


def linked_titles(store: Store, session: Session) -> dict[int, str]:
    """For the minutes: the session this one follows up and those that follow it up."""
    rows = store.conn.execute(
        "SELECT id, title FROM sessions WHERE (id = ? OR follows_up = ?) AND id != ?",
        [session.follows_up if session.follows_up is not None else -1, session.id, session.id],
    ).fetchall()
    return {int(row[0]): clean_text(str(row[1])) for row in rows}


def open_action_count(store: Store, session_id: int) -> int:
    row = store.conn.execute(
        "SELECT count(*) FROM action_items WHERE session_id = ? AND status IN (?, ?)",
        [session_id, *_OPEN],
    ).fetchone()
    return int(row[0])
