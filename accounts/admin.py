from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm

from accounts.models import AuditEvent, PasswordReset, Role, RoleInvitation, User
from trekkportal.admin import ReadOnlyAdmin


class AuditedAdminMixin:
    """Additions, changes and deletions made in admin also go into the audit trail.

    Roles edited inline are named in the parent's change message.
    """

    def log_addition(self, request, obj, message):
        self._audit("admin_add", request, obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit("admin_change", request, obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit("admin_delete", request, obj, str(obj))
        return super().log_deletions(request, queryset)

    @staticmethod
    def _audit(action, request, obj, message):
        from employers.models import Employer

        employer = obj if isinstance(obj, Employer) else getattr(obj, "employer", None)
        AuditEvent.objects.record(
            action, request=request, employer=employer, obj=obj, change=message
        )


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["employer"]
    fields = ["employer", "kind", "created_at"]
    readonly_fields = ["created_at"]


class UserCreationForm(forms.ModelForm):
    """Staff create contacts without a password: the contact sets one through "Glemt passord"."""

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "mobile"]

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    add_form_template = "admin/accounts/user/add_form.html"
    inlines = [RoleInline]
    list_display = [
        "username",
        "full_name",
        "email",
        "mobile",
        "is_staff",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_staff", "is_active"]
    search_fields = ["username", "full_name", "email", "mobile"]
    ordering = ["full_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["full_name", "email", "mobile", "notify_by_sms"]}),
        (
            "Tilgang",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Datoer", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "full_name", "email", "mobile"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail: readable by staff, changeable by nobody."""

    list_display = [
        "created_at",
        "action",
        "actor_label",
        "employer",
        "object_type",
        "object_ref",
        "ip_address",
        "details_text",
    ]
    # The stored JSON shown as words; the raw field would read `{"kind": "main", ...}`.
    exclude = ["details"]
    readonly_fields = ["details_text"]
    list_filter = ["action"]
    search_fields = ["actor_label", "object_ref", "employer__name", "employer__number"]
    date_hierarchy = "created_at"
    list_select_related = ["employer"]


@admin.register(PasswordReset)
class PasswordResetAdmin(ReadOnlyAdmin):
    """What came of each "Glemt passord" request, for answering "the link never came"."""

    list_display = ["created_at", "username", "user", "channel", "outcome", "used_at", "ip_address"]
    list_filter = ["channel", "outcome"]
    search_fields = ["username", "user__full_name"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    exclude = ["token_hash"]


@admin.register(RoleInvitation)
class RoleInvitationAdmin(ReadOnlyAdmin):
    """Contacts' invitations of colleagues: staff approve or refuse the pending ones (the role
    opens members' national IDs). Approving makes the user if the e-mail is new and sends the
    first-password link; both actions are audited."""

    list_display = [
        "created_at",
        "full_name",
        "email",
        "employer",
        "invited_by",
        "status",
        "decided_by",
        "decided_at",
        "user",
    ]
    list_filter = ["status"]
    search_fields = ["full_name", "email", "employer__name", "employer__number"]
    list_select_related = ["employer", "invited_by", "decided_by", "user"]
    actions = ["approve", "refuse"]

    def has_change_permission(self, request, obj=None):
        # For the actions only: the fields stay read-only (ReadOnlyAdmin's form is unused).
        return request.user.has_perm("accounts.change_roleinvitation")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(description="Godkjenn valgte invitasjoner", permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, "approve", "godkjent")

    @admin.action(description="Avvis valgte invitasjoner", permissions=["change"])
    def refuse(self, request, queryset):
        self._decide(request, queryset, "refuse", "avvist")

    def _decide(self, request, queryset, method, done):
        pending = queryset.filter(status=RoleInvitation.Status.PENDING).select_related(
            "employer", "invited_by"
        )
        count = sum(
            getattr(invitation, method)(by=request.user, request=request) for invitation in pending
        )
        skipped = queryset.count() - count
        self.message_user(
            request, f"{count} {'invitasjon' if count == 1 else 'invitasjoner'} {done}."
        )
        if skipped:
            self.message_user(
                request,
                f"{skipped} var allerede avgjort og ble ikke endret.",
                level=messages.WARNING,
            )
