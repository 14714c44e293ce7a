"""Acceptance: a real-looking post-mortem timeline goes CSV -> database -> Markdown intact,
and the session goes JSON -> another session -> JSON byte for byte.

Runs the commands a user would type (through click's test runner) on a real database file.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pendulum
from click.testing import CliRunner

from pmconsole.cli import main
from pmconsole.domain.model import Session
from pmconsole.store.repository import Store
from tests.exchange.mdparse import only_table, parse_minutes, section

FIXTURE = Path(__file__).parent / "data" / "payments_outage_timeline.csv"
BERLIN = ZoneInfo("Europe/Berlin")


def expected_rows() -> list[dict[str, str]]:
    with FIXTURE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def local_time(typed: str) -> datetime:
    """The fixture's time as a Berlin wall time, worked out without pmconsole."""
    if len(typed) == 5:  # a bare HH:MM on the incident's date
        typed = f"2026-11-19 {typed}"
    moment = datetime.fromisoformat(typed)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=BERLIN)
    return moment.astimezone(BERLIN)


def test_csv_timeline_to_markdown_and_json_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "pm.db"
    store = Store.open(db)
    session = store.create_session(Session(
        title="Checkout outage 2026-11-19", service="checkout-api", timezone="Europe/Berlin",
        impact_started=pendulum.datetime(2026, 11, 19, 13, 58, tz="UTC")))
    store.close()
    runner = CliRunner()

    result = runner.invoke(main, ["--db", str(db), "timeline", "import", str(session.id),
                                  str(FIXTURE)])
    rows = expected_rows()
    assert len(rows) >= 40
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{len(rows)} timeline events added to session {session.id}\n"
    assert "ignored column 'Source'" in result.stderr

    result = runner.invoke(main, ["--db", str(db), "export", str(session.id)])
    assert result.exit_code == 0, result.output
    table = only_table(section(parse_minutes(result.stdout), "Timeline"))
    assert table[0] == ["Time", "★", "Kind", "Event", "Link"]
    shown = table[1:]
    assert [r[3] for r in shown] == [row["Text"] for row in rows]  # every event, in order
    assert [r[4] for r in shown] == [row["Link"] for row in rows]
    assert [r[2] for r in shown] == [row["Kind"] for row in rows]
    times = [local_time(row["Time"]) for row in rows]
    assert times == sorted(times)
    # Seconds are shown (some events have them); the date on the first row only.
    assert shown[0][0] == times[0].strftime("%Y-%m-%d %H:%M:%S")
    assert [r[0] for r in shown[1:]] == [t.strftime("%H:%M:%S") for t in times[1:]]
    assert shown[4][0] == "14:58:00"  # typed as 08:58 in New York (-05:00)

    exported = tmp_path / "session.json"
    result = runner.invoke(main, ["--db", str(db), "export", str(session.id), "-o",
                                  str(exported)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["--db", str(db), "import", str(exported)])
    assert result.exit_code == 0, result.output
    new_id = int(result.stdout)
    assert new_id != session.id
    result = runner.invoke(main, ["--db", str(db), "export", str(new_id), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == exported.read_bytes()
