"""Staff pages of the monthly cycle: one period across all employers, on screen and as CSV."""

import csv

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format

from accounts.decorators import staff_required
from accounts.models import AuditEvent
from deductions.basis.exports import neutralise
from deductions.cycle import month_changes
from deductions.cycle.mailings import default_notice_period
from deductions.cycle.overview import FILTERS, deviations, employer_overview
from deductions.models import Payment

ROWS_PER_PAGE = 100
CSV_HEADER = [
    "Bedriftsnummer",
    "Bedrift",
    "Varsel sendt",
    "Varsel feilet",
    "Trekkliste levert",
    "Trekkliste sum",
    "Betalt",
    "Differanse",
    "Avvik",
]


def _filters(request):
    show = request.GET.get("vis", "alle")
    return (show if show in FILTERS else "alle"), request.GET.get("q", "").strip()[:100]


@staff_required
def overview_current(request):
    """The period the notices are about now (next month)."""
    return redirect("deductions:staff_overview", default_notice_period().slug)


@staff_required
def overview(request, period):
    show, query = _filters(request)
    page = Paginator(employer_overview(period, show, query), ROWS_PER_PAGE).get_page(
        request.GET.get("side")
    )
    rows = list(page.object_list)
    for row in rows:
        row.deviations = deviations(row)
    return render(
        request,
        "deductions/staff/overview.html",
        {
            "period": period,
            "previous": period.previous(),
            "next": period.next(),
            "page": page,
            "rows": rows,
            "show": show,
            "query": query,
            "filters": [(key, label) for key, (label, _) in FILTERS.items()],
            "unmatched_count": Payment.objects.unmatched().count(),
        },
    )


def _money(amount):
    if amount is None:
        return ""
    return number_format(amount, decimal_pos=2, use_l10n=True)


class _Echo:
    def write(self, value):
        return value


def _streamed_csv(filename, header, rows):
    """`header` and `rows` as CSV for Norwegian Excel (`;`, UTF-8 with BOM), written as they
    come; text cells neutralised."""
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for cells in rows:
            yield writer.writerow([neutralise(cell) for cell in cells])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def overview_csv(request, period):
    """The filtered overview, every row, as CSV (streamed; text cells neutralised)."""
    show, query = _filters(request)
    rows = (
        [
            row.number,
            row.name,
            row.notices_sent,
            row.notices_failed,
            "Ja" if row.delivered else "Nei",
            _money(row.list_total),
            _money(row.paid_total),
            _money(row.difference),
            ", ".join(deviations(row)),
        ]
        for row in employer_overview(period, show, query).iterator(chunk_size=2000)
    )
    return _streamed_csv(f"oversikt-{period.slug}.csv", CSV_HEADER, rows)


@staff_required
def month_changes_csv(request, period):
    """Every employer's changes in the month, one row per member, as CSV (streamed)."""
    AuditEvent.objects.record("month_changes_downloaded", request=request, period=period.slug)
    rows = month_changes.month_change_rows(period)
    return _streamed_csv(f"endringer-{period.slug}.csv", month_changes.HEADER, rows)
