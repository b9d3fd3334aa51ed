"""Admin for the monthly cycle: OCR files and payments (its mail is in the outbox, messaging)."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import AuditEvent
from deductions import money
from deductions.cycle.ocr import OcrError
from deductions.models import OcrImport, Payment
from trekkportal import uploads
from trekkportal.admin import ReadOnlyAdmin, ReadOnlyInline
from trekkportal.words import counted


class OcrUploadForm(forms.ModelForm):
    file = forms.FileField(
        label="OCR-fil fra banken",
        help_text="Filen med innbetalinger (OCR giro, Nets-format) slik banken leverer den.",
    )

    class Meta:
        model = OcrImport
        fields = []

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.imported = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:  # size and content (text) checked before it is read: trekkportal.uploads.OCR
            uploads.identify(upload, uploads.OCR)
        except uploads.Refused as refused:
            raise forms.ValidationError(str(refused)) from None
        # Reading is the validation: a file refused for any reason, even by a concurrent
        # upload of the same file, is a form error. It runs in the admin's transaction, so
        # should anything after it fail, the import is undone with the rest.
        try:
            self.imported = OcrImport.objects.read(
                content=upload.read(), filename=upload.name, user=self.user
            )
        except OcrError as error:
            raise forms.ValidationError(str(error)) from None
        return upload

    def save(self, commit=True):
        """The import `clean_file` read (all payments in one transaction)."""
        return self.imported


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["paid_on", "kid", "amount", "employer", "period"]
    readonly_fields = fields
    show_change_link = True


@admin.register(OcrImport)
class OcrImportAdmin(admin.ModelAdmin):
    """Staff add a file (it is read at once, all or nothing); after that it is read-only."""

    list_display = [
        "filename",
        "uploaded_at",
        "uploaded_by",
        "payment_count",
        "duplicate_count",
        "unmatched_count",
        "total",
    ]
    readonly_fields = [
        "filename",
        "transmission_number",
        "uploaded_by",
        "uploaded_at",
        "payment_count",
        "duplicate_count",
        "unmatched_count",
        "total",
    ]
    inlines = [PaymentInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)

        class Form(OcrUploadForm):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return Form

    def get_fields(self, request, obj=None):
        return ["file"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        AuditEvent.objects.record(
            "ocr_imported",
            request=request,
            employer=None,
            obj=obj,
            payments=obj.payment_count,
            duplicates=obj.duplicate_count,
            unmatched=obj.unmatched_count,
            total=str(obj.total),
        )
        if obj.payment_count or obj.duplicate_count:
            payments = counted(obj.payment_count, "ny innbetaling", "nye innbetalinger")
            message = (
                f"{payments} lest inn (kr {money.kr(obj.total)}), "
                f"{obj.duplicate_count} var lest inn før."
            )
        else:
            message = "Filen er lest inn, men den har ingen innbetalinger."
        notes = []
        if obj.unmatched_count:
            notes.append(f"{obj.unmatched_count} har ukjent KID og må følges opp.")
        if others := obj.other_services:
            notes.append(f"Filen har også {' og '.join(others)}; de er ikke lest inn.")
        if notes or not (obj.payment_count or obj.duplicate_count):
            messages.warning(request, " ".join([message, *notes]))
        else:
            messages.success(request, message)

    def save_related(self, request, form, formsets, change):
        pass


class MatchedFilter(admin.SimpleListFilter):
    title = "KID"
    parameter_name = "kid"

    def lookups(self, request, model_admin):
        return [("ukjent", "Ukjent KID (ikke koblet)"), ("koblet", "Koblet til bedrift og måned")]

    def queryset(self, request, queryset):
        if self.value() == "ukjent":
            return queryset.unmatched()
        if self.value() == "koblet":
            return queryset.matched()
        return queryset


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["paid_on", "kid", "amount", "employer", "period", "import_link"]
    list_filter = [MatchedFilter]
    search_fields = ["kid", "employer__name", "employer__number", "debit_account"]
    list_select_related = ["employer", "ocr_import"]
    exclude = ["transaction_key"]

    @admin.display(description="OCR-fil")
    def import_link(self, payment):
        url = reverse("admin:deductions_ocrimport_change", args=[payment.ocr_import_id])
        return format_html('<a href="{}">{}</a>', url, payment.ocr_import.filename)
