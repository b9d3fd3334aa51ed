"""The list form of a large employer in the browser: Kari types, searches, filters, pastes a
column from a spreadsheet and moves down with Enter in a list of 300 people; the totals always
count the whole list. Without JavaScript the form is as before."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from deductions import money
from deductions.lists.services import list_start
from deductions.models import BasisLine
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.deductions.conftest import rates  # noqa: F401 (fixture)
from tests.deductions.test_basis_pages import big_month

SIZE = 300


@pytest.fixture
def big_list(rates, employer, owner):  # noqa: F811
    basis = big_month(employer, SIZE)
    BasisLine.objects.filter(basis=basis, name="Medlem 0150").update(employee_number="A-7731")
    deduction_list = list_start(basis=basis, actor=owner)
    assert deduction_list.lines.count() == SIZE
    return deduction_list


@pytest.fixture
def form(page, big_list):
    log_in(page, "10000001", PASSWORD)
    page.goto(reverse("deductions:list_edit", args=[big_list.public_id]))
    expect(page.get_by_label("Søk etter navn, fødselsnummer eller ansattnummer")).to_be_visible()
    return page


def total_text(amount):
    return f"kr {money.kr(amount)}"


def dues(page, name):
    return page.get_by_label(f"Kontingent, {name}", exact=True)


def row(page, name):
    return page.get_by_test_id("list-lines").locator("tr[data-line]", has_text=name)


def shown_rows(page):
    return page.get_by_test_id("list-lines").locator("tr[data-line]:visible")


def paste(page, name, text):
    """What a paste from a spreadsheet delivers to the dues cell: a ClipboardEvent with text."""
    dues(page, name).focus()
    dues(page, name).evaluate(
        """(input, text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            input.dispatchEvent(new ClipboardEvent("paste", {
                clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        text,
    )


def test_typing_updates_the_line_sum_and_the_list_total(form, big_list):
    page, start = form, big_list.total
    total = page.get_by_test_id("list-payment").locator("[data-list-total]")
    expect(total).to_have_text(total_text(start))

    dues(page, "Medlem 0200").press_sequentially("1 234,5")  # an even member: home insurance too
    expect(row(page, "Medlem 0200").locator("[data-line-total]")).to_have_text(
        money.kr(Decimal("1319.50"))
    )
    expect(total).to_have_text(total_text(start + Decimal("1234.50")))

    dues(page, "Medlem 0201").fill("12.25")  # English decimals, as the server reads them
    expect(total).to_have_text(total_text(start + Decimal("1246.75")))
    dues(page, "Medlem 0200").fill("")
    expect(total).to_have_text(total_text(start + Decimal("12.25")))

    page.get_by_label("Ikke trukket, årsak, Medlem 0201").select_option(label="Sluttet")
    expect(row(page, "Medlem 0201").locator("[data-line-total]")).to_have_text("0,00")
    expect(total).to_have_text(total_text(start))


def test_search_finds_by_name_national_id_and_employee_number_and_totals_stay_whole(form, big_list):
    page = form
    search = page.get_by_label("Søk etter navn, fødselsnummer eller ansattnummer")
    search.fill("medlem 012")
    expect(shown_rows(page)).to_have_count(10)
    expect(page.get_by_test_id("list-shown")).to_have_text(
        "Viser 10 av 300 personer. Summen gjelder hele listen."
    )

    national_id = big_list.lines.get(name="Medlem 0077").national_id
    search.fill(f"{national_id[:6]} {national_id[6:]}")  # as people write it, with a space
    expect(shown_rows(page)).to_have_count(1)
    expect(shown_rows(page)).to_contain_text("Medlem 0077")

    search.fill("a-7731")
    expect(shown_rows(page)).to_have_count(1)
    expect(shown_rows(page)).to_contain_text("Medlem 0150")

    dues(page, "Medlem 0150").fill("100")
    total = page.get_by_test_id("list-payment").locator("[data-list-total]")
    expect(total).to_have_text(total_text(big_list.total + 100))  # the hidden 299 still count

    search.fill("")
    expect(shown_rows(page)).to_have_count(SIZE)
    expect(page.get_by_test_id("list-shown")).to_have_text("Viser alle 300 personene.")


def test_each_filter_shows_its_lines(form):
    page = form
    page.get_by_label("Ikke trukket, årsak, Medlem 0003").select_option(label="Permittert")
    page.get_by_label("Innboforsikring, Medlem 0004", exact=True).fill("0")  # prefilled 85,00
    dues(page, "Medlem 0005").fill("300")  # filled in: neither unfilled nor a deviation
    page.get_by_label("Innboforsikring, Medlem 0006", exact=True).fill("85")  # the same amount
    show = page.get_by_label("Vis")

    show.select_option(label="Bare ikke utfylte")
    expect(shown_rows(page)).to_have_count(SIZE - 2)
    expect(row(page, "Medlem 0005")).to_be_hidden()

    show.select_option(label="Bare ikke trukket")
    expect(shown_rows(page)).to_have_count(1)
    expect(shown_rows(page)).to_contain_text("Medlem 0003")

    show.select_option(label="Bare avvik (endret beløp, årsak eller feil)")
    expect(shown_rows(page)).to_have_count(2)
    expect(shown_rows(page).nth(0)).to_contain_text("Medlem 0003")
    expect(shown_rows(page).nth(1)).to_contain_text("Medlem 0004")

    page.get_by_label("Søk etter navn, fødselsnummer eller ansattnummer").fill("0004")
    expect(shown_rows(page)).to_have_count(1)  # search and filter together
    show.select_option(label="Alle")
    expect(shown_rows(page)).to_have_count(1)


def test_a_column_pasted_from_a_spreadsheet_fills_five_lines_and_says_so(form, big_list):
    page = form
    paste(page, "Medlem 0010", "100\r\n1 200,50\r\nkr 300\r\n45.5\r\n7\r\n")
    expect(page.get_by_test_id("list-status-line")).to_have_text("Limte inn 5 beløp.")
    for name, value in [
        ("Medlem 0010", "100"),
        ("Medlem 0011", "1 200,50"),
        ("Medlem 0012", "kr 300"),
        ("Medlem 0013", "45.5"),
        ("Medlem 0014", "7"),
    ]:
        expect(dues(page, name)).to_have_value(value)
    expect(dues(page, "Medlem 0015")).to_have_value("")
    expect(page.get_by_test_id("list-payment").locator("[data-list-total]")).to_have_text(
        total_text(big_list.total + Decimal("1653.00"))
    )


def test_a_paste_fills_the_visible_lines_below_only(form):
    page = form
    page.get_by_label("Søk etter navn, fødselsnummer eller ansattnummer").fill("medlem 029")
    expect(shown_rows(page)).to_have_count(10)
    paste(page, "Medlem 0297", "1\n2\n3\n4\n")
    expect(page.get_by_test_id("list-status-line")).to_have_text(
        "Limte inn 3 beløp (1 fikk ikke plass under)."
    )
    expect(dues(page, "Medlem 0299")).to_have_value("3")


def test_enter_in_an_amount_moves_to_the_next_lines_dues(form):
    page = form
    url = page.url
    dues(page, "Medlem 0010").fill("250")
    dues(page, "Medlem 0010").press("Enter")
    expect(dues(page, "Medlem 0011")).to_be_focused()
    page.get_by_label("Innboforsikring, Medlem 0011", exact=True).press("Enter")
    expect(dues(page, "Medlem 0012")).to_be_focused()
    assert page.url == url  # nothing was sent
    expect(page.get_by_text("Utkastet er lagret")).to_have_count(0)


def test_without_javascript_the_list_is_filled_and_saved_as_before(browser, live_server, big_list):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, "10000001", PASSWORD)
        page.goto(reverse("deductions:list_edit", args=[big_list.public_id]))
        expect(page.get_by_label("Søk etter navn, fødselsnummer eller ansattnummer")).to_be_hidden()
        dues(page, "Medlem 0042").fill("321,50")
        page.get_by_role("button", name="Lagre utkast").click()
        expect(page.get_by_text("Utkastet er lagret")).to_be_visible()
        assert big_list.lines.get(name="Medlem 0042").dues == Decimal("321.50")
    finally:
        context.close()
