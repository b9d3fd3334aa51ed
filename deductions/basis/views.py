"""Pages of a month's basis, for the active role's employer."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import AuditEvent
from deductions.basis import exports
from deductions.basis.lookups import get_basis_or_404
from deductions.models import Basis
from deductions.models.lists import MonthLists
from deductions.models.payments import with_paid_total
from trekkportal.downloads import streamed_csv

LINES_PER_PAGE = 100
MONTHS_PER_PAGE = 24
SORTS = {
    "navn": ("name", "member_number"),
    "-navn": ("-name", "-member_number"),
    "fnr": ("national_id",),
    "-fnr": ("-national_id",),
    "medlemsnr": ("member_number",),
    "-medlemsnr": ("-member_number",),
}


@role_required
def month_list(request):
    """Every published month, newest first (the front page shows the last 12)."""
    months = with_paid_total(
        Basis.objects.published()
        .for_employer(request.role.employer)
        .select_related("employer")
        .order_by("-period")
    )
    page = Paginator(months, MONTHS_PER_PAGE).get_page(request.GET.get("side"))
    page.object_list = MonthLists.attach(page.object_list)
    return render(request, "deductions/month_list.html", {"page": page, "months": page})


@role_required
def basis_full(request, period):
    basis = get_basis_or_404(request, period)
    return _basis_page(request, basis, exports.FULL, basis.deducted_lines())


@role_required
def basis_changes(request, period):
    basis = get_basis_or_404(request, period)
    return _basis_page(request, basis, exports.CHANGES, basis.changes())


def _basis_page(request, basis, view, lines):
    query = request.GET.get("q", "").strip()[:100]
    if query:
        lines = lines.filter(_search(query))
    sort = request.GET.get("sorter", "navn")
    if sort not in SORTS:
        sort = "navn"
    page = Paginator(lines.order_by(*SORTS[sort]), LINES_PER_PAGE).get_page(request.GET.get("side"))
    return render(
        request,
        f"deductions/basis_{'full' if view == exports.FULL else 'changes'}.html",
        {
            "basis": basis,
            "view": view,
            "view_title": exports.VIEWS[view],
            "page": page,
            "query": query,
            "sort": sort,
            "formats": exports.FORMATS,
        },
    )


def _search(query):
    """A name (any part of it), or the start of a national ID, member or employee number."""
    digits = query.replace(" ", "")
    if digits.isdigit():
        return (
            Q(national_id__startswith=digits) | Q(member_number=digits) | Q(employee_number=digits)
        )
    return Q(name__icontains=query)


@role_required
def basis_download(request, period, view, fmt):
    if view not in exports.VIEWS or fmt not in exports.FORMATS:
        raise Http404
    basis = get_basis_or_404(request, period)
    filename = f"trekkgrunnlag-{basis.employer.number}-{basis.period.slug}-{view}.{fmt}"
    if fmt == "csv":
        table = exports.basis_table(basis, view)
        response = streamed_csv(filename, table.header, exports.csv_rows(table))
    else:
        if fmt == "pdf":
            content = exports.as_pdf(basis, view)
        else:
            content = exports.as_xlsx(exports.basis_table(basis, view))
        response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    AuditEvent.objects.record("basis_downloaded", request=request, obj=basis, view=view, format=fmt)
    return response
