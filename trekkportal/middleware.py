"""Requests no page should see: refused once, here, instead of in every view."""

from django.shortcuts import render


class NulCharacterMiddleware:
    """A NUL byte (`%00`) in the query string is a 400 with a Norwegian page.

    PostgreSQL text cannot hold NUL, so a search for `a%00b` was a 500 on every page that
    filters by what it is given. No one types a NUL: refusing it everywhere loses nothing.
    Form fields are checked by their forms (Django's CharField refuses NUL already).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request.GET):
            return render(request, "errors/nul_character.html", status=400)
        return self.get_response(request)


def _holds_nul(query):
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()
    )
