"""The export, import and timeline import commands, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pendulum
import pytest
from click.testing import CliRunner, Result

from pmconsole.cli import main
from pmconsole.domain.model import (
    BlameFlag,
    EntityKind,
    FlagCategory,
    FlagStatus,
    Session,
    TimelineEvent,
)
from pmconsole.exchange.json_io import dump_session
from pmconsole.store.repository import Store
from tests.exchange.mdparse import headings, only_table, parse_minutes, section
from tests.exchange.sample import full_record

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    """A database holding the full sample session (id 1) and an empty one (id 2)."""
    path = tmp_path / "pm.db"
    store = Store.open(path)
    store.import_record(full_record())
    store.create_session(Session(title="Q3/Q4 planning", timezone="Europe/Berlin",
                                 impact_started=pendulum.datetime(2026, 11, 19, 9, 0,
                                                                  tz="UTC")))
    store.close()
    return path


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def count_sessions(db: Path) -> int:
    store = Store.open(db, readonly=True)
    try:
        return len(store.list_sessions())
    finally:
        store.close()


def events_of(db: Path, session_id: int) -> list[TimelineEvent]:
    store = Store.open(db, readonly=True)
    try:
        return store.list_children(TimelineEvent, session_id)
    finally:
        store.close()


# -- export ------------------------------------------------------------------------------------


def test_export_markdown_to_standard_output(db: Path) -> None:
    result = run(db, "export", "1")
    assert result.exit_code == 0, result.output
    blocks = parse_minutes(result.stdout)
    assert blocks[0].text == "Post-mortem: Checkout outage: payments | cart"
    assert "Timeline" in headings(blocks, 2)
    assert len(only_table(section(blocks, "Timeline"))) == 1 + len(full_record().timeline)
    assert result.stderr == ""


def test_export_json_to_standard_output(db: Path) -> None:
    result = run(db, "export", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["session"]["title"] == "Checkout outage: payments | cart"
    # The same file the exchange layer writes for the same record (ids aside).
    assert result.stdout == dump_session(Store.open(db, readonly=True).load(1))


def test_standard_output_is_utf8_whatever_the_locale(db: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    result = subprocess.run(
        [sys.executable, "-m", "pmconsole", "--db", str(db), "export", "1"],
        cwd=ROOT, capture_output=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Dana Müller".encode() in result.stdout


def test_export_to_a_file_and_refuse_to_overwrite_it(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "minutes.md"
    result = run(db, "export", "1", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{target}\n"
    first = target.read_bytes()
    assert first.startswith(b"# Post-mortem: Checkout outage")

    target.write_text("edited by hand")
    result = run(db, "export", "1", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == (f"pmconsole: {target} already exists; it was not overwritten; "
                             "use --force to replace it\n")
    assert target.read_text() == "edited by hand"

    result = run(db, "export", "1", "-o", str(target), "--force")
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == first


def test_export_into_a_folder_names_the_file_after_the_session(db: Path,
                                                                tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    assert run(db, "export", "2", "-o", str(folder)).exit_code == 0
    assert run(db, "export", "2", "-o", str(folder), "--format", "json").exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["Q3-Q4-planning.json",
                                                        "Q3-Q4-planning.md"]


def test_output_path_ending_in_json_means_json(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    assert run(db, "export", "1", "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text())["format"] == "pmconsole-session"


def test_export_errors_are_one_line_with_exit_2(db: Path, tmp_path: Path) -> None:
    cases = [
        (["export", "99"], "no session with id 99"),
        (["export", "1", "-o", str(tmp_path / "missing" / "x.md")], "does not exist"),
    ]
    for args, message in cases:
        result = run(db, *args)
        assert result.exit_code == 2, args
        assert message in result.stderr
        assert result.stderr.count("\n") == 1
    result = run(tmp_path / "nothing.db", "export", "1")
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not (tmp_path / "nothing.db").exists()


def test_export_reads_a_database_it_cannot_write(db: Path) -> None:
    # chmod does not stop root (CI runs as root); an immutable folder stops everyone.
    folder = db.parent
    if os.geteuid() == 0:
        lock, unlock = ["chattr", "+i", str(folder)], ["chattr", "-i", str(folder)]
        assert subprocess.run(lock, check=False).returncode == 0, "chattr +i works here"
    else:
        os.chmod(folder, 0o555)
    try:
        result = run(db, "export", "1")
    finally:
        if os.geteuid() == 0:
            subprocess.run(unlock, check=True)
        else:
            os.chmod(folder, 0o755)
    assert result.exit_code == 0, result.output
    assert "# Post-mortem:" in result.stdout


def test_export_opens_the_database_read_only(db: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    opened = []
    real_open = Store.open.__func__  # type: ignore[attr-defined]

    def spy(cls: type[Store], path: Path, *, readonly: bool = False) -> Store:
        opened.append(readonly)
        return real_open(cls, path, readonly=readonly)  # type: ignore[no-any-return]

    monkeypatch.setattr(Store, "open", classmethod(spy))
    for fmt in ("md", "json"):
        assert run(db, "export", "1", "--format", fmt).exit_code == 0
    assert opened == [True, True]


def test_export_does_not_change_the_database(db: Path) -> None:
    before = db.read_bytes()
    assert run(db, "export", "1").exit_code == 0
    assert db.read_bytes() == before


def test_export_names_linked_sessions(db: Path) -> None:
    store = Store.open(db)
    follow_up = store.add(Session(title="Checkout outage: 30-day review", follows_up=1))
    store.close()
    blocks = parse_minutes(run(db, "export", "1").stdout)
    assert f"Followed up by session #{follow_up.id}: Checkout outage: 30-day review" in (
        section(blocks, "Follow-up")[0].items)
    blocks = parse_minutes(run(db, "export", str(follow_up.id)).stdout)
    assert section(blocks, "Follow-up")[0].items == [
        "Follows up session #1: Checkout outage: payments | cart"]


def test_export_does_not_import_textual(db: Path) -> None:
    code = (
        "import sys\n"
        "from pmconsole.cli import main\n"
        f"main(['--db', {str(db)!r}, 'export', '1'], standalone_mode=False)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')"
        " or m.startswith('pmconsole.tui'))\n"
        "print('LOADED:', loaded, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "# Post-mortem:" in result.stdout
    assert "LOADED: []" in result.stderr


# -- import ------------------------------------------------------------------------------------


def test_import_prints_the_new_id_and_the_session_is_the_same(db: Path,
                                                                tmp_path: Path) -> None:
    exported = tmp_path / "one.json"
    assert run(db, "export", "1", "-o", str(exported)).exit_code == 0
    result = run(db, "import", str(exported))
    assert result.exit_code == 0, result.output
    assert result.stdout == "3\n"
    again = run(db, "export", "3", "--format", "json")
    assert again.stdout_bytes == exported.read_bytes()
    minutes_one = parse_minutes(run(db, "export", "1").stdout)
    minutes_three = parse_minutes(run(db, "export", "3").stdout)
    assert section(minutes_one, "Timeline") == section(minutes_three, "Timeline")


def test_import_into_a_new_database(db: Path, tmp_path: Path) -> None:
    exported = tmp_path / "one.json"
    assert run(db, "export", "1", "-o", str(exported)).exit_code == 0
    other = tmp_path / "other.db"
    result = run(other, "import", str(exported))
    assert result.stdout == "1\n"
    assert run(other, "export", "1", "--format", "json").stdout_bytes == exported.read_bytes()


@pytest.mark.parametrize(("content", "message"), [
    (b"{not json", "not valid JSON"),
    (b'{"format": "pmconsole-session", "version": 7}', "version: the file is version 7"),
    (b"\xff\xfe binary", "not UTF-8 text"),
])
def test_a_bad_file_creates_nothing(db: Path, tmp_path: Path, content: bytes,
                                    message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    result = run(db, "import", str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"pmconsole: {bad}: ") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert count_sessions(db) == 2


def test_a_bad_field_is_named_and_creates_nothing(db: Path, tmp_path: Path) -> None:
    document = json.loads(run(db, "export", "1", "--format", "json").stdout)
    document["timeline"][3]["at"] = "2026-11-19 14:06"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    result = run(db, "import", str(bad))
    assert result.exit_code == 2
    assert result.stderr == (f"pmconsole: {bad}: timeline[3].at: time has no UTC offset "
                             "(write it like 2026-11-20T13:32:05+00:00)\n")
    assert count_sessions(db) == 2


def test_import_of_a_missing_file_or_a_folder(db: Path, tmp_path: Path) -> None:
    for path, message in ((tmp_path / "nope.json", "no such file"),
                          (tmp_path, "is a folder")):
        result = run(db, "import", str(path))
        assert result.exit_code == 2 and message in result.stderr


def test_import_of_a_huge_file_is_refused(db: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from pmconsole.cli import exchange

    monkeypatch.setattr(exchange, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.json"
    big.write_text(" " * 2000)
    result = run(db, "import", str(big))
    assert result.exit_code == 2 and "too large" in result.stderr


# -- timeline import -------------------------------------------------------------------------


def test_timeline_import_adds_every_row(db: Path, tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    data.write_text('time,kind,text,link\n'
                    '10:00,trigger,"Deploy | v2 ""fast""",https://x.example\n'
                    '2026-11-19T04:05:00-05:00,detection,[alert] fired,\n'
                    '10:07,escalation,Paged,\n', encoding="utf-8")
    result = run(db, "timeline", "import", "2", str(data))
    assert result.exit_code == 0, result.output
    assert result.stdout == "3 timeline events added to session 2\n"
    events = events_of(db, 2)
    assert [e.text for e in events] == ['Deploy | v2 "fast"', "[alert] fired", "Paged"]
    # 04:05 in New York is 10:05 in Berlin; bare times are Berlin times on the incident day.
    assert [e.at for e in events] == [pendulum.datetime(2026, 11, 19, 9, m, tz="UTC")
                                      for m in (0, 5, 7)]


def test_timeline_import_again_adds_only_the_new_rows(db: Path, tmp_path: Path) -> None:
    """The same file imported twice (or a longer copy of it) does not double the timeline."""
    data = tmp_path / "t.csv"
    data.write_text("time,kind,text\n10:00,trigger,Deploy\n10:07,escalation,Paged\n", encoding="utf-8")
    assert run(db, "timeline", "import", "2", str(data)).exit_code == 0
    before = len(events_of(db, 2))
    again = run(db, "timeline", "import", "2", str(data))
    assert again.exit_code == 0, again.output
    assert again.stdout == ("0 timeline events added to session 2\n"
                            "2 rows were already in the timeline and left out\n")
    assert len(events_of(db, 2)) == before
    data.write_text("time,kind,text\n10:00,trigger,Deploy\n10:07,escalation,Paged\n"
                    "10:07,escalation,Paged again\n", encoding="utf-8")
    longer = run(db, "timeline", "import", "2", str(data))
    assert longer.stdout == ("1 timeline event added to session 2\n"
                             "2 rows were already in the timeline and left out\n")
    assert [e.text for e in events_of(db, 2)].count("Paged again") == 1
    assert len(events_of(db, 2)) == before + 1


def test_timeline_import_warnings_go_to_stderr(db: Path, tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    data.write_text("time,kind,text,owner\n10:00,other,x,Ana\n")
    result = run(db, "timeline", "import", "2", str(data))
    assert result.exit_code == 0
    assert result.stdout == "1 timeline event added to session 2\n"
    assert result.stderr == (f"pmconsole: warning: {data}: ignored column 'owner': pmconsole "
                             "reads time, kind, text and link\n")


def test_a_bad_row_adds_nothing(db: Path, tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    data.write_text("time,kind,text\n10:00,other,a\n10:01,other,b\n10:02,foo,c\n10:03,other,d\n")
    result = run(db, "timeline", "import", "2", str(data))
    assert result.exit_code == 2
    assert result.stderr == (f"pmconsole: {data}: row 4: unknown kind 'foo' (expected one of "
                             "trigger, detection, escalation, diagnosis, mitigation, "
                             "resolution, communication, other)\n")
    assert events_of(db, 2) == []


def test_a_failure_while_saving_adds_nothing(db: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "t.csv"
    data.write_text("time,kind,text\n" + "".join(f"10:{i:02d},other,e{i}\n" for i in range(10)))
    real_insert = Store._insert
    calls = []

    def failing_insert(self: Store, obj):  # type: ignore[no-untyped-def]
        calls.append(obj)
        if len(calls) == 6:
            import sqlite3

            raise sqlite3.OperationalError("disk I/O error")
        return real_insert(self, obj)

    monkeypatch.setattr(Store, "_insert", failing_insert)
    result = run(db, "timeline", "import", "2", str(data))
    assert result.exit_code == 2
    assert "Not saved" in result.stderr
    monkeypatch.undo()
    assert events_of(db, 2) == []


def test_timeline_import_into_a_missing_session(db: Path, tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    data.write_text("time,kind,text\n10:00,other,x\n")
    result = run(db, "timeline", "import", "42", str(data))
    assert result.exit_code == 2 and "no session with id 42" in result.stderr


def test_help_lists_the_commands(db: Path) -> None:
    result = run(db, "--help")
    for command in ("export", "import", "timeline"):
        assert command in result.stdout
    assert "import" in run(db, "timeline", "--help").stdout


# -- timeline import: blame flags ------------------------------------------------------------


def flags_of(db: Path, session_id: int) -> list[BlameFlag]:
    store = Store.open(db, readonly=True)
    try:
        return store.list_children(BlameFlag, session_id)
    finally:
        store.close()


def test_a_blameful_row_is_flagged_as_if_typed(db: Path, tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    data.write_text("time,kind,text\n"
                    "10:00,trigger,Cert on the payments gateway expires\n"
                    "10:04,diagnosis,Dave forgot to renew the cert again\n"
                    "10:09,mitigation,New cert deployed\n", encoding="utf-8")
    result = run(db, "timeline", "import", "2", str(data))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "3 timeline events added to session 2",
        "1 phrase flagged as blameful (open; in the console, press f on the event for a "
        "reframe):",
        "  2026-11-19 10:04  attribution: Dave forgot to",
    ]
    events = events_of(db, 2)
    [flag] = flags_of(db, 2)
    assert (flag.entity, flag.entity_id, flag.status) == (
        EntityKind.TIMELINE, events[1].id, FlagStatus.OPEN)
    assert (flag.phrase, flag.start, flag.end) == ("Dave forgot to", 0, 14)
    assert flag.card_id and flag.suggestion and flag.raised_at is not None

    minutes = run(db, "export", "2").stdout
    review = section(parse_minutes(minutes), "Blameless-language review")
    assert review[0].text == "1 phrase was flagged as blameful: 1 open."
    assert only_table(review)[1][:3] == [
        "Dave forgot to", "attribution", "timeline event at 2026-11-19 10:04"]
    assert "No blameful wording was flagged." not in minutes


def test_a_clean_file_raises_no_flag(db: Path, tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    data.write_text("time,kind,text\n10:00,trigger,Cert expires\n10:09,mitigation,"
                    "New cert deployed; renewal was not automated\n", encoding="utf-8")
    result = run(db, "timeline", "import", "2", str(data))
    assert result.stdout == "2 timeline events added to session 2\n"
    assert flags_of(db, 2) == []
    minutes = parse_minutes(run(db, "export", "2").stdout)
    assert section(minutes, "Blameless-language review")[0].text == (
        "No blameful wording was flagged.")


def test_the_sessions_people_are_recognised_in_imported_rows(db: Path, tmp_path: Path) -> None:
    # "Chidi" is an attendee of session 1: "Chidi broke" is about a person, as when typed.
    data = tmp_path / "t.csv"
    data.write_text("time,kind,text\n10:00,trigger,Chidi broke the checkout config\n",
                    encoding="utf-8")
    before = {f.id for f in flags_of(db, 1)}
    result = run(db, "timeline", "import", "1", str(data))
    assert result.exit_code == 0, result.output
    new = [f for f in flags_of(db, 1) if f.id not in before]
    assert [(f.phrase, f.category) for f in new] == [("Chidi broke", FlagCategory.ATTRIBUTION)]
    # Session 2 has nobody called Chidi: there it is a word like any other.
    assert run(db, "timeline", "import", "2", str(data)).exit_code == 0
    assert flags_of(db, 2) == []


def test_a_failure_while_saving_a_flag_adds_no_event(db: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "t.csv"
    data.write_text("time,kind,text\n10:00,other,fine\n10:01,other,Dave forgot to page\n"
                    "10:02,other,fine again\n")
    real_insert = Store._insert

    def failing_insert(self: Store, obj):  # type: ignore[no-untyped-def]
        if isinstance(obj, BlameFlag):
            import sqlite3

            raise sqlite3.OperationalError("disk I/O error")
        return real_insert(self, obj)

    monkeypatch.setattr(Store, "_insert", failing_insert)
    result = run(db, "timeline", "import", "2", str(data))
    assert result.exit_code == 2
    assert "Not saved" in result.stderr
    monkeypatch.undo()
    assert events_of(db, 2) == [] and flags_of(db, 2) == []


def test_a_bad_row_after_a_blameful_one_adds_nothing(db: Path, tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    data.write_text("time,kind,text\n10:00,other,Dave forgot to page\n10:02,foo,c\n")
    assert run(db, "timeline", "import", "2", str(data)).exit_code == 2
    assert events_of(db, 2) == [] and flags_of(db, 2) == []


def test_many_flags_are_listed_up_to_twenty(db: Path, tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    data.write_text("time,kind,text\n" + "".join(f"10:{i:02d},other,Dave forgot to page\n"
                                                 for i in range(25)))
    lines = run(db, "timeline", "import", "2", str(data)).stdout.splitlines()
    assert lines[1].startswith("25 phrases flagged as blameful")
    assert len(lines) == 2 + 20 + 1 and lines[-1] == "  ... and 5 more"
    assert len(flags_of(db, 2)) == 25
