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


def lockout_username(request, credentials=None):
    if credentials and credentials.get("username"):
        return credentials["username"]
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return data.get("auth-username") or data.get("username")


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
