from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from accounts.middleware import activate_only_role


def role_required(view):
    """The view acts for the active role's employer. Without one, a user with a single role
    gets it and the page asked for (a deep link, `/` after login); others pick one first."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.role is None and activate_only_role(request) is None:
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
