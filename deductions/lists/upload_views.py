"""Uploading a list (CSV or XLSX) and downloading the month's template to fill in: the pages
of «Last opp fil». The file is read by upload.py; a file that looks like the delivered main
list again is kept (pending_uploads.py) while its uploader is asked what was meant."""

from django.contrib import messages
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import (
    Http404,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from accounts.decorators import role_required
from accounts.models import AuditEvent
from deductions.basis import exports
from deductions.basis.lookups import get_basis_or_404
from deductions.lists import pending_uploads
from deductions.lists.exports import template_table
from deductions.lists.forms import (
    UploadForm,
)
from deductions.lists.services import (
    ListLocked,
    list_replace_from_upload,
    list_start,
)
from deductions.lists.upload import COLUMNS, UploadError, read_upload, repeated_main_list
from deductions.lists.views import locked_page
from trekkportal import uploads
from trekkportal.downloads import streamed_csv
from trekkportal.words import counted

# Room for the multipart envelope and the CSRF token around the file itself.
UPLOAD_ENVELOPE = 64 * 1024


@csrf_exempt  # checked below, after the size: the CSRF check would read the whole body first
@role_required
def list_upload(request, period):
    basis = get_basis_or_404(request, period)
    kind = uploads.DEDUCTION_LIST
    if request.method == "POST" and _content_length(request) > kind.max_bytes + UPLOAD_ENVELOPE:
        error = f"Filen er for stor (høyst {kind.max_label})."
        return _upload_page(request, basis, UploadForm(), None, status=413, error=error)
    return _list_upload(request, basis)


def _content_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_protect
def _list_upload(request, basis):
    if request.method == "POST" and request.POST.get("gjentatt") in ("tillegg", "avbryt"):
        return _repeat_answered(request, basis, request.POST["gjentatt"])
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = read_upload(upload)
        except UploadError as error:
            form.add_error("file", str(error))
        if result is not None and result.is_valid:
            main = repeated_main_list(basis, result)
            if main is not None:
                return _ask_about_repeat(request, basis, main, result, upload)
            return _save_upload(request, basis, result, upload)
    return _upload_page(request, basis, form, result, status=400 if form.is_bound else 200)


def _save_upload(request, basis, result, upload):
    deduction_list = basis.lists.open().first() or list_start(
        basis=basis, request=request, actor=request.user, prefill=False
    )
    try:
        list_replace_from_upload(
            deduction_list=deduction_list,
            result=result,
            upload=upload,
            request=request,
            actor=request.user,
        )
    except ListLocked:
        return locked_page(request, deduction_list)
    rows = counted(len(result.rows), "rad", "rader")
    messages.success(request, f"Filen er lest inn ({rows}). Kontroller og lever.")
    return redirect("deductions:list_confirm", deduction_list.public_id)


# The file of an upload that looks like the delivered main list again, kept (in storage, named
# in the session) while its uploader is asked what was meant.
PENDING_UPLOAD = "deductions_list_upload_pending"


def _ask_about_repeat(request, basis, main, result, upload):
    _forget_pending(request)
    stored = pending_uploads.keep(upload)
    request.session[PENDING_UPLOAD] = {
        "file": stored,
        "filename": (upload.name or "trekkliste")[:255],
        "basis": basis.pk,
    }
    main_ids = set(main.lines.values_list("national_id", flat=True))
    return render(
        request,
        "deductions/lists/upload_repeat.html",
        {
            "basis": basis,
            "main": main,
            "result": result,
            "filename": upload.name,
            "on_main": sum(1 for row in result.rows if row.national_id in main_ids),
            "month_total": main.total + result.total,
        },
        status=409,
    )


def _repeat_answered(request, basis, answer):
    """ "Last opp som tilleggsliste likevel" or "Avbryt" on the question above."""
    pending = request.session.pop(PENDING_UPLOAD, None)
    if not pending or pending["basis"] != basis.pk or not default_storage.exists(pending["file"]):
        messages.error(request, "Spørsmålet er utløpt. Last opp filen på nytt.")
        return redirect("deductions:list_upload", basis.period.slug)
    try:
        if answer == "avbryt":
            messages.info(request, "Opplastingen er avbrutt. Ingenting er lagret.")
            return redirect("home")
        with default_storage.open(pending["file"], "rb") as stored:
            upload = File(stored, name=pending["filename"])
            try:
                result = read_upload(upload)  # read again: nothing parsed is kept meanwhile
            except UploadError as error:
                form = UploadForm()
                return _upload_page(request, basis, form, None, status=400, error=str(error))
            if not result.is_valid:
                return _upload_page(request, basis, UploadForm(), result, status=400)
            return _save_upload(request, basis, result, upload)
    finally:
        default_storage.delete(pending["file"])


def _forget_pending(request):
    pending = request.session.pop(PENDING_UPLOAD, None)
    if pending:
        default_storage.delete(pending["file"])


def _upload_page(request, basis, form, result, *, status, error=""):
    return render(
        request,
        "deductions/lists/upload.html",
        {
            "basis": basis,
            "form": form,
            "result": result,
            "columns": COLUMNS.values(),
            "open_list": basis.lists.open().first(),
            "error": error,
        },
        status=status,
    )


@role_required
def list_template(request, period, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    basis = get_basis_or_404(request, period)
    table = template_table(basis)
    filename = f"trekkliste-{basis.employer.number}-{basis.period.slug}.{fmt}"
    if fmt == "csv":
        response = streamed_csv(filename, table.header, exports.csv_rows(table))
    else:
        response = HttpResponse(exports.as_xlsx(table), content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    AuditEvent.objects.record("list_template_downloaded", request=request, obj=basis, format=fmt)
    return response
