"""Staff check a month on the staff's month page; a contact sees the payment in the month table."""

import os
import re

import pytest
from playwright.sync_api import expect

from deductions.basis.services import basis_generate
from deductions.cycle.mailings import NOTICE, add_rows
from deductions.period import Period
from employers.models import Employer
from messaging.models import OutboxMessage
from tests.browser.conftest import as_staff, log_in
from tests.conftest import PASSWORD
from tests.deductions.conftest import make_member, rates  # noqa: F401 (fixture)
from tests.deductions.cycle.conftest import deliver_list, pay

pytestmark = pytest.mark.django_db(transaction=True)

MARCH = Period(2021, 3)


def screenshot(page, name):
    """Set TREKK_SCREENSHOTS=/tmp to look at the pages."""
    folder = os.environ.get("TREKK_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


@pytest.fixture
def march(
    rates,  # noqa: F811
    employer,
    other_employer,
    owner,
    outsider,
):
    make_member("Hauge Linda", employer, MARCH)
    basis_generate(period=MARCH)
    add_rows(kind=NOTICE, period=MARCH, employers=Employer.objects.all())
    OutboxMessage.objects.filter(employer=employer).update(status=OutboxMessage.Status.SENT)
    pay(employer, MARCH, "1234.50")
    return MARCH


def test_staff_filter_the_month_overview_to_those_who_have_not_paid(
    page, live_server, march, staff_client
):
    as_staff(page, live_server, staff_client)
    page.goto("/trekk/stab/2021-03/")
    expect(page.get_by_role("heading", name="Månedsoversikt for 2021/03")).to_be_visible()
    table = page.get_by_test_id("overview-table")
    expect(table.get_by_role("rowheader", name="Systemadministrasjonen")).to_be_visible()
    screenshot(page, "staff-overview")

    page.get_by_label("Vis").select_option(label="Ikke betalt")
    page.get_by_role("button", name="Filtrer").click()

    expect(page).to_have_url(re.compile(r"vis=ikke-betalt"))
    expect(table.get_by_role("rowheader", name="Avinor AS")).to_be_visible()
    expect(table.get_by_role("rowheader", name="Systemadministrasjonen")).to_have_count(0)


def test_staff_follow_an_old_link_filter_to_delivered_lists_and_download_them(
    page, live_server, march, staff_client, employer
):
    deliver_list(employer, MARCH, "1234.50")
    as_staff(page, live_server, staff_client)
    page.goto("/trekk/trekklister/oversikt/2021-03/?status=ikke-levert")

    expect(page).to_have_url(re.compile(r"/trekk/stab/2021-03/\?vis=ikke-levert$"))
    table = page.get_by_test_id("overview-table")
    expect(table.get_by_role("rowheader", name="Avinor AS")).to_be_visible()
    page.get_by_label("Vis").select_option(label="Trekkliste levert")
    page.get_by_role("button", name="Filtrer").click()

    expect(page.get_by_test_id("overview-summary")).to_have_text(
        re.compile(r"1 av 1 bedrift har levert\. Sum levert: kr 1\s234,50\.")
    )
    expect(table.get_by_role("rowheader", name="Avinor AS")).to_have_count(0)
    screenshot(page, "staff-overview-delivered")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Last ned CSV").click()
    download = download_info.value
    assert download.suggested_filename == "oversikt-2021-03.csv"
    lines = open(download.path(), encoding="utf-8-sig").read().splitlines()  # noqa: SIM115
    assert len(lines) == 2
    assert lines[1].startswith("94001761;Systemadministrasjonen;1;0;Levert;1;1234,50;1234,50;0,00;")


def test_contact_sees_the_payment_next_to_the_months_status(page, march, owner):
    log_in(page, owner.username, PASSWORD)
    page.goto("/trekk/maneder/")
    status = page.get_by_test_id("payment-status").first
    expect(status).to_contain_text("Betalt kr 1")
    screenshot(page, "month-table-paid")


def test_staff_download_every_employers_changes_of_the_month(
    page, live_server, march, staff_client
):
    as_staff(page, live_server, staff_client)
    page.goto("/trekk/stab/2021-03/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Alle endringer (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "endringer-2021-03.csv"
    text = open(download.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert text.splitlines()[0].startswith("Bedriftsnummer;Bedrift;")
    assert "Hauge Linda" in text and "Start trekk" in text


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_see_twelve_months_as_a_chart_with_its_table(
    page, live_server, march, staff_client, employer, width
):
    deliver_list(employer, MARCH, "1234.50")
    page.set_viewport_size({"width": width, "height": 900})
    as_staff(page, live_server, staff_client)
    page.goto("/trekk/stab/2021-03/")

    chart = page.get_by_test_id("month-chart")
    delivered = chart.get_by_role(
        "img", name=re.compile(r"^Levert, 2020.04 til 2021.03: 1 bedrift\b")
    )
    expect(delivered).to_be_visible()
    expect(chart.get_by_role("img")).to_have_count(4)
    box = delivered.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    screenshot(page, f"staff-overview-chart-{width}")

    table = chart.get_by_role("table")
    expect(table).to_be_hidden()
    chart.get_by_text("Vis som tabell").click()
    march_row = table.get_by_role("row", name=re.compile(r"^2021.03"))
    expect(march_row.get_by_role("cell")).to_have_text(["1", "1", "1", "0"])
    expect(table.get_by_role("row")).to_have_count(13)
