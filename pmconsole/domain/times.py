"""Reading the times, dates and durations people type during a meeting, and showing times.

Input is matched against our own regular expressions before any date is built:
``pendulum.parse`` accepts far too much (``"1430"`` is the year 1430, ``"14:30"`` is
today in UTC) and shifts non-existent DST times silently, so it is never used here.
"""

from __future__ import annotations

import calendar
import re
from datetime import date as _date
from datetime import datetime as _datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pendulum
from pendulum import Date, DateTime, FixedTimezone, Timezone

# Years outside this range are typos ("0226-11-20") or runaway offsets, never an incident.
MIN_YEAR = 1900
MAX_YEAR = 2999
# An SLO window longer than about ten years is a typo; it also keeps the number storable.
MAX_WINDOW_DAYS = 3660

_TIME_FORMS = "14:32, 14:32:05, 2026-11-20 14:32, now, -5m, +1h30m or yesterday 23:10"
_DATE_FORMS = "2026-12-01, today, tomorrow, +3d, +2w, +1m or a weekday such as mon"

# All patterns are matched with fullmatch against input that is lower-cased with single
# spaces (so ISO's "T" and "Z" appear as "t" and "z"). ASCII digits only: \d would also
# accept digits from other scripts, which nobody types into a timeline.
_DATE = r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
_CLOCK = (r"(?P<hour>\d{1,2}):(?P<minute>\d{2})"
          r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6}))?)?")
_OFFSET = r"(?P<offset>z|(?P<offset_sign>[+-])(?P<offset_hours>\d{2}):?(?P<offset_minutes>\d{2})?)"
_MOMENT = re.compile(
    rf"(?:(?P<word>yesterday|today|tomorrow) |{_DATE}[t ])?{_CLOCK}(?: ?{_OFFSET})?", re.ASCII
)
# Units in a fixed order (d, h, m, s), each at most once; the lookahead requires a number.
_RELATIVE = re.compile(
    r"(?P<sign>[+-]) ?(?=\d)(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?",
    re.ASCII,
)
_DATE_ONLY = re.compile(_DATE, re.ASCII)
_CLOCK_WITHOUT_COLON = re.compile(r"\d{3,4}", re.ASCII)
_DATE_OFFSET = re.compile(r"\+?(?P<amount>\d+) ?(?P<unit>d|w|m)", re.ASCII)
_WINDOW = re.compile(r"(?P<amount>\d+) ?(?P<unit>d|days?|w|weeks?)?", re.ASCII)

# Spelled out rather than taken from calendar.day_name, which follows the process locale.
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_NAMES = {**{name: i for i, name in enumerate(_WEEKDAYS)},
                  **{name[:3]: i for i, name in enumerate(_WEEKDAYS)}}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DAY_WORDS = {"yesterday": -1, "today": 0, "tomorrow": 1}


class TimeParseError(ValueError):
    """str(error) is a short user-facing sentence saying what is wrong and what is accepted."""


def valid_timezone(name: str) -> bool:
    """Whether ``name`` is a timezone pendulum knows (an IANA name such as ``Europe/Berlin``)."""
    try:
        _zone(name)
    except TimeParseError:
        return False
    return True


def parse_time(text: str, *, tz: str, now: DateTime, base_date: Date | None = None) -> DateTime:
    """Returns an aware pendulum DateTime in timezone `tz`.

    Accepted (case-insensitive, surrounding whitespace ignored):

    - ``14:32``, ``14:32:05``: on ``base_date`` (the incident's date) in ``tz``, or on
      today's date in ``tz`` (taken from ``now``) when ``base_date`` is None;
    - ``2026-11-20 14:32``, ``2026-11-20 14:32:05``, ``2026-11-20T14:32``: in ``tz``;
    - ISO 8601 with an offset or ``Z`` (``2026-11-20T14:32:05+01:00``): the offset is
      honoured and the result converted to ``tz``;
    - ``yesterday 23:10``, ``today 09:00``, ``tomorrow 9:05``: relative to today in ``tz``;
    - ``now``, and offsets from ``now`` such as ``-5m``, ``+1h30m``, ``-90s``, ``-2h``,
      ``+1d``: units in the order d, h, m, s; elapsed time, so a day is 24 hours even
      across a DST change.

    A wall time that does not exist in ``tz`` (the spring DST gap) is rejected. A wall
    time that happens twice (the autumn fold) means its first occurrence, the earlier instant.
    Anything else raises ``TimeParseError``; a wrong time is never returned.
    """
    zone = _zone(tz)
    typed = " ".join(text.split()).lower()
    if not typed:
        raise TimeParseError(f"Enter a time, such as {_TIME_FORMS}.")
    if typed == "now":
        return now.in_timezone(zone)
    if relative := _RELATIVE.fullmatch(typed):
        return _relative(relative, now, zone)
    if moment := _MOMENT.fullmatch(typed):
        return _moment(moment, now, zone, base_date)
    if _CLOCK_WITHOUT_COLON.fullmatch(typed):
        # "1430" is the commonest slip; suggest the time it most likely meant.
        meant = f"{typed[:-2]}:{typed[-2:]}"
        example = meant if int(typed[:-2]) < 24 and int(typed[-2:]) < 60 else "14:30"
        raise TimeParseError(f"Write times with a colon, such as {example}.")
    if _DATE_ONLY.fullmatch(typed):
        raise TimeParseError("Add a time of day after the date, such as 2026-11-20 14:32.")
    raise TimeParseError(f"Could not read that as a time. Use {_TIME_FORMS}.")


def parse_date(text: str, *, today: Date) -> Date:
    """Due dates: `2026-12-01`, `today`, `tomorrow`, `+3d`, `+2w`, `+1m` (months), weekday
    names `mon`..`sun`/`monday` (next such day, never today). TimeParseError otherwise.

    The sign of ``+3d`` may be left out. Months are calendar months, clamped to the
    month's last day (``+1m`` from 31 January is 28 or 29 February).
    """
    typed = " ".join(text.split()).lower()
    start = pendulum.date(today.year, today.month, today.day)
    if not typed:
        raise TimeParseError(f"Enter a date, such as {_DATE_FORMS}.")
    if typed == "today":
        return start
    if typed == "tomorrow":
        return start.add(days=1)
    if typed in _WEEKDAY_NAMES:
        # 1..7 days ahead: "fri" said on a Friday means next week's Friday.
        return start.add(days=(_WEEKDAY_NAMES[typed] - start.weekday() - 1) % 7 + 1)
    if match := _DATE_ONLY.fullmatch(typed):
        year, month, day = (int(match[name]) for name in ("year", "month", "day"))
        _check_date(year, month, day)
        return pendulum.date(year, month, day)
    if match := _DATE_OFFSET.fullmatch(typed):
        unit = {"d": "days", "w": "weeks", "m": "months"}[match["unit"]]
        try:
            due = start.add(**{unit: int(match["amount"])})
        except (ValueError, OverflowError):
            due = None  # int() refuses thousands of digits; date arithmetic overflows
        if due is None or not MIN_YEAR <= due.year <= MAX_YEAR:
            raise TimeParseError(f"That date is too far ahead; years go up to {MAX_YEAR}.")
        return due
    raise TimeParseError(f"Could not read that as a date. Use {_DATE_FORMS}.")


def parse_window_days(text: str) -> int:
    """SLO window: `30d`, `30`, `4w`, `1w` -> days (int > 0). TimeParseError otherwise."""
    typed = " ".join(text.split()).lower()
    match = _WINDOW.fullmatch(typed)
    if match is None:
        raise TimeParseError("Enter the SLO window in days or weeks, such as 30d or 4w.")
    # Compare digit counts before int(): a pasted megabyte of digits must not be converted.
    amount = int(match["amount"]) if len(match["amount"].lstrip("0")) <= 6 else MAX_WINDOW_DAYS + 1
    days = amount * 7 if (match["unit"] or "d").startswith("w") else amount
    if not 0 < days <= MAX_WINDOW_DAYS:
        raise TimeParseError(f"The SLO window must be between 1 and {MAX_WINDOW_DAYS} days.")
    return days


def format_time(moment: DateTime | None, tz: str, *, with_date: bool = False,
                seconds: bool = False) -> str:
    """`14:32` / `14:32:05` / `2026-11-20 14:32` in tz; '' for None."""
    if moment is None:
        return ""
    pattern = ("%Y-%m-%d " if with_date else "") + ("%H:%M:%S" if seconds else "%H:%M")
    return moment.in_timezone(_zone(tz)).strftime(pattern)


def clock_time(moment: DateTime | None, tz: str, *, seconds: bool = False) -> str:
    """``14:32`` (``14:32:05`` with ``seconds``) in tz: what ``format_time`` gives, for a
    timeline of thousands of events and the header's clock, which ticks every second.

    Through the standard library (its zoneinfo and datetime are in C) instead of pendulum's
    conversion, which costs ten times as much per event and was a fifth of the time it took
    to open a 10,000-event session.
    """
    if moment is None:
        return ""
    local = _local(moment, tz)
    if local is None:
        return format_time(moment, tz, seconds=seconds)  # a name only pendulum knows, or a bad one
    if seconds:
        return f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}"
    return f"{local.hour:02d}:{local.minute:02d}"


def local_date(moment: DateTime, tz: str) -> _date:
    """The day ``moment`` falls on in tz (as ``moment.in_timezone(tz).date()``, faster)."""
    local = _local(moment, tz)
    if local is None:
        return moment.in_timezone(_zone(tz)).date()
    return local.date()


def _local(moment: DateTime, tz: str) -> _datetime | None:
    """``moment`` as a standard-library datetime in tz; None for a zone zoneinfo lacks."""
    zone = _STDLIB_ZONES.get(tz)
    if zone is None:
        try:
            zone = _STDLIB_ZONES[tz] = ZoneInfo(tz)
        except (ValueError, KeyError, OSError, TypeError):
            return None
    if moment.tzinfo is pendulum.UTC:
        # What the store reads back (every time is stored in UTC): the zone's own fromutc
        # takes the wall time as it is, without asking pendulum for an offset (twice as fast).
        return zone.fromutc(_datetime(moment.year, moment.month, moment.day, moment.hour,
                                      moment.minute, moment.second, tzinfo=zone))
    return _datetime.fromtimestamp(moment.timestamp(), zone)


_STDLIB_ZONES: dict[str, ZoneInfo] = {}


# pendulum reads and parses a zone's file each time it is named (it keeps no strong
# reference); the timeline formats thousands of times in one zone.
_ZONES: dict[str, Timezone | FixedTimezone] = {}


def _zone(name: str) -> Timezone | FixedTimezone:
    zone = _ZONES.get(name) if isinstance(name, str) else None
    if zone is not None:
        return zone
    try:
        zone = pendulum.timezone(name)
    except (ValueError, KeyError, OSError, TypeError):
        # zoneinfo reports bad names as ValueError, missing files as KeyError or OSError
        # (a directory such as "Europe"), and pendulum as InvalidTimezone (a ValueError).
        raise TimeParseError(
            f"Unknown timezone {name[:40]!r}: use an IANA name such as Europe/Berlin or UTC."
        ) from None
    _ZONES[name] = zone
    return zone


def _relative(match: re.Match[str], now: DateTime, zone: Timezone | FixedTimezone) -> DateTime:
    try:
        delta = timedelta(**{unit: int(match[key]) for key, unit in
                             (("d", "days"), ("h", "hours"), ("m", "minutes"), ("s", "seconds"))
                             if match[key]})
        # In UTC so the offset is elapsed time whatever DST does in between.
        moment = now.in_timezone("UTC") + (delta if match["sign"] == "+" else -delta)
    except (ValueError, OverflowError):
        moment = None
    if moment is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise TimeParseError("That is too far from now; use something like -5m or +1h30m.")
    return moment.in_timezone(zone)


def _moment(match: re.Match[str], now: DateTime, zone: Timezone | FixedTimezone,
            base_date: Date | None) -> DateTime:
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    microsecond = int((match["fraction"] or "").ljust(6, "0"))
    if hour > 23 or minute > 59 or second > 59:
        unit = "hours go from 00 to 23" if hour > 23 else (
            "minutes go from 00 to 59" if minute > 59 else "seconds go from 00 to 59")
        raise TimeParseError(f"That is not a time of day: {unit}.")

    if match["year"]:
        year, month, day = (int(match[name]) for name in ("year", "month", "day"))
        _check_date(year, month, day)
    elif match["offset"]:
        raise TimeParseError("A time with an offset needs a date, such as 2026-11-20T14:32Z.")
    else:
        if match["word"]:
            date = now.in_timezone(zone).date().add(days=_DAY_WORDS[match["word"]])
        else:
            date = base_date or now.in_timezone(zone).date()
        year, month, day = date.year, date.month, date.day

    if match["offset"]:
        fixed = FixedTimezone(_offset_seconds(match))
        try:
            moment = pendulum.datetime(year, month, day, hour, minute, second, microsecond,
                                       tz=fixed).in_timezone(zone)
        except OverflowError:
            moment = None  # 9999-12-31 with an offset runs off the calendar
        if moment is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
            raise TimeParseError(f"Years go from {MIN_YEAR} to {MAX_YEAR}.")
        return moment

    # fold=0 picks the first of two identical wall times in autumn (pendulum's default is
    # the second). In a spring gap pendulum moves the time instead of failing, so a
    # built time whose wall clock differs from what was typed did not exist.
    moment = pendulum.datetime(year, month, day, hour, minute, second, microsecond,
                               tz=zone, fold=0)
    if (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second) != (
            year, month, day, hour, minute, second):
        raise TimeParseError(
            f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d} does not exist in "
            f"{zone.name}: the clocks jump forward over it."
        )
    return moment


def _offset_seconds(match: re.Match[str]) -> int:
    if match["offset"] == "z":
        return 0
    hours, minutes = int(match["offset_hours"]), int(match["offset_minutes"] or 0)
    if hours > 23 or minutes > 59:
        raise TimeParseError("That offset is not valid; write it like +01:00, -05:00 or Z.")
    sign = -1 if match["offset_sign"] == "-" else 1
    return sign * (hours * 3600 + minutes * 60)


def _check_date(year: int, month: int, day: int) -> None:
    typed = f"{year:04d}-{month:02d}-{day:02d}"
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise TimeParseError(f"{typed} is out of range: years go from {MIN_YEAR} to {MAX_YEAR}.")
    if not 1 <= month <= 12:
        raise TimeParseError(f"{typed} is not a date: months go from 01 to 12.")
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise TimeParseError(
            f"{typed} is not a date: {_MONTHS[month - 1]} {year} has "
            f"{days_in_month} days."
        )
