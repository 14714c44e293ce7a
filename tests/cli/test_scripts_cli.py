"""The scripts, lint and invite commands, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pendulum
import pytest
from click.testing import CliRunner, Result

from pmconsole.cli import main
from pmconsole.domain.model import ActionItem, Finding, Session
from pmconsole.store.repository import Store

ROOT = Path(__file__).resolve().parents[2]
LINE = "{file}:{line}:{column}: {category}: {phrase} — {suggestion}"


def run(*args: str, input: str | bytes | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, env=env)


@pytest.fixture()
def config(tmp_path: Path) -> dict[str, str]:
    folder = tmp_path / "config"
    folder.mkdir()
    return {"PMCONSOLE_CONFIG_DIR": str(folder)}


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    """Session 1: scheduled, with attendees, agenda, a finding and an owned action."""
    path = tmp_path / "x.db"
    store = Store.open(path)
    saved = store.create_session(
        Session(
            title="Checkout outage",
            service="checkout-api",
            facilitator="Priya Natarajan",
            attendees=("Dave Kim", "Priya Natarajan"),
            timezone="Europe/Paris",
            scheduled=pendulum.datetime(2026, 11, 24, 9, 0, tz="UTC"),
            follow_up_date=pendulum.date(2026, 12, 8),
        ),
        agenda=[("Opening", 5), ("Timeline", 20), ("Actions", 15)],
    )
    assert saved.id == 1
    store.add(Finding(session_id=1, text="No alert on certificate expiry."))
    store.add(ActionItem(session_id=1, text="Alert before expiry", owner="Dave Kim"))
    store.close()
    return path


# -- lint -------------------------------------------------------------------------------------


def test_lint_prints_one_line_per_finding_and_exits_1(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# Timeline\n\nThe alert should fire within 5 minutes.\n"
        "At 14:02 Dave forgot to renew the certificate.\n  It was human error.\n",
        encoding="utf-8",
    )
    result = run("lint", str(notes), "--name", "Dave")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{notes}:4:10: attribution: Dave forgot to — Say what did not happen and what would "
        "have prompted it: “Nothing reminded us to renew the certificate.”",
        f"{notes}:5:10: attribution: human error — Ask what made the error possible and what "
        "would have caught it: a gap in safeguards, tooling or process.",
    ]


def test_lint_exits_0_and_prints_nothing_on_clean_text(tmp_path: Path) -> None:
    clean = tmp_path / "clean.txt"
    clean.write_text("Backups should be tested.\nThe on-call restarted the pod.\n")
    result = run("lint", str(clean))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_lint_json_lists_findings_with_their_position(tmp_path: Path) -> None:
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text("Who did this?\n", encoding="utf-8")
    b.write_text("ok\n\tWe should have rolled back.\n", encoding="utf-8")
    result = run("lint", "--json", str(a), str(b))
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [set(row) for row in rows] == [
        {"file", "line", "column", "category", "phrase", "suggestion"}
    ] * 2
    assert [(r["file"], r["line"], r["column"], r["category"], r["phrase"]) for r in rows] == [
        (str(a), 1, 1, "who/why question", "Who did this"),
        (str(b), 2, 5, "hindsight", "should have"),
    ]
    clean = run("lint", "--json", str(tmp_path / "a.md"), "-", input="fine\n")
    assert clean.exit_code == 1 and len(json.loads(clean.stdout)) == 1
    assert json.loads(run("lint", "--json", "-", input="fine\n").stdout) == []


def test_lint_reads_standard_input() -> None:
    result = run("lint", "-", input="line one\nThat was careless.\n")
    assert result.exit_code == 1
    assert result.stdout.startswith("<stdin>:2:10: character: careless — ")


def test_lint_skips_markdown_code_and_counts_columns_in_characters(tmp_path: Path) -> None:
    text = (
        "```\n$ job failed to check; human error in log\n```\n"
        "Use `human error` as a search term.\n"
        "«Déjà» — human error\n"
    )
    result = run("lint", "--json", "-", input=text)
    rows = json.loads(result.stdout)
    assert [(r["line"], r["column"], r["phrase"]) for r in rows] == [(5, 10, "human error")]


def test_lint_reports_a_phrase_that_wraps_lines_on_one_output_line(tmp_path: Path) -> None:
    result = run("lint", "-", input="Everyone needs to be more\ncareful.\n")
    assert result.stdout.startswith("<stdin>:1:19: non-fix action: be more careful — ")
    assert len(result.stdout.splitlines()) == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.md", "missing.md: no such file"),
        (lambda p: (p / "latin1.txt").write_bytes(b"caf\xe9\n") and p / "latin1.txt",
         "latin1.txt: not UTF-8 text (line 1)"),
        (lambda p: (p / "folder").mkdir() or p / "folder", "folder: is a folder, not a file"),
    ],
    ids=["missing", "not utf-8", "folder"],
)
def test_lint_unreadable_file_exits_2_with_one_line(
    tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    path = make(tmp_path)
    good = tmp_path / "good.md"
    good.write_text("human error\n")
    result = run("lint", str(path), str(good))
    assert result.exit_code == 2
    assert result.stderr.startswith("pmconsole: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert result.stdout.startswith(f"{good}:1:1: attribution: human error")  # others still linted


def test_lint_without_files_is_a_usage_error() -> None:
    assert run("lint").exit_code == 2


def test_lint_does_not_touch_the_database_nor_load_textual(tmp_path: Path) -> None:
    db = tmp_path / "never.db"
    code = (
        "import sys\n"
        "from pmconsole.cli import main\n"
        "try:\n"
        "    main(['--db', sys.argv[1], 'lint', '-'])\n"
        "except SystemExit as exit:\n"
        "    assert 'textual' not in sys.modules, 'textual imported'\n"
        "    raise\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(db)], input="Who pushed it?\n",
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("<stdin>:1:1: who/why question: Who pushed")
    assert not db.exists()


# -- invite -------------------------------------------------------------------------------------


def test_invite_prints_subject_and_body_from_the_session(db: Path, config: dict[str, str]) -> None:
    result = run("--db", str(db), "invite", "1", env=config)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Subject: Blameless post-mortem: Checkout outage — Tuesday 24 November 2026 at 10:00 "
        "(Europe/Paris)"
    )
    assert lines[1] == ""
    body = result.stdout
    assert "the outage that hit checkout-api" in body
    assert "Invited: Dave Kim and Priya Natarajan" in body
    assert "- 10:00  Opening (5 min)\n- 10:05  Timeline (20 min)\n- 10:25  Actions (15 min)" in body
    assert "blameless" in body


def test_invite_writes_a_file_and_refuses_to_overwrite_it(
    db: Path, tmp_path: Path, config: dict[str, str]
) -> None:
    target = tmp_path / "invite.txt"
    first = run("--db", str(db), "invite", "1", "-o", str(target), env=config)
    assert first.exit_code == 0, first.output
    written = target.read_text(encoding="utf-8")
    assert written.startswith("Subject: Blameless post-mortem: Checkout outage")
    assert written == run("--db", str(db), "invite", "1", env=config).stdout

    target.write_text("my edits", encoding="utf-8")
    again = run("--db", str(db), "invite", "1", "-o", str(target), env=config)
    assert again.exit_code == 2
    assert "already exists" in again.stderr and "Traceback" not in again.output
    assert target.read_text(encoding="utf-8") == "my edits"

    forced = run("--db", str(db), "invite", "1", "-o", str(target), "--force", env=config)
    assert forced.exit_code == 0
    assert target.read_text(encoding="utf-8") == written


def test_invite_for_an_unknown_session_or_folder(db: Path, tmp_path: Path,
                                                 config: dict[str, str]) -> None:
    missing = run("--db", str(db), "invite", "99", env=config)
    assert missing.exit_code == 2 and "no session with id 99" in missing.stderr
    nowhere = run("--db", str(db), "invite", "1", "-o", str(tmp_path / "no" / "x.txt"), env=config)
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.stderr


def test_invite_uses_the_users_email_card(db: Path, config: dict[str, str]) -> None:
    (Path(config["PMCONSOLE_CONFIG_DIR"]) / "scripts.toml").write_text(
        '[[card]]\nid = "pre-meeting-email"\n'
        'body = "Subject: PM for {service}\\n\\nSee you, {attendees}."\n',
        encoding="utf-8",
    )
    result = run("--db", str(db), "invite", "1", env=config)
    assert result.stdout == (
        "Subject: PM for checkout-api\n\nSee you, Dave Kim and Priya Natarajan.\n"
    )


# -- scripts -------------------------------------------------------------------------------------


def test_scripts_lists_built_in_cards_with_their_source(config: dict[str, str]) -> None:
    result = run("scripts", env=config)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "GROUP", "TITLE", "SOURCE"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert rows["conclusion"].split()[1] == "closing"
    assert rows["conclusion"].rstrip().endswith("built-in")
    assert "glossary-chaos-engineering" in rows and "objection-who-is-responsible" in rows


def test_scripts_shows_a_user_override_and_addition(config: dict[str, str]) -> None:
    user_file = Path(config["PMCONSOLE_CONFIG_DIR"]) / "scripts.toml"
    user_file.write_text(
        '[[card]]\nid = "conclusion"\nbody = "Thanks!"\n\n'
        '[[card]]\nid = "team-norms"\ngroup = "opening"\ntitle = "Our norms"\nbody = "Be kind."\n',
        encoding="utf-8",
    )
    result = run("scripts", "--json", env=config)
    assert result.exit_code == 0
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["conclusion"]["source"] == str(user_file)
    assert rows["team-norms"] == {
        "id": "team-norms", "group": "opening", "title": "Our norms",
        "source": str(user_file), "when": "", "tags": [],
    }
    assert rows["opening-statement"]["source"] == "built-in"
    text = run("scripts", env=config).stdout
    assert any(line.startswith("conclusion") and line.endswith(str(user_file))
               for line in text.splitlines())


def test_scripts_reports_a_broken_user_file_and_still_lists(config: dict[str, str]) -> None:
    user_file = Path(config["PMCONSOLE_CONFIG_DIR"]) / "scripts.toml"
    user_file.write_text('[[card]]\nid = "x"\ntitle = \n', encoding="utf-8")
    result = run("scripts", env=config)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pmconsole: {user_file}:3:")
    assert "conclusion" in result.stdout


def test_scripts_shows_one_card_filled_from_a_session(db: Path, config: dict[str, str]) -> None:
    result = run("--db", str(db), "scripts", "conclusion", "--session", "1", env=config)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Conclusion  [Closing]\nWhen: ")
    assert "- Contributing factor: No alert on certificate expiry." in result.stdout
    assert "- Alert before expiry — owner: Dave Kim" in result.stdout
    assert "in 2 weeks (Tuesday 8 December 2026)" in result.stdout
    bare = run("scripts", "opening-statement", env=config)
    assert "[service?]" in bare.stdout
    unknown = run("scripts", "nope", env=config)
    assert unknown.exit_code == 2 and "no card with id 'nope'" in unknown.stderr
