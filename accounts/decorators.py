from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


def role_required(view):
    """The view acts for the active role's employer; without one, the user picks one first."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.role is None:
            return redirect("accounts:choose_role")
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view):
    """Union staff only; anyone else gets a 404, as if the page did not exist."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            from django.http import Http404

            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
