"""Where "now" comes from. Injected everywhere so tests can freeze or step time."""

from __future__ import annotations

from typing import Protocol

import pendulum
from pendulum import DateTime


class Clock(Protocol):
    """Anything that can tell the current time (timezone-aware, UTC)."""

    def now(self) -> DateTime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> DateTime:
        return pendulum.now("UTC")


class FrozenClock:
    """A clock that only moves when told to: for tests, snapshots and benchmarks."""

    def __init__(self, moment: DateTime) -> None:
        self.moment = moment.in_timezone("UTC")

    def now(self) -> DateTime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment = self.moment.add(**delta)  # type: ignore[arg-type]

    def set(self, moment: DateTime) -> None:
        self.moment = moment.in_timezone("UTC")
