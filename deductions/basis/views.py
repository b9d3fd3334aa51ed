"""Pages of a month's basis, for the active role's employer."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.decorators import role_required
from accounts.models import AuditEvent
from deductions.basis import exports
from deductions.basis.lookups import get_basis_or_404
from deductions.basis.tasks import basis_pdfs_enqueue
from deductions.models import Basis
from deductions.models.lists import MonthLists
from deductions.models.payments import with_paid_total
from deductions.pending import pdf_pending
from trekkportal.downloads import streamed_csv

PAGES = {exports.FULL: "deductions:basis_full", exports.CHANGES: "deductions:basis_changes"}
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
@require_http_methods(["GET", "HEAD", "POST"])
def basis_download(request, period, view, fmt):
    """The basis as CSV, XLSX or PDF. The PDF comes from storage; until the task worker has
    made it, a page that says so and refreshes itself. A POST tries a failed PDF again."""
    if view not in exports.VIEWS or fmt not in exports.FORMATS:
        raise Http404
    if request.method == "POST" and fmt != "pdf":
        return HttpResponseNotAllowed(["GET", "HEAD"])
    basis = get_basis_or_404(request, period)
    filename = f"trekkgrunnlag-{basis.employer.number}-{basis.period.slug}-{view}.{fmt}"
    if fmt == "pdf":
        stored = _stored_pdf(request, basis, view)
        if request.method == "POST":
            return redirect(request.path)
        if not stored:
            return pdf_pending(
                request,
                what=f"trekkgrunnlaget for {basis.period} ({exports.VIEWS[view].lower()})",
                failed=basis.pdf_failed_at is not None,
                back_url=reverse(PAGES[view], args=[basis.period]),
            )
        response = FileResponse(
            stored.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
        )
    elif fmt == "csv":
        table = exports.basis_table(basis, view)
        response = streamed_csv(filename, table.header, exports.csv_rows(table))
    else:
        content = exports.as_xlsx(exports.basis_table(basis, view))
        response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    AuditEvent.objects.record("basis_downloaded", request=request, obj=basis, view=view, format=fmt)
    return response


def _stored_pdf(request, basis, view):
    """The view's stored PDF, or None after queueing it for the worker: on the first request
    (publication normally has), or again on «Prøv igjen» after a failure."""
    stored = basis.full_pdf if view == exports.FULL else basis.changes_pdf
    if stored:
        return stored
    basis_pdfs_enqueue(basis=basis, again=request.method == "POST", waited_for=True)
    basis.refresh_from_db(fields=["full_pdf", "changes_pdf", "pdf_failed_at"])
    stored = basis.full_pdf if view == exports.FULL else basis.changes_pdf
    return stored or None
