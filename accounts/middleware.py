from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from accounts.models import AuditEvent, Role
from accounts.signals import SESSION_STARTED_KEY

ROLE_SESSION_KEY = "active_role_id"
SESSION_TOUCHED_KEY = "touched_at"


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after login, however active it has been, and after
    SESSION_COOKIE_AGE (30 minutes) without a request.

    The idle timeout is Django's session expiry, pushed on by saving the session. Saving it
    on every request (an UPDATE and a COMMIT on every page) bought nothing over saving it at
    most once per SESSION_TOUCH_INTERVAL: a session then ends between 29 and 30 minutes after
    the last request, never later.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            return self.get_response(request)
        now = timezone.now().timestamp()
        started = request.session.get(SESSION_STARTED_KEY)
        if started is None or now - started > settings.SESSION_ABSOLUTE_LIFETIME.total_seconds():
            logout(request)
            if request.headers.get("Accept") == "application/json":
                return self.get_response(request)  # a script's request: the view answers 401
            messages.info(request, "Økten din er utløpt. Logg inn på nytt.")
            return redirect(settings.LOGIN_URL)
        response = self.get_response(request)
        touched = request.session.get(SESSION_TOUCHED_KEY, 0)
        if request.user.is_authenticated and now - touched >= settings.SESSION_TOUCH_INTERVAL:
            request.session[SESSION_TOUCHED_KEY] = now  # saved, and so pushed on, by Django
        return response


class TwoFactorRequiredMiddleware:
    """Staff (and, when configured, every contact) must pass two-factor to use the portal.

    A user without a device is sent to set one up; the set-up pages, logout and
    static files stay reachable.
    """

    allowed_url_names = {"two_factor:setup", "two_factor:qr", "two_factor:setup_complete", "logout"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and self.requires_2fa(user) and not user.is_verified():
            match = request.resolver_match or _resolve(request.path_info)
            if match is None or match.view_name not in self.allowed_url_names:
                from django_otp import user_has_device

                if user_has_device(user):
                    logout(request)
                    return redirect(settings.LOGIN_URL)
                return redirect("two_factor:setup")
        return self.get_response(request)

    @staticmethod
    def requires_2fa(user):
        return user.is_staff or settings.REQUIRE_2FA_FOR_CONTACTS


def _resolve(path):
    from django.urls import Resolver404, resolve

    try:
        return resolve(path)
    except Resolver404:
        return None


class ActiveRoleMiddleware:
    """Puts the active role (re-checked against the database) on request.role.

    A role that was removed, or whose employer was deactivated, stops working on
    the very next request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.role = None
        if request.user.is_authenticated:
            role_id = request.session.get(ROLE_SESSION_KEY)
            if role_id is not None:
                # All of them in one query: the header's role menu lists them on every page.
                request.user_roles = list(Role.objects.for_user(request.user))
                request.role = next((r for r in request.user_roles if r.pk == role_id), None)
                if request.role is None:
                    del request.session[ROLE_SESSION_KEY]
        return self.get_response(request)


def activate_role(request, role):
    request.session[ROLE_SESSION_KEY] = role.pk
    request.role = role


def activate_only_role(request):
    """A user with exactly one role acts for it without being asked, wherever they come in:
    it is activated and audited as a choice on «Velg rolle» is. Returns the role, or None for
    a user with none or several (who must be told, or choose)."""
    roles = list(Role.objects.for_user(request.user)[:2])
    if len(roles) != 1:
        return None
    activate_role(request, roles[0])
    AuditEvent.objects.record("role_switch", request=request, employer=roles[0].employer)
    return roles[0]


class NoStoreMiddleware:
    """Pages and files here hold personal data: no cache may keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            add_never_cache_headers(response)
        return response


def login_url():
    return reverse(settings.LOGIN_URL)
