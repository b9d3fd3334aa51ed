"""The WeasyPrint wrapper fetches our own static files and nothing else."""

import io

import pytest
from pypdf import PdfReader
from weasyprint.urls import URLFetcherResponse

from trekkportal.pdf import BASE_URL, StaticOnlyFetcher, render_pdf, static_path


def test_our_static_files_are_served():
    response = StaticOnlyFetcher().fetch(BASE_URL + "static/css/basis_pdf.css")
    assert isinstance(response, URLFetcherResponse)
    assert b"@page" in response.read()


def test_collected_static_files_with_hashed_names_are_served(tmp_path, settings):
    """In production `{% static %}` names the hashed copy that collectstatic wrote."""
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "basis_pdf.0123abcd4567.css").write_bytes(b"@page { size: A4 }")
    response = StaticOnlyFetcher().fetch(BASE_URL + "static/css/basis_pdf.0123abcd4567.css")
    assert response.read() == b"@page { size: A4 }"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/static/css/basis_pdf.css",
        BASE_URL + "static/../trekkportal/settings.py",
        BASE_URL + "static/%2e%2e/trekkportal/settings.py",
        BASE_URL + "etc/passwd",
        BASE_URL + "static/css/basis_pdf.css?x=1",
        "data:text/css,body{}",
    ],
)
def test_every_other_url_is_refused(url):
    assert static_path(url) is None
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(url)


def test_render_pdf_escapes_user_data_and_fetches_nothing_it_names(tmp_path, settings):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPPHEMMELIG")
    hostile = f'<img src="file://{secret}"><iframe src="file://{secret}"></iframe>'
    content = render_pdf(
        "deductions/basis_pdf.html",
        {
            "table": type("T", (), {"title": hostile, "rows": [], "total": None, "header": []}),
            "basis": None,
            "view": "grunnlag",
            "view_title": hostile,
        },
    )
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "<img" in text  # shown as text, not followed
    assert "TOPPHEMMELIG" not in text


def test_weasyprint_is_version_69_or_later():
    """68 sends every fetch, redirects too, through the `URLFetcher` class ours subclasses
    (CVE-2025-68616); 69 closes CSS injection through presentational hints (CVE-2026-49452)."""
    from importlib.metadata import version

    from packaging.version import Version

    assert Version(version("weasyprint")) >= Version("69")
