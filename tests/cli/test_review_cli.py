"""`pmconsole actions` (the tracker on the command line) and `pmconsole list --search`."""

from __future__ import annotations

import json
from pathlib import Path

import pendulum
import pytest
from click.testing import CliRunner, Result

from pmconsole.cli import main
from pmconsole.cli.review import JSON_KEYS
from pmconsole.domain.model import (
    ActionItem,
    ActionStatus,
    ActionType,
    Finding,
    Priority,
    Session,
)
from pmconsole.store.repository import Store

PAST = pendulum.date(2020, 1, 31)
FUTURE = pendulum.date(2099, 12, 31)


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Two sessions; items overdue whatever today is (2020) or never (2099)."""
    path = tmp_path / "t.db"
    store = Store.open(path)
    a = store.create_session(Session(title="Checkout [/] outage", service="checkout"))
    b = store.create_session(Session(title="Login outage", service="auth"))
    assert a.id is not None and b.id is not None
    store.add(ActionItem(session_id=a.id, text="Add an alert", owner="Dave Kim", due=PAST,
                         type=ActionType.DETECT, priority=Priority.P1))
    store.add(ActionItem(session_id=a.id, text="Runbook", owner="sre", due=PAST,
                         status=ActionStatus.DONE))
    store.add(ActionItem(session_id=b.id, text="Rotate keys", owner="identity-team", due=FUTURE,
                         status=ActionStatus.IN_PROGRESS))
    store.add(ActionItem(session_id=b.id, text="Game day", owner="", due=None,
                         status=ActionStatus.WONT_DO))
    store.add(Finding(session_id=b.id, text="The failover drill never covered key replication"))
    store.close()
    return path


def texts(result: Result) -> list[str]:
    assert result.exit_code == 0, result.output
    return [row["text"] for row in json.loads(result.stdout)]


def test_json_has_the_documented_keys(db: Path) -> None:
    result = run(db, "actions", "--json")
    rows = json.loads(result.stdout)
    assert result.exit_code == 0 and result.stderr == ""
    assert all(tuple(row) == JSON_KEYS for row in rows)
    first = rows[0]
    assert first == {
        "id": 1, "session_id": 1, "session_title": "Checkout [/] outage", "text": "Add an alert",
        "owner": "Dave Kim", "due": "2020-01-31", "status": "open", "priority": "P1",
        "type": "detect", "overdue": True,
    }
    assert {r["text"]: r["overdue"] for r in rows} == {
        "Add an alert": True, "Runbook": False, "Rotate keys": False, "Game day": False}
    assert {r["text"]: r["due"] for r in rows}["Game day"] is None


def test_every_item_overdue_first(db: Path) -> None:
    assert texts(run(db, "actions", "--json")) == ["Add an alert", "Rotate keys", "Runbook",
                                                   "Game day"]


def test_open(db: Path) -> None:
    assert texts(run(db, "actions", "--open", "--json")) == ["Add an alert", "Rotate keys"]


def test_overdue(db: Path) -> None:
    assert texts(run(db, "actions", "--overdue", "--json")) == ["Add an alert"]
    assert texts(run(db, "actions", "--open", "--overdue", "--json")) == ["Add an alert"]


def test_owner(db: Path) -> None:
    assert texts(run(db, "actions", "--owner", "DAVE", "--json")) == ["Add an alert"]
    assert texts(run(db, "actions", "--owner", "team", "--open", "--json")) == ["Rotate keys"]
    assert texts(run(db, "actions", "--owner", "%", "--json")) == []


def test_session(db: Path) -> None:
    assert texts(run(db, "actions", "--session", "2", "--json")) == ["Rotate keys", "Game day"]
    result = run(db, "actions", "--session", "99")
    assert result.exit_code == 2 and "no session with id 99" in result.stderr


def test_timezone(db: Path) -> None:
    assert texts(run(db, "actions", "--overdue", "--timezone", "Pacific/Kiritimati",
                     "--json")) == ["Add an alert"]
    result = run(db, "actions", "--timezone", "Mars/Olympus")
    assert result.exit_code == 2 and "unknown timezone" in result.stderr


def test_text_output(db: Path) -> None:
    result = run(db, "actions")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    assert "! overdue" in lines[0] and "Add an alert" in lines[0]
    assert "[#1 Checkout [/] outage]" in lines[0]  # titles as typed
    assert "(no owner)" in lines[3] and "✕ won't do" in lines[3]
    assert run(db, "actions", "--owner", "nobody").stdout == "No action items match.\n"


def test_empty_and_missing_database(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    result = run(path, "actions")
    assert result.exit_code == 0 and result.stdout == "No action items yet.\n"
    assert json.loads(run(path, "actions", "--json").stdout) == []
    assert not path.exists()  # reading creates nothing


def test_a_bad_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not a database" * 100)
    result = run(path, "actions", "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("pmconsole: ") and "Traceback" not in result.output


def test_bad_options_are_usage_errors(db: Path) -> None:
    result = run(db, "actions", "--session", "x")
    assert result.exit_code == 2 and "Usage:" in result.stderr


# -- list --search ---------------------------------------------------------------------------


def test_list_search_finds_a_session_by_a_word_of_a_finding(db: Path) -> None:
    result = run(db, "list", "--search", "replication")
    assert result.exit_code == 0
    first, match = result.stdout.splitlines()[:2]
    assert first.split()[0] == "2" and "Login outage" in first
    assert match.strip() == "finding: The failover drill never covered key «replication»"
    rows = json.loads(run(db, "list", "--search", "replication", "--json").stdout)
    assert [r["id"] for r in rows] == [2]
    assert rows[0]["matches"] == [{"entity": "finding", "id": 1, "snippet":
                                   "The failover drill never covered key replication"}]


def test_list_search_matches_action_items_and_owners(db: Path) -> None:
    rows = json.loads(run(db, "list", "--search", "dave", "--json").stdout)
    assert [r["id"] for r in rows] == [1]
    assert rows[0]["matches"][0]["entity"] == "action"


@pytest.mark.parametrize("query", ['"', "AND", "a OR", "*", "-x", "NEAR(", "it's", "", "   ",
                                   '"unbalanced', "x*y", "^start", "col:x", "OR OR"])
def test_list_search_any_query_is_safe(db: Path, query: str) -> None:
    for extra in ([], ["--json"]):
        result = run(db, "list", "--search", query, *extra)
        assert result.exit_code == 0, result.output
        assert result.stderr == ""
        if extra:
            json.loads(result.stdout)


def test_list_search_operators_are_plain_words(db: Path) -> None:
    # "outage AND" looks for the words "outage" and "and*": both titles have "outage",
    # neither has a word starting with "and".
    assert run(db, "list", "--search", "outage AND").stdout == "No sessions match.\n"
    rows = json.loads(run(db, "list", "--search", "-outage", "--json").stdout)
    assert sorted(r["id"] for r in rows) == [1, 2]  # "-" is not NOT
