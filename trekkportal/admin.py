"""What every app's admin shares: rows to read and not touch, and extra admin pages.

Plain helpers, no app: the apps' `admin.py` modules import from here, never from each other.
"""

from django.contrib import admin
from django.urls import path


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows made by the portal itself (audit, mail sent, months generated, payments read):
    staff read them, nobody adds, changes or deletes them through admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """The same rows shown under their parent. Name the shown fields in `fields` and
    `readonly_fields` (methods such as a link are allowed there)."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def admin_url(model_admin, route, view, name):
    """An extra admin page of `model_admin`, behind the admin's login and two-factor."""
    return path(route, model_admin.admin_site.admin_view(view), name=name)
