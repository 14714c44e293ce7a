"""Incident metrics over time: MTTx overall and by quarter, severities, TTD/TTR charts.

The figures are ``domain.trends.trend_report`` over the incidents (follow-up meetings are
not incidents and are left out), the same report ``pmconsole metrics --json`` prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from pmconsole.domain.metrics import Aggregate, format_duration
from pmconsole.domain.tracker import viewer_timezone
from pmconsole.domain.trends import TrendReport, trend_report
from pmconsole.tui.guard import GuardedMessages
from pmconsole.tui.screens.home import REVIEW_CSS, binding_commands, plural
from pmconsole.tui.screens.too_small import TooSmallView
from pmconsole.tui.widgets.keybar import KeyBar
from pmconsole.tui.widgets.trend_chart import TrendChart

METRICS: tuple[tuple[str, str, str], ...] = (
    ("ttd", "MTTD", "time to detect"),
    ("tta", "MTTA", "time to acknowledge"),
    ("ttm", "MTTM", "time to mitigate"),
    ("ttr", "MTTR", "time to resolve"),
)
BAR_WIDTH = 16


def _cell(value: float | None) -> Text:
    return Text(format_duration(value), justify="right")


def severity_bars(counts: dict[str, int]) -> Content:
    """``SEV1 ███······ 4`` per severity: the length and the number say it, not colour."""
    top = max(counts.values(), default=0) or 1
    lines = []
    for severity, count in counts.items():
        filled = round(BAR_WIDTH * count / top) if count else 0
        lines.append(Content.assemble(
            f"{severity}  ",
            ("█" * filled, "$primary"),
            ("·" * (BAR_WIDTH - filled), "$text-muted"),
            f" {count:>4,}",
        ))
    return Content("\n").join(lines)


class MetricsScreen(TooSmallView, GuardedMessages, Screen[None]):
    """How quickly incidents are detected, mitigated and resolved, and how that changes."""

    CSS_PATH = REVIEW_CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "Back", id="metrics.back", tooltip="Back to the sessions."),
        Binding("ctrl+r", "reload", "Reload", show=False, id="metrics.reload",
                tooltip="Read the sessions again."),
    ]

    def __init__(self, *, tz: str | None = None) -> None:
        super().__init__()
        self.tz_name = tz
        self.report: TrendReport | None = None
        self.follow_ups = 0

    @property
    def store(self) -> Any:
        return self.app.store  # type: ignore[attr-defined]

    @property
    def tz(self) -> str:
        return viewer_timezone(self.tz_name or getattr(self.app, "viewer_tz", None))

    def compute(self) -> TrendReport:
        from pmconsole.store.review import all_sessions, incident_sessions

        sessions = all_sessions(self.store)
        incidents = incident_sessions(sessions)
        self.follow_ups = len(sessions) - len(incidents)
        self.report = trend_report(incidents)
        return self.report

    def compose(self) -> ComposeResult:
        report = self.compute()
        stats = plural(len(report.points), "incident")
        if self.follow_ups:
            stats += f" · {plural(self.follow_ups, 'follow-up meeting')} not counted"
        with Vertical(id="metrics"):
            with Horizontal(id="metrics-top"):
                yield Static(Content("Incident metrics over time"), id="metrics-title")
                yield Static(Content(stats), id="metrics-stats")
            with VerticalScroll(id="metrics-body"):
                with Horizontal(id="metrics-row"):
                    with Vertical(id="metrics-overall", classes="metrics-box") as overall:
                        overall.border_title = Content("All incidents: median and p90")
                        yield DataTable(id="metrics-overall-table", cursor_type="none",
                                        zebra_stripes=True)
                    with Vertical(id="metrics-severity", classes="metrics-box") as severity:
                        severity.border_title = Content("Incidents by severity")
                        yield Static(severity_bars(report.severity_counts),
                                     id="metrics-severity-bars")
                yield TrendChart("Time to detect (TTD) per incident",
                                 [(p.moment, p.ttd) for p in report.points if p.ttd is not None],
                                 tz=self.tz, id="chart-ttd")
                yield TrendChart("Time to resolve (TTR) per incident",
                                 [(p.moment, p.ttr) for p in report.points if p.ttr is not None],
                                 tz=self.tz, id="chart-ttr")
                with Vertical(id="metrics-quarters", classes="metrics-box") as quarters:
                    quarters.border_title = Content("By quarter (newest first)")
                    yield DataTable(id="metrics-quarter-table", cursor_type="none",
                                    zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.fill_tables()
        # The page scrolls as a whole (↑/↓, PgUp/PgDn), starting at the top.
        self.query_one("#metrics-body", VerticalScroll).focus()

    def on_resize(self) -> None:
        # Taller charts when the screen has room for them (a projector at 200×60); below 100
        # columns the severity box goes under the medians, whose p90 column it hid.
        self.set_class(self.size.height >= 50, "-tall")
        self.set_class(self.size.width < 100, "-narrow")

    def fill_tables(self) -> None:
        report = self.report
        assert report is not None
        overall = self.query_one("#metrics-overall-table", DataTable)
        overall.clear(columns=True)
        overall.add_column("Metric", key="metric")
        overall.add_column(Text("Median", justify="right"), key="median", width=8)
        overall.add_column(Text("p90", justify="right"), key="p90", width=8)
        overall.add_column(Text("Incidents", justify="right"), key="count", width=9)
        for key, short, long in METRICS:
            agg = report.overall[key]
            overall.add_row(Text(f"{short}  {long}"), _cell(agg.median), _cell(agg.p90),
                            Text(f"{agg.count:,}", justify="right"), key=key)
        table = self.query_one("#metrics-quarter-table", DataTable)
        table.clear(columns=True)
        table.add_column("Quarter", key="quarter", width=7)
        table.add_column(Text("Incidents", justify="right"), key="count", width=9)
        for key, short, _ in METRICS:
            if key == "tta":
                continue
            table.add_column(Text(f"{short} med", justify="right"), key=f"{key}-median", width=9)
            table.add_column(Text(f"{short} p90", justify="right"), key=f"{key}-p90", width=9)
        counts = self._quarter_counts(report)
        for quarter in sorted(report.by_quarter, reverse=True):
            aggs: dict[str, Aggregate] = report.by_quarter[quarter]
            cells: list[Text] = [Text(quarter), Text(f"{counts.get(quarter, 0):,}",
                                                     justify="right")]
            for key, _, _ in METRICS:
                if key != "tta":
                    cells.extend([_cell(aggs[key].median), _cell(aggs[key].p90)])
            table.add_row(*cells, key=quarter)

    @staticmethod
    def _quarter_counts(report: TrendReport) -> dict[str, int]:
        from pmconsole.domain.trends import quarter_of

        counts: dict[str, int] = {}
        for point in report.points:
            quarter = quarter_of(point.moment)
            counts[quarter] = counts.get(quarter, 0) + 1
        return counts

    async def action_reload(self) -> None:
        await self.recompose()
        self.fill_tables()

    def action_back(self) -> None:
        self.dismiss()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield from binding_commands(self, self.BINDINGS)
