"""The pre-meeting email: the ``pre-meeting-email`` script card filled from a session."""

from __future__ import annotations

from pmconsole.domain.model import SessionRecord
from pmconsole.domain.scripts import Card, builtin_cards, fill, fill_text, find_card

INVITE_CARD_ID = "pre-meeting-email"
DEFAULT_SUBJECT = "Blameless post-mortem: {title} — {date}"


def render_invite(record: SessionRecord, *, card: Card | None = None) -> tuple[str, str]:
    """``(subject, body)`` of the invitation, filled from the session.

    ``card`` is the user's version of the email card when they have one. A first line
    ``Subject: ...`` in the card becomes the subject; without one a default subject is used.
    Data the session lacks shows as a visible gap (``[date?]``), so the email can be
    reviewed and completed before it is sent.
    """
    template = card or find_card(builtin_cards(), INVITE_CARD_ID)
    assert template is not None, "the built-in cards always include the invitation"
    text = fill(template, record)
    first, _, rest = text.lstrip("\n").partition("\n")
    if first.lower().startswith("subject:"):
        subject = first[len("subject:") :].strip()
        body = rest.strip("\n")
    else:
        subject = fill_text(DEFAULT_SUBJECT, record)
        body = text.strip("\n")
    return " ".join(subject.split()), body + "\n"


def invite_text(record: SessionRecord, *, card: Card | None = None) -> str:
    """The invitation as one text: a ``Subject:`` line, a blank line, then the body."""
    subject, body = render_invite(record, card=card)
    return f"Subject: {subject}\n\n{body}"
