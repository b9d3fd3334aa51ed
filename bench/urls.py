"""The portal's URLs and one more: the minimal one-query view every page is measured against."""

from django.http import HttpResponse
from django.urls import path

from employers.models import Employer
from trekkportal.urls import urlpatterns as portal_urlpatterns


def one_query(request):
    """The floor of a page here: the same middleware (session, user, role), one query, a line
    of HTML, no template."""
    name = Employer.objects.values_list("name", flat=True).order_by("pk").first()
    return HttpResponse(f"<!doctype html><title>Grunnlinje</title><p>{name}</p>")


urlpatterns = [*portal_urlpatterns, path("bench/en-sporring/", one_query)]
