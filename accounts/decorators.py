from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.middleware import activate_only_role, login_url

SESSION_ENDED = "Økten din er avsluttet. Logg inn igjen for å fortsette."


def role_required(view):
    """The view acts for the active role's employer. Without one, a user with a single role
    gets it and the page asked for (a deep link, `/` after login); others pick one first."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.role is None and activate_only_role(request) is None:
            return redirect(_with_next(reverse("accounts:choose_role"), request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapper


def role_required_json(landing):
    """role_required for the requests a page's script makes (an autosave): not a redirect to
    an HTML page the script cannot show, but a JSON 401 that says the session has ended and
    where to log in to come back to `landing(**kwargs)` (the page the script runs on)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                url = _with_next(login_url(), landing(**kwargs))
                return JsonResponse({"error": SESSION_ENDED, "login_url": url}, status=401)
            if request.role is None and activate_only_role(request) is None:
                url = _with_next(reverse("accounts:choose_role"), landing(**kwargs))
                error = "Velg hvilken bedrift du handler for, og prøv igjen."
                return JsonResponse({"error": error, "login_url": url}, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _with_next(url, next_url):
    return f"{url}?{urlencode({'next': next_url})}"


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
