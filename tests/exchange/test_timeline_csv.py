"""CSV timeline import: what a spreadsheet user types, and clear errors naming the row."""

from __future__ import annotations

import pendulum
import pytest

from pmconsole.domain.model import EventKind, Session
from pmconsole.exchange.timeline_csv import CsvImportFailed, parse_timeline_csv

NOW = pendulum.datetime(2026, 11, 20, 12, 0, tz="UTC")
SESSION = Session(title="Checkout outage", id=4, timezone="Europe/Berlin",
                  impact_started=pendulum.datetime(2026, 11, 19, 13, 58, tz="UTC"))


def parse(text: str, session: Session = SESSION):  # type: ignore[no-untyped-def]
    return parse_timeline_csv(text, session=session, now=NOW)


def utc(hour: int, minute: int, second: int = 0, day: int = 19) -> pendulum.DateTime:
    return pendulum.datetime(2026, 11, day, hour, minute, second, tz="UTC")


def test_a_simple_file() -> None:
    events, warnings = parse("time,kind,text,link\n"
                             "14:58,trigger,Latency rises,https://grafana.example.com/d/1\n"
                             "15:06,detection,Alert fires,\n")
    assert warnings == []
    assert [(e.at, e.kind, e.text, e.link) for e in events] == [
        (utc(13, 58), EventKind.TRIGGER, "Latency rises", "https://grafana.example.com/d/1"),
        (utc(14, 6), EventKind.DETECTION, "Alert fires", ""),
    ]
    assert all(e.session_id == 4 and e.id is None and not e.starred for e in events)


def test_quoting_commas_pipes_quotes_brackets_and_line_breaks() -> None:
    events, _ = parse('time,kind,text\n'
                      '15:00,other,"Pool 200/200 | threads, all ""WAITING"" [payments]"\n'
                      '15:01,other,"[/] [@click=app.quit]x[/] <b>"\n'
                      '15:02,other,"two\nlines"\n')
    assert [e.text for e in events] == ['Pool 200/200 | threads, all "WAITING" [payments]',
                                        "[/] [@click=app.quit]x[/] <b>", "two\nlines"]


def test_offsets_are_honoured_and_bare_times_use_the_session_timezone() -> None:
    events, _ = parse("time,kind,text\n"
                      "2026-11-19T08:58:00-05:00,trigger,New York\n"
                      "2026-11-19T14:00:05Z,other,UTC\n"
                      "2026-11-19 15:01,other,Berlin with date\n"
                      "15:02:30,other,Berlin bare\n"
                      "2026-11-19T19:33:00+05:30,other,Kolkata\n")
    assert [e.at for e in events] == [utc(13, 58), utc(14, 0, 5), utc(14, 1), utc(14, 2, 30),
                                      utc(14, 3)]
    assert all(e.at.timezone_name == "UTC" for e in events)


def test_bare_times_fall_on_the_incident_date_not_today() -> None:
    late = Session(title="x", id=1, timezone="America/Los_Angeles",
                   detected=pendulum.datetime(2026, 11, 19, 6, 0, tz="UTC"))  # 18th, 22:00 LA
    events, _ = parse("time,kind,text\n23:10,other,late\n", late)
    assert events[0].at == pendulum.datetime(2026, 11, 19, 7, 10, tz="UTC")


def test_header_is_case_insensitive_in_any_order_with_a_bom() -> None:
    events, warnings = parse("\ufeffTEXT,Time,Kind\nhello,14:58,Detection\n")
    assert warnings == []
    assert (events[0].text, events[0].kind, events[0].at) == ("hello", EventKind.DETECTION,
                                                              utc(13, 58))


def test_extra_columns_are_ignored_with_a_warning() -> None:
    events, warnings = parse("time,kind,text,link,Owner,\n14:58,other,x,,Ana,\n")
    assert len(events) == 1
    assert warnings == ["ignored columns 'Owner', column 6 (no name): pmconsole reads time, "
                        "kind, text and link"]


def test_spaces_after_commas_and_around_values() -> None:
    events, _ = parse('time, kind, text, link\n14:58, Trigger , "a, b", https://x.example \n')
    assert (events[0].kind, events[0].text, events[0].link) == (EventKind.TRIGGER, "a, b",
                                                               "https://x.example")


def test_empty_kind_means_other_and_blank_rows_are_skipped() -> None:
    events, _ = parse("time,kind,text\n\n14:58,,something\n,,\n  ,  ,  \n")
    assert [(e.kind, e.text) for e in events] == [(EventKind.OTHER, "something")]


def test_windows_line_endings_and_control_characters() -> None:
    events, _ = parse('time,kind,text\r\n14:58,other,"a\r\nb\x1b[31m"\r\n')
    assert events[0].text == "a\nb[31m"


def test_rows_going_back_in_time_are_warned_about_once() -> None:
    events, warnings = parse("time,kind,text\n23:50,other,a\n00:10,other,b\n00:20,other,c\n"
                             "00:05,other,d\n")
    assert len(events) == 4
    assert warnings == ["rows 3, 5 are earlier than the row before; the timeline shows events "
                        "by time (if the incident crossed midnight, write the date with the "
                        "time)"]


def test_header_only_gives_no_events_and_a_warning() -> None:
    assert parse("time,kind,text\n") == ([], ["the file has no rows after the header"])


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"),
    ("time,text\n14:58,x\n", "row 1: missing column kind (the header must have time, kind, "
                             "text and optionally link)"),
    ("when,what\n", "row 1: missing columns time, kind, text"),
    ("time;kind;text\n14:58;other;x\n", "row 1: the columns are separated by semicolons"),
    ("time,kind,text,Time\n", "row 1: the column 'time' appears twice"),
    ("time,kind,text\n14:58,other,ok\n14:59,other,ok\n15:00,foo,x\n",
     "row 4: unknown kind 'foo' (expected one of trigger, detection, escalation, diagnosis, "
     "mitigation, resolution, communication, other)"),
    ("time,kind,text\n14:58,other,ok\n14:59,other,   \n", "row 3: the text is empty"),
    ("time,kind,text\n14:58,other,ok\n1430,other,x\n",
     "row 3: time '1430': Write times with a colon, such as 14:30."),
    ("time,kind,text\n,other,x\n", "row 2: time '': Enter a time"),
    ("time,kind,text\n2026-03-29 02:30,other,x\n", "row 2: time '2026-03-29 02:30': "
     "2026-03-29 02:30 does not exist in Europe/Berlin"),
    ("time,kind,text\n14:58,other,Alert fired, paged on-call\n",
     "row 2: 4 cells but the header has 3 (put text that contains commas in double quotes)"),
    ('time,kind,text\n14:58,other,"x"\n\n"14:59,other,y\n',
     "row 4: a quoted field is not closed before the end of the file"),
    ('time,kind,text\n14:58,other,"x"\n14:59,other,"say "hi""\n',
     "row 3: text follows a closing quote (write a quote inside quoted text as two quotes"),
    ("time,kind,text\n14:58,other," + "x" * 200_000 + "\n",
     "row 2: a field is longer than 131,072 characters"),
])
def test_bad_files_name_the_row(text: str, message: str) -> None:
    with pytest.raises(CsvImportFailed) as error:
        parse(text)
    assert str(error.value).startswith(message) or message in str(error.value)


def test_rows_are_counted_as_a_spreadsheet_counts_them() -> None:
    # A quoted line break does not start a new row.
    with pytest.raises(CsvImportFailed, match="^row 3: unknown kind"):
        parse('time,kind,text\n14:58,other,"two\nlines"\n14:59,bad,x\n')


def test_an_unsaved_session_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="saved"):
        parse_timeline_csv("time,kind,text\n", session=Session(title="x"), now=NOW)
