"""A labelled trend chart: one metric per incident over time, as a Sparkline with axes.

The bars run from the lowest value (bottom) to the highest (top), both written on the
left; the first and last incident dates are written under the bars. With more incidents
than columns, each bar is the median of the incidents it covers (said in the subtitle).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from pendulum import DateTime
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Sparkline, Static

from pmconsole.domain.metrics import format_duration

AXIS_WIDTH = 9


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


class ChartAxis(Static):
    """The value axis: the highest value at the top, the lowest at the bottom, as tall as
    the chart is."""

    def __init__(self, high: str, low: str, *, classes: str = "") -> None:
        super().__init__("", classes=classes)
        self.high = high
        self.low = low

    def render(self) -> Content:
        height = max(2, self.size.height)
        width = AXIS_WIDTH - 2
        lines = [f"{self.high:>{width}} ┤"] + [f"{'':>{width}} │"] * (height - 2)
        lines.append(f"{self.low:>{width}} ┤")
        return Content("\n".join(lines))


class TrendChart(Vertical):
    """``title`` over time: ``points`` are (incident time, seconds), oldest first."""

    def __init__(self, title: str, points: Sequence[tuple[DateTime, float]], *,
                 tz: str = "UTC", id: str | None = None) -> None:
        super().__init__(id=id, classes="" if points else "-empty")
        self.border_title = Content(title)
        self.points = list(points)
        self.tz = tz

    def compose(self) -> ComposeResult:
        values = [value for _, value in self.points]
        if not values:
            yield Static(Content("No incident has both timestamps yet: set them with "
                                 "i (Details) in a session."), classes="chart-empty")
            return
        with Horizontal(classes="chart-row"):
            yield ChartAxis(format_duration(max(values)), format_duration(min(values)),
                            classes="chart-axis")
            yield Sparkline(values, summary_function=_median)
        first = self.points[0][0].in_timezone(self.tz).date().isoformat()
        last = self.points[-1][0].in_timezone(self.tz).date().isoformat()
        with Horizontal(classes="chart-dates"):
            yield Static(Content(" " * AXIS_WIDTH + first), classes="chart-first")
            yield Static(Content(last), classes="chart-last")

    def on_mount(self) -> None:
        self._describe()

    def on_resize(self) -> None:
        self._describe()

    def _describe(self) -> None:
        count = len(self.points)
        if not count:
            self.border_subtitle = None
            return
        columns = max(1, self.size.width - AXIS_WIDTH - 2)
        per_bar = count / columns
        text = f"{count:,} incident{'s' if count != 1 else ''}, oldest → newest"
        if per_bar > 1:
            text += f" · each bar: median of ~{per_bar:.0f}"
        self.border_subtitle = Content(text)
