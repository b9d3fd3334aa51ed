"""Admin for members, rates and the monthly bases. The deduction lists (`deductions.lists.admin`)
and the monthly cycle (`deductions.cycle.admin`) keep their own admin, imported here so that
Django's autodiscovery of `deductions.admin` registers them too."""

import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from accounts.models import AuditEvent
from deductions.basis import member_import as imports
from deductions.basis.services import GenerationRefused, basis_generate
from deductions.basis.tasks import check_member_import, run_member_import
from deductions.cycle import admin as cycle_admin  # noqa: F401 (registers its models)
from deductions.fields import PeriodFormField
from deductions.lists import admin as list_admin  # noqa: F401 (registers its models)
from deductions.models import Basis, BasisLine, Deduction, Member, MemberImport, Rate
from deductions.period import Period
from trekkportal.admin import ReadOnlyAdmin, admin_url
from trekkportal.words import counted

RECENT_IMPORTS = 10
ERRORS_PER_PAGE = 50
REFRESH_SECONDS = 2


class AuditedAdmin(admin.ModelAdmin):
    """Every change staff make to deduction data leaves an audit row (no national IDs)."""

    audit_action = ""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        AuditEvent.objects.record(
            f"{self.audit_action}_{'changed' if change else 'added'}",
            request=request,
            employer=None,
            obj=obj,
            fields=form.changed_data,  # names only, never values
        )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            AuditEvent.objects.record(
                f"{self.audit_action}_history_changed",
                request=request,
                employer=None,
                obj=form.instance,
                added=len(formset.new_objects),
                changed=len(formset.changed_objects),
                deleted=len(formset.deleted_objects),
            )

    def delete_model(self, request, obj):
        AuditEvent.objects.record(
            f"{self.audit_action}_deleted", request=request, employer=None, obj=obj
        )
        super().delete_model(request, obj)


class DeductionInline(admin.TabularInline):
    model = Deduction
    extra = 0
    autocomplete_fields = ["employer"]
    fields = [
        "employer",
        "first_period",
        "last_period",
        "category",
        "home_insurance",
        "travel_insurance",
    ]


@admin.register(Member)
class MemberAdmin(AuditedAdmin):
    audit_action = "member"
    list_display = ["number", "name", "employee_number", "updated_at"]
    search_fields = ["number", "name", "=national_id", "employee_number"]
    inlines = [DeductionInline]
    fields = ["number", "name", "national_id", "employee_number"]
    change_list_template = "admin/deductions/member/change_list.html"

    def get_urls(self):
        return [
            admin_url(self, "importer/", self.import_view, "deductions_member_import"),
            admin_url(
                self,
                "importer/<uuid:ref>/",
                self.import_status_view,
                "deductions_member_import_status",
            ),
            admin_url(
                self,
                "importer/<uuid:ref>/bekreft/",
                require_POST(self.import_confirm_view),
                "deductions_member_import_confirm",
            ),
            admin_url(
                self,
                "importer/<uuid:ref>/start-igjen/",
                require_POST(self.import_restart_view),
                "deductions_member_import_restart",
            ),
            *super().get_urls(),
        ]

    def _check_import_permission(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied

    def import_view(self, request):
        """Upload: the file is stored and checked by the task worker; the status page follows."""
        self._check_import_permission(request)
        MemberImport.objects.expire_unconfirmed()
        form = ImportForm(request.POST or None, request.FILES or None)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with transaction.atomic():
                member_import = MemberImport.objects.create(
                    file=ContentFile(form.cleaned_data["data"], name=f"{uuid.uuid4().hex}.csv"),
                    file_name=upload.name[:255],
                    rows_total=form.cleaned_data["rows_total"],
                    created_by=request.user,
                )
                check_member_import.enqueue(str(member_import.ref))
            return redirect("admin:deductions_member_import_status", ref=member_import.ref)
        context = {
            **self.admin_site.each_context(request),
            "title": "Importer medlemmer",
            "form": form,
            "columns": imports.REQUIRED + imports.OPTIONAL,
            "recent": MemberImport.objects.select_related("created_by")[:RECENT_IMPORTS],
        }
        return TemplateResponse(request, "admin/deductions/member/import.html", context)

    def import_status_view(self, request, ref):
        """Progress while the worker reads or imports (the page refreshes itself), then the
        counts to confirm or the rows in error, 50 a page."""
        self._check_import_permission(request)
        member_import = get_object_or_404(MemberImport, ref=ref)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Medlemsimport: {member_import.file_name}",
            "member_import": member_import,
            "errors": Paginator(member_import.errors, ERRORS_PER_PAGE).get_page(
                request.GET.get("side")
            ),
            "refresh_seconds": REFRESH_SECONDS if member_import.is_running else None,
        }
        return TemplateResponse(request, "admin/deductions/member/import_status.html", context)

    def import_confirm_view(self, request, ref):
        """Queues the import of a checked file; a second click queues nothing."""
        self._check_import_permission(request)
        member_import = get_object_or_404(MemberImport, ref=ref)
        with transaction.atomic():
            attempt = member_import.confirm(user=request.user)
            if attempt is not None:
                run_member_import.enqueue(str(member_import.ref), attempt)
        if attempt is None:
            messages.warning(request, "Denne filen er allerede importert eller lagt i kø.")
        return redirect("admin:deductions_member_import_status", ref=member_import.ref)

    def import_restart_view(self, request, ref):
        """Starts again a check or an import whose worker stopped (README: «Bakgrunnsjobber»)."""
        self._check_import_permission(request)
        member_import = get_object_or_404(MemberImport, ref=ref)
        Status = MemberImport.Status
        if not (member_import.status == Status.FAILED or member_import.is_stalled):
            messages.warning(request, "Importen er i gang eller ferdig; den startes ikke på nytt.")
            return redirect("admin:deductions_member_import_status", ref=member_import.ref)
        with transaction.atomic():
            if member_import.recheck():
                check_member_import.enqueue(str(member_import.ref))
            elif (attempt := member_import.requeue()) is not None:
                run_member_import.enqueue(str(member_import.ref), attempt)
            AuditEvent.objects.record(
                "members_import_restarted", request=request, employer=None, obj=member_import
            )
        return redirect("admin:deductions_member_import_status", ref=member_import.ref)


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV-fil fra medlemsregisteret")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError("Filen er for stor (høyst 20 MB).")
        data = upload.read()
        try:
            text = imports.decode(data)
            self.cleaned_data["rows_total"] = imports.check_header(text)
        except imports.ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        self.cleaned_data["data"] = data
        return upload


@admin.register(Rate)
class RateAdmin(AuditedAdmin):
    audit_action = "rate"
    list_display = [
        "valid_from",
        "dues_percent",
        "home_insurance",
        "travel_insurance",
        "apprentice_total",
    ]


class GenerateForm(forms.Form):
    period = PeriodFormField(label="Måned")
    publish = forms.BooleanField(label="Publiser med en gang", required=False, initial=True)


@admin.register(Basis)
class BasisAdmin(ReadOnlyAdmin):
    """Months are made by generation only: everything here is read-only."""

    list_display = [
        "period",
        "employer",
        "status",
        "line_count",
        "change_count",
        "fixed_total",
        "published_at",
        "lines_link",
    ]
    list_filter = ["status"]
    search_fields = ["employer__name", "employer__number"]
    list_select_related = ["employer"]
    actions = ["generate_selected"]
    change_list_template = "admin/deductions/basis/change_list.html"
    exclude = ["full_pdf", "changes_pdf"]

    @admin.display(description="linjer")
    def lines_link(self, basis):
        url = reverse("admin:deductions_basisline_changelist") + f"?basis__id__exact={basis.pk}"
        return format_html('<a href="{}">Vis linjer</a>', url)

    def has_generate_permission(self, request):
        return request.user.has_perm("deductions.add_basis")

    @admin.action(
        description="Generer valgte måneder (upubliserte lages på nytt og publiseres)",
        permissions=["generate"],
    )
    def generate_selected(self, request, queryset):
        periods = sorted(set(queryset.values_list("period", flat=True)))
        for period in periods:
            self._generate(request, period, publish=True)

    def get_urls(self):
        return [
            admin_url(self, "generer/", self.generate_view, "deductions_basis_generate"),
            *super().get_urls(),
        ]

    def generate_view(self, request):
        if not self.has_generate_permission(request):
            raise PermissionDenied
        form = GenerateForm(
            request.POST or None, initial={"period": Period.current().next(), "publish": True}
        )
        if form.is_valid():
            self._generate(request, form.cleaned_data["period"], form.cleaned_data["publish"])
            return redirect("admin:deductions_basis_changelist")
        context = {**self.admin_site.each_context(request), "title": "Generer trekkgrunnlag"}
        context["form"] = form
        return TemplateResponse(request, "admin/deductions/basis/generate.html", context)

    def _generate(self, request, period, publish):
        try:
            result = basis_generate(period=period, publish=publish, actor=request.user)
        except GenerationRefused as error:
            messages.error(request, str(error))
            return
        state = "publisert" if publish else "som utkast"
        for earlier in result.earlier:
            messages.success(
                request,
                f"{earlier.period}: {earlier.bases} trekkgrunnlag {state}, {earlier.lines} på "
                f"trekk, {counted(earlier.changes, 'endring', 'endringer')}.",
            )
        if not result.bases:
            messages.info(
                request, f"{period}: alle bedrifter har allerede publisert trekkgrunnlag."
            )
        else:
            messages.success(
                request,
                f"{period}: {result.bases} trekkgrunnlag {state}, {result.lines} på trekk, "
                f"{counted(result.changes, 'endring', 'endringer')}.",
            )
        for note in (result.earlier_text, result.compared_text):
            if note:
                messages.warning(request, note)


@admin.register(BasisLine)
class BasisLineAdmin(ReadOnlyAdmin):
    """A month's frozen lines, to read."""

    list_display = [
        "name",
        "member_number",
        "basis",
        "category",
        "deducted",
        "home_insurance",
        "travel_insurance",
        "fixed_total",
        "changed",
    ]
    list_filter = ["changed", "deducted", "category"]
    search_fields = ["name", "member_number", "=national_id"]
    list_select_related = ["basis__employer"]
    show_full_result_count = False
    exclude = ["member"]

    def has_module_permission(self, request):
        return False  # reached from a month's "Vis linjer"
