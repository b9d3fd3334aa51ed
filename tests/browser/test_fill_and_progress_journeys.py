"""Kari fills February's list from January's delivered list and sees what was copied; Ola
sees that his file is being read and his list delivered, and Kari that her CSV is being made,
while the server works (the answers are held back with page.route to give the time)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from deductions.lists.services import list_deliver, list_start
from deductions.models import Basis, BasisLine
from tests.browser.conftest import log_in, log_out
from tests.conftest import PASSWORD
from tests.deductions.basis_data import FEB, JAN, two_published_months
from tests.deductions.conftest import make_member, rates  # noqa: F401 (fixture)


@pytest.fixture
def february(rates, employer, other_employer, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    make_member("Flyger Frida", other_employer, FEB, home=True)
    return two_published_months(employer)


@pytest.fixture
def february_draft(february, owner):
    """January delivered with Linda's dues 123,45 and Lise's flat 42,00; February started."""
    january = Basis.objects.get(employer=february.employer, period=JAN)
    january_list = list_start(basis=january, actor=owner)
    linda = january_list.lines.get(name="Hauge Linda")
    linda.set_amounts(Decimal("123.45"), linda.home_insurance, linda.travel_insurance)
    linda.save()
    list_deliver(deduction_list=january_list, actor=owner)
    return list_start(basis=february, actor=owner)


def let_go(page, held):
    """Lets the held request go on to the server, once Playwright has handed it over."""
    for _ in range(250):
        if held:
            break
        page.wait_for_timeout(20)  # Playwright dispatches the route while it waits
    assert len(held) == 1
    held.pop().continue_()


def name_cell(page, name):
    return page.get_by_test_id("list-lines").locator("tr[data-line] th", has_text=name)


def hold(page, url, method="POST"):
    """Requests of `method` to `url` wait until the test lets them go (`held[0].continue_()`)."""
    held = []

    def handler(route):
        if route.request.method == method:
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(re.escape(url) + "$"), handler)
    return held


def test_kari_fills_the_list_from_last_month_and_the_mark_goes_when_she_changes_it(
    page, owner, february_draft
):
    log_in(page, "10000001", PASSWORD)
    page.goto(reverse("deductions:list_edit", args=[february_draft.public_id]))
    page.get_by_label("Kontingent, Ny Nina").fill("77")
    page.get_by_role("button", name="Fyll inn fra forrige liste").click()

    expect(page.get_by_text("Fylte inn 2 linjer fra listen for januar 2021.")).to_be_visible()
    expect(page.get_by_label("Kontingent, Hauge Linda")).to_have_value("123,45")
    expect(page.get_by_label("Kontingent, Ny Nina")).to_have_value("77,00")  # typed, kept
    expect(page.get_by_label("Kontingent, =Lærling Lise")).to_have_value("42,00")  # her flat
    expect(name_cell(page, "Hauge Linda")).to_contain_text("kopiert fra forrige liste")
    expect(name_cell(page, "Ny Nina")).not_to_contain_text("kopiert fra forrige liste")
    page.screenshot(path="/tmp/list-filled.png", full_page=True)

    page.get_by_label("Kontingent, Hauge Linda").fill("130")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_text("Utkastet er lagret")).to_be_visible()
    expect(page.get_by_label("Kontingent, Hauge Linda")).to_have_value("130,00")
    expect(name_cell(page, "Hauge Linda")).not_to_contain_text("kopiert fra forrige liste")


def test_ola_sees_his_file_being_read_and_his_list_being_delivered(
    page, outsider, february, tmp_path
):
    frida = BasisLine.objects.get(name="Flyger Frida")
    csv_file = tmp_path / "avinor-februar.csv"
    csv_file.write_bytes(
        f"Fødselsnummer;Navn;Kontingent;Innboforsikring\r\n"
        f"{frida.national_id};Flyger Frida;512,00;85,00\r\n".encode("cp1252")
    )
    log_in(page, "10000002", PASSWORD)
    upload_url = reverse("deductions:list_upload", args=[FEB.slug])
    page.goto(upload_url)
    held = hold(page, upload_url)
    page.get_by_label("Fil (CSV eller XLSX)").set_input_files(str(csv_file))
    button = page.get_by_role("button", name="Les inn filen")
    button.click()

    status = page.get_by_role("status").filter(has_text=re.compile("filen …"))
    expect(status).to_be_visible()
    expect(button).to_be_disabled()
    let_go(page, held)

    expect(page.get_by_role("heading", name="Kontroller før levering")).to_be_visible()
    expect(page.get_by_text("Filen er lest inn (1 rad)")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/trekklister/[0-9a-f-]+/lever/$"))

    confirm_url = page.url.removeprefix(page.url.split("/trekklister/")[0])
    held = hold(page, confirm_url)
    deliver = page.get_by_role("button", name="Lever trekkliste")
    deliver.click()
    expect(page.get_by_role("status").filter(has_text="Leverer listen …")).to_be_visible()
    expect(deliver).to_be_disabled()
    let_go(page, held)
    expect(page.get_by_test_id("list-status")).to_have_text("Levert")
    expect(page.get_by_text("Trekkliste er levert.")).to_be_visible()
    log_out(page)  # the swapped-in page's own scripts run: the user menu opens
    expect(page.get_by_label("Brukernavn")).to_be_visible()


def test_kari_sees_the_csv_being_made_and_gets_the_file(page, owner, february):
    log_in(page, "10000001", PASSWORD)
    page.goto(reverse("deductions:basis_full", args=[FEB.slug]))
    csv_url = reverse("deductions:basis_download", args=[FEB.slug, "grunnlag", "csv"])
    held = hold(page, csv_url, method="GET")
    page.get_by_role("link", name="CSV").click()
    expect(page.get_by_role("status").filter(has_text="Lager filen …")).to_be_visible()
    with page.expect_download() as download_info:
        let_go(page, held)
    download = download_info.value
    assert download.suggested_filename == "trekkgrunnlag-94001761-2021-02-grunnlag.csv"
    assert "Hauge Linda" in open(download.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    expect(page.get_by_role("status").filter(has_text="Filen er lastet ned.")).to_be_visible()
