"""Pilot tests of the console's file actions: export, CSV import, minutes, invitation."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from pmconsole.domain.model import TimelineEvent
from pmconsole.tui.screens.console import ConsoleScreen
from tests.factory import demo_store, make_app

SIZE = (160, 48)


async def test_export_writes_markdown_and_asks_before_overwriting(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "e.db")
    target = tmp_path / "minutes.md"
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("E")
        await pilot.pause()
        app.screen.query_one("#field-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        text = target.read_text(encoding="utf-8")
        assert text.startswith("# Post-mortem: Card payments declined after an internal certificate expired")
        assert "## Timeline" in text and "## Action items" in text

        target.write_text("keep me", encoding="utf-8")
        await pilot.press("E")
        await pilot.pause()
        app.screen.query_one("#field-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("n")
        await pilot.pause()
        assert target.read_text(encoding="utf-8") == "keep me"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert target.read_text(encoding="utf-8").startswith("# Post-mortem: Card payments declined")
        assert isinstance(app.screen, ConsoleScreen)


async def test_export_json_into_a_folder_uses_a_safe_name(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "e.db")
    folder = tmp_path / "out"
    folder.mkdir()
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("E")
        await pilot.pause()
        app.screen.query_one("#field-format").value = "json"  # type: ignore[attr-defined]
        app.screen.query_one("#field-path", Input).value = str(folder)
        await pilot.press("ctrl+s")
        await pilot.pause()
        written = list(folder.iterdir())
        assert len(written) == 1 and written[0].suffix == ".json"
        assert '"format": "pmconsole-session"' in written[0].read_text(encoding="utf-8")


async def test_csv_import_adds_all_rows_or_says_which_row_is_wrong(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "i.db")
    before = len(store.list_children(TimelineEvent, sid))
    good = tmp_path / "good.csv"
    good.write_text('time,kind,text\n13:00,communication,"Post-incident review | scheduled"\n'
                    "13:05,other,Customer credits approved\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("time,kind,text\n13:00,other,fine\n13:10,sideways,not a kind\n", encoding="utf-8")
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("I")
        await pilot.pause()
        app.screen.query_one("#field-path", Input).value = str(bad)
        await pilot.press("ctrl+s")
        await pilot.pause()
        message = str(app.screen.query_one("#form-error", Static).render())
        assert "row 3" in message and "sideways" in message
        assert len(store.list_children(TimelineEvent, sid)) == before
        app.screen.query_one("#field-path", Input).value = str(good)
        await pilot.press("ctrl+s")
        await pilot.pause()
        texts = [e.text for e in store.list_children(TimelineEvent, sid)]
        assert len(texts) == before + 2 and "Post-incident review | scheduled" in texts
        table = app.screen.query_one("#timeline-table")
        assert table.row_count == before + 2  # type: ignore[attr-defined]
        # The same file again: nothing doubles, and the facilitator is told why.
        notes: list[str] = []
        app.say = lambda message, **_: notes.append(message)  # type: ignore[method-assign]
        await pilot.press("I")
        await pilot.pause()
        app.screen.query_one("#field-path", Input).value = str(good)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(store.list_children(TimelineEvent, sid)) == before + 2
        assert table.row_count == before + 2  # type: ignore[attr-defined]
        assert notes[-1] == ("0 timeline events imported. 2 rows were already in the timeline "
                             "and left out.")


async def test_minutes_preview_and_invitation(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "m.db")
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.pause()
        assert type(app.screen).__name__ == "MinutesScreen"
        from textual.widgets import Markdown

        markdown = app.screen.query_one(Markdown)
        assert "## Timeline" in markdown.source
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("M")
        await pilot.pause()
        body = str(app.screen.query_one("#card-body", Static).render())
        assert body.startswith("Subject:")
        assert "Card payments declined" in body and "Priya Natarajan" in body
        await pilot.press("Y")


async def test_csv_import_in_the_console_flags_blameful_rows(tmp_path: Path) -> None:
    from pmconsole.domain.model import EntityKind, FlagStatus

    store, sid = demo_store(tmp_path / "f.db")
    open_before = [f for f in store.load(sid).flags if f.status is FlagStatus.OPEN]
    csv = tmp_path / "chat.csv"
    csv.write_text("time,kind,text\n13:00,other,Dave forgot to renew the cert again\n"
                   "13:05,other,Customer credits approved\n", encoding="utf-8")
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("I")
        await pilot.pause()
        app.screen.query_one("#field-path", Input).value = str(csv)
        await pilot.press("ctrl+s")
        await pilot.pause()
        record = store.load(sid)
        event = next(e for e in record.timeline if e.text.startswith("Dave forgot"))
        new_flags = [f for f in record.flags if f.status is FlagStatus.OPEN and f not in open_before]
        assert [(f.entity, f.entity_id) for f in new_flags] == [(EntityKind.TIMELINE, event.id)]
        clean = next(e for e in record.timeline if e.text == "Customer credits approved")
        assert all(f.entity_id != clean.id for f in new_flags)
        # The imported row shows its flag, and the header counts it.
        header = str(app.screen.query_one("#header-flags", Static).render())
        assert f"⚑ {len(open_before) + 1} flag" in header
        notices = [n.message for n in app._notifications]
        assert any("2 timeline events imported. ⚑ 1 blameful phrase flagged" in m for m in notices)
