from django.contrib import admin

from accounts.admin import AuditedAdminMixin, RoleInline
from employers.models import Employer, PortalInformation


class EmployerRoleInline(RoleInline):
    autocomplete_fields = ["user"]
    fields = ["user", "kind", "created_at"]


@admin.register(Employer)
class EmployerAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "name", "organisation_number", "city", "active"]
    list_filter = ["active"]
    search_fields = ["number", "name", "organisation_number", "city"]
    inlines = [EmployerRoleInline]
    fieldsets = [
        (None, {"fields": ["number", "name", "organisation_number", "active"]}),
        ("Adresse", {"fields": ["address", "postcode", "city"]}),
    ]


@admin.register(PortalInformation)
class PortalInformationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "published", "updated_at"]
