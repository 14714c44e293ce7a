"""kill -9 the real console at random moments while a scribe types into it.

Each trial starts ``python -m pmconsole --db <copy of the demo db> open <id>`` in a
pseudo-terminal (120×36, TERM=xterm-256color), types a seeded random script of quick-adds
(timeline events, findings — some with blameful wording, so the entry and its flags
commit together —, action items) and agenda moves (``s``, ``n``), and sends SIGKILL at a
seeded random moment (``plan_kill``): during start-up, while a pane takes the focus, halfway
through typing, just after Enter (between the commit and the frame that shows it), just
after the row appeared, just after an agenda key. The seed fixes the step and the phase;
the delay after it is short, so where exactly the kill lands against the commit is up to
the machine — which is the point.

"Shown as saved" is read from the terminal, as a person would: the console shows the row
only after the commit, so an entry counts as confirmed once
its table row is on the screen — matched with its other columns (time and kind, finding
kind, owner), never the quick-add echo of what is being typed. A tiny terminal emulator in
``ptyconsole`` keeps the screen, one complete frame at a time (synchronized output). An
agenda move counts once the countdown label says ``k/6``. Everything the PTY had received
when the process died counts, since a terminal would have displayed it.

After each kill the database must hold every confirmed entry exactly once, in the export
too; nothing half-written (empty texts, bad times, orphan flags, a stale search index);
``PRAGMA integrity_check`` ok; and the agenda item in progress (if the meeting started)
restored with a start time between the key press and the frame that showed it, so the
countdown derived from it is right. Five trials also restart the console on the killed
database, read the countdown it draws (label and Digits glyphs) against the stored times,
and quit it with Ctrl+Q (exit status 0).

``PMCONSOLE_CRASH_TRIALS=500`` runs a longer soak with the same seeds; run with ``-s`` to
see the figures (trials, kills by phase, entries typed / entered / shown / stored).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pendulum
import pytest

from pmconsole.domain import agenda as agenda_clock
from pmconsole.domain.model import EntityKind, EventKind
from pmconsole.exchange.minutes import render_minutes
from pmconsole.store.repository import Store
from tests.factory import demo_store
from tests.reliability.ptyconsole import PtyConsole, shows_digits

SEED = 20261120
TRIALS = int(os.environ.get("PMCONSOLE_CRASH_TRIALS", "50"))
RESTART_EVERY = 10  # trials 0, 10, 20, … also restart the console after the kill
SIZE = (120, 36)
STEP_TIMEOUT = 8.0  # a generous bound on one step on a loaded 2-core machine

# Where each pane's quick-add starts, and the footer text that says it has the focus.
PANE_KEY = {"timeline": "2", "findings": "3", "actions": "4"}
QUICK_FOCUSED = "Back to entries"
# The footer tells which pane's table has the focus: only actions show "Done", only the
# timeline lacks "Move up".
TABLE_FOCUSED = {
    "timeline": lambda s: "Quick add" in s and "Move up" not in s,
    "findings": lambda s: "Move up" in s and "x Done" not in s,
    "actions": lambda s: "x Done" in s,
}
READY = "Quick add"
# Quick-add prefix → what the Kind column of the findings table shows.
FINDING_KIND = {"cf": "factor", "rc": "root cause", "well": "went well", "wrong": "went wrong",
                "lucky": "lucky", "q": "question"}
LABEL = re.compile(r"│ (\d)/6  ")


def child_env(config: Path) -> dict[str, str]:
    # Escape is told from the start of a key sequence by a pause (ESCDELAY, 100 ms by default);
    # the scribe here waits for the screen after each Escape, so a shorter one is safe.
    return {"PMCONSOLE_CONFIG_DIR": str(config), "ESCDELAY": "25"}


class Killed(Exception):
    """The trial's kill moment arrived: the console has been sent SIGKILL."""


@dataclass
class Entry:
    pane: str
    token: str  # unique in the trial; the stored text starts with it
    typed: str  # what is typed into the quick-add line
    row: re.Pattern[str]  # the table row that shows it saved (never the quick-add echo)
    at: str | None = None  # HH:MM of a timeline event
    entered: bool = False  # Enter was sent
    confirmed: float | None = None  # when the screen showed it saved (monotonic)

    def shown_saved(self, screen: str) -> bool:
        return any(self.row.search(line) for line in screen.split("\n"))


@dataclass
class AgendaPress:
    key: str
    sent_wall: pendulum.DateTime
    item: int  # 1-based position this press starts
    seen_wall: pendulum.DateTime | None = None


@dataclass
class KillPlan:
    """Where the kill lands: during start-up, or in one step at one phase plus a delay."""

    step: int | None  # None: during start-up, ``delay`` seconds after the process began
    phase: str  # "focus", "typing", "enter", "shown" (quick-add), "press" (agenda)
    delay: float
    split: float  # for "typing": the fraction of the text typed before the kill is armed


@dataclass
class Trial:
    index: int
    console: PtyConsole
    plan: KillPlan
    deadline: float = float("inf")  # monotonic moment of the kill, once armed
    step: int = -1
    entries: list[Entry] = field(default_factory=list)
    presses: list[AgendaPress] = field(default_factory=list)
    quick_open: str | None = None  # pane whose quick-add line has the focus
    killed_at: pendulum.DateTime | None = None
    shown_item: int = 0  # highest "k/6" the countdown has shown
    ready: bool = False  # the console had drawn its first complete screen
    ready_after: float = 0.0

    # -- watching the screen ------------------------------------------------------------------

    def observe(self) -> str:
        screen = self.console.text()
        now = time.monotonic()
        for entry in self.entries:
            if entry.entered and entry.confirmed is None and entry.shown_saved(screen):
                entry.confirmed = now
        match = LABEL.search(screen)
        if match:
            shown = int(match.group(1))
            for press in self.presses:
                if press.item <= shown and press.seen_wall is None:
                    press.seen_wall = pendulum.now("UTC")
            self.shown_item = max(self.shown_item, shown)
        return screen

    def wait(self, predicate, what: str, timeout: float = STEP_TIMEOUT) -> None:  # type: ignore[no-untyped-def]
        """Pump and observe until ``predicate(screen)``; the kill moment interrupts any wait."""
        limit = time.monotonic() + timeout
        while True:
            self.console.pump(0.0)
            screen = self.observe()
            if time.monotonic() >= self.deadline:
                self.kill()
            if predicate(screen):
                return
            if not self.console.alive():
                raise AssertionError(f"trial {self.index}: the console died by itself waiting for "
                                     f"{what}\n{screen}\n{self.console.tail()}")
            if time.monotonic() > limit:
                raise AssertionError(f"trial {self.index}: timed out waiting for {what}\n{screen}")
            self.console.pump(min(0.01, max(0.0, self.deadline - time.monotonic())))

    def send(self, keys: str) -> None:
        if time.monotonic() >= self.deadline:
            self.kill()
        self.console.send(keys)

    def arm(self, phase: str) -> None:
        """Set the kill moment if this step and phase are the ones the plan picked."""
        if self.plan.step == self.step and self.plan.phase == phase:
            self.deadline = time.monotonic() + self.plan.delay

    def kill(self) -> None:
        self.console.kill()
        self.killed_at = pendulum.now("UTC")
        # What the console wrote before it died is on the terminal: read it all.
        while self.console.pump(0.05):
            pass
        self.observe()
        raise Killed

    # -- the scribe's steps -----------------------------------------------------------------------

    def leave_quick_add(self) -> None:
        if self.quick_open is not None:
            self.send("\x1b")
            self.wait(lambda s: QUICK_FOCUSED not in s and READY in s,
                      "Escape to leave the quick-add line")
            self.quick_open = None

    def add(self, entry: Entry) -> None:
        if self.quick_open == entry.pane:
            self.arm("focus")  # already there: the kill lands as the typing starts
        else:
            self.leave_quick_add()
            # One key at a time: Textual moves the focus after the keys already read, so "3a"
            # in one read would open the quick-add line of the pane that had the focus.
            self.send(PANE_KEY[entry.pane])
            self.arm("focus")
            self.wait(TABLE_FOCUSED[entry.pane], f"the {entry.pane} table focused")
            self.send("a")
            self.wait(lambda s: QUICK_FOCUSED in s and READY not in s,
                      f"the {entry.pane} quick-add line")
            self.quick_open = entry.pane
        self.entries.append(entry)
        cut = max(1, int(len(entry.typed) * self.plan.split))
        self.send(entry.typed[:cut])
        self.arm("typing")
        if self.plan.step == self.step and self.plan.phase == "typing":
            self.wait(lambda s: False, "the kill while typing", timeout=1)
        self.send(entry.typed[cut:])
        self.send("\r")
        entry.entered = True
        self.arm("enter")
        self.wait(lambda s: entry.confirmed is not None, f"{entry.token} shown as saved")
        self.arm("shown")

    def agenda(self, key: str) -> None:
        self.leave_quick_add()
        press = AgendaPress(key, pendulum.now("UTC"), len(self.presses) + 1)
        self.presses.append(press)
        self.send(key)
        self.arm("press")
        self.wait(lambda s: self.shown_item >= press.item, f"agenda item {press.item} shown")

    def run(self, script: list[tuple[str, Entry | str]]) -> None:
        if self.plan.step is None:
            self.deadline = self.console.started_at + self.plan.delay
        self.wait(lambda s: READY in s, "the console to start", timeout=30)
        self.ready = True
        self.ready_after = time.monotonic() - self.console.started_at
        for self.step, (verb, arg) in enumerate(script):
            if verb == "agenda":
                self.agenda(arg)  # type: ignore[arg-type]
            else:
                self.add(arg)  # type: ignore[arg-type]
        self.wait(lambda s: False, "the kill moment", timeout=5)


def make_script(rng: random.Random, trial: int, steps: int,
                start: bool = False) -> list[tuple[str, Entry | str]]:
    """Seeded quick-adds and agenda moves; ``start``: the meeting starts first."""
    script: list[tuple[str, Entry | str]] = [("agenda", "s")] if start else []
    presses = len(script)
    for n in range(steps):
        roll = rng.random()
        if roll < 0.25 and presses < 4:
            script.append(("agenda", "s" if presses == 0 else "n"))  # n is off until started
            presses += 1
        elif roll < 0.5:
            at = f"{rng.randint(9, 13):02d}:{rng.randint(0, 59):02d}"
            token = f"ev{trial}x{n}"
            kind = rng.choice(["", "", "detection", "mitigation"])
            typed = f"{at} {kind}: {token}" if kind else f"{at} {token}"
            # The row has a Kind column between time and text; the echo has "kind:" or nothing.
            row = re.compile(rf"{at}\s+{kind or 'other'}\s+{token}\b")
            script.append(("add", Entry("timeline", token, typed, row, at=at)))
        elif roll < 0.74:
            token = f"fd{trial}x{n}"
            prefix = rng.choice(list(FINDING_KIND))
            typed = f"{prefix}: {token}"
            if prefix == "cf" and rng.random() < 0.5:
                typed += " Dave forgot to log"  # blameful: the entry and its flag, one commit
            row = re.compile(rf"{FINDING_KIND[prefix]}\s+{token}\b")
            script.append(("add", Entry("findings", token, typed, row)))
        else:
            token = f"ac{trial}x{n}"
            typed = f"{token} @ops p{rng.randint(1, 3)}"
            # Status, then the owner column, then the text; the echo has "@ops" after the text.
            row = re.compile(rf"[○◐●✕]\s+ops\b.*\b{token}\b")
            script.append(("add", Entry("actions", token, typed, row)))
    return script


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, dict[str, int]]:
    path = tmp_path_factory.mktemp("crash") / "template.db"
    store, session_id = demo_store(path)
    record = store.load(session_id)
    baseline = {"timeline": len(record.timeline), "findings": len(record.findings),
                "actions": len(record.actions)}
    store.close()  # the last connection closing folds the WAL into the file
    return path, session_id, baseline


def check_database(trial: Trial, db: Path, session_id: int, baseline: dict[str, int]) -> Store:
    """Everything shown as saved is there, once; nothing is half-written; the meeting resumes."""
    where = f"trial {trial.index}"
    store = Store.open(db)
    conn = store.conn
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], where
    for fts in ("timeline_events_fts", "findings_fts", "action_items_fts"):
        # External-content FTS5: the index must match its table (triggers ran in the same commit).
        conn.execute(f"INSERT INTO {fts}({fts}) VALUES('integrity-check')")
    for table in ("timeline_events", "findings", "action_items"):
        empty = conn.execute(f"SELECT count(*) FROM {table} WHERE text IS NULL OR trim(text) = ''")
        assert empty.fetchone() == (0,), f"{where}: a {table} row without text"
    for (at,) in conn.execute("SELECT at FROM timeline_events WHERE session_id = ?", [session_id]):
        parsed = pendulum.parse(at)
        assert isinstance(parsed, pendulum.DateTime) and parsed.utcoffset() is not None, (where, at)
    orphans = conn.execute(
        "SELECT count(*) FROM blame_flags f WHERE NOT EXISTS (SELECT 1 FROM ("
        " SELECT 'timeline' AS e, id FROM timeline_events"
        " UNION ALL SELECT 'finding', id FROM findings"
        " UNION ALL SELECT 'action', id FROM action_items"
        " UNION ALL SELECT 'agenda', id FROM agenda_items"
        ") x WHERE x.e = f.entity AND x.id = f.entity_id)"
    ).fetchone()
    assert orphans == (0,), f"{where}: blame flags whose entry is missing"

    record = store.load(session_id)
    minutes = render_minutes(record)
    stored = {
        "timeline": [e.text for e in record.timeline],
        "findings": [f.text for f in record.findings],
        "actions": [a.text for a in record.actions],
    }
    for entry in trial.entries:
        texts = [t for t in stored[entry.pane] if t.split()[0] == entry.token]
        if entry.confirmed is not None:
            assert len(texts) == 1, f"{where}: {entry.token} was shown as saved; stored {texts}"
            assert entry.token in minutes, f"{where}: {entry.token} is saved but not in the minutes"
        else:
            assert len(texts) <= 1, f"{where}: {entry.token} stored twice"
        if texts:
            assert entry.entered, f"{where}: {entry.token} stored before Enter"
            expected = entry.typed.split(": ", 1)[-1] if entry.pane == "findings" else None
            if entry.pane == "actions":
                expected = entry.token
            if entry.pane == "timeline":
                event = next(e for e in record.timeline if e.text.split()[0] == entry.token)
                assert event.at.in_timezone(record.session.timezone).format("HH:mm") == entry.at
                word = entry.typed.split()[1]
                kind = word.rstrip(":") if word.endswith(":") else "other"
                assert event.kind is EventKind(kind)
                expected = entry.token
            assert texts[0] == expected, (where, texts[0], expected)
    for pane, texts in stored.items():
        ours = [e for e in trial.entries if e.pane == pane and any(
            t.split()[0] == e.token for t in texts)]
        assert len(texts) == baseline[pane] + len(ours), f"{where}: rows nobody typed in {pane}"
    for entry in trial.entries:
        if entry.pane == "findings" and "Dave forgot" in entry.typed:
            found = [f for f in record.findings if f.text.split()[0] == entry.token]
            flagged = {fl.entity_id for fl in record.flags if fl.entity is EntityKind.FINDING}
            # The finding and its flag are one commit: both there, or neither.
            assert all(f.id in flagged for f in found), f"{where}: {entry.token} saved unflagged"

    # The agenda: the item in progress is the last one started, started when the key was pressed.
    agenda = record.agenda
    index = agenda_clock.current_index(agenda)
    confirmed = trial.shown_item
    if not trial.presses:
        assert index is None and not agenda_clock.meeting_started(agenda), where
        return store
    if index is None:
        assert confirmed == 0, f"{where}: item {confirmed} was shown running; none is now"
        assert not agenda_clock.meeting_started(agenda), where
        return store
    running = [i for i, item in enumerate(agenda)
               if item.started is not None and item.ended is None]
    assert running == [index], f"{where}: more than one item in progress: {running}"
    position = index + 1
    assert confirmed <= position <= len(trial.presses), (where, confirmed, position)
    assert all(item.ended is not None for item in agenda[:index]), where
    assert all(item.started is None for item in agenda[index + 1:]), where
    item = agenda[index]
    press = trial.presses[position - 1]
    assert item.started is not None and item.paused_at is None and item.paused_seconds == 0
    latest = press.seen_wall or trial.killed_at
    assert latest is not None
    slack = pendulum.duration(seconds=1)
    assert press.sent_wall - slack <= item.started <= latest + slack, (
        f"{where}: item {position} started at {item.started}, key sent {press.sent_wall}, "
        f"shown {press.seen_wall}"
    )
    now = pendulum.now("UTC")
    timing = agenda_clock.timing(item, now)
    assert timing.running and not timing.paused
    assert abs(timing.elapsed - (now - item.started).total_seconds()) < 0.01
    assert timing.elapsed <= (now - press.sent_wall).total_seconds() + 1
    assert record.session.status.value == "live" and record.session.started is not None, where
    return store


def check_restart(db: Path, session_id: int, store: Store, config: Path) -> None:
    """The console comes back on the killed database at the same item, with the right time left."""
    record = store.load(session_id)
    index = agenda_clock.current_index(record.agenda)
    assert index is not None
    item = record.agenda[index]
    with PtyConsole(["--db", str(db), "open", str(session_id)], columns=SIZE[0], lines=SIZE[1],
                    env=child_env(config)) as console:
        label = f"{index + 1}/6  {item.title[:12]}"
        console.wait_for(lambda s: READY in s and label in s, 15, label)
        console.pump(0.1)
        screen = console.text()
        moment = pendulum.now("UTC")
        # The frame read may be up to a second old; the console's clock a little ahead.
        candidates = {
            agenda_clock.format_countdown(
                agenda_clock.timing(item, moment.add(seconds=d / 2)).remaining)
            for d in range(-6, 3)
        }
        assert any(shows_digits(screen, c) for c in candidates), (candidates, screen)
        assert "▶ running" in screen
        assert "Something went wrong" not in screen
        console.send("\x11")  # ctrl+q: leaves cleanly
        assert console.wait(10) == 0, console.tail()


def plan_kill(rng: random.Random, script: list[tuple[str, Entry | str]], restart: bool) -> KillPlan:
    """A seeded kill moment. The step and phase are exact; the delay after them is short,
    so where the kill lands relative to the commit and the frame is left to the machine."""
    split = rng.uniform(0.2, 0.9)
    if not restart and rng.random() < 0.1:
        return KillPlan(None, "startup", rng.uniform(0.05, 1.0), split)
    first = 1 if restart else 0  # a restart trial's meeting has visibly started
    step = rng.randrange(first, len(script))
    verb, arg = script[step]
    if verb == "agenda":
        return KillPlan(step, "press", rng.uniform(0.0, 0.25), split)
    phase = rng.choice(["focus", "typing", "enter", "enter", "enter", "shown"])
    delay = {"focus": 0.3, "typing": 0.15, "enter": 0.3, "shown": 0.1}[phase]
    return KillPlan(step, phase, rng.uniform(0.0, delay), split)


def test_kill_9_at_random_moments_loses_nothing_shown_as_saved(
    template_db: tuple[Path, int, dict[str, int]], tmp_path: Path
) -> None:
    template, session_id, baseline = template_db
    config = tmp_path / "config"
    config.mkdir()
    figures: dict[str, float] = dict.fromkeys(
        ["trials", "kills", "kills_during_startup", "entries_typed", "entries_entered",
         "entries_shown_saved", "entries_unconfirmed_but_stored", "agenda_presses",
         "agenda_moves_shown", "restarts"], 0)
    phases: dict[str, int] = {}
    startups: list[float] = []
    spent = {"starting": 0.0, "typing": 0.0, "checking": 0.0}
    began = time.monotonic()
    for index in range(TRIALS):
        rng = random.Random(SEED * 1000 + index)
        db = tmp_path / f"trial{index}.db"
        shutil.copyfile(template, db)
        restart = index % RESTART_EVERY == 0
        script = make_script(rng, index, steps=3, start=restart)
        plan = plan_kill(rng, script, restart)
        phases[plan.phase] = phases.get(plan.phase, 0) + 1
        console = PtyConsole(["--db", str(db), "open", str(session_id)], columns=SIZE[0],
                             lines=SIZE[1], env=child_env(config))
        trial = Trial(index, console, plan)
        try:
            trial.run(script)
        except Killed:
            pass
        finally:
            console.close()
        scripted = time.monotonic()
        assert trial.killed_at is not None, f"trial {index}: never killed"
        figures["trials"] += 1
        figures["kills"] += 1
        figures["kills_during_startup"] += not trial.ready
        startups.append(trial.ready_after) if trial.ready else None
        store = check_database(trial, db, session_id, baseline)
        try:
            record = store.load(session_id)
            stored = {t.split()[0] for t in [*(e.text for e in record.timeline),
                                             *(f.text for f in record.findings),
                                             *(a.text for a in record.actions)]}
            figures["entries_typed"] += len(trial.entries)
            figures["entries_entered"] += sum(e.entered for e in trial.entries)
            figures["entries_shown_saved"] += sum(e.confirmed is not None for e in trial.entries)
            figures["entries_unconfirmed_but_stored"] += sum(
                e.confirmed is None and e.token in stored for e in trial.entries)
            figures["agenda_presses"] += len(trial.presses)
            figures["agenda_moves_shown"] += trial.shown_item
            spent["checking"] += time.monotonic() - scripted
            if restart:
                check_restart(db, session_id, store, config)
                figures["restarts"] += 1
        finally:
            store.close()
        spent["starting"] += trial.ready_after if trial.ready else scripted - console.started_at
        spent["typing"] += scripted - console.started_at - (trial.ready_after if trial.ready else
                                                            scripted - console.started_at)
    figures["seconds"] = round(time.monotonic() - began, 1)
    figures["median_startup_seconds"] = round(sorted(startups)[len(startups) // 2], 2)
    print(f"\ncrash safety (seed {SEED}): {figures}; kill phases {dict(sorted(phases.items()))}; "
          f"seconds spent {({k: round(v, 1) for k, v in spent.items()})}")
    if "PMCONSOLE_CRASH_TRIALS" not in os.environ:
        assert figures["trials"] == 50 and figures["restarts"] == 5, figures
    # The kills land where it matters: there were confirmed entries to lose.
    assert figures["entries_shown_saved"] >= TRIALS, figures


def test_keys_typed_in_one_burst_reach_the_pane_they_name(
    template_db: tuple[Path, int, dict[str, int]], tmp_path: Path
) -> None:
    """A fast scribe (or tmux send-keys) sends "3a" in one read: the quick-add that opens
    must be the Key findings one, not the Timeline's that had the focus."""
    template, session_id, _ = template_db
    db = tmp_path / "burst.db"
    shutil.copyfile(template, db)
    config = tmp_path / "config"
    config.mkdir()
    with PtyConsole(["--db", str(db), "open", str(session_id)], columns=SIZE[0], lines=SIZE[1],
                    env=child_env(config)) as console:
        console.wait_for_text(READY, 30)
        console.send("3a")
        console.wait_for(lambda s: QUICK_FOCUSED in s and READY not in s, 10, "a quick-add line")
        console.send("q: burst1\r")
        screen = console.wait_for(
            lambda s: bool(re.search(r"question\s+burst1", s)) or "Start with a time" in s,
            10, "the finding saved, or the timeline refusing it")
        assert re.search(r"question\s+burst1", screen), screen
