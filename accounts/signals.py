"""Audit rows for authentication events, which Django and axes announce as signals."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.validators import normalise_user_id

SESSION_STARTED_KEY = "auth_started_at"


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = timezone.now().timestamp()
    AuditEvent.objects.record("login", request=request, actor=user)


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs):
    if user is not None:
        AuditEvent.objects.record("logout", request=request, actor=user)


@receiver(user_login_failed)
def record_login_failure(sender, credentials, request=None, **kwargs):
    AuditEvent.objects.record(
        "login_failed", request=request, user_id=normalise_user_id(credentials.get("username"))[:20]
    )


@receiver(user_locked_out)
def record_lockout(sender, request, username, ip_address, **kwargs):
    AuditEvent.objects.record("lockout", request=request, user_id=normalise_user_id(username)[:20])
