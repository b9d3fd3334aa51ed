"""The staff's month page: one period across all employers, on screen and as CSV."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.decorators import staff_required
from accounts.models import AuditEvent
from deductions import money
from deductions.cycle import month_changes, month_chart
from deductions.cycle.mailings import default_notice_period
from deductions.cycle.overview import (
    FILTERS,
    described,
    employer_month_rows,
    month_totals,
    with_deviations,
)
from deductions.models import Payment
from deductions.models.lists import MonthStatus
from trekkportal.downloads import streamed_csv

ROWS_PER_PAGE = 100
CSV_HEADER = [
    "Bedriftsnummer",
    "Bedrift",
    "Varsel sendt",
    "Varsel feilet",
    "Trekkliste",
    "Lister levert",
    "Trekkliste sum",
    "Betalt",
    "Differanse",
    "Avvik i trekkliste",
    "Avvik",
]


def _filters(request):
    show = request.GET.get("vis", "alle")
    return (show if show in FILTERS else "alle"), request.GET.get("q", "").strip()[:100]


@staff_required
def overview_current(request):
    """The period the notices are about now (next month), with the filters kept."""
    url = reverse("deductions:staff_overview", args=[default_notice_period()])
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


@staff_required
def overview(request, period):
    """Every employer of `period` (active, or with a basis that month), filtered by `?vis=`
    (FILTERS) and `?q=` (name or number), 100 a page (`?side=`), under the month totals."""
    show, query = _filters(request)
    rows = employer_month_rows(period, show, query)
    totals = month_totals(rows)
    paginator = Paginator(with_deviations(rows), ROWS_PER_PAGE)
    paginator.count = totals["employer_count"]  # counted with the totals: one query fewer
    page = paginator.get_page(request.GET.get("side"))
    return render(
        request,
        "deductions/staff/overview.html",
        {
            "period": period,
            "previous": period.previous(),
            "next": period.next(),
            "page": page,
            "rows": list(described(page.object_list)),
            "totals": totals,
            "show": show,
            "query": query,
            "filters": [(key, label) for key, (label, _) in FILTERS.items()],
            "unmatched_count": Payment.objects.unmatched().count(),
            "month_chart": month_chart.charts(period),
        },
    )


@staff_required
def old_list_overview(request, period=None):
    """`/trekk/trekklister/oversikt/[<YYYY-MM>/]` was a page of its own; it is this page now.
    Its `?status=` values are the list status filters' (`?vis=`); `?format=csv` is the CSV."""
    params = {}
    if request.GET.get("status") in MonthStatus.values:
        params["vis"] = request.GET["status"]
    if query := request.GET.get("q", "").strip()[:100]:
        params["q"] = query
    if period is None:
        url = reverse("deductions:staff_overview_current")
    elif request.GET.get("format") == "csv":
        url = reverse("deductions:staff_overview_csv", args=[period])
    else:
        url = reverse("deductions:staff_overview", args=[period])
    return HttpResponsePermanentRedirect(f"{url}?{urlencode(params)}" if params else url)


@staff_required
def overview_csv(request, period):
    """The filtered page, every row, as CSV (streamed; text cells neutralised)."""
    show, query = _filters(request)
    rows = (
        [
            row.number,
            row.name,
            row.notices_sent,
            row.notices_failed,
            row.status_label,
            row.lists_delivered,
            money.cell(row.list_total),
            money.cell(row.paid_total),
            money.cell(row.difference),
            row.list_deviations,
            ", ".join(row.deviations),
        ]
        for row in described(
            with_deviations(employer_month_rows(period, show, query)).iterator(chunk_size=2000)
        )
    )
    return streamed_csv(f"oversikt-{period.slug}.csv", CSV_HEADER, rows)


@staff_required
def month_changes_csv(request, period):
    """Every employer's changes in the month, one row per member, as CSV (streamed)."""
    AuditEvent.objects.record("month_changes_downloaded", request=request, period=period.slug)
    rows = month_changes.month_change_rows(period)
    return streamed_csv(f"endringer-{period.slug}.csv", month_changes.HEADER, rows)
