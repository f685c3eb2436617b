"""Bar charts drawn on the server as SVG (no script, no CDN: the servers may have no internet),
each with a title and a description for screen readers and a table beside it."""

from dataclasses import dataclass

ROW = 22
LABEL_WIDTH = 260
BAR_WIDTH = 360


@dataclass
class Bar:
    label: str
    value: float | None  # a percentage; None when there is nothing to divide by
    y: int = 0
    width: float = 0

    @property
    def text(self) -> str:
        return "—" if self.value is None else f"{self.value:.1f}".replace(".", ",") + " %"


@dataclass
class Chart:
    id: str
    title: str
    description: str
    bars: list
    height: int
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH

    @property
    def width(self) -> int:
        return self.label_width + self.bar_width + 70


def percent_bars(chart_id: str, title: str, description: str, items) -> Chart:
    """One horizontal bar per (label, percentage) on a 0–100 scale."""
    bars = []
    for n, (label, value) in enumerate(items):
        short = label if len(label) <= 38 else label[:37] + "…"
        width = 0 if value is None else BAR_WIDTH * max(0.0, min(value, 100.0)) / 100
        bars.append(Bar(short, value, y=n * ROW + 4, width=round(width, 1)))
    return Chart(chart_id, title, description, bars, height=len(bars) * ROW + 8)
