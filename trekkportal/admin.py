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


# The libraries' apps and models as staff see them in admin: none ships Norwegian names.
# (Django's own auth app and groups are translated by Django's nb catalogue already.)
THIRD_PARTY_APP_NAMES = {
    "axes": "Innloggingsforsøk og sperrer",
    "otp_static": "Tofaktor: reservekoder",
    "otp_totp": "Tofaktor: autentiseringsapp",
    "phonenumber": "Tofaktor: telefon",
    "django_tasks_database": "Bakgrunnsjobber",
}
THIRD_PARTY_MODEL_NAMES = {
    "axes.AccessAttempt": (
        "innloggingsforsøk (telling for sperre)",
        "innloggingsforsøk (telling for sperre)",
    ),
    "axes.AccessFailureLog": ("mislykket innlogging", "mislykkede innlogginger"),
    "axes.AccessLog": ("innlogging", "innlogginger"),
    "otp_static.StaticDevice": ("sett med reservekoder", "reservekoder"),
    "otp_totp.TOTPDevice": ("autentiseringsapp", "autentiseringsapper"),
    "phonenumber.PhoneDevice": ("telefon for koder", "telefoner for koder"),
    "django_tasks_database.DBTaskResult": ("bakgrunnsjobb", "bakgrunnsjobber"),
}


def name_third_party_models(apps):
    """Give the libraries' apps and models their Norwegian names (from an AppConfig.ready).

    Set on the loaded app configs and `_meta`, not through proxy models or AppConfig
    subclasses in INSTALLED_APPS: one table, no migrations (`Meta.verbose_name` as the
    migrations saw it stays in `original_attrs`), and the libraries' own admins keep working.
    """
    for label, name in THIRD_PARTY_APP_NAMES.items():
        apps.get_app_config(label).verbose_name = name
    for model_label, (singular, plural) in THIRD_PARTY_MODEL_NAMES.items():
        meta = apps.get_model(model_label)._meta
        meta.verbose_name, meta.verbose_name_plural = singular, plural
