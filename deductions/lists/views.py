"""Pages of the deduction lists: start, web form (and its background saves), confirm and
deliver, detail, PDF. Uploading a list and its template are in upload_views.py."""

import re

from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.views.decorators.http import require_http_methods

from accounts.decorators import role_required, role_required_json
from accounts.models import AuditEvent
from deductions import money
from deductions.basis.lookups import get_basis_or_404
from deductions.lists.fill import list_fill_from_previous, previous_lists
from deductions.lists.forms import (
    ALREADY_ON_LIST,
    NEW_ROWS,
    REASON_CHOICES,
    AmountError,
    ListForm,
    parse_amount,
    posted_as_shown,
)
from deductions.lists.lookups import get_list_or_404
from deductions.lists.pages import FILTERS, FormQuery, form_page, lines_in_view
from deductions.lists.pdfs import delivery_pdf_enqueue
from deductions.lists.reconciliation import reconcile
from deductions.lists.services import (
    ListLocked,
    list_autosave_lines,
    list_deliver,
    list_save,
    list_start,
)
from deductions.models import DeductionList
from deductions.pending import pdf_pending


def locked_page(request, deduction_list):
    return render(
        request,
        "deductions/lists/locked.html",
        {"deduction_list": deduction_list, "basis": deduction_list.basis},
        status=409,
    )


def _payment(basis, deduction_list):
    return {
        "kid": basis.kid,
        "account": money.account_text(),
        "total": deduction_list.total,
    }


@role_required
@require_http_methods(["GET", "POST"])
def list_new(request, period):
    """ "Registrer trekkliste/tilleggsliste i nettskjema": the month's open list, or a new one.

    A GET only asks: a link opened from anywhere (another site, a prefetching browser) must not
    make a draft and an audit row. The list is made by the POST of the page's button.
    """
    basis = get_basis_or_404(request, period)
    if request.method == "GET":
        open_list = basis.lists.open().first()
        if open_list is not None:
            return redirect("deductions:list_edit", open_list.public_id)
        supplementary = basis.lists.filter(kind=DeductionList.Kind.MAIN).exists()
        return render(
            request, "deductions/lists/new.html", {"basis": basis, "supplementary": supplementary}
        )
    deduction_list = list_start(basis=basis, request=request, actor=request.user)
    return redirect("deductions:list_edit", deduction_list.public_id)


def _is_fetch(request):
    """A save by the form's script before it swaps the rows (deduction_list.js): it is
    answered with JSON, not a redirect or a page."""
    return request.headers.get("X-Requested-With") == "fetch"


def _json_errors(rows):
    return [
        {
            "label": row.label or "Ny person",
            "messages": [str(message) for message in row.errors.values()],
            "fields": {f"{row.prefix}-{name}": str(msg) for name, msg in row.errors.items()},
        }
        for row in rows
    ]


def _json_refused(message, status):
    return JsonResponse(
        {"ok": False, "errors": [{"label": "", "messages": [message], "fields": {}}]},
        status=status,
    )


def _fill_from_previous(request, deduction_list, back_url):
    """ "Fyll inn fra forrige liste", after the form's own save (what was typed is kept)."""
    try:
        result = list_fill_from_previous(
            deduction_list=deduction_list, request=request, actor=request.user
        )
    except ListLocked:
        return locked_page(request, deduction_list)
    messages.success(request, result.message)
    return redirect(back_url)


def _with_conflicts(deduction_list, page, conflicts):
    """The page as saved, but the lines a colleague changed meanwhile with this user's values,
    the difference, and the saved values' fingerprint: saving again overwrites on purpose."""
    form = ListForm(deduction_list, shown=page.lines)
    rows = {row.line.position: row for row in form.rows}
    for conflict in conflicts:
        row = rows.get(conflict.position)
        if row is not None:
            row.values.update({name: conflict.mine.get(name, "") for name in conflict.saved})
            row.was = conflict.was
            row.errors["conflict"] = conflict.message
    form.conflicts = conflicts
    return form


def _json_saved(saved, conflicts):
    """The script's save before it shows other rows: lines a colleague changed meanwhile were
    left as saved, and the rows are not swapped until the user has seen them (409)."""
    if not conflicts:
        return JsonResponse({"ok": True, "errors": [], "total": str(saved.total)})
    errors = [{"label": "", "messages": [c.message], "fields": {}} for c in conflicts]
    return JsonResponse({"ok": False, "errors": errors, "total": str(saved.total)}, status=409)


LOCKED_TEXT = "Listen er levert og kan ikke endres. Last siden på nytt."


@role_required
@require_http_methods(["GET", "HEAD", "POST"])
def list_edit(request, public_id):
    """The web form, a page of lines at a time (pages.py); a POST saves the lines it holds.

    «Lagre utkast» returns to the same page, «Lagre og gå til neste side» to the next,
    «Lever» to the confirm page. The script's own save before it shows other rows gets JSON.
    """
    deduction_list = get_list_or_404(request, public_id)
    if deduction_list.is_delivered:
        if _is_fetch(request):
            return _json_refused(LOCKED_TEXT, 409)
        return locked_page(request, deduction_list)
    query = FormQuery.from_params(request.GET)
    edit_url = reverse("deductions:list_edit", args=[deduction_list.public_id])
    if request.method == "POST":
        form = ListForm(deduction_list, request.POST)
        if form.is_valid():
            try:
                saved = list_save(
                    deduction_list=deduction_list, form=form, request=request, actor=request.user
                )
            except ListLocked:
                if _is_fetch(request):
                    return _json_refused(LOCKED_TEXT, 409)
                return locked_page(request, deduction_list)
            if _is_fetch(request):
                return _json_saved(saved, form.conflicts)
            if form.conflicts:
                page = form_page(deduction_list, query)
                form = _with_conflicts(deduction_list, page, form.conflicts)
            elif "lever" in request.POST:
                return redirect("deductions:list_confirm", deduction_list.public_id)
            elif "fyll-fra-forrige" in request.POST:
                return _fill_from_previous(request, deduction_list, edit_url + query.query_string())
            else:
                side = query.side + 1 if "neste" in request.POST else query.side
                messages.success(
                    request, "Utkastet er lagret. Du eller en kollega kan fortsette senere."
                )
                return redirect(edit_url + query.query_string(side))
        elif _is_fetch(request):
            return JsonResponse({"ok": False, "errors": _json_errors(form.errors)}, status=400)
        else:
            page = form_page(deduction_list, query)
    else:
        page = form_page(deduction_list, query)
        form = ListForm(deduction_list, shown=page.lines)
    basis = deduction_list.basis
    context = {
        "deduction_list": deduction_list,
        "basis": basis,
        "form": form,
        "page": page,
        "filters": FILTERS,
        "edit_url": edit_url,
        "reasons": REASON_CHOICES,
        "new_count": len(form.new_rows) or NEW_ROWS,
        "payment": {**_payment(basis, deduction_list), "total": page.list_total},
        "can_fill": previous_lists(deduction_list).exists(),
    }
    status = 409 if form.conflicts else 400 if form.is_bound else 200
    if request.GET.get("del") == "rader":
        return render(request, "deductions/lists/_view.html", context, status=status)
    return render(request, "deductions/lists/edit.html", context, status=status)


MAX_PASTED = 20_000


@role_required
def list_paste(request, public_id):
    """The rest of a column pasted into the form's last lines: the values fill the lines after
    position `etter` in the order of the view (`q`, `vis` in the query), saved at once.

    JSON {ok, filled, left}; a value that is no amount is a 400 naming it, and nothing is saved.
    """
    deduction_list = get_list_or_404(request, public_id)  # first: another employer's is a 404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if deduction_list.is_delivered:
        return _json_refused(LOCKED_TEXT, 409)
    try:
        after = int(request.POST.get("etter", ""))
    except ValueError:
        return _json_refused("Det mangler hvor innlimingen skal fortsette.", 400)
    values = request.POST.get("verdier", "").replace("\r\n", "\n").replace("\r", "\n")
    values = [value.split("\t")[0].strip() for value in values.split("\n")]
    while values and not values[-1]:
        values.pop()
    if not values:
        return _json_refused("Det er ingen beløp å lime inn.", 400)
    if len(values) > MAX_PASTED:
        return _json_refused(f"Det kan limes inn høyst {MAX_PASTED} beløp om gangen.", 400)
    for number, value in enumerate(values, start=1):
        try:
            parse_amount(value)
        except AmountError as error:
            return _json_refused(f"Beløp nummer {number} i det som er limt inn: {error}", 400)
    query = FormQuery.from_params(request.GET)
    targets = list(lines_in_view(deduction_list, query).filter(position__gt=after)[: len(values)])
    data = {"new-count": "0"}
    for line, value in zip(targets, values, strict=False):
        data.update(posted_as_shown(line, dues=value))
    form = ListForm(deduction_list, data)
    if not form.is_valid():
        return JsonResponse({"ok": False, "errors": _json_errors(form.errors)}, status=400)
    try:
        list_save(deduction_list=deduction_list, form=form, request=request, actor=request.user)
    except ListLocked:
        return _json_refused(LOCKED_TEXT, 409)
    return JsonResponse({"ok": True, "filled": len(targets), "left": len(values) - len(targets)})


@role_required
def list_confirm(request, public_id):
    """ "Lever trekkliste": totals and deviations, then delivery (once, however often posted)."""
    deduction_list = get_list_or_404(request, public_id)
    if request.method == "POST":
        if list_deliver(deduction_list=deduction_list, request=request, actor=request.user):
            messages.success(request, f"{deduction_list.get_kind_display()} er levert.")
        else:
            messages.info(request, "Listen var allerede levert.")
        return redirect("deductions:list_detail", deduction_list.public_id)
    if deduction_list.is_delivered:
        return redirect("deductions:list_detail", deduction_list.public_id)
    basis = deduction_list.basis
    lines = list(deduction_list.lines.all())
    return render(
        request,
        "deductions/lists/confirm.html",
        {
            "deduction_list": deduction_list,
            "basis": basis,
            "lines": lines,
            "deviations": reconcile(deduction_list, lines),
            "payment": _payment(basis, deduction_list),
            "not_deducted": sum(1 for line in lines if line.reason),
        },
    )


@role_required
def list_detail(request, public_id):
    deduction_list = get_list_or_404(request, public_id)
    basis = deduction_list.basis
    lines = list(deduction_list.lines.all())
    return render(
        request,
        "deductions/lists/detail.html",
        {
            "deduction_list": deduction_list,
            "basis": basis,
            "lines": lines,
            "deviations": reconcile(deduction_list, lines),
            "delivery": deduction_list.latest_delivery(),
            "payment": _payment(basis, deduction_list),
        },
    )


@role_required
@require_http_methods(["GET", "HEAD", "POST"])
def list_pdf(request, public_id):
    """The delivery's PDF from storage; until the task worker has made it, a page that says
    so and refreshes itself (queueing it here if it never was). A POST tries a failed one again."""
    deduction_list = get_list_or_404(request, public_id)
    delivery = deduction_list.latest_delivery()
    if delivery is None:
        raise Http404("Listen er ikke levert ennå.")
    if request.method == "POST":
        delivery_pdf_enqueue(delivery=delivery, again=True)
        return redirect(request.path)
    basis = deduction_list.basis
    if not delivery.pdf:
        delivery_pdf_enqueue(delivery=delivery)
        delivery.refresh_from_db(fields=["pdf", "pdf_failed_at"])
    if not delivery.pdf:
        return pdf_pending(
            request,
            what=f"trekklisten for {basis.period}, versjon {delivery.number}",
            failed=delivery.pdf_failed_at is not None,
            back_url=reverse("deductions:list_detail", args=[deduction_list.public_id]),
        )
    AuditEvent.objects.record(
        "list_pdf_downloaded", request=request, obj=deduction_list, version=delivery.number
    )
    filename = f"trekkliste-{basis.employer.number}-{basis.period.slug}-v{delivery.number}.pdf"
    return FileResponse(
        delivery.pdf.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )


def _draft_url(public_id):
    return reverse("deductions:list_edit", args=[public_id])


def _json_error(message, status):
    return JsonResponse({"error": message}, status=status)


LINE_INPUT = re.compile(r"^l-(\d{1,6})-")
# Lines a single autosave takes (the script sends larger pastes in several).
AUTOSAVE_MAX_LINES = 500


@role_required_json(landing=_draft_url)
def list_autosave(request, public_id):
    """The form's background save (static/js/list_autosave.js): only the lines typed in since
    the last one, each with its fingerprint, and the new persons' rows complete enough to add
    (`n-0-…`, with `new-count`), checked as «Lagre utkast» checks them. Valid lines and persons
    are saved even when others are not; the answer (JSON) says when, the new fingerprints, the
    rows added, the errors and the conflicts."""
    try:
        deduction_list = get_list_or_404(request, public_id)
    except Http404:
        return _json_error("Fant ikke listen.", 404)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if deduction_list.is_delivered:
        return _json_error(LOCKED_MESSAGE, 409)
    positions = {int(m[1]) for key in request.POST if (m := LINE_INPUT.match(key))}
    if len(positions) > AUTOSAVE_MAX_LINES:
        return _json_error(f"Høyst {AUTOSAVE_MAX_LINES} linjer om gangen.", 400)
    data = request.POST.copy()
    lines = list(deduction_list.lines.filter(position__in=positions))
    checked = ListForm(deduction_list, data, lines=lines)
    checked.is_valid()
    errors = [
        {"field": f"{row.prefix}-{name}", "message": str(message)}
        for row in [*checked.rows, *checked.new_rows]
        for name, message in row.errors.items()
    ]
    for row in checked.new_rows:  # a person with errors is not added; the others are
        for name in row.values if row.errors else ():
            data[f"{row.prefix}-{name}"] = ""
    form = ListForm(
        deduction_list, data, lines=[row.line for row in checked.rows if not row.errors]
    )
    form.is_valid()
    try:
        saved = list_autosave_lines(
            deduction_list=deduction_list, form=form, request=request, actor=request.user
        )
    except ListLocked:
        return _json_error(LOCKED_MESSAGE, 409)
    errors += [
        {"field": f"{prefix}-national_id", "message": ALREADY_ON_LIST} for prefix in saved.taken
    ]
    return JsonResponse(
        {
            "saved_at": f"{localtime():%H:%M}",
            "saved": len(saved.changed),
            "was": {str(position): was for position, was in saved.fingerprints.items()},
            "added": [{"prefix": line.prefix, "name": line.name} for line in saved.added],
            "errors": errors,
            "conflicts": [conflict.as_json() for conflict in form.conflicts],
        },
        status=400 if errors else 200,
    )


LOCKED_MESSAGE = (
    "Listen er levert og kan ikke endres her lenger. Last inn siden på nytt; forbundet kan "
    "åpne den igjen."
)
