"""Deduction lists in the browser: Kari registers, delivers and supplements a list through the
form; Ola uploads a CSV for Avinor AS and delivers it."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from deductions.models import BasisLine, DeductionList
from deductions.national_ids import synthetic_national_id
from tests.browser.conftest import log_in, log_out
from tests.conftest import PASSWORD
from tests.deductions.basis_data import FEB, two_published_months
from tests.deductions.conftest import make_member, rates  # noqa: F401 (fixture)


@pytest.fixture
def february(rates, employer, other_employer, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    make_member("Flyger Frida", other_employer, FEB, home=True)
    return two_published_months(employer)


def month_row(page, label="2021/02"):
    return page.get_by_test_id("month-table").locator("tr", has_text=label)


def test_kari_registers_delivers_and_supplements_a_list(page, owner, february):
    log_in(page, "10000001", PASSWORD)
    month_row(page).get_by_role("link", name="Registrer trekkliste i nettskjema").click()
    expect(page.get_by_role("heading", name="Start trekkliste for 02/2021")).to_be_visible()
    page.get_by_role("button", name="Start trekkliste").click()
    expect(page.get_by_role("heading", name="Trekkliste 2021/02")).to_be_visible()
    expect(page.get_by_test_id("list-payment")).to_contain_text(february.kid)
    expect(page.get_by_test_id("list-payment")).to_contain_text("9001 07 41504")
    expect(page.get_by_label("Innboforsikring, Hauge Linda")).to_have_value("85,00")

    page.get_by_label("Kontingent, Hauge Linda").fill("400")
    page.get_by_label("Kontingent, =Lærling Lise").fill("250,50")
    page.get_by_label("Ikke trukket, årsak, Ny Nina").select_option(label="Sluttet")
    expect(page.get_by_test_id("list-payment")).to_contain_text("826,50")  # 400+85+91+250,50
    page.screenshot(path="/tmp/list-form.png", full_page=True)

    page.get_by_role("button", name="Lever trekkliste").click()
    expect(page.get_by_role("heading", name="Kontroller før levering")).to_be_visible()
    expect(page.get_by_test_id("list-summary")).to_contain_text("826,50")
    expect(page.get_by_test_id("deviations")).to_contain_text("Ingen avvik")
    page.screenshot(path="/tmp/list-confirm.png", full_page=True)
    page.get_by_role("button", name="Lever trekkliste").click()

    expect(page.get_by_test_id("list-status")).to_have_text("Levert")
    expect(page.get_by_test_id("delivered-by")).to_contain_text("Kari Nordmann")
    page.screenshot(path="/tmp/list-detail.png", full_page=True)

    page.get_by_role("link", name="Forsiden").click()
    row = month_row(page)
    expect(row).to_contain_text("Levert")
    archive = row.get_by_role("link", name=re.compile(r"Trekkliste registrert \d\d\.\d\d\.\d{4}"))
    expect(archive).to_be_visible()
    page.screenshot(path="/tmp/list-month-table.png", full_page=True)
    archive.click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Last ned PDF").click()
    content = open(download_info.value.path(), "rb").read()  # noqa: SIM115
    text = " ".join(PdfReader(io.BytesIO(content)).pages[0].extract_text().split())
    assert "Trekkliste 2021/02" in text and "Sluttet" in text and "826,50" in text

    page.get_by_role("link", name="Forsiden").click()
    month_row(page).get_by_role("link", name="Registrer tilleggsliste i nettskjema").click()
    page.get_by_role("button", name="Start tilleggsliste").click()
    expect(page.get_by_role("heading", name="Tilleggsliste 2021/02")).to_be_visible()
    page.get_by_label("Navn, ny person 1").fill("Sen Siri")
    page.get_by_label("Fødselsnummer, ny person 1").fill(synthetic_national_id(901))
    page.get_by_label("Kontingent, ny person 1").fill("150")
    page.get_by_role("button", name="Lever tilleggsliste").click()
    expect(page.get_by_test_id("deviations")).to_contain_text("Ikke på trekkgrunnlaget")
    page.get_by_role("button", name="Lever tilleggsliste").click()
    expect(page.get_by_test_id("list-status")).to_have_text("Levert")

    page.get_by_role("link", name="Forsiden").click()
    archive_cell = month_row(page).get_by_test_id("list-archive")
    expect(archive_cell).to_contain_text("Trekkliste registrert")
    expect(archive_cell).to_contain_text("Tilleggsliste registrert")
    assert DeductionList.objects.filter(status="delivered").count() == 2


def test_ola_uploads_a_csv_for_avinor_and_delivers_it(page, outsider, february, tmp_path):
    frida = BasisLine.objects.get(name="Flyger Frida")
    csv_file = tmp_path / "avinor-februar.csv"
    csv_file.write_bytes(
        f"Fødselsnummer;Navn;Kontingent;Innboforsikring;Reiseforsikring\r\n"
        f"{frida.national_id};Flyger Frida;512,00;85,00;0\r\n".encode("cp1252")
    )
    log_in(page, "10000002", PASSWORD)
    expect(page.get_by_text("Avinor AS").first).to_be_visible()
    month_row(page).get_by_role("link", name="Last opp fil").click()
    expect(page.get_by_role("heading", name="Last opp trekkliste for 2021/02")).to_be_visible()
    page.screenshot(path="/tmp/list-upload.png", full_page=True)
    page.get_by_label("Fil (CSV eller XLSX)").set_input_files(str(csv_file))
    page.get_by_role("button", name="Les inn filen").click()
    expect(page.get_by_test_id("list-summary")).to_contain_text("597,00")
    page.get_by_role("button", name="Lever trekkliste").click()
    expect(page.get_by_test_id("list-status")).to_have_text("Levert")
    page.get_by_role("link", name="Forsiden").click()
    expect(month_row(page)).to_contain_text("Levert")
    log_out(page)
    delivered = DeductionList.objects.get(basis__employer__number="00080000")
    assert delivered.is_delivered and delivered.original_filename == "avinor-februar.csv"


def test_a_bad_file_shows_its_errors_at_the_top_with_focus(page, outsider, february, tmp_path):
    """After «Les inn filen» the errors used to sit below the fold: the page looked unchanged."""
    csv_file = tmp_path / "avinor-februar.csv"
    csv_file.write_bytes(
        b"F\xf8dselsnummer;Navn;Kontingent\r\n12345678901;Flyger Frida;mange kroner\r\n"
    )
    page.set_viewport_size({"width": 1280, "height": 720})
    log_in(page, "10000002", PASSWORD)
    month_row(page).get_by_role("link", name="Last opp fil").click()
    page.get_by_label("Fil (CSV eller XLSX)").set_input_files(str(csv_file))
    page.get_by_role("button", name="Les inn filen").click()
    heading = page.get_by_role("heading", name=re.compile("^Filen er ikke lest inn"))
    expect(heading).to_be_focused()
    expect(heading).to_be_in_viewport()
    expect(page.get_by_test_id("upload-problems")).to_contain_text("Rad")
