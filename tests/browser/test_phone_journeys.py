"""On a 390 × 844 phone: the header folds into a menu, the month table is one card per month,
wide tables are one block per row, and no page scrolls sideways (issue 14)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import as_staff, log_in, open_user_menu
from tests.browser.phone_pages import (
    PHONE,
    assert_no_sideways_scroll,
    contact_and_staff_pages,
    delivered_january,
)
from tests.conftest import PASSWORD
from tests.deductions.conftest import rates  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    page.set_viewport_size(PHONE)
    return page


@pytest.fixture
def months(rates, owner, employer):  # noqa: F811
    return delivered_january(owner, employer)


@pytest.fixture
def pages(rates, owner, employer, staff):  # noqa: F811
    return contact_and_staff_pages(owner, employer, staff)


def assert_within_window(locator):
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def labels_shown(row):
    """The column names the row's cells show above their values (CSS `::before`)."""
    return row.locator("td").evaluate_all(
        "cells => cells.filter(c => c.offsetParent !== null)"
        ".map(c => getComputedStyle(c, '::before').content.replace(/^\"|\"$/g, ''))"
    )


def month_card(page, label):
    return page.get_by_test_id("month-table").locator("tr", has_text=label)


def test_on_a_phone_the_months_come_first_and_on_a_wide_screen_last(phone, months):
    log_in(phone, "10000001", PASSWORD)
    month_table, employer_card = (
        phone.get_by_test_id("month-table"),
        phone.get_by_test_id("employer"),
    )
    expect(month_table).to_be_visible()
    assert month_table.bounding_box()["y"] < employer_card.bounding_box()["y"]

    phone.set_viewport_size({"width": 1280, "height": 800})
    expect(month_table).to_be_visible()
    assert month_table.bounding_box()["y"] > employer_card.bounding_box()["y"]


def test_on_a_phone_each_month_is_a_card_and_kari_registers_a_list_from_it(phone, months):
    log_in(phone, "10000001", PASSWORD)
    february = month_card(phone, "2021/02")
    register = february.get_by_role("link", name="Registrer trekkliste i nettskjema")
    expect(register).to_be_visible()
    assert_no_sideways_scroll(phone)
    assert_within_window(february)
    assert_within_window(register)
    assert labels_shown(february) == ["Status", "Trekkgrunnlag", "KID", "Trekklisteinnlevering"]
    expect(february.get_by_role("link", name="Last opp fil")).to_be_visible()

    register.click()
    start = phone.get_by_role("button", name="Start trekkliste")
    expect(start).to_be_visible()
    assert_no_sideways_scroll(phone)


def test_on_a_phone_the_archive_in_the_months_card_opens_the_delivered_list(phone, months):
    log_in(phone, "10000001", PASSWORD)
    january = month_card(phone, "2021/01")
    archive = january.get_by_test_id("list-archive").get_by_role("link")
    expect(archive).to_be_visible()
    assert labels_shown(january)[-1] == "Trekklistearkiv"
    archive.click()
    expect(phone.get_by_role("heading", name="Trekkliste 2021/01")).to_be_visible()
    lines = phone.get_by_test_id("list-lines")
    linda = lines.locator("tr", has_text="Hauge Linda")
    expect(linda).to_contain_text("100,00")
    assert "Kontingent" in labels_shown(linda)
    assert_no_sideways_scroll(phone)


def test_on_a_phone_the_header_folds_into_a_menu_that_opens_and_logs_out(phone, owner):
    log_in(phone, "10000001", PASSWORD)
    user_menu = phone.locator("#user-menu")
    expect(user_menu).to_be_hidden()
    assert_no_sideways_scroll(phone)

    open_user_menu(phone)
    log_out = phone.get_by_role("button", name="Logg ut")
    expect(log_out).to_be_visible()
    assert_within_window(user_menu)
    assert_within_window(log_out)
    assert_no_sideways_scroll(phone)
    log_out.click()
    expect(phone.get_by_text("Du er logget ut")).to_be_visible()


def test_on_a_phone_the_basis_pages_show_a_block_per_person_and_keep_sorting(phone, months):
    log_in(phone, "10000001", PASSWORD)
    month_card(phone, "2021/02").get_by_role("link", name="Vis kun endringer").click()
    expect(phone.get_by_role("heading", name="Endringer 2021/02")).to_be_visible()
    per = phone.get_by_test_id("basis-lines").get_by_role("row", name=re.compile("Berg Per"))
    expect(per).to_contain_text("Stopp trekk")
    assert labels_shown(per)[0] == "Fødselsnummer"
    assert_within_window(per)
    assert_no_sideways_scroll(phone)

    phone.get_by_role("link", name="Vis hele trekkgrunnlaget").click()
    expect(phone.get_by_role("heading", name="Hele trekkgrunnlaget 2021/02")).to_be_visible()
    totals = phone.get_by_test_id("basis-totals")
    expect(totals).to_contain_text("261,00")
    assert_within_window(totals)
    assert_no_sideways_scroll(phone)
    phone.get_by_role("link", name="Medlemsnr.").click()
    expect(phone.get_by_role("columnheader", name="Medlemsnr.")).to_have_attribute(
        "aria-sort", "ascending"
    )
    assert_no_sideways_scroll(phone)


def test_on_a_phone_kari_reads_her_messages_and_writes_one(phone, pages):
    log_in(phone, "10000001", PASSWORD)
    phone.get_by_role("button", name="Meny").click()  # «Meldinger» is in the folded header
    phone.get_by_role("banner").get_by_role("link", name=re.compile("^Meldinger")).click()
    expect(phone.get_by_role("heading", name="Alle meldinger")).to_be_visible()
    assert_no_sideways_scroll(phone)

    phone.get_by_role("link", name="Medlem sluttet i februar").click()
    expect(phone.get_by_role("heading", name="Medlem sluttet i februar")).to_be_visible()
    expect(phone.get_by_role("button", name="Send svar")).to_be_visible()
    assert_no_sideways_scroll(phone)

    phone.goto(pages["new_message"])
    phone.get_by_label("Emne").fill("Ny ansatt i mars")
    phone.get_by_label("Tekst").fill("Hei! Hun starter 1. mars.")
    phone.get_by_role("button", name="Send melding").click()
    expect(phone.get_by_role("status")).to_contain_text("Meldingen er sendt")
    assert_no_sideways_scroll(phone)


def test_on_a_phone_staff_read_the_month_overview_and_their_inbox(
    phone, pages, live_server, staff_client
):
    as_staff(phone, live_server, staff_client)
    phone.goto(pages["staff_overview"])
    row = phone.get_by_test_id("overview-table").get_by_role(
        "row", name=re.compile("Systemadministrasjonen")
    )
    expect(row).to_contain_text("Ikke levert")
    assert labels_shown(row)[0] == "Varsel sendt"
    assert_within_window(row)
    expect(row.get_by_role("link", name="Trekklister fra Systemadministrasjonen")).to_be_visible()
    assert_no_sideways_scroll(phone)

    phone.goto(pages["staff_inbox"])
    thread = phone.get_by_test_id("thread")
    expect(thread).to_contain_text("Kari Nordmann")
    assert labels_shown(thread)[:2] == ["Emne", "Trekkontakt"]
    assert_within_window(thread)
    assert_no_sideways_scroll(phone)
    thread.get_by_role("link", name="Medlem sluttet i februar").click()
    expect(phone.get_by_role("button", name="Send svar")).to_be_visible()
    assert_no_sideways_scroll(phone)


# The list form («list_form») is laid out for phones on its own branch (issue 14, the list
# form's part); it joins this walk when that lands.
CONTACT_PAGES = [
    "front",
    "months",
    "basis_changes",
    "basis_full",
    "list_form",
    "list_confirm",
    "list_detail",
    "list_locked",
    "list_upload",
    "inbox",
    "thread",
    "new_message",
    "password_change",
    "invite_colleague",
    "give_up_role",
    "two_factor",
    "user_guide",
    "not_found",
]
STAFF_PAGES = ["staff_overview", "staff_inbox", "staff_thread", "staff_new_message"]


def test_no_page_scrolls_sideways_on_a_phone(phone, pages, live_server, staff_client):
    phone.goto("/konto/glemt-passord/")
    expect(phone.locator("main h1")).to_be_visible()
    assert_no_sideways_scroll(phone)
    phone.goto("/logg-inn/")
    expect(phone.get_by_role("button", name="Logg inn")).to_be_visible()
    assert_no_sideways_scroll(phone)
    log_in(phone, "10000001", PASSWORD)
    expect(phone.get_by_test_id("month-table")).to_be_visible()
    for name in CONTACT_PAGES:
        phone.goto(pages[name])
        expect(phone.locator("main h1")).to_be_visible()
        assert_no_sideways_scroll(phone)

    phone.context.clear_cookies()
    as_staff(phone, live_server, staff_client)
    for name in STAFF_PAGES:
        phone.goto(pages[name])
        expect(phone.locator("main h1")).to_be_visible()
        assert_no_sideways_scroll(phone)
