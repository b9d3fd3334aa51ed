import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.deductions.basis_data import two_published_months
from tests.deductions.conftest import rates  # noqa: F401 (fixture)
from tests.worker import run_worker


@pytest.fixture
def february(rates, employer, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    return two_published_months(employer)


def test_kari_reads_a_months_changes_and_basis_and_downloads_the_pdf(page, owner, february):
    log_in(page, "10000001", PASSWORD)
    months = page.get_by_test_id("month-table")
    row = months.locator("tr", has_text="2021/02")
    expect(row).to_contain_text("Ikke levert")
    expect(row).to_contain_text(february.kid)

    row.get_by_role("link", name="Vis kun endringer").click()
    expect(page.get_by_role("heading", name="Endringer 2021/02")).to_be_visible()
    lines = page.get_by_test_id("basis-lines")
    expect(lines.get_by_role("row", name=re.compile("Berg Per"))).to_contain_text("Stopp trekk")
    expect(lines.get_by_role("row", name=re.compile("Hauge Linda"))).to_contain_text(
        "Start reiseforsikring"
    )
    page.screenshot(path="/tmp/basis-changes.png", full_page=True)

    page.get_by_role("link", name="Vis hele trekkgrunnlaget").click()
    expect(page.get_by_role("heading", name="Hele trekkgrunnlaget 2021/02")).to_be_visible()
    expect(page.get_by_test_id("basis-totals")).to_contain_text("261,00")
    expect(page.get_by_test_id("basis-lines")).not_to_contain_text("Berg Per")

    page.get_by_label("Søk på navn eller fødselsnummer").fill("nina")
    page.get_by_role("button", name="Søk").click()
    expect(page.get_by_test_id("basis-lines").locator("tbody tr")).to_have_count(1)
    page.screenshot(path="/tmp/basis-full.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF").click()
    download = download_info.value
    content = open(download.path(), "rb").read()  # noqa: SIM115
    assert content.startswith(b"%PDF")
    text = " ".join(PdfReader(io.BytesIO(content)).pages[0].extract_text().split())
    assert "Hele trekkgrunnlaget 2021/02" in text
    assert "Ny Nina" in text and "Hauge Linda" in text
    assert download.suggested_filename == "trekkgrunnlag-94001761-2021-02-grunnlag.pdf"


def test_the_pdf_is_being_made_page_turns_into_the_file(page, owner, rates, employer, settings):  # noqa: F811
    """With the database backend, as in production: the link opens «PDF-en lages …»; once
    the worker has run, the same link brings the file."""
    import tempfile

    settings.MEDIA_ROOT = tempfile.mkdtemp()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    two_published_months(employer)  # queues the months' PDFs; no worker has run
    log_in(page, "10000001", PASSWORD)
    page.get_by_test_id("month-table").locator("tr", has_text="2021/02").get_by_role(
        "link", name="Vis kun endringer"
    ).click()
    page.get_by_role("link", name="PDF").click()
    expect(page.get_by_role("heading", name="PDF-en lages")).to_be_visible()
    expect(page.get_by_text("trekkgrunnlaget for 2021/02 (endringer)")).to_be_visible()
    expect(page.get_by_text("Du kan gå fra siden og komme tilbake")).to_be_visible()
    page.screenshot(path="/tmp/basis-pdf-pending.png", full_page=True)

    # Kari leaves while the worker runs (SQLite in memory, as here, makes a request wait on
    # the worker's lock fail, which PostgreSQL does not), then comes back to the same link.
    page.get_by_role("link", name="Tilbake").click()
    expect(page.get_by_role("heading", name="Endringer 2021/02")).to_be_visible()
    run_worker()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename == "trekkgrunnlag-94001761-2021-02-endringer.pdf"
    content = open(download.path(), "rb").read()  # noqa: SIM115
    text = " ".join(PdfReader(io.BytesIO(content)).pages[0].extract_text().split())
    assert "Stopp trekk" in text
