"""Downloads of a month: CSV, XLSX and PDF, read back."""

import csv
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import AuditEvent
from deductions.basis.exports import sheet_title
from deductions.models import Basis
from tests.deductions.basis_data import two_published_months
from tests.worker import run_worker


@pytest.fixture
def february(rates, employer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return two_published_months(employer)


def download(client, view, fmt, period="2021-02"):
    return client.get(reverse("deductions:basis_download", args=[period, view, fmt]))


def download_pdf(client, capture, view, period="2021-02", **extra):
    """The first request queues the PDF and answers with the waiting page; the worker (the
    immediate backend, once the test's "commit" runs the callbacks) makes it; the same link
    then answers with the file."""
    url = reverse("deductions:basis_download", args=[period, view, "pdf"])
    with capture(execute=True):
        waiting = client.get(url, **extra)
    assert "PDF-en lages" in waiting.text
    response = client.get(url, **extra)
    assert response["Content-Type"] == "application/pdf"
    response.body = b"".join(response.streaming_content)
    return response


def test_csv_opens_in_norwegian_excel_with_the_right_rows_and_totals(owner_client, february):
    response = download(owner_client, "grunnlag", "csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    content = response.getvalue()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Medlemsnr.", "Navn", "Fødselsnummer"]
    assert [row[1] for row in rows[1:-1]] == ["'=Lærling Lise", "Hauge Linda", "Ny Nina"]
    assert rows[-1][1] == "Sum (3 på trekk)"
    assert rows[-1][-1] == "261,00"
    linda = rows[2]
    assert linda[2] == february.lines.get(name="Hauge Linda").national_id
    assert linda[6:] == ["85,00", "91,00", "0,00", "176,00"]


def test_changes_csv_lists_the_changes(owner_client, february):
    response = download(owner_client, "endringer", "csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))
    changes = {row[1]: row[4] for row in rows[1:]}
    assert changes == {
        "'=Lærling Lise": "Overgang fra lærling til ordinært medlem",
        "Berg Per": "Stopp trekk",
        "Hauge Linda": "Start reiseforsikring",
        "Ny Nina": "Start trekk",
    }


def test_xlsx_has_the_rows_amounts_as_numbers_and_neutralised_text(owner_client, february):
    response = download(owner_client, "grunnlag", "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "Navn"
    assert [row[1] for row in rows[2:-1]] == ["'=Lærling Lise", "Hauge Linda", "Ny Nina"]
    assert Decimal(str(rows[-1][-1])) == Decimal("261.00")
    assert rows[3][2] == february.lines.get(name="Hauge Linda").national_id  # text, zeros kept


@pytest.mark.parametrize("view", ["grunnlag", "endringer"])
def test_xlsx_downloads_whatever_characters_the_employer_name_holds(
    owner_client, february, employer, view
):
    employer.name = "Astma: [AS]*? / \\ og et langt navn etter"
    employer.save()
    response = download(owner_client, view, "xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert len(sheet.title) <= 31
    assert not set(sheet.title) & set("[]:*?/\\")
    assert "Astma: [AS]*?" in sheet["A1"].value  # the title row keeps the name as it is


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Endringer 2021/02 – Astma: [AS]*?", "Endringer 2021-02 – Astma AS"),
        ("'Sitat' AS", "Sitat' AS"),
        ("x" * 40, "x" * 31),
        (":[]*?", "Ark1"),
    ],
)
def test_sheet_titles_are_names_excel_accepts(text, expected):
    assert sheet_title(text) == expected


def test_pdf_has_the_rows_and_totals_and_is_stored_once(
    owner_client, february, django_capture_on_commit_callbacks
):
    first = download_pdf(owner_client, django_capture_on_commit_callbacks, "grunnlag")
    assert first.body.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(first.body))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 1
    for expected in ("Hele trekkgrunnlaget 2021/02", "Hauge Linda", "=Lærling Lise", "261,00"):
        assert expected in text
    assert "Berg Per" not in text

    february.refresh_from_db()
    stored_name = february.full_pdf.name
    assert stored_name.startswith("trekkgrunnlag/")
    second = download(owner_client, "grunnlag", "pdf")
    february.refresh_from_db()
    assert february.full_pdf.name == stored_name
    assert b"".join(second.streaming_content) == first.body


def test_changes_pdf_names_the_changes(owner_client, february, django_capture_on_commit_callbacks):
    response = download_pdf(owner_client, django_capture_on_commit_callbacks, "endringer")
    pages = PdfReader(io.BytesIO(response.body)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Stopp trekk" in text
    assert "Overgang fra lærling til ordinært medlem" in text


def test_a_long_basis_pdf_runs_over_several_pages(
    owner_client, rates, employer, settings, tmp_path, django_capture_on_commit_callbacks
):
    from tests.deductions.test_basis_pages import big_month

    settings.MEDIA_ROOT = tmp_path
    big_month(employer, 120)
    response = download_pdf(
        owner_client, django_capture_on_commit_callbacks, "grunnlag", period="2021-01"
    )
    reader = PdfReader(io.BytesIO(response.body))
    assert len(reader.pages) >= 3
    assert "Medlem 0119" in reader.pages[-1].extract_text()


def test_every_download_is_in_the_audit_trail(owner_client, owner, employer, february):
    download(owner_client, "grunnlag", "csv")
    event = AuditEvent.objects.get(action="basis_downloaded")
    assert event.actor == owner
    assert event.employer == employer
    assert event.object_ref == "94001761/2021-02"
    assert event.details == {"view": "grunnlag", "format": "csv"}
    assert february.lines.first().national_id not in str(event.details)


def test_a_download_row_holds_actor_employer_time_ip_and_object(
    owner_client, owner, february, django_capture_on_commit_callbacks
):
    moment = timezone.now().replace(microsecond=0)
    with time_machine.travel(moment, tick=False):
        download_pdf(
            owner_client, django_capture_on_commit_callbacks, "grunnlag", REMOTE_ADDR="192.0.2.17"
        )
    event = AuditEvent.objects.get(action="basis_downloaded")
    assert (event.actor, event.actor_label) == (owner, str(owner))
    assert event.employer == february.employer
    assert event.created_at == moment
    assert event.ip_address == "192.0.2.17"
    assert (event.object_type, event.object_ref) == ("trekkgrunnlag", "94001761/2021-02")


@pytest.mark.parametrize(("view", "fmt"), [("alt", "csv"), ("grunnlag", "exe")])
def test_unknown_views_and_formats_are_not_found(owner_client, february, view, fmt):
    assert download(owner_client, view, fmt).status_code == 404


def test_basis_model_is_untouched_by_downloads_except_the_stored_pdf(owner_client, february):
    before = Basis.objects.values().get(pk=february.pk)
    download(owner_client, "grunnlag", "xlsx")
    assert Basis.objects.values().get(pk=february.pk) == before


def test_publishing_a_month_queues_its_pdfs_largest_employer_first(
    rates, employer, other_employer, settings, tmp_path, django_capture_on_commit_callbacks
):
    from unittest import mock

    from tests.deductions.test_basis_pages import big_month

    settings.MEDIA_ROOT = tmp_path
    with (
        mock.patch("deductions.basis.exports.render_pdf", return_value=b"%PDF-1.7") as render,
        django_capture_on_commit_callbacks(execute=True),
    ):
        big_month(other_employer, 30)  # publishes 2021/01 for both; only Avinor has members
    order = [call.args[1]["basis"].employer for call in render.call_args_list]
    assert order == [other_employer, other_employer, employer, employer]  # two views each
    for basis in Basis.objects.all():
        assert basis.full_pdf and basis.changes_pdf and basis.pdf_queued_at


def test_a_failed_basis_pdf_offers_to_try_again(
    owner_client, february, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from deductions.basis import exports

    real_render = exports.render_pdf
    monkeypatch.setattr(exports, "render_pdf", lambda *a, **k: 1 / 0)
    url = reverse("deductions:basis_download", args=["2021-02", "grunnlag", "pdf"])
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.get(url)
    february.refresh_from_db()
    assert not february.full_pdf and february.pdf_failed_at is not None
    assert "PDF of basis" in caplog.text
    page = owner_client.get(url)
    assert "PDF-en kunne ikke lages" in page.text and "Prøv igjen" in page.text
    assert 'http-equiv="refresh"' not in page.text
    monkeypatch.setattr(exports, "render_pdf", real_render)
    with django_capture_on_commit_callbacks(execute=True):
        retry = owner_client.post(url)
    assert retry.status_code == 302 and retry.url == url
    response = owner_client.get(url)
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_waiting_page_names_the_basis_and_refreshes_itself(owner_client, february):
    page = download(owner_client, "endringer", "pdf")
    assert page.status_code == 200
    assert "PDF-en lages" in page.text
    assert "trekkgrunnlaget for 2021/02 (endringer)" in page.text
    assert '<meta http-equiv="refresh" content="2">' in page.text
    assert reverse("deductions:basis_changes", args=["2021-02"]) in page.text
    assert not AuditEvent.objects.filter(action="basis_downloaded").exists()


@pytest.mark.django_db(transaction=True)
def test_a_basis_pdf_request_only_queues_it(owner_client, rates, employer, settings, tmp_path):
    """With the database backend a request never renders: the renderer must not be called."""
    from unittest import mock

    from django_tasks_db.models import DBTaskResult

    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with mock.patch("deductions.basis.exports.render_pdf", side_effect=AssertionError) as render:
        two_published_months(employer)  # each publication queues one task for its month
        for _ in range(3):
            page = download(owner_client, "grunnlag", "pdf")
            assert "PDF-en lages" in page.text
        render.assert_not_called()
    # The first request queued the basis ahead of the month's bulk, which has not run yet.
    assert DBTaskResult.objects.count() == 3
    run_worker()
    response = download(owner_client, "grunnlag", "pdf")
    assert response["Content-Type"] == "application/pdf"


def test_only_the_newest_published_month_has_its_pdfs_queued(
    rates, employer, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Months published together (missing months first, or the demo's history): the older
    ones' PDFs are made on first request, not all at once."""
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        two_published_months(employer)
    january, february = Basis.objects.order_by("period")
    assert not january.full_pdf and january.pdf_queued_at is None
    assert february.full_pdf and february.changes_pdf
