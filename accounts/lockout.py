"""The user ID django-axes keys a lockout on (with the IP address).

Two-factor's login wizard posts the ID as ``auth-username``, but hands it to
``authenticate()`` as ``username``; axes must see the same ID on both paths, or
failures and the lockout check would be counted against different keys.
"""


def lockout_username(request, credentials=None):
    if credentials and credentials.get("username"):
        return credentials["username"]
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return data.get("auth-username") or data.get("username")
