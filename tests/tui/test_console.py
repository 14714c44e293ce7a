"""Pilot tests of the meeting console: each drives the real app and checks the database
and what the screen shows."""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest
from textual.content import Content
from textual.widgets import Input, Static

from pmconsole.domain.clock import FrozenClock
from pmconsole.domain.model import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    EventKind,
    Finding,
    FindingKind,
    FlagStatus,
    Session,
    SessionStatus,
    TimelineEvent,
)
from pmconsole.store.repository import Store
from pmconsole.tui.screens.console import ConsoleScreen
from pmconsole.tui.widgets.panes import ActionsPane, AgendaPane, FindingsPane, TimelinePane
from tests.factory import NOW, demo_store, make_app

SIZE = (160, 48)


def shown(widget: Static) -> str:
    return str(widget.render())


def rows(pane) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = pane.table
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Store, int]:
    return demo_store(tmp_path / "demo.db")


async def test_main_screen_shows_header_countdown_and_five_panes(demo: tuple[Store, int]) -> None:
    store, sid = demo
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ConsoleScreen)
        # The focused pane's title is coloured (markup): compare what is shown.
        titles = [Content.from_markup(w.border_title or "").plain for w in screen.query(".pane, #sidebar")]
        assert titles == ["Agenda", "Timeline", "Key findings", "Action items", "Blame-redirect"]
        header = shown(screen.query_one("#header-title", Static))
        assert "Card payments declined" in header and "payments-gateway" in header
        assert "PLANNED" in header
        assert shown(screen.query_one("#header-severity", Static)).strip() == "SEV2"
        metrics = shown(screen.query_one("#header-metrics", Static))
        assert "TTD 14m 00s" in metrics and "TTR 2h 40m" in metrics
        assert shown(screen.query_one("#header-clock", Static)) == "14:03:00 Europe/Berlin"
        assert shown(screen.query_one("#countdown-item", Static)) == "Not started"
        assert len(rows(screen.query_one(TimelinePane))) == 18
        assert app.handled_errors == []
        await pilot.pause()


async def test_quick_add_timeline_parses_time_saves_and_shows(demo: tuple[Store, int]) -> None:
    store, sid = demo
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", *"10:07 detection: support escalates to on-call", "enter")
        await pilot.pause()
        events = store.list_children(TimelineEvent, sid)
        added = [e for e in events if "support escalates" in e.text]
        assert len(added) == 1
        assert added[0].kind is EventKind.DETECTION
        # 10:07 in Berlin on the incident's date (two days before the meeting).
        assert added[0].at.in_timezone("Europe/Berlin").format("YYYY-MM-DD HH:mm") == "2026-11-18 10:07"
        table_rows = rows(app.screen.query_one(TimelinePane))
        index = next(i for i, r in enumerate(table_rows) if "support escalates" in r[3])
        assert table_rows[index][1:3] == ["10:07", "detection"]
        # Sorted in time order: between 10:04 and 10:09.
        assert table_rows[index - 1][1] == "10:04" and table_rows[index + 1][1] == "10:09"
        assert app.screen.query_one("#timeline-quick", Input).value == ""


async def test_quick_add_bad_time_shows_why_and_keeps_what_was_typed(demo: tuple[Store, int]) -> None:
    store, sid = demo
    before = len(store.list_children(TimelineEvent, sid))
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", *"1430 db failed over", "enter")
        await pilot.pause()
        quick = app.screen.query_one("#timeline-quick", Input)
        assert quick.value == "1430 db failed over"
        error = shown(app.screen.query_one("#timeline .quick-error", Static))
        assert "colon" in error
        assert len(store.list_children(TimelineEvent, sid)) == before


async def test_quick_add_finding_and_action_item(demo: tuple[Store, int]) -> None:
    store, sid = demo
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "a", *"lucky: the backup region was idle", "enter")
        await pilot.press("escape", "4", "a", *"Add alert on replica lag @storage-team due:+2w p1", "enter")
        await pilot.pause()
        finding = store.list_children(Finding, sid)[-1]
        assert (finding.kind, finding.text) == (FindingKind.GOT_LUCKY, "the backup region was idle")
        action = store.list_children(ActionItem, sid)[-1]
        assert action.text == "Add alert on replica lag"
        assert action.owner == "storage-team"
        assert action.due == pendulum.date(2026, 12, 4)
        assert action.priority.value == "P1"
        last = rows(app.screen.query_one(ActionsPane))[-1]
        assert last[2] == "storage-team · Dec 4" and last[3] == "Add alert on replica lag"


async def test_edit_dialog_saves_every_field(demo: tuple[Store, int]) -> None:
    store, sid = demo
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # edit the first timeline event
        await pilot.pause()
        time_input = app.screen.query_one("#field-at", Input)
        time_input.value = "09:58:30"
        text_area = app.screen.query_one("#field-text")
        text_area.text = "Certificate expiry warning logged, unread"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        first = store.list_children(TimelineEvent, sid)[0]
        assert first.text == "Certificate expiry warning logged, unread"
        assert first.at.in_timezone("Europe/Berlin").format("HH:mm:ss") == "09:58:30"
        assert rows(app.screen.query_one(TimelinePane))[0][3] == "Certificate expiry warning logged, unread"


async def test_dialog_validation_message_keeps_typed_text_and_saves_nothing(demo: tuple[Store, int]) -> None:
    store, sid = demo
    original = store.list_children(TimelineEvent, sid)[0]
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        time_input = app.screen.query_one("#field-at", Input)
        time_input.value = "25:99"
        app.screen.query_one("#field-text").text = "typed and not lost"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "FormDialog"
        error = app.screen.query_one("#error-at", Static)
        assert error.has_class("-visible") and shown(error)
        assert time_input.value == "25:99"
        assert app.screen.query_one("#field-text").text == "typed and not lost"  # type: ignore[attr-defined]
        assert store.list_children(TimelineEvent, sid)[0] == original
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)


async def test_delete_asks_nothing_but_undo_brings_it_back(demo: tuple[Store, int]) -> None:
    store, sid = demo
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        first = store.list_children(Finding, sid)[0]
        await pilot.press("d")
        await pilot.pause()
        assert first.text not in [f.text for f in store.list_children(Finding, sid)]
        assert first.text not in [r[2] for r in rows(app.screen.query_one(FindingsPane))]
        await pilot.press("u")
        await pilot.pause()
        texts = [f.text for f in store.list_children(Finding, sid)]
        assert first.text in texts
        assert any(first.text == r[2] for r in rows(app.screen.query_one(FindingsPane)))


async def test_undo_puts_a_deleted_entry_back_in_its_place_with_its_id(demo: tuple[Store, int]) -> None:
    store, sid = demo
    before = [(f.id, f.text) for f in store.list_children(Finding, sid)]
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "down", "down", "d")
        await pilot.pause()
        assert len(store.list_children(Finding, sid)) == len(before) - 1
        await pilot.press("u")
        await pilot.pause()
        assert [(f.id, f.text) for f in store.list_children(Finding, sid)] == before
        assert [r[2] for r in rows(app.screen.query_one(FindingsPane))] == [t for _, t in before]
        assert app.screen.query_one(FindingsPane).selected_id == before[2][0]


async def test_reorder_agenda_star_event_and_mark_action_done(demo: tuple[Store, int]) -> None:
    store, sid = demo
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        titles = [a.title for a in store.list_children(AgendaItem, sid)]
        await pilot.press("1", "J")
        await pilot.pause()
        moved = [a.title for a in store.list_children(AgendaItem, sid)]
        assert moved[:2] == [titles[1], titles[0]]
        assert [r[3] for r in rows(app.screen.query_one(AgendaPane))][:2] == moved[:2]

        await pilot.press("2", "asterisk")
        await pilot.pause()
        assert store.list_children(TimelineEvent, sid)[0].starred is True
        assert rows(app.screen.query_one(TimelinePane))[0][0].startswith("★")

        await pilot.press("4", "x")
        await pilot.pause()
        first_action = store.list_children(ActionItem, sid)[0]
        assert first_action.status is ActionStatus.DONE
        assert rows(app.screen.query_one(ActionsPane))[0][1] == "●"


async def test_countdown_start_mid_item_overtime_pause_and_restart(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "c.db")
    clock = FrozenClock(NOW)
    app = make_app(store, session_id=sid, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("s")
        await pilot.pause()
        assert "1/6" in shown(screen.query_one("#countdown-item", Static))
        assert str(screen.query_one("#countdown-digits").value) == "05:00"  # type: ignore[attr-defined]
        assert store.get_session(sid).status is SessionStatus.LIVE
        clock.advance(minutes=2, seconds=15)
        screen.tick()
        assert screen.query_one("#countdown-digits").value == "02:45"  # type: ignore[attr-defined]
        clock.advance(minutes=4)
        screen.tick()
        assert screen.query_one("#countdown-digits").value == "+01:15"  # type: ignore[attr-defined]
        assert "OVERTIME" in shown(screen.query_one("#countdown-state", Static))
        assert screen.query_one("#countdown").has_class("-overtime")
        await pilot.press("p")
        clock.advance(minutes=10)
        screen.tick()
        assert screen.query_one("#countdown-digits").value == "+01:15"  # type: ignore[attr-defined]
        assert "PAUSED" in shown(screen.query_one("#countdown-state", Static))
        await pilot.press("p", "plus")
        await pilot.pause()
        assert screen.query_one("#countdown-digits").value == "03:45"  # type: ignore[attr-defined]
        await pilot.press("n")
        clock.advance(minutes=1)
        screen.tick()
        assert "2/6" in shown(screen.query_one("#countdown-item", Static))
        assert screen.query_one("#countdown-digits").value == "09:00"  # type: ignore[attr-defined]
        first = store.list_children(AgendaItem, sid)[0]
        assert first.ended is not None and first.extra_minutes == 5
    store.close()

    # Quit mid-item and reopen 30 seconds later: still running, with the right time left.
    clock.advance(seconds=30)
    reopened = Store.open(tmp_path / "c.db")
    app2 = make_app(reopened, session_id=sid, clock=clock)
    async with app2.run_test(size=SIZE):
        screen = app2.screen
        assert "2/6" in shown(screen.query_one("#countdown-item", Static))
        assert screen.query_one("#countdown-digits").value == "08:30"  # type: ignore[attr-defined]
        planned_actual = rows(screen.query_one(AgendaPane))[0]
        assert planned_actual[1] == "5+5m" and planned_actual[2].startswith("6m")


async def test_back_after_the_end_reopens_the_meeting_and_the_end_moves(demo: tuple[Store, int]) -> None:
    store, sid = demo
    clock = FrozenClock(NOW)
    app = make_app(store, session_id=sid, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        for _ in range(6):
            clock.advance(minutes=3)
            await pilot.press("n")
            await pilot.pause()
        first_end = store.get_session(sid)
        assert first_end.status is SessionStatus.ENDED and first_end.ended == clock.now()
        clock.advance(minutes=1)
        await pilot.press("b")
        await pilot.pause()
        reopened = store.get_session(sid)
        assert reopened.status is SessionStatus.LIVE and reopened.ended is None
        assert "LIVE" in shown(app.screen.query_one("#header-title", Static))
        assert "6/6" in shown(app.screen.query_one("#countdown-item", Static))
        clock.advance(minutes=2)
        await pilot.press("n")
        await pilot.pause()
        again = store.get_session(sid)
        assert again.status is SessionStatus.ENDED and again.ended == clock.now() != first_end.ended


async def test_zoom_and_presenter_view(demo: tuple[Store, int]) -> None:
    store, sid = demo
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("2", "z")
        await pilot.pause()
        timeline = screen.query_one("#timeline")
        assert timeline.region.width >= 150 and timeline.region.height >= 40
        assert screen.query_one("#findings").region.width == 0
        await pilot.press("z")
        await pilot.pause()
        assert screen.query_one("#findings").region.width > 0
        assert screen.query_one("#sidebar").region.width > 0
        await pilot.press("v")
        await pilot.pause()
        assert screen.query_one("#sidebar").region.width == 0
        await pilot.press("v")
        await pilot.pause()
        assert screen.query_one("#sidebar").region.width > 0


async def test_palette_runs_an_agenda_action(demo: tuple[Store, int]) -> None:
    store, sid = demo
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"agenda: start")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert store.list_children(AgendaItem, sid)[0].started is not None
        assert "1/6" in shown(app.screen.query_one("#countdown-item", Static))


async def test_session_details_dialog_saves_and_header_follows(demo: tuple[Store, int]) -> None:
    store, sid = demo
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#field-service", Input).value = "card-vault"
        app.screen.query_one("#field-detected", Input).value = "10:10"
        await pilot.press("ctrl+s")
        await pilot.pause()
        session = store.get_session(sid)
        assert session.service == "card-vault"
        assert session.detected is not None
        assert session.detected.in_timezone("Europe/Berlin").format("YYYY-MM-DD HH:mm") == "2026-11-18 10:10"
        screen = app.screen
        assert "card-vault" in shown(screen.query_one("#header-title", Static))
        assert "TTD 10m 00s" in shown(screen.query_one("#header-metrics", Static))


async def test_blame_flag_marks_entry_and_reframe_is_one_key_away(demo: tuple[Store, int]) -> None:
    store, sid = demo
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", *"14:32 Dave forgot to renew the certificate", "enter", "escape")
        await pilot.pause()
        event = next(
            e for e in store.list_children(TimelineEvent, sid) if "certificate" in e.text and "Dave" in e.text
        )
        flags = [f for f in store.load(sid).flags if f.entity_id == event.id]
        assert flags and flags[0].status is FlagStatus.OPEN
        row = next(r for r in rows(app.screen.query_one(TimelinePane)) if "Dave forgot" in r[3])
        assert "⚑" in row[0]
        assert "⚑ 1 flag" in shown(app.screen.query_one("#header-flags", Static))
        # The notification names the kind of wording, and does not repeat the blame aloud.
        told = [n.message for n in app._notifications if "Blameful wording" in n.message]
        assert told and "Dave" not in told[-1] and "(attribution)" in told[-1], told
        await pilot.press("f")
        await pilot.pause()
        assert type(app.screen).__name__ == "FlagDialog"
        await pilot.press("a")
        await pilot.pause()
        updated = store.get(TimelineEvent, event.id)  # type: ignore[arg-type]
        assert "forgot" not in updated.text and "certificate" in updated.text
        assert [f.status for f in store.load(sid).flags if f.entity_id == event.id] == [FlagStatus.ACCEPTED]
        assert shown(app.screen.query_one("#header-flags", Static)) == ""
        await pilot.press("u")
        await pilot.pause()
        assert store.get(TimelineEvent, event.id).text == "Dave forgot to renew the certificate"  # type: ignore[arg-type]


async def test_hostile_text_displays_exactly_as_typed(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "h.db")
    hostile = "[@click=app.quit]x[/] [b]bold[/b] [/ 💥 漢字"
    session = store.create_session(Session(title=hostile, timezone="UTC"), [("[/]", 5)])
    assert session.id is not None
    store.add(TimelineEvent(session_id=session.id, at=pendulum.datetime(2026, 11, 20, 9, 0), text=hostile))
    store.add(Finding(session_id=session.id, text=hostile))
    store.add(ActionItem(session_id=session.id, text=hostile, owner="[/]"))
    app = make_app(store, session_id=session.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert hostile in shown(screen.query_one("#header-title", Static))
        assert rows(screen.query_one(TimelinePane))[0][3] == hostile
        assert rows(screen.query_one(FindingsPane))[0][2] == hostile
        assert rows(screen.query_one(ActionsPane))[0][2] == "[/]"
        assert rows(screen.query_one(ActionsPane))[0][3] == hostile
        assert rows(screen.query_one(AgendaPane))[0][3] == "[/]"
        await pilot.press("a", *"09:30 [@click=app.quit]x[/]", "enter")
        await pilot.pause()
        assert app.is_running
        assert app.handled_errors == []


async def test_home_screen_lists_creates_opens_and_deletes(tmp_path: Path) -> None:
    store, sid = demo_store(tmp_path / "home.db")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        from pmconsole.tui.screens.home import HomeScreen

        assert isinstance(app.screen, HomeScreen)
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#field-title", Input).value = "Queue backlog [/] in EU"
        app.screen.query_one("#field-timezone", Input).value = "Europe/Paris"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        created = next(s for s in store.list_sessions() if s.title == "Queue backlog [/] in EU")
        assert created.timezone == "Europe/Paris"
        assert len(store.list_children(AgendaItem, created.id)) == 6  # type: ignore[arg-type]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        count = len(store.list_sessions())
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert len(store.list_sessions()) == count - 1


async def test_rows_changed_before_they_are_first_drawn_show_the_change(tmp_path: Path) -> None:
    """A long timeline's rows get their cells when first drawn: a row edited, flagged or
    deleted while still off screen shows that, not what it was, once scrolled to."""
    from typing import Any

    store, sid = demo_store(tmp_path / "demo.db")
    base = pendulum.datetime(2026, 11, 18, 12, 0, tz="UTC")
    store.add_many([TimelineEvent(sid, base.add(minutes=i), f"generated event {i:03d}")
                    for i in range(300)])
    app = make_app(store, session_id=sid, clock=FrozenClock(NOW))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pane = app.screen.query_one(TimelinePane)
        by_text = {e.text: e for e in pane.entries.values()}
        edited, flagged, gone = (by_text[f"generated event {n}"] for n in ("290", "291", "292"))
        pane.upsert(TimelineEvent(sid, edited.at, "edited while off screen", id=edited.id), False)
        pane.mark_flagged(pane.flagged | {flagged.id})
        pane.remove(gone.id)
        pane.table.focus()
        await pilot.press("ctrl+end")  # to the last row
        await pilot.pause()
        update: Any = app.screen._compositor.render_update(full=True)
        screen = ["".join(segment.text for segment in strip) for strip in update.strips]
        lines = {line for line in screen if "generated event 29" in line or "off screen" in line}
        assert any("edited while off screen" in line for line in lines), screen
        assert not any("generated event 290" in line for line in lines)
        assert any("⚑" in line and "generated event 291" in line for line in lines), lines
        assert not any("generated event 292" in line for line in lines)
        assert any("generated event 299" in line for line in lines)


async def test_keys_typed_just_before_ctrl_s_are_saved(demo: tuple[Store, int]) -> None:
    """Typed faster than the screen redraws (a paste, a text expander, a fast typist), the
    last keys before Ctrl+S are still waiting in the field when the shortcut arrives: the
    dialog saves after them, not without them."""
    from textual import events

    store, sid = demo
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # edit the first timeline event
        await pilot.pause()
        text_area = app.screen.query_one("#field-text")
        text_area.text = ""  # type: ignore[attr-defined]
        text_area.focus()
        await pilot.pause()
        typed = "Sam checked the replica"
        # All at once, as a terminal delivers a burst: no pause between the keys.
        for character in typed:
            app.post_message(events.Key("space" if character == " " else character, character))
        app.post_message(events.Key("ctrl+s", None))
        await pilot.pause(0.3)
        assert isinstance(app.screen, ConsoleScreen)
        assert store.list_children(TimelineEvent, sid)[0].text == typed


async def test_a_quick_add_message_goes_when_the_line_is_emptied_or_left(demo: tuple[Store, int]) -> None:
    """Why a line was not saved is about that line: emptied, or the pane left, the shared
    screen stops showing it (a line left behind stays, for later)."""
    store, sid = demo
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        error = app.screen.query_one("#timeline .quick-error", Static)
        await pilot.press("a", *"1430 db failed over", "enter")
        await pilot.pause()
        assert error.display and "colon" in shown(error)
        await pilot.press("ctrl+u")  # the line emptied
        await pilot.pause()
        assert not error.display
        await pilot.press(*"1430 again", "enter")
        await pilot.pause()
        assert error.display
        await pilot.press("escape", "3")  # back to the table, then to Key findings
        await pilot.pause()
        assert not error.display
        assert app.screen.query_one("#timeline-quick", Input).value == "1430 again"


async def test_an_agenda_item_with_blameful_notes_shows_the_flag_mark(demo: tuple[Store, int]) -> None:
    import dataclasses

    from pmconsole.domain.blame import detect, to_flag
    from pmconsole.domain.model import EntityKind

    store, sid = demo
    item = store.list_children(AgendaItem, sid)[1]
    assert item.id is not None
    notes = "Why the on-call engineer was careless"
    flags = [to_flag(m, sid, EntityKind.AGENDA, item.id, NOW) for m in detect(notes, names=())]
    assert flags
    store.save_with_flags(dataclasses.replace(item, notes=notes), EntityKind.AGENDA, flags, since=item)
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE):
        agenda = rows(app.screen.query_one(AgendaPane))
        assert agenda[1][0] == "·⚑" and agenda[0][0] == "·"


async def test_a_timeline_across_midnight_shows_each_time_with_its_day(demo: tuple[Store, int]) -> None:
    """Within one day the timeline shows times alone; once an event falls on another day
    (in the session's zone) the later days' times say so, so 00:10 after 23:50 reads right."""
    import dataclasses
    from typing import Any

    store, sid = demo
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pane = app.screen.query_one(TimelinePane)
        assert [row[1] for row in rows(pane)][:2] == ["10:00", "10:02"]
        # Added during the meeting: the night after the incident, Berlin time.
        late = store.add(TimelineEvent(sid, pendulum.datetime(2026, 11, 18, 23, 10, tz="UTC"),
                                       "certificate rotation finished overnight"))
        pane.upsert(late, False)
        await pilot.pause()
        times = [row[1] for row in rows(pane)]
        assert times[0] == "10:00" and times[-1] == "00:10 +1", times
        update: Any = app.screen._compositor.render_update(full=True)
        screen = "\n".join("".join(s.text for s in strip) for strip in update.strips)
        assert "00:10 +1" in screen and "certificate rotation finished" in screen
        # An event the day before becomes the first day: every row is counted from it.
        eve = store.add(TimelineEvent(sid, pendulum.datetime(2026, 11, 17, 20, 0, tz="UTC"),
                                      "the certificate's last renewal attempt"))
        pane.upsert(eve, False)
        await pilot.pause()
        times = [row[1] for row in rows(pane)]
        assert times[0] == "21:00" and times[1] == "10:00 +1" and times[-1] == "00:10 +2", times
        # Weeks later (a follow-up note): the column makes room, nothing is cut to "+3".
        later = store.add(TimelineEvent(sid, pendulum.datetime(2026, 12, 20, 8, 0, tz="UTC"),
                                        "follow-up: renewal alert tested"))
        pane.upsert(later, False)
        await pilot.pause()
        update = app.screen._compositor.render_update(full=True)
        screen = "\n".join("".join(s.text for s in strip) for strip in update.strips)
        assert "09:00 +33" in screen and "00:10 +2 " in screen, screen
        # The first day's only event moved to the next day: the days count from there.
        pane.upsert(dataclasses.replace(eve, at=pendulum.datetime(2026, 11, 18, 20, 0, tz="UTC")), False)
        await pilot.pause()
        times = [row[1] for row in rows(pane)]
        assert times[0] == "10:00" and times[-2:] == ["00:10 +1", "09:00 +32"], times
        pane.upsert(eve, False)  # and back
        await pilot.pause()
    # Opened again, the timeline is dated from the start.
    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE):
        times = [row[1] for row in rows(app.screen.query_one(TimelinePane))]
        assert times[0] == "21:00" and times[-2:] == ["00:10 +2", "09:00 +33"]


async def test_adding_a_person_reads_every_entry_again_for_blame(demo: tuple[Store, int]) -> None:
    """"Zorro made a mistake" is about a person only once Zorro is in the room: adding him
    to the attendees flags the entry typed before (as the minutes' lint would), removing him
    again takes the open flag away."""
    store, sid = demo
    typed = store.add(TimelineEvent(sid, pendulum.datetime(2026, 11, 18, 9, 30, tz="UTC"),
                                    "Zorro made a mistake in the renewal job"))

    def open_flags() -> list[int]:
        return [f.entity_id for f in store.load(sid).flags
                if f.status is FlagStatus.OPEN and f.entity_id == typed.id]

    app = make_app(store, session_id=sid)
    async with app.run_test(size=SIZE) as pilot:
        assert open_flags() == []
        attendees = ", ".join(store.get_session(sid).attendees)
        for value, expected in ((f"{attendees}, Zorro", [typed.id]), (attendees, [])):
            await pilot.press("i")
            await pilot.pause()
            app.screen.query_one("#field-attendees", Input).value = value
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, ConsoleScreen)
            assert open_flags() == expected
            timeline = rows(app.screen.query_one(TimelinePane))
            marked = [row for row in timeline if "Zorro made a mistake" in row[3]][0]
            assert ("⚑" in marked[0]) is bool(expected)
        assert app.handled_errors == []
