"""Keeping the meeting up when a handler fails.

Textual ends the app when an action or message handler raises. During a live meeting that
would take the shared screen down over a bug in one key, so pmconsole's actions and its
screens' message handlers are wrapped: the failure is reported in a notification, recorded
in ``app.handled_errors`` (tests assert it stays empty), and the app keeps running.
"""

from __future__ import annotations

from asyncio import CancelledError
from typing import Any

from textual.message import Message


class GuardedMessages:
    """Mixin for screens: a handler that raises is reported instead of ending the app."""

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the point is to catch anything
            app: Any = self.app  # type: ignore[attr-defined]
            report = getattr(app, "report_failure", None)
            if report is None:
                raise
            report(error)
