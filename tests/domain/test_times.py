"""What people type into time, date and window fields, and how times are shown."""

from __future__ import annotations

import datetime

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pendulum import DateTime

from pmconsole.domain.times import (
    TimeParseError,
    clock_time,
    format_time,
    local_date,
    parse_date,
    parse_time,
    parse_window_days,
    valid_timezone,
)

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"
# A Friday. 16:00 in Berlin (CET, +01:00), 10:00 in New York (EST, -05:00).
NOW = pendulum.datetime(2026, 11, 20, 15, 0, tz="UTC")


def wall(moment: DateTime) -> tuple[str, str | None]:
    """The wall-clock reading and zone name a user would see."""
    return moment.format("YYYY-MM-DD HH:mm:ss"), moment.timezone_name


def parse(text: str, tz: str = BERLIN, **kwargs: object) -> DateTime:
    return parse_time(text, tz=tz, now=NOW, **kwargs)  # type: ignore[arg-type]


def error(text: str, tz: str = BERLIN, **kwargs: object) -> str:
    with pytest.raises(TimeParseError) as caught:
        parse(text, tz, **kwargs)
    return str(caught.value)


# --- accepted forms ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("14:32", BERLIN, "2026-11-20 14:32:00"),
        ("14:32:05", BERLIN, "2026-11-20 14:32:05"),
        ("9:05", NEW_YORK, "2026-11-20 09:05:00"),
        ("2026-11-20 14:32", BERLIN, "2026-11-20 14:32:00"),
        ("2026-11-20 14:32:05", NEW_YORK, "2026-11-20 14:32:05"),
        ("2026-11-20T14:32", BERLIN, "2026-11-20 14:32:00"),
        ("2026-11-19T23:59:59", NEW_YORK, "2026-11-19 23:59:59"),
        ("now", BERLIN, "2026-11-20 16:00:00"),
        ("now", NEW_YORK, "2026-11-20 10:00:00"),
        ("-5m", BERLIN, "2026-11-20 15:55:00"),
        ("+1h30m", BERLIN, "2026-11-20 17:30:00"),
        ("-90s", NEW_YORK, "2026-11-20 09:58:30"),
        ("-2h", NEW_YORK, "2026-11-20 08:00:00"),
        ("+1d", BERLIN, "2026-11-21 16:00:00"),
        ("-1d2h3m4s", BERLIN, "2026-11-19 13:56:56"),
        ("yesterday 23:10", BERLIN, "2026-11-19 23:10:00"),
        ("today 09:00", NEW_YORK, "2026-11-20 09:00:00"),
        ("tomorrow 9:05", BERLIN, "2026-11-21 09:05:00"),
    ],
)
def test_accepted_forms_give_the_wall_time_typed_in_the_session_timezone(
    text: str, tz: str, expected: str
) -> None:
    assert wall(parse(text, tz)) == (expected, tz)


@pytest.mark.parametrize(
    "text", ["  NOW  ", "Now", "YESTERDAY 23:10", "Yesterday   23:10", "\t2026-11-19t23:10\n"]
)
def test_case_and_surrounding_whitespace_do_not_matter(text: str) -> None:
    expected = "2026-11-20 16:00:00" if "now" in text.lower() else "2026-11-19 23:10:00"
    assert wall(parse(text))[0] == expected


def test_bare_time_falls_on_the_incident_date_when_given() -> None:
    moment = parse("14:32", base_date=pendulum.date(2026, 11, 3))
    assert wall(moment) == ("2026-11-03 14:32:00", BERLIN)
    assert moment.in_timezone("UTC").hour == 13


def test_bare_time_without_incident_date_is_today_in_the_session_timezone_not_utc() -> None:
    # 02:00 UTC on the 20th is still the evening of the 19th in New York.
    late = pendulum.datetime(2026, 11, 20, 2, 0, tz="UTC")
    assert wall(parse_time("14:32", tz=NEW_YORK, now=late)) == ("2026-11-19 14:32:00", NEW_YORK)
    assert wall(parse_time("yesterday 23:10", tz=NEW_YORK, now=late))[0] == "2026-11-18 23:10:00"
    assert wall(parse_time("tomorrow 9:05", tz=NEW_YORK, now=late))[0] == "2026-11-20 09:05:00"


def test_day_words_count_from_now_not_from_the_incident_date() -> None:
    moment = parse("yesterday 23:10", base_date=pendulum.date(2026, 1, 5))
    assert wall(moment)[0] == "2026-11-19 23:10:00"


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2026-11-20T14:32:05+01:00", NEW_YORK, "2026-11-20 08:32:05"),
        ("2026-11-20T14:32:05+01:00", BERLIN, "2026-11-20 14:32:05"),
        ("2026-11-20T14:32:05Z", BERLIN, "2026-11-20 15:32:05"),
        ("2026-11-20t14:32:05z", NEW_YORK, "2026-11-20 09:32:05"),
        ("2026-11-20T14:32-05:00", BERLIN, "2026-11-20 20:32:00"),
        ("2026-11-20T14:32:05+0530", "UTC", "2026-11-20 09:02:05"),
        ("2026-11-20 14:32:05 +01:00", "UTC", "2026-11-20 13:32:05"),
        ("2026-11-20T23:30:00-05:00", BERLIN, "2026-11-21 05:30:00"),
    ],
)
def test_iso_offsets_are_honoured_and_converted_to_the_session_timezone(
    text: str, tz: str, expected: str
) -> None:
    assert wall(parse(text, tz)) == (expected, tz)


def test_iso_fractional_seconds_from_pasted_logs_are_kept() -> None:
    moment = parse("2026-11-20T14:32:05.250Z", "UTC")
    assert (moment.second, moment.microsecond) == (5, 250000)


def test_relative_offsets_are_elapsed_time_even_across_a_dst_change() -> None:
    # Berlin springs forward in the night of 28/29 March 2026: 24 hours later is 13:00.
    noon = pendulum.datetime(2026, 3, 28, 12, 0, tz=BERLIN)
    later = parse_time("+1d", tz=BERLIN, now=noon)
    assert wall(later)[0] == "2026-03-29 13:00:00"
    assert (later - noon).in_hours() == 24


def test_result_is_aware_and_in_the_requested_timezone_whatever_now_is_in() -> None:
    now_in_tokyo = NOW.in_timezone("Asia/Tokyo")
    for text in ("now", "-5m", "14:32", "2026-11-20T14:32Z"):
        moment = parse_time(text, tz=NEW_YORK, now=now_in_tokyo)
        assert moment.tzinfo is not None and moment.timezone_name == NEW_YORK
    assert parse_time("now", tz=NEW_YORK, now=now_in_tokyo) == NOW


# --- daylight saving --------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "tz", "base_date"),
    [
        ("2026-03-29 02:30", BERLIN, None),
        ("02:30", BERLIN, pendulum.date(2026, 3, 29)),
        ("2026-03-08 02:15:00", NEW_YORK, None),
    ],
)
def test_time_in_the_spring_dst_gap_is_rejected_not_shifted(
    text: str, tz: str, base_date: pendulum.Date | None
) -> None:
    message = error(text, tz, base_date=base_date)
    assert "does not exist" in message
    assert tz in message
    assert "forward" in message


def test_times_either_side_of_the_spring_gap_are_accepted() -> None:
    before = parse("2026-03-29 01:59")
    after = parse("2026-03-29 03:00")
    assert wall(before)[0] == "2026-03-29 01:59:00" and before.offset_hours == 1
    assert wall(after)[0] == "2026-03-29 03:00:00" and after.offset_hours == 2
    assert (after - before).in_minutes() == 1


@pytest.mark.parametrize(
    ("text", "tz", "utc"),
    [
        # Berlin falls back at 03:00 CEST on 25 October 2026; 02:30 happens twice.
        ("2026-10-25 02:30", BERLIN, "2026-10-25 00:30:00"),
        # New York falls back at 02:00 EDT on 1 November 2026; 01:30 happens twice.
        ("2026-11-01 01:30", NEW_YORK, "2026-11-01 05:30:00"),
    ],
)
def test_ambiguous_autumn_time_means_its_first_occurrence(text: str, tz: str, utc: str) -> None:
    moment = parse(text, tz)
    assert wall(moment) == (text + ":00", tz)
    assert moment.in_timezone("UTC").format("YYYY-MM-DD HH:mm:ss") == utc


def test_second_occurrence_of_a_fold_time_can_be_given_with_an_offset() -> None:
    moment = parse("2026-10-25T02:30+01:00")
    assert moment.in_timezone("UTC").format("HH:mm") == "01:30"


# --- rejections -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("", "enter"),
        ("   ", "enter"),
        ("garbage", "14:32"),
        ("14h32", "14:32"),
        ("5m", "-5m"),
        ("1430", "colon"),
        ("25:00", "hours"),
        ("24:00", "hours"),
        ("14:60", "minutes"),
        ("14:32:60", "seconds"),
        ("2026-02-30 10:00", "february"),
        ("2026-13-01 10:00", "months"),
        ("2026-11-20", "time of day"),
        ("14:32Z", "date"),
        ("2026-11-20T14:32+25:00", "offset"),
        ("0226-11-20 10:00", "year"),
        ("+99999999999d", "too far"),
        ("-" + "9" * 5000 + "s", "too far"),
        ("+900000d", "too far"),
        ("now-5m", "14:32"),
        ("+1m30h", "14:32"),
        ("１４:３２", "14:32"),
    ],
)
def test_bad_input_is_rejected_with_a_message_that_says_what_to_do(text: str, word: str) -> None:
    assert word.lower() in error(text).lower()


def test_digits_without_a_colon_are_never_read_as_a_year() -> None:
    # pendulum.parse("1430") is 1 January 1430; the user meant 14:30.
    assert "14:30" in error("1430")
    assert "9:30" in error("930")


def test_unknown_timezone_is_a_time_parse_error() -> None:
    with pytest.raises(TimeParseError, match="[Tt]imezone"):
        parse_time("14:32", tz="Mars/Olympus_Mons", now=NOW)


def test_time_parse_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse("garbage")


TIMEISH = st.text(alphabet="0123456789:-+ .,TtZzdhmsnowyestrdaymb\t", max_size=32)


@given(text=st.one_of(st.text(max_size=64), TIMEISH))
def test_any_text_gives_an_aware_time_or_a_time_parse_error(text: str) -> None:
    try:
        moment = parse_time(text, tz=BERLIN, now=NOW)
    except TimeParseError as exc:
        assert str(exc)
    else:
        assert isinstance(moment, DateTime)
        assert moment.utcoffset() is not None
        assert moment.timezone_name == BERLIN


@given(moment=st.datetimes(min_value=pendulum.datetime(1970, 1, 1).naive(),
                           max_value=pendulum.datetime(2100, 1, 1).naive()))
def test_a_typed_wall_time_comes_back_as_typed_unless_it_falls_in_a_gap(
    moment: datetime.datetime,
) -> None:
    typed = f"{moment:%Y-%m-%d %H:%M:%S}"
    try:
        parsed = parse_time(typed, tz=NEW_YORK, now=NOW)
    except TimeParseError as exc:
        assert "does not exist" in str(exc)
    else:
        assert format_time(parsed, NEW_YORK, with_date=True, seconds=True) == typed


# --- timezones, dates, windows, display -------------------------------------------------

@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"])
def test_valid_timezones(name: str) -> None:
    assert valid_timezone(name)


@pytest.mark.parametrize(
    "name", ["", "Mars/Olympus_Mons", "Europe", "../../etc/passwd", "/etc/localtime",
             "Europe/Berlin ", "+01:00", "x" * 5000, "bad\x00name"],
)
def test_invalid_timezones(name: str) -> None:
    assert not valid_timezone(name)


TODAY = pendulum.date(2026, 11, 20)  # a Friday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", "2026-12-01"),
        ("today", "2026-11-20"),
        (" Tomorrow ", "2026-11-21"),
        ("+3d", "2026-11-23"),
        ("+2w", "2026-12-04"),
        ("+1m", "2026-12-20"),
        ("3d", "2026-11-23"),
        ("mon", "2026-11-23"),
        ("Monday", "2026-11-23"),
        ("sat", "2026-11-21"),
        ("thu", "2026-11-26"),
        ("fri", "2026-11-27"),  # never today: a Friday's "fri" is next week
        ("friday", "2026-11-27"),
    ],
)
def test_parse_date_accepted_forms(text: str, expected: str) -> None:
    assert parse_date(text, today=TODAY).isoformat() == expected


def test_parse_date_months_clamp_to_the_end_of_a_shorter_month() -> None:
    assert parse_date("+1m", today=pendulum.date(2026, 1, 31)).isoformat() == "2026-02-28"


@pytest.mark.parametrize(
    ("text", "word"),
    [("", "enter"), ("next week", "+2w"), ("2026-02-30", "february"), ("2026-00-10", "months"),
     ("yesterday", "today"), ("-3d", "+3d"), ("+99999999999d", "too far"),
     ("+" + "9" * 5000 + "w", "too far"), ("+999999m", "too far"), ("fr", "weekday")],
)
def test_parse_date_rejections(text: str, word: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_date(text, today=TODAY)
    assert word.lower() in str(caught.value).lower()


@pytest.mark.parametrize(
    ("text", "days"),
    [("30d", 30), ("30", 30), ("4w", 28), ("1w", 7), (" 7 D ", 7), ("90 days", 90),
     ("2 weeks", 14), ("030", 30)],
)
def test_parse_window_days_accepted(text: str, days: int) -> None:
    assert parse_window_days(text) == days


@pytest.mark.parametrize(
    ("text", "word"),
    [("", "days"), ("0", "between"), ("0w", "between"), ("-30", "days"), ("1m", "days"),
     ("thirty", "days"), ("30.5", "days"), ("99999999999999999999d", "between"),
     ("9" * 5000, "between")],
)
def test_parse_window_days_rejections(text: str, word: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_window_days(text)
    assert word in str(caught.value)


def test_format_time_shows_the_moment_in_the_given_timezone() -> None:
    moment = pendulum.datetime(2026, 11, 20, 13, 32, 5, tz="UTC")
    assert format_time(moment, BERLIN) == "14:32"
    assert format_time(moment, BERLIN, seconds=True) == "14:32:05"
    assert format_time(moment, BERLIN, with_date=True) == "2026-11-20 14:32"
    assert format_time(moment, NEW_YORK, with_date=True, seconds=True) == "2026-11-20 08:32:05"
    assert format_time(pendulum.datetime(2026, 11, 20, 2, 0, tz="UTC"), NEW_YORK,
                       with_date=True) == "2026-11-19 21:00"
    assert format_time(None, BERLIN) == ""


def test_format_time_round_trips_parse_time() -> None:
    for text in ("14:32", "2026-03-29 03:00", "2026-10-25 02:30"):
        with_date = "-" in text
        assert format_time(parse(text), BERLIN, with_date=with_date) == text


@given(
    # hypothesis draws naive datetimes between naive bounds; they are made UTC below
    instant=st.datetimes(min_value=datetime.datetime(1971, 1, 1),  # noqa: DTZ001
                         max_value=datetime.datetime(2099, 12, 31)),  # noqa: DTZ001
    tz=st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
                        "Pacific/Chatham", "UTC", "America/St_Johns", "Africa/Casablanca"]),
)
def test_clock_time_is_format_time_faster(instant: datetime.datetime, tz: str) -> None:
    """The timeline's fast HH:MM agrees with format_time everywhere, DST changes included."""
    moment = pendulum.instance(instant.replace(tzinfo=datetime.UTC))
    assert moment.tzinfo is pendulum.UTC  # as the store reads times back: the fast path
    assert clock_time(moment, tz) == format_time(moment, tz)
    elsewhere = moment.in_timezone("Asia/Tokyo")  # any other zone: the general path
    assert clock_time(elsewhere, tz) == format_time(moment, tz)
    assert local_date(moment, tz) == moment.in_timezone(tz).date()
    assert local_date(elsewhere, tz) == moment.in_timezone(tz).date()
    # The header's clock, with seconds, both ways.
    assert clock_time(moment, tz, seconds=True) == format_time(moment, tz, seconds=True)
    assert clock_time(elsewhere, tz, seconds=True) == format_time(moment, tz, seconds=True)


def test_clock_time_around_a_dst_change_and_for_nothing() -> None:
    # Europe/Berlin springs forward at 01:00 UTC on 2026-03-29: 01:59 then 03:00 local.
    before = pendulum.datetime(2026, 3, 29, 0, 59, tz="UTC")
    assert clock_time(before, "Europe/Berlin") == "01:59"
    assert clock_time(before.add(minutes=1), "Europe/Berlin") == "03:00"
    assert clock_time(None, "Europe/Berlin") == ""
