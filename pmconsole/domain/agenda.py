"""The meeting's agenda clock: timeboxes, countdown and overtime, computed from stored times.

Nothing here counts ticks. Every figure is derived from an item's stored ``started``,
``ended``, ``paused_at`` and ``paused_seconds`` and the current time, so a restart, a
blocked event loop or a laptop that slept shows the right countdown the moment it is
drawn again. Transitions return new items; the caller saves them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pendulum import DateTime

from pmconsole.domain.model import AgendaItem

DEFAULT_AGENDA: tuple[tuple[str, int], ...] = (
    ("Blameless opening and ground rules", 5),
    ("Walk through the timeline", 10),
    ("Contributing factors and what helped", 20),
    ("Action items and owners", 15),
    ("Impact and stakeholder messaging", 5),
    ("Recap and follow-up", 5),
)

EXTEND_MINUTES = 5


@dataclass(frozen=True)
class ItemTiming:
    """How far an agenda item has got. Seconds; ``remaining`` is negative in overtime."""

    allowed: float
    elapsed: float
    running: bool
    paused: bool

    @property
    def remaining(self) -> float:
        return self.allowed - self.elapsed

    @property
    def overtime(self) -> bool:
        return self.elapsed > self.allowed


def allowed_seconds(item: AgendaItem) -> float:
    return (item.planned_minutes + item.extra_minutes) * 60.0


def elapsed_seconds(item: AgendaItem, now: DateTime) -> float:
    """Time spent on the item so far, excluding pauses; never negative.

    A wall clock set back while an item runs would otherwise give negative time.
    """
    if item.started is None:
        return 0.0
    until = item.ended or item.paused_at or now
    seconds = (until - item.started).total_seconds() - item.paused_seconds
    return max(0.0, seconds)


def timing(item: AgendaItem, now: DateTime) -> ItemTiming:
    running = item.started is not None and item.ended is None
    return ItemTiming(
        allowed=allowed_seconds(item),
        elapsed=elapsed_seconds(item, now),
        running=running,
        paused=running and item.paused_at is not None,
    )


def actual_minutes(item: AgendaItem, now: DateTime) -> float | None:
    """Minutes the item actually took (so far); ``None`` if it never started."""
    if item.started is None:
        return None
    return elapsed_seconds(item, now) / 60.0


def current_index(agenda: Sequence[AgendaItem]) -> int | None:
    """Index of the item in progress: the first started and not ended."""
    for index, item in enumerate(agenda):
        if item.started is not None and item.ended is None:
            return index
    return None


def meeting_started(agenda: Sequence[AgendaItem]) -> bool:
    return any(item.started is not None for item in agenda)


def meeting_finished(agenda: Sequence[AgendaItem]) -> bool:
    return bool(agenda) and all(item.ended is not None for item in agenda)


def meeting_remaining(agenda: Sequence[AgendaItem], now: DateTime) -> float:
    """Seconds left to finish on schedule: the current item's remainder plus the items to come.

    Negative when overtime has eaten more than what is left.
    """
    total = 0.0
    for item in agenda:
        if item.ended is not None:
            continue
        if item.started is None:
            total += allowed_seconds(item)
        else:
            total += timing(item, now).remaining
    return total


def planned_total_minutes(agenda: Sequence[AgendaItem]) -> int:
    return sum(item.planned_minutes for item in agenda)


def _pause_moment(item: AgendaItem, now: DateTime) -> DateTime:
    """When a pause that starts ``now`` begins, for the item's own clock.

    With the wall clock set back behind the item's start (plus its earlier pauses), the
    countdown shows the full allowance (elapsed is never negative). A pause stored at that
    skewed ``now`` would, once the clock is corrected, count the whole jump as time paused
    and hold the countdown at its full allowance for as long as the jump. Pausing at the
    moment the shown elapsed time (zero) was reached keeps the countdown continuing from
    the value it froze at.
    """
    if item.started is None:
        return now
    return max(now, item.started.add(seconds=item.paused_seconds))


def _resume(item: AgendaItem, now: DateTime) -> AgendaItem:
    """Fold a current pause into ``paused_seconds``."""
    if item.paused_at is None:
        return item
    pause = max(0.0, (now - item.paused_at).total_seconds())
    return dataclasses.replace(item, paused_at=None, paused_seconds=item.paused_seconds + pause)


def _begin(item: AgendaItem, now: DateTime) -> AgendaItem:
    if item.started is None:
        return dataclasses.replace(item, started=now, ended=None, paused_at=None)
    if item.ended is not None:
        # Reopened: the time since it ended counts as a pause, so its remaining time
        # continues from where it stopped.
        gap = max(0.0, (now - item.ended).total_seconds())
        return dataclasses.replace(
            item, ended=None, paused_at=None, paused_seconds=item.paused_seconds + gap
        )
    return _resume(item, now)


def start(agenda: Sequence[AgendaItem], now: DateTime) -> list[AgendaItem]:
    """Start the meeting at the first item not yet done; returns the items that changed."""
    if current_index(agenda) is not None:
        return []
    for item in agenda:
        if item.ended is None:
            return [_begin(item, now)]
    return []


def advance(agenda: Sequence[AgendaItem], now: DateTime) -> list[AgendaItem]:
    """End the current item and begin the next one; returns the items that changed."""
    index = current_index(agenda)
    if index is None:
        return start(agenda, now)
    changed = [dataclasses.replace(_resume(agenda[index], now), ended=now)]
    if index + 1 < len(agenda):
        changed.append(_begin(agenda[index + 1], now))
    return changed


def go_back(agenda: Sequence[AgendaItem], now: DateTime) -> list[AgendaItem]:
    """Reopen the previous item; the current one waits, paused, until it comes round again."""
    index = current_index(agenda)
    if index is None:
        # After the last item ended, going back reopens it.
        if meeting_finished(agenda):
            return [_begin(agenda[-1], now)]
        return []
    if index == 0:
        return []
    current = agenda[index]
    held = current if current.paused_at is not None else dataclasses.replace(
        current, paused_at=_pause_moment(current, now))
    return [_begin(agenda[index - 1], now), held]


def toggle_pause(agenda: Sequence[AgendaItem], now: DateTime) -> list[AgendaItem]:
    """Pause the current item, or resume it if paused."""
    index = current_index(agenda)
    if index is None:
        return []
    item = agenda[index]
    if item.paused_at is None:
        return [dataclasses.replace(item, paused_at=_pause_moment(item, now))]
    return [_resume(item, now)]


def extend(agenda: Sequence[AgendaItem], minutes: int = EXTEND_MINUTES) -> list[AgendaItem]:
    """Give the current item more time; its planned minutes stay as planned."""
    index = current_index(agenda)
    if index is None:
        return []
    item = agenda[index]
    return [dataclasses.replace(item, extra_minutes=item.extra_minutes + minutes)]


def format_countdown(seconds: float) -> str:
    """``mm:ss`` for time left (up to 99:59, then ``h:mm:ss``); ``+mm:ss`` once over time.

    A meeting-sized span reads better as minutes: "60:00" rather than "1:00:00".
    """
    sign = "+" if seconds < 0 else ""
    total = int(abs(seconds)) if seconds < 0 else math.ceil(seconds)
    minutes, secs = divmod(total, 60)
    if minutes >= 100:
        hours, minutes = divmod(minutes, 60)
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
    return f"{sign}{minutes:02d}:{secs:02d}"
