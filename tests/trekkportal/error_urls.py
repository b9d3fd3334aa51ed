"""The project's URLs and views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from trekkportal.urls import urlpatterns as project_urlpatterns


def refuse(request):
    raise PermissionDenied


def bad(request):
    raise SuspiciousOperation("test")


def crash(request):
    raise RuntimeError("test")


urlpatterns = [
    *project_urlpatterns,
    path("feil/403/", refuse),
    path("feil/400/", bad),
    path("feil/500/", crash),
]
