"""Bar charts drawn on the server as SVG (no script, no CDN: the servers may have no internet),
each with a title and a description for screen readers and a table beside it."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

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


# The dashboard's charts by child organisation: (id, title, description, figure, the figure that
# must be non-zero for a child to have a bar).
BY_CHILD = [
    (
        "chart-introduced",
        _("Introduced, by organisation (%)"),
        _("Share of covered members to be introduced whose introduction letter has been issued."),
        "introduced_pct",
        "to_introduce",
    ),
    (
        "chart-on-time",
        _("Introductions on time, by organisation (%)"),
        _("Share of covered members to be introduced who are not past the letter deadline without a letter."),
        "intro_on_time_pct",
        "to_introduce",
    ),
    (
        "chart-signed",
        _("Evaluation forms signed, by organisation (%)"),
        _("Share of the forms due (yearly and requested) that the branch has signed."),
        "signed_pct",
        "expected_total",
    ),
]


def dashboard_charts(board) -> tuple[list[Chart], Chart | None]:
    """(the charts by child organisation that have bars, the trend over the years or None)."""
    by_child = [
        percent_bars(
            chart_id, str(title), str(description), [(c.org.name, c.f[key]) for c in board.children if c.f[base]]
        )
        for chart_id, title, description, key, base in BY_CHILD
    ]
    trend = percent_bars(
        "chart-trend",
        str(_("Over the years")),
        str(_("Share of the forms due that were signed, per year.")),
        [(str(year), f["signed_pct"]) for year, f in board.trend],
    )
    scores = [
        percent_bars(
            f"chart-scores-{block.scheme.code}",
            str(_("Year-end scores (%(scheme)s), share per band of points") % {"scheme": block.scheme.short_name}),
            str(_("How the recorded scores spread, in bands of a tenth of the highest score.")),
            [(label, pct) for _key, label, _n, pct in block.scores],
        )
        for block in board.ratings
        if block.scores and any(n for _k, _l, n, _p in block.scores)
    ]
    return [c for c in by_child if c.bars] + scores, (trend if len(trend.bars) > 1 else None)
