"""Cleaning user text before it is stored: the one documented change made to what was typed."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls. ESC goes with them, so an ANSI
# or OSC sequence pasted into a field can never reach the terminal as a live escape.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029]")
# Anything clean_text would change: one search lets the common case (clean text, also
# what every load from the database re-checks) return without building new strings.
_CHANGES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
_CHANGES_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def clean_text(value: str, *, multiline: bool = True) -> str:
    """Return ``value`` as it will be stored.

    Line breaks are normalised to ``\\n`` (or to spaces in single-line fields), control
    characters are removed, and lone surrogates (which cannot be stored as UTF-8) become
    U+FFFD. Everything else, including markup-like brackets, emoji and bidi marks, is kept.
    """
    if (_CHANGES if multiline else _CHANGES_SINGLE_LINE).search(value) is None:
        return value
    value = _LINE_BREAKS.sub("\n", value)
    if not multiline:
        value = value.replace("\n", " ").replace("\t", " ")
    value = _CONTROL.sub("", value)
    return _SURROGATE.sub("\ufffd", value)


def one_line(value: str, width: int) -> str:
    """First line of ``value`` cut to ``width`` characters with an ellipsis when cut."""
    first, _, rest = value.partition("\n")
    if len(first) > width or rest:
        return first[: max(width - 1, 0)] + "…"
    return first
