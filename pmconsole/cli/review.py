"""Commands for reviewing across sessions: ``actions`` (the action-item tracker)."""

from __future__ import annotations

import json
from typing import Any

import click
import pendulum

from pmconsole.cli.base import fail, main, opened_store
from pmconsole.domain.model import ActionStatus
from pmconsole.domain.times import valid_timezone
from pmconsole.domain.tracker import (
    STATE_LABELS,
    TrackedAction,
    TrackerState,
    classify,
    local_today,
    sort_key,
    viewer_timezone,
)

JSON_KEYS = ("id", "session_id", "session_title", "text", "owner", "due", "status", "priority",
             "type", "overdue")


def action_json(tracked: TrackedAction, today: pendulum.Date) -> dict[str, Any]:
    item = tracked.item
    return {
        "id": item.id,
        "session_id": item.session_id,
        "session_title": tracked.session_title,
        "text": item.text,
        "owner": item.owner,
        "due": item.due.isoformat() if item.due else None,
        "status": item.status.value,
        "priority": item.priority.value,
        "type": item.type.value,
        "overdue": item.is_overdue(today),
    }


@main.command("actions")
@click.option("--open", "only_open", is_flag=True,
              help="Only items not finished (open or in progress).")
@click.option("--overdue", "only_overdue", is_flag=True,
              help="Only unfinished items whose due date has passed.")
@click.option("--owner", default=None, metavar="NAME",
              help="Only items whose owner contains NAME (any case).")
@click.option("--session", "session_id", type=int, default=None, metavar="SESSION",
              help="Only the items of one session (by id).")
@click.option("--timezone", "zone", default=None, metavar="ZONE",
              help="Your timezone for 'overdue' (default: this machine's), e.g. Europe/Berlin.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON list: id, session_id, session_title, text, owner, due, "
                   "status, priority, type, overdue.")
@click.pass_context
def actions_command(ctx: click.Context, only_open: bool, only_overdue: bool, owner: str | None,
                    session_id: int | None, zone: str | None, as_json: bool) -> None:
    """Action items across every session: overdue first, then by due date."""
    from pmconsole.store.review import tracked_actions

    if zone is not None and not valid_timezone(zone):
        fail(f"--timezone: unknown timezone {zone!r} (use an IANA name such as Europe/Berlin)")
    today = local_today(pendulum.now("UTC"), viewer_timezone(zone))
    statuses = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS) if only_open or only_overdue else None
    with opened_store(ctx, readonly=True, missing_ok=session_id is None) as store:
        if session_id is not None:
            from pmconsole.cli.base import session_or_fail

            session_or_fail(store, session_id)
        items = tracked_actions(
            store,
            statuses=statuses,
            owner=owner,
            session_id=session_id,
            due_before=today if only_overdue else None,
        )
    items.sort(key=lambda t: (classify(t.item, today) is not TrackerState.OVERDUE,
                              *sort_key(t, today)))
    if as_json:
        click.echo(json.dumps([action_json(t, today) for t in items], ensure_ascii=False,
                              indent=2))
        return
    if not items:
        click.echo("No action items match." if (only_open or only_overdue or owner or
                                               session_id is not None) else "No action items yet.")
        return
    for tracked in items:
        item = tracked.item
        state = STATE_LABELS[classify(item, today)]
        due = item.due.isoformat() if item.due else "—"
        text = item.text.replace("\n", " ")
        click.echo(f"{item.id:>5}  {state:<10}  {due:<10}  {item.priority.value}  "
                   f"{(item.owner or '(no owner)'):<16}  {text}  "
                   f"[#{item.session_id} {tracked.session_title}]")
