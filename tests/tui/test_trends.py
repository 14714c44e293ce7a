"""The metrics view: MTTx overall and by quarter, severity counts, TTD/TTR charts; the same
figures as `pmconsole metrics --json`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from textual.widgets import DataTable, Sparkline, Static

from pmconsole.cli import main
from pmconsole.domain.metrics import format_duration
from pmconsole.domain.trends import trend_report
from pmconsole.store.repository import Store
from pmconsole.store.review import create_follow_up
from pmconsole.tui.screens.trends import MetricsScreen, severity_bars
from pmconsole.tui.widgets.trend_chart import TrendChart
from tests.tui.test_review_support import NOW, SIZE, errors, history_store, review_app, rows, shown


async def open_metrics(pilot) -> MetricsScreen:  # type: ignore[no-untyped-def]
    await pilot.press("g")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, MetricsScreen)
    return screen


async def test_the_view_shows_the_same_figures_as_metrics_json(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    store, _ = history_store(path, count=20)
    cli = CliRunner().invoke(main, ["--db", str(path), "metrics", "--json"])
    assert cli.exit_code == 0, cli.output
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_metrics(pilot)
        assert screen.report is not None
        assert screen.report.as_json() == json.loads(cli.stdout)
        overall = rows(screen.query_one("#metrics-overall-table", DataTable))
        assert [r[0] for r in overall] == ["MTTD  time to detect", "MTTA  time to acknowledge",
                                           "MTTM  time to mitigate", "MTTR  time to resolve"]
        report = screen.report
        for row, key in zip(overall, ("ttd", "tta", "ttm", "ttr"), strict=True):
            agg = report.overall[key]
            assert row[1:] == [format_duration(agg.median), format_duration(agg.p90),
                               str(agg.count)]
        quarters = rows(screen.query_one("#metrics-quarter-table", DataTable))
        assert [r[0] for r in quarters] == sorted(report.by_quarter, reverse=True)
        newest = report.by_quarter[quarters[0][0]]
        assert quarters[0][2:] == [format_duration(newest[k].median if i % 2 == 0 else
                                                   newest[k].p90)
                                   for i, k in enumerate(("ttd", "ttd", "ttm", "ttm",
                                                          "ttr", "ttr"))]
        assert sum(int(r[1]) for r in quarters) == len(report.points) == 25
        assert shown(screen.query_one("#metrics-stats", Static)) == "25 incidents"
        assert errors(app) == []


async def test_two_labelled_charts_of_ttd_and_ttr(tmp_path: Path) -> None:
    store, _ = history_store(tmp_path / "c.db", count=20)
    report = trend_report(store.list_sessions())
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_metrics(pilot)
        charts = list(screen.query(TrendChart))
        assert [str(c.border_title) for c in charts] == [
            "Time to detect (TTD) per incident", "Time to resolve (TTR) per incident"]
        ttd = [p.ttd for p in report.points if p.ttd is not None]
        sparks = [c.query_one(Sparkline) for c in charts]
        assert list(sparks[0].data or []) == ttd
        assert list(sparks[1].data or []) == [p.ttr for p in report.points if p.ttr is not None]
        axis = shown(charts[0].query_one(".chart-axis", Static))
        assert format_duration(max(ttd)) in axis and format_duration(min(ttd)) in axis
        dates = shown(charts[0].query_one(".chart-first", Static)).strip()
        assert dates == report.points[0].moment.in_timezone("Europe/Berlin").date().isoformat()
        assert "25 incidents, oldest → newest" in str(charts[0].border_subtitle)


async def test_severity_counts_in_words_and_bars(tmp_path: Path) -> None:
    store, _ = history_store(tmp_path / "s.db", count=20)
    report = trend_report(store.list_sessions())
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_metrics(pilot)
        text = shown(screen.query_one("#metrics-severity-bars", Static))
        for severity, count in report.severity_counts.items():
            line = next(li for li in text.splitlines() if li.startswith(severity))
            assert line.rstrip().endswith(f" {count}")
    bars = severity_bars({"SEV1": 4, "SEV2": 0}).plain.splitlines()
    assert bars[0].count("█") == 16 and bars[1].count("█") == 0


async def test_follow_up_meetings_are_not_incidents(tmp_path: Path) -> None:
    store, _ = history_store(tmp_path / "f.db", count=3)
    first = store.list_sessions()[0]
    create_follow_up(store, first.id, NOW)  # type: ignore[arg-type]
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_metrics(pilot)
        assert len(screen.report.points) == 8  # type: ignore[union-attr]
        assert shown(screen.query_one("#metrics-stats", Static)) == (
            "8 incidents · 1 follow-up meeting not counted")


async def test_no_incident_times_yet(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "e.db")
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_metrics(pilot)
        assert shown(screen.query_one("#metrics-stats", Static)) == "0 incidents"
        assert "No incident has both timestamps yet" in shown(
            screen.query_one("#chart-ttd .chart-empty", Static))
        assert all(r[1] == "—" for r in rows(screen.query_one("#metrics-overall-table",
                                                               DataTable)))
        await pilot.press("escape")
        assert errors(app) == []


async def test_bindings(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "b.db")
    app = review_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_metrics(pilot)
        assert {c.title for c in screen.palette_commands()} == {"metrics: back",
                                                                 "metrics: reload"}
        for binding in MetricsScreen.BINDINGS:
            assert binding.id and binding.tooltip  # type: ignore[union-attr]


async def test_at_80_columns_every_figure_column_shows(tmp_path: Path) -> None:
    """The severity box goes under the medians on a narrow terminal: beside them, it pushed
    the p90 and incident counts out of sight."""
    store, _ = history_store(tmp_path / "h.db", count=12)
    app = review_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_metrics(pilot)
        table = app.screen.query_one("#metrics-overall-table", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert [str(c.label) for c in table.columns.values()] == ["Metric", "Median", "p90", "Incidents"]
        assert errors(app) == []
