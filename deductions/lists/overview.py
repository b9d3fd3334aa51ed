"""Staff: one month's lists across all employers (delivered or not, totals, deviations)."""

from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render

from accounts.decorators import staff_required
from deductions.basis import exports
from deductions.lists.exports import overview_table
from deductions.models import Basis, DeductionList
from deductions.money import ZERO
from deductions.period import Period
from trekkportal.downloads import streamed_csv

FILTERS = {
    "": "Alle",
    "levert": "Levert",
    "ikke-levert": "Ikke levert",
    "gjenapnet": "Gjenåpnet",
}
STATUS_LABELS = {
    DeductionList.Status.DELIVERED: "Levert",
    DeductionList.Status.REOPENED: "Gjenåpnet",
}


def overview_rows(period, status="", query=""):
    """One row per employer with a published basis in `period`, in three-table SQL."""
    main_status = DeductionList.objects.filter(
        basis=OuterRef("pk"), kind=DeductionList.Kind.MAIN
    ).values("status")[:1]
    delivered = Q(lists__status=DeductionList.Status.DELIVERED)
    rows = (
        Basis.objects.published()
        .filter(period=period)
        .select_related("employer")
        .annotate(
            main_status=Subquery(main_status),
            delivered_count=Count("lists", filter=Q(lists__version__gt=0)),
            delivered_total=Coalesce(Sum("lists__total", filter=delivered), Value(ZERO)),
            deviations=Coalesce(Sum("lists__deviation_count", filter=delivered), Value(0)),
        )
        .order_by("employer__name")
    )
    if status == "levert":
        rows = rows.filter(main_status=DeductionList.Status.DELIVERED)
    elif status == "gjenapnet":
        rows = rows.filter(main_status=DeductionList.Status.REOPENED)
    elif status == "ikke-levert":
        rows = rows.filter(Q(main_status__isnull=True) | Q(main_status=DeductionList.Status.DRAFT))
    if query:
        rows = rows.filter(Q(employer__name__icontains=query) | Q(employer__number=query))
    rows = list(rows)
    for row in rows:
        row.status_label = STATUS_LABELS.get(row.main_status, "Ikke levert")
    return rows


@staff_required
def list_overview(request, period=None):
    if period is None:
        return redirect("deductions:list_overview_month", Period.current())
    status = request.GET.get("status", "")
    if status not in FILTERS:
        status = ""
    query = request.GET.get("q", "").strip()[:100]
    rows = overview_rows(period, status, query)
    if request.GET.get("format") == "csv":
        table = overview_table(period, rows)
        return streamed_csv(f"trekklister-{period.slug}.csv", table.header, exports.csv_rows(table))
    return render(
        request,
        "deductions/lists/overview.html",
        {
            "period": period,
            "previous": period.previous(),
            "next": period.next(),
            "rows": rows,
            "status": status,
            "filters": FILTERS,
            "query": query,
            "delivered": sum(1 for row in rows if row.main_status == "delivered"),
            "total": sum((row.delivered_total for row in rows), ZERO),
        },
    )
