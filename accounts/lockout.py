"""What django-axes keys a lockout on: the user ID and the client's IP address.

Two-factor's login wizard posts the ID as ``auth-username`` but hands it to
``authenticate()`` as ``username``; axes must see the same ID on both paths, or
failures and the lockout check would be counted against different keys.

The IP address is REMOTE_ADDR, unless TRUSTED_PROXY_COUNT says how many proxies of
ours stand in front: then it is the address the outermost of them appended to
X-Forwarded-For. Whatever a client writes there itself is ignored. The audit trail
and the password-reset limits record the same address (``client_ip``).
"""

import ipaddress

from django.conf import settings

from accounts.validators import normalise_user_id


def lockout_username(request, credentials=None):
    """The ID as the login form cleans it: checked and counted under the same key.

    Axes hands the backend's credentials in under AXES_USERNAME_FORM_FIELD and the
    login-failed signal's under `username`; the raw POST is the last resort. Every path
    normalises, so `" 10000177"` or full-width digits are the locked ID, not a new one.
    """
    credentials = credentials or {}
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    username = (
        credentials.get("username")
        or credentials.get(settings.AXES_USERNAME_FORM_FIELD)
        or data.get("auth-username")
        or data.get("username")
    )
    return normalise_user_id(username) or None


def client_ip_address(request):
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= count:
            try:
                return str(ipaddress.ip_address(forwarded[-count]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")


def client_ip(request):
    """The client's address as axes resolves it (X-Forwarded-For only per TRUSTED_PROXY_COUNT)."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None
