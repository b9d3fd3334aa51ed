"""The staff month page's chart: the 12 months up to the page's, counted per status.

Each month is counted over the very rows the page lists for it (`employer_month_rows`), with
the page's own conditions, so a bar is the number of employers the page shows that month with
the matching filter. The twelve months are one statement (a UNION of one aggregate per month),
however many employers there are.

Drawn as SVG on the server: bars placed here, the markup in
`templates/deductions/staff/_month_chart.html`, colours in our CSS (the CSP allows no inline
style), and the same numbers in a table for those who do not see the picture.
"""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, Q, Value

from deductions.cycle.overview import FILTERS, employer_month_rows

MONTHS = 12
MONTH_NAMES = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")

# The drawing's coordinates (the SVG viewBox scales them to the page's width).
SLOT, BAR, MARGIN = 20, 14, 4  # a month's width, its bar's, and room for the last label
WIDTH, HEIGHT = MONTHS * SLOT + 2 * MARGIN, 124
TOP, BASELINE = 20, 100  # the tallest bar reaches TOP; the bars stand on BASELINE


@dataclass(frozen=True)
class Status:
    """One chart: `condition` picks, from a month's rows, the employers it counts."""

    key: str
    label: str
    condition: Q


STATUSES = (
    # Delivered once, a reopened list included: the totals line's «har levert».
    Status("delivered", "Levert", Q(delivered=True)),
    Status("not_delivered", "Ikke levert", Q(delivered=False)),
    Status("paid", "Betalt", Q(paid_total__isnull=False)),
    Status("differs", "Betalt avviker fra trekkliste", FILTERS["differanse"][1]),
)


def months_ending(period, months=MONTHS):
    """The `months` periods up to and including `period`, oldest first."""
    return [period - back for back in range(months - 1, -1, -1)]


def month_counts(period, months=MONTHS):
    """[(period, {status key: employers})] for the `months` periods ending with `period`,
    oldest first, in one query."""
    periods = months_ending(period, months)
    counted = [
        employer_month_rows(month)
        .order_by()
        .annotate(month=Value(month.index, output_field=IntegerField()))
        .values("month")
        # Named apart from the annotations they count, or they would replace them.
        .annotate(
            **{f"n_{status.key}": Count("pk", filter=status.condition) for status in STATUSES}
        )
        for month in periods
    ]
    by_index = {row["month"]: row for row in counted[0].union(*counted[1:], all=True)}
    return [
        (month, {status.key: by_index[month.index][f"n_{status.key}"] for status in STATUSES})
        for month in periods
    ]


@dataclass(frozen=True)
class Bar:
    period: object
    count: int
    x: float
    y: float
    height: float
    month_label: str
    current: bool

    @property
    def middle(self):
        return self.x + BAR / 2

    @property
    def label_y(self):
        return self.y - 3


@dataclass(frozen=True)
class Chart:
    status: Status
    bars: list
    summary: str  # the SVG's aria-label


def charts(period, months=MONTHS):
    """What the template draws: a table of the counts and a Chart per status."""
    counts = month_counts(period, months)
    drawn = []
    for status in STATUSES:
        series = [(month, numbers[status.key]) for month, numbers in counts]
        highest = max(count for _, count in series)
        bars = []
        for slot, (month, count) in enumerate(series):
            height = (BASELINE - TOP) * count / highest if highest else 0
            bars.append(
                Bar(
                    period=month,
                    count=count,
                    x=MARGIN + slot * SLOT + (SLOT - BAR) / 2,
                    y=round(BASELINE - height, 1),
                    height=round(height, 1),
                    month_label=MONTH_NAMES[month.month - 1],
                    current=month == period,
                )
            )
        drawn.append(Chart(status=status, bars=bars, summary=_summary(status, series)))
    return {
        "table": counts,
        "charts": drawn,
        "width": WIDTH,
        "height": HEIGHT,
        "baseline": BASELINE,
        "bar_width": BAR,
    }


def _summary(status, series):
    """«Levert, 2020/04 til 2021/03: 3 bedrifter i 2021/03; høyest 5 i 2021/01, lavest 0 i
    2020/04.» (the earliest month wins a tie), or «…: 0 bedrifter hver måned.»"""
    (first, _), (last, last_count) = series[0], series[-1]
    high = max(series, key=lambda item: item[1])
    low = min(series, key=lambda item: item[1])
    if high[1] == low[1]:
        return f"{status.label}, {first} til {last}: {_employers(last_count)} hver måned."
    return (
        f"{status.label}, {first} til {last}: {_employers(last_count)} i {last}; "
        f"høyest {high[1]} i {high[0]}, lavest {low[1]} i {low[0]}."
    )


def _employers(count):
    return f"{count} bedrift" if count == 1 else f"{count} bedrifter"
