"""Staff's view of the deduction lists in admin: read-only, with every version, the deviations,
the audit trail, and "Gjenåpne" (reopen with a reason)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import AuditEvent
from deductions.lists.pdfs import delivery_pdf_enqueue
from deductions.lists.reconciliation import reconcile
from deductions.lists.services import ReopenRefused, list_reopen
from deductions.models import DeductionList, ListDelivery
from trekkportal.admin import ReadOnlyAdmin, ReadOnlyInline, admin_url

ACTION_LABELS = {
    "list_created": "Opprettet",
    "list_draft_saved": "Utkast lagret",
    "list_uploaded": "Fil lest inn",
    "list_filled_from_previous": "Fylt inn fra forrige liste",
    "list_delivered": "Levert",
    "list_reopened": "Gjenåpnet",
    "list_edited": "Endret etter gjenåpning",
    "list_redelivered": "Levert på nytt",
    "list_pdf_downloaded": "PDF lastet ned",
    "list_file_downloaded": "Opplastet fil lastet ned",
}


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Årsak",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=1000,
        help_text="Vises for kontaktpersonen og lagres i loggen.",
        error_messages={"required": "Skriv hvorfor listen åpnes igjen."},
    )


class DeliveryInline(ReadOnlyInline):
    model = ListDelivery
    fields = ["number", "delivered_at", "delivered_by", "line_count", "total", "deviation_count"]
    readonly_fields = fields


@admin.register(DeductionList)
class DeductionListAdmin(ReadOnlyAdmin):
    list_display = [
        "basis",
        "kind",
        "status",
        "version",
        "line_count",
        "total",
        "deviation_count",
        "delivered_at",
    ]
    list_filter = ["status", "kind", "source"]
    search_fields = ["basis__employer__name", "basis__employer__number"]
    list_select_related = ["basis__employer"]
    inlines = [DeliveryInline]
    exclude = ["original_file"]
    readonly_fields = ["actions_links", "versions", "deviations", "audit_trail"]

    def get_fields(self, request, obj=None):
        fields = [
            "basis",
            "kind",
            "status",
            "source",
            "original_filename",
            "created_at",
            "created_by",
            "delivered_at",
            "delivered_by",
            "version",
            "reopen_reason",
            "line_count",
            "total",
            "deviation_count",
        ]
        return ["actions_links", *fields, "versions", "deviations", "audit_trail"]

    def has_reopen_permission(self, request):
        return request.user.has_perm("deductions.change_deductionlist")

    @admin.display(description="handlinger")
    def actions_links(self, obj):
        links = []
        if obj.is_delivered:
            url = reverse("admin:deductions_deductionlist_reopen", args=[obj.pk])
            links.append(format_html('<a class="button" href="{}">Gjenåpne</a>', url))
        if obj.original_file:
            url = reverse("admin:deductions_deductionlist_file", args=[obj.pk])
            links.append(format_html('<a href="{}">Opplastet fil</a>', url))
        return format_html(" ".join(["{}"] * len(links)), *links) if links else "–"

    @admin.display(description="alle versjoner")
    def versions(self, obj):
        return render_to_string(
            "admin/deductions/deductionlist/_versions.html",
            {"deliveries": obj.deliveries.select_related("delivered_by"), "obj": obj},
        )

    @admin.display(description="avvik mot trekkgrunnlaget")
    def deviations(self, obj):
        return render_to_string(
            "admin/deductions/deductionlist/_deviations.html", {"deviations": reconcile(obj)}
        )

    @admin.display(description="logg")
    def audit_trail(self, obj):
        events = list(
            AuditEvent.objects.filter(object_ref=obj.public_ref).order_by("created_at", "id")
        )
        for event in events:
            event.label = ACTION_LABELS.get(event.action, event.action)
        return render_to_string("admin/deductions/deductionlist/_audit.html", {"events": events})

    def get_urls(self):
        return [
            admin_url(
                self, "<int:pk>/gjenapne/", self.reopen_view, "deductions_deductionlist_reopen"
            ),
            admin_url(
                self,
                "<int:pk>/versjon/<int:number>/pdf/",
                self.version_pdf_view,
                "deductions_deductionlist_pdf",
            ),
            admin_url(self, "<int:pk>/fil/", self.file_view, "deductions_deductionlist_file"),
            *super().get_urls(),
        ]

    def reopen_view(self, request, pk):
        if not self.has_reopen_permission(request):
            raise PermissionDenied
        deduction_list = get_object_or_404(DeductionList.objects.select_related("basis"), pk=pk)
        form = ReopenForm(request.POST or None)
        if form.is_valid():
            try:
                list_reopen(
                    deduction_list=deduction_list,
                    reason=form.cleaned_data["reason"],
                    request=request,
                    actor=request.user,
                )
            except ReopenRefused as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Listen er åpnet igjen; kontaktpersonen kan rette den.")
            return redirect("admin:deductions_deductionlist_change", deduction_list.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Gjenåpne {deduction_list}",
            "form": form,
            "deduction_list": deduction_list,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/deductions/deductionlist/reopen.html", context)

    def version_pdf_view(self, request, pk, number):
        if not self.has_view_permission(request):
            raise PermissionDenied
        delivery = get_object_or_404(
            ListDelivery.objects.select_related("deduction_list__basis__employer"),
            deduction_list_id=pk,
            number=number,
        )
        if not delivery.pdf:  # the task worker makes it; never rendered in a request
            delivery_pdf_enqueue(delivery=delivery, again=delivery.pdf_failed_at is not None)
            messages.info(request, f"PDF-en av versjon {number} lages nå. Prøv igjen om litt.")
            return redirect("admin:deductions_deductionlist_change", pk)
        deduction_list = delivery.deduction_list
        AuditEvent.objects.record(
            "list_pdf_downloaded",
            request=request,
            employer=deduction_list.basis.employer,
            obj=deduction_list,
            version=number,
        )
        return FileResponse(
            delivery.pdf.open("rb"),
            as_attachment=True,
            filename=f"trekkliste-v{number}.pdf",
            content_type="application/pdf",
        )

    def file_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        deduction_list = get_object_or_404(DeductionList, pk=pk)
        if not deduction_list.original_file:
            raise Http404
        AuditEvent.objects.record(
            "list_file_downloaded",
            request=request,
            employer=deduction_list.basis.employer,
            obj=deduction_list,
        )
        suffix = deduction_list.original_file.name.rsplit(".", 1)[-1]
        return FileResponse(
            deduction_list.original_file.open("rb"),
            as_attachment=True,
            filename=f"trekkliste-opplastet.{suffix}",
            content_type="application/octet-stream",
        )
