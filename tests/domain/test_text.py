"""What is stored of what was typed: control characters go, everything else stays."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmconsole.domain.text import clean_text, one_line


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("a\x00b\x07c\x7fd", "abcd"),
        # ESC goes, so a pasted ANSI colour can never reach the terminal as a live escape;
        # the printable rest of the sequence stays visible.
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),
        ("\x1b]0;pwned\x07title", "]0;pwnedtitle"),
        ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "]8;;http://evil\\link]8;;\\"),
        ("8-bit CSI \x9b31m and NEL \x85", "8-bit CSI 31m and NEL "),
        ("form\x0cfeed\x0bvtab", "formfeedvtab"),
    ],
)
def test_control_characters_and_escape_sequences_are_stripped(typed: str, stored: str) -> None:
    assert clean_text(typed) == stored
    assert clean_text(typed, multiline=False) == stored


def test_multiline_keeps_newlines_and_tabs_and_normalises_line_breaks() -> None:
    assert clean_text("first\n\tindented\nlast") == "first\n\tindented\nlast"
    assert clean_text("windows\r\nold mac\rline sep\u2028para sep\u2029end") == (
        "windows\nold mac\nline sep\npara sep\nend"
    )


def test_single_line_folds_line_breaks_and_tabs_into_spaces() -> None:
    assert clean_text("pasted\nfrom\r\na\tsheet", multiline=False) == "pasted from a sheet"
    assert "\n" not in clean_text("a\u2028b\rc", multiline=False)


def test_lone_surrogates_become_the_replacement_character() -> None:
    stored = clean_text("bad \ud800 half \udfff")
    assert stored == "bad \ufffd half \ufffd"
    stored.encode("utf-8")  # what SQLite and the exporter will do


@pytest.mark.parametrize(
    "typed",
    [
        "[/]",
        "[/",
        "[b]not bold[/b]",
        "[@click=app.quit]x[/]",
        "[link=https://example.com]x[/link]",
        "👩‍💻 on-call 🧑🏽‍🚒",  # ZWJ sequences and a skin-tone modifier
        "障害対応の振り返り",
        "e\u0301 n\u0303 Z\u0351\u0352\u0353algo",  # combining marks
        "\u202eevil.exe\u202c and \u200fRTL mark \u2066isolate\u2069",
        "zero\u200bwidth and soft\u00adhyphen",
    ],
)
def test_markup_and_unicode_are_kept_as_typed(typed: str) -> None:
    assert clean_text(typed) == typed
    assert clean_text(typed, multiline=False) == typed


@given(st.text())
def test_cleaning_is_idempotent_storable_and_leaves_no_controls(typed: str) -> None:
    for multiline in (True, False):
        stored = clean_text(typed, multiline=multiline)
        assert clean_text(stored, multiline=multiline) == stored
        stored.encode("utf-8")
        allowed = {"\n", "\t"} if multiline else set()
        assert not any(
            (ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F) and ch not in allowed for ch in stored
        )


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))))
def test_text_without_controls_is_stored_unchanged(typed: str) -> None:
    assert clean_text(typed) == typed


@pytest.mark.parametrize(
    ("value", "width", "shown"),
    [("short", 10, "short"), ("exactly10!", 10, "exactly10!"), ("eleven chars", 10, "eleven ch…"),
     ("two\nlines", 10, "two…"), ("", 5, "")],
)
def test_one_line(value: str, width: int, shown: str) -> None:
    assert one_line(value, width) == shown
