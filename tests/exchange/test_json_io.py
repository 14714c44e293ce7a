"""JSON export and import: a lossless, id-free, versioned file; bad files name the field."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest

from pmconsole.domain.model import EntityKind, SessionRecord
from pmconsole.exchange import json_io
from pmconsole.exchange.json_io import ImportFailed, dump_session, load_session
from pmconsole.store.repository import Store
from tests.exchange.sample import HOSTILE, full_record
from tests.exchange.test_minutes import check_golden


def full_document() -> dict[str, Any]:
    return json.loads(dump_session(full_record()))


def test_golden_full_session() -> None:
    check_golden("session_full.json", dump_session(full_record()))


def test_file_layout() -> None:
    text = dump_session(full_record())
    assert text.endswith("}\n") and not text.endswith("\n\n")
    document = json.loads(text)
    assert list(document) == ["format", "version", "session", "agenda", "timeline",
                              "findings", "actions", "script_uses", "flags"]
    assert document["format"] == "pmconsole-session" and document["version"] == 1
    assert document["session"]["created"] == "2026-11-19T16:00:00+00:00"
    assert "Müller" in text  # UTF-8, not \u escapes


def test_no_database_ids_in_the_file() -> None:
    text = dump_session(full_record())
    for key in ('"id"', '"session_id"', '"entity_id"', '"position"', '"follows_up"'):
        assert key not in text


def test_flags_point_at_their_entry_by_list_index() -> None:
    flags = full_document()["flags"]
    assert [(f["entity"], f["index"]) for f in flags] == [
        ("finding", 5), ("timeline", 3), ("session", None)]
    record = load_session(dump_session(full_record()))
    finding = record.findings[5]
    assert record.flags[0].entity is EntityKind.FINDING
    assert record.flags[0].entity_id == finding.id
    assert finding.text.startswith("Dave forgot")


def test_carried_over_actions_belong_to_their_own_session() -> None:
    actions = full_document()["actions"]
    assert [a["text"] for a in actions] == [a.text for a in full_record().actions[1:]]


def test_a_flag_on_an_entry_not_in_the_file_is_left_out() -> None:
    record = full_record()
    orphan = dataclasses.replace(record.flags[0], entity=EntityKind.ACTION, entity_id=11)
    record = dataclasses.replace(record, flags=(orphan, *record.flags[1:]))
    assert len(json.loads(dump_session(record))["flags"]) == 2


def test_loaded_record_has_synthetic_ids_and_no_follows_up() -> None:
    record = load_session(dump_session(full_record()))
    assert record.session.id is None and record.session.follows_up is None
    assert [e.id for e in record.timeline] == list(range(1, len(record.timeline) + 1))
    assert {e.session_id for e in record.timeline} == {0}


def test_import_into_a_store_and_export_again_is_identical() -> None:
    text = dump_session(full_record())
    store = Store.memory()
    first = store.import_record(load_session(text))
    second = store.import_record(load_session(text))
    assert first != second
    assert dump_session(store.load(second)) == text
    flags = store.load(second).flags
    finding = next(f for f in store.load(second).findings if f.text.startswith("Dave"))
    assert flags[0].entity_id == finding.id


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_round_trips(hostile: str) -> None:
    record = full_record()
    record = dataclasses.replace(
        record, session=dataclasses.replace(record.session, title=hostile, summary=hostile,
                                            attendees=(hostile,)))
    text = dump_session(record)
    loaded = load_session(text)
    assert loaded.session.title == loaded.session.summary == hostile
    assert loaded.session.attendees == (hostile,)
    assert dump_session(loaded) == text


def test_text_is_cleaned_on_import() -> None:
    document = full_document()
    document["session"]["title"] = "a\x1b]0;pwned\x07b\r\nc\ud800"
    record = load_session(json.dumps(document))
    assert record.session.title == "a]0;pwnedb\nc\ufffd"


def test_times_with_other_offsets_are_read_and_written_back_in_utc() -> None:
    document = full_document()
    document["timeline"][0]["at"] = "2026-11-19T08:52:00-05:00"
    record = load_session(json.dumps(document))
    assert json.loads(dump_session(record))["timeline"][0]["at"] == "2026-11-19T13:52:00+00:00"


def broken(change: str) -> str:
    """The full document with one change applied (a Python statement on ``d``)."""
    d = full_document()
    exec(change, {"d": d})
    return json.dumps(d)


BAD_FILES = [
    ("not json", "not valid JSON"),
    ("", "not valid JSON"),
    ("[1, 2]", "not a pmconsole session: expected an object, got a list"),
    ('{"format": "something-else", "version": 1}', "format: expected 'pmconsole-session'"),
    ('{"version": 1}', "format: expected 'pmconsole-session', got null"),
    (broken("d['version'] = 2"), "version: the file is version 2, this pmconsole reads version 1"),
    (broken("d['version'] = '1'"), "version: expected a whole number, got text"),
    (broken("d['version'] = 0"), "version: unsupported version 0"),
    (broken("del d['timeline']"), "timeline: missing"),
    (broken("d['extra'] = 1"), "extra: unknown field"),
    (broken("d['timeline'] = {}"), "timeline: expected a list, got an object"),
    (broken("d['timeline'][3] = 'x'"), "timeline[3]: expected an object, got text"),
    (broken("del d['session']['title']"), "session.title: missing"),
    (broken("d['session']['titel'] = 'x'"), "session.titel: unknown field"),
    (broken("d['session']['title'] = None"), "session.title: must not be null"),
    (broken("d['session']['title'] = 5"), "session.title: expected text, got a number"),
    (broken("d['session']['severity'] = 'SEV9'"),
     "session.severity: unknown value 'SEV9' (expected one of SEV1, SEV2, SEV3, SEV4, SEV5)"),
    (broken("d['session']['timezone'] = 'Mars/Olympus'"), "session.timezone: unknown timezone"),
    (broken("d['session']['attendees'] = ['a', 3]"),
     "session.attendees: item 1: expected text, got a number"),
    (broken("d['session']['slo_target'] = '99.9'"),
     "session.slo_target: expected a number, got text"),
    (broken("d['session']['slo_target'] = 120"), "session.slo_target: 120 is out of range"),
    (broken("d['session']['slo_window_days'] = True"),
     "session.slo_window_days: expected a whole number, got true/false"),
    (broken("d['session']['slo_window_days'] = 10**30"),
     "session.slo_window_days: 1000000000000000000000000000000 is out of range"),
    (broken("d['session']['follow_up_date'] = '2026-13-01'"),
     "session.follow_up_date: '2026-13-01' is not a date"),
    (broken("d['session']['created'] = '2026-11-19T16:00:00'"),
     "session.created: time has no UTC offset"),
    (broken("d['timeline'][3]['at'] = '2026-11-19 14:06'"),
     "timeline[3].at: time has no UTC offset"),
    (broken("d['timeline'][3]['at'] = 'yesterday'"),
     "timeline[3].at: 'yesterday' is not an ISO 8601 time"),
    (broken("d['timeline'][3]['kind'] = 'foo'"),
     "timeline[3].kind: unknown value 'foo' (expected one of trigger, detection, escalation,"),
    (broken("d['timeline'][3]['starred'] = 'yes'"),
     "timeline[3].starred: expected true or false, got text"),
    (broken("d['agenda'][0]['planned_minutes'] = -5"),
     "agenda[0].planned_minutes: -5 is out of range"),
    (broken("d['agenda'][0]['paused_seconds'] = 1e400"), "Infinity is not a number JSON allows"),
    (dump_session(full_record()).replace('"paused_seconds": 0.0', '"paused_seconds": 1e400', 1),
     "agenda[0].paused_seconds: the number is too large"),
    (broken("d['actions'][1]['status'] = 'closed'"), "actions[1].status: unknown value 'closed'"),
    (broken("d['flags'][0]['index'] = 99"),
     "flags[0].index: there is no findings[99] (the file has 9)"),
    (broken("d['flags'][0]['entity'] = 'comment'"), "flags[0].entity: unknown value 'comment'"),
    (broken("d['flags'][2]['index'] = 0"), "flags[2].index: must be null for the session"),
    (broken("d['flags'][0]['end'] = -1"), "flags[0].end: -1 is out of range"),
    (broken("d['flags'][0]['start'] = 20"), "flags[0].end: 11 is before start 20"),
    ('{"format": "pmconsole-session", "format": "x"}', "appears twice"),
    ('{"format": "pmconsole-session", "version": NaN}', "NaN is not a number JSON allows"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"a": ' + "9" * 5000 + "}", "not valid JSON"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES,
                         ids=[f"bad{i}" for i in range(len(BAD_FILES))])
def test_bad_files_are_refused_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(ImportFailed) as error:
        load_session(text)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_huge_files_are_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    text = dump_session(full_record())
    monkeypatch.setattr(json_io, "MAX_CHARS", len(text) - 1)
    with pytest.raises(ImportFailed, match="too large"):
        load_session(text)


def test_error_is_a_value_error() -> None:
    assert issubclass(ImportFailed, ValueError)


def test_loading_does_not_change_the_document_given() -> None:
    document = full_document()
    before = copy.deepcopy(document)
    load_session(json.dumps(document))
    assert document == before


def test_a_session_without_entries() -> None:
    record = load_session(dump_session(SessionRecord(session=full_record().session)))
    assert record.timeline == () and record.flags == ()
