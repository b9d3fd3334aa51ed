"""Rendering a template to PDF with WeasyPrint.

WeasyPrint would fetch any URL a document names (http, file, ...). Ours fetches only our own
static files (`{% static %}` URLs in the template) and refuses everything else, so user data in
a PDF can never make the server read a file or call a URL. Templates autoescape as usual.
"""

import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in templates resolve against this address; nothing is ever fetched from it.
BASE_URL = "https://pdf.trekkportal.invalid/"


class StaticOnlyFetcher(URLFetcher):
    """Serves `<BASE_URL><STATIC_URL>path` from our static files; refuses every other URL."""

    def fetch(self, url, headers=None):
        path = static_path(url)
        if path is None:
            raise ValueError(f"PDF may only use our own static files, not {url!r}")
        body = _static_file(path)
        if body is None:
            raise ValueError(f"no static file {path!r}")
        mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, headers={"Content-Type": mime_type})


def _static_file(path):
    """The bytes of our static file at `path`: from the app and project static folders, or
    else from the collected files (in production `{% static %}` names the hashed copy there)."""
    found = finders.find(path)
    if found:
        with open(found, "rb") as file:
            return file.read()
    if staticfiles_storage.exists(path):
        with staticfiles_storage.open(path, "rb") as file:
            return file.read()
    return None


def static_path(url):
    """The static file path `url` names, or None when it names anything else."""
    parts = urlsplit(url)
    base = urlsplit(BASE_URL)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or parts.query:
        return None
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not parts.path.startswith(prefix):
        return None
    path = unquote(parts.path[len(prefix) :])
    normalised = posixpath.normpath(path)
    if normalised != path or normalised.startswith(("/", "..")) or "\\" in path:
        return None
    return normalised


def render_pdf(template_name, context=None, *, request=None):
    """The template rendered to PDF, as bytes."""
    html = render_to_string(template_name, context, request=request)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf()
