"""The minutes preview: the Markdown export rendered by Textual's Markdown widget."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Markdown, MarkdownViewer, Static

from pmconsole.domain.model import Session
from pmconsole.exchange.minutes import render_minutes
from pmconsole.store.repository import Store
from pmconsole.tui.screens.home import HomeScreen
from pmconsole.tui.screens.minutes import MinutesScreen, minutes_markdown
from tests.factory import demo_store
from tests.tui.test_review_support import NOW, SIZE, errors, review_app, shown


async def test_m_on_home_previews_the_highlighted_sessions_minutes(tmp_path: Path) -> None:
    store, demo_id = demo_store(tmp_path / "m.db")
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        home.select_session(demo_id)
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MinutesScreen)
        record = store.load(demo_id)
        assert screen.markdown_text == render_minutes(record, linked={}, now=NOW)
        title = shown(screen.query_one("#minutes-title", Static))
        assert title == "Card payments declined after an internal certificate expired"
        document = screen.query_one(MarkdownViewer).document
        assert document.source == screen.markdown_text
        await pilot.pause()
        heading = str(screen.query_one("MarkdownH1").render())  # type: ignore[attr-defined]
        assert "Post-mortem: Card payments declined" in heading
        sections = [str(h.render()) for h in screen.query("MarkdownH2")]  # type: ignore[attr-defined]
        assert "Timeline" in sections and "Action items" in sections and "Follow-up" in sections
        assert len(screen.query("MarkdownTable")) >= 2
        await pilot.press("c")
        assert app.clipboard == screen.markdown_text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert errors(app) == []


async def test_the_table_of_contents_toggles(tmp_path: Path) -> None:
    app = review_app(Store.open(tmp_path / "e.db"))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MinutesScreen("# Title\n\n## Part\n\ntext\n", title="T"))
        await pilot.pause()
        viewer = app.screen.query_one(MarkdownViewer)
        assert viewer.show_table_of_contents  # wide enough at 160 columns
        await pilot.press("t")
        assert not viewer.show_table_of_contents


async def test_a_hostile_title_in_the_preview(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "h.db")
    hostile = "[@click=app.quit]x[/] <script> **bold** # not a heading"
    s = store.create_session(Session(title=hostile, summary="[/] `code` [link](javascript:x)",
                                     created=NOW))
    assert s.id is not None
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        title, text = minutes_markdown(store, s.id, NOW)
        assert title == hostile
        app.push_screen(MinutesScreen(text, title=title))
        await pilot.pause()
        assert shown(app.screen.query_one("#minutes-title", Static)) == hostile
        assert isinstance(app.screen.query_one(MarkdownViewer).document, Markdown)
        assert app.is_running and errors(app) == []
