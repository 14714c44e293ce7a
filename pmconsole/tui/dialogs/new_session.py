"""The dialog that creates a session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pendulum import DateTime

from pmconsole.domain.model import Session, Severity
from pmconsole.domain.text import clean_text
from pmconsole.domain.times import TimeParseError, parse_time, valid_timezone
from pmconsole.tui.dialogs.form import FieldError, FormDialog, FormField, required


def new_session_dialog(now: DateTime, save: Callable[[Session], Session]) -> FormDialog[Session]:
    fields = [
        FormField("title", "Incident title", "", placeholder="Checkout errors after config push",
                  parse=lambda t: required("The title")(clean_text(t, multiline=False))),
        FormField("service", "Affected service or feature", "",
                  parse=lambda t: clean_text(t, multiline=False).strip()),
        FormField("severity", "Severity", "SEV2", kind="choice", choices=[s.value for s in Severity]),
        FormField("timezone", "Timezone (IANA)", "UTC", parse=_zone),
        FormField("facilitator", "Facilitator", "", parse=lambda t: clean_text(t, multiline=False).strip()),
        FormField("scheduled", "Meeting time (empty: now)", "", placeholder="2026-11-20 14:00",
                  hint="Read in the timezone above."),
    ]

    def build(v: dict[str, Any]) -> Session:
        scheduled = now
        if v["scheduled"].strip():
            try:
                scheduled = parse_time(v["scheduled"], tz=v["timezone"], now=now)
            except TimeParseError as error:
                raise FieldError(f"Meeting time: {error}") from error
        return Session(title=v["title"], service=v["service"], severity=Severity(v["severity"]),
                       timezone=v["timezone"], facilitator=v["facilitator"], scheduled=scheduled,
                       created=now)

    return FormDialog("New post-mortem session", fields, build, save)


def _zone(text: str) -> str:
    text = text.strip()
    if not valid_timezone(text):
        raise FieldError(f"Unknown timezone {text!r}; use an IANA name such as Europe/Berlin.")
    return text
