"""The staff month page's chart: the 12 months up to the page's, counted per status.

A month counts the employers the page lists for it (`employer_month_rows`: active, or with a
basis that month) by the page's own rules: delivered once (the totals line's «har levert»),
paid (not «Ikke betalt»), and the «differanse» filter. The page computes those per employer
for one month; here each is one grouped query over the twelve months (five queries in all,
however many employers), as the per-employer way costs seconds at 10,000 employers.

Drawn as SVG on the server: bars placed here, the markup in
`templates/deductions/staff/_month_chart.html`, colours in our CSS (the CSP allows no inline
style), and the same numbers in a table for those who do not see the picture.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, ExpressionWrapper, F, OuterRef, Q

from deductions.cycle.overview import FILTERS, MONEY
from deductions.lists import delivery
from deductions.models import Basis, DeductionList, Payment
from employers.models import Employer

MONTHS = 12
MONTH_NAMES = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")

# The drawing's coordinates (the SVG viewBox scales them to the page's width).
SLOT, BAR, MARGIN = 20, 14, 4  # a month's width, its bar's, and room for the last label
WIDTH, HEIGHT = MONTHS * SLOT + 2 * MARGIN, 124
TOP, BASELINE = 20, 100  # the tallest bar reaches TOP; the bars stand on BASELINE


@dataclass(frozen=True)
class Status:
    key: str
    label: str


STATUSES = (
    Status("delivered", "Levert"),
    Status("not_delivered", "Ikke levert"),
    Status("paid", "Betalt"),
    Status("differs", "Betalt avviker fra trekkliste"),
)


def months_ending(period, months=MONTHS):
    """The `months` periods up to and including `period`, oldest first."""
    return [period - back for back in range(months - 1, -1, -1)]


def _per_period(rows, counted):
    """{period: count} of `rows` grouped by their `period`, counting distinct `counted`."""
    grouped = rows.order_by().values("period").annotate(n=Count(counted, distinct=True))
    return {row["period"]: row["n"] for row in grouped}


def month_counts(period, months=MONTHS):
    """[(period, {status key: employers})] for the `months` periods ending with `period`,
    oldest first."""
    periods = months_ending(period, months)
    within = {"period__gte": periods[0], "period__lte": periods[-1]}
    bases = Basis.objects.filter(**within)
    active = Employer.objects.filter(active=True).count()
    # Inactive employers are listed in the months they have a basis.
    listed_inactive = _per_period(bases.filter(employer__active=False), "employer")
    delivered = _per_period(
        DeductionList.objects.main()
        .delivered_once()
        .filter(basis__period__gte=periods[0], basis__period__lte=periods[-1])
        .annotate(period=F("basis__period")),
        "basis__employer",
    )
    listed_basis = Basis.objects.filter(employer=OuterRef("employer"), period=OuterRef("period"))
    paid = _per_period(
        Payment.objects.matched()
        .filter(**within)
        .filter(Q(employer__active=True) | Exists(listed_basis)),
        "employer",
    )
    # A list total exists only with a basis, so the bases hold every row that can differ;
    # those without a payment are left out before the sums are taken.
    payments = Payment.objects.filter(employer=OuterRef("employer"), period=OuterRef("period"))
    differs = _per_period(
        bases.filter(Exists(payments))
        .annotate(
            list_total=delivery.list_total(period=OuterRef("period"), employer_ref="employer"),
            paid_total=Payment.objects.paid_total_subquery(),
        )
        .annotate(difference=ExpressionWrapper(F("paid_total") - F("list_total"), MONEY))
        .filter(FILTERS["differanse"][1]),
        "employer",
    )
    counts = []
    for month in periods:
        listed = active + listed_inactive.get(month, 0)
        counts.append(
            (
                month,
                {
                    "delivered": delivered.get(month, 0),
                    "not_delivered": listed - delivered.get(month, 0),
                    "paid": paid.get(month, 0),
                    "differs": differs.get(month, 0),
                },
            )
        )
    return counts


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
