"""The list form of a large employer in the browser: Kari types, searches, filters, pastes a
column from a spreadsheet, moves down with Enter and goes from page to page in a list of 300
people shown 100 a page; the totals always count the whole list and nothing typed is lost when
other rows are shown. Without JavaScript the same pages work as plain links and forms."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from deductions import money
from deductions.lists.services import list_start
from deductions.models import BasisLine
from deductions.national_ids import synthetic_national_id
from tests.browser.conftest import log_in, settle
from tests.conftest import PASSWORD
from tests.deductions.conftest import rates  # noqa: F401 (fixture)
from tests.deductions.test_basis_pages import big_month

SIZE = 300
PAGE = 100


@pytest.fixture
def big_list(rates, employer, owner, settings):  # noqa: F811
    settings.LIST_FORM_PAGE_SIZE = PAGE
    basis = big_month(employer, SIZE)
    BasisLine.objects.filter(basis=basis, name="Medlem 0150").update(employee_number="A-7731")
    deduction_list = list_start(basis=basis, actor=owner)
    assert deduction_list.lines.count() == SIZE
    return deduction_list


@pytest.fixture
def form(page, big_list):
    log_in(page, "10000001", PASSWORD)
    page.goto(reverse("deductions:list_edit", args=[big_list.public_id]))
    expect(page.get_by_test_id("list-position").first).to_have_text(
        "Side 1 av 3 (linje 1–100 av 300)"
    )
    page.wait_for_function("() => window.trekkList !== undefined")
    return page


def total_text(amount):
    return f"kr {money.kr(amount)}"


def total(page):
    return page.get_by_test_id("list-payment").locator("[data-list-total]")


def dues(page, name):
    return page.get_by_label(f"Kontingent, {name}", exact=True)


def row(page, name):
    return page.get_by_test_id("list-lines").locator("tr[data-line]", has_text=name)


def shown_rows(page):
    return page.get_by_test_id("list-lines").locator("tr[data-line]")


def search(page):
    return page.get_by_label("Søk etter navn, fødselsnummer eller ansattnummer")


def saved_dues(big_list, name):
    return big_list.lines.get(name=name).dues


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
    expect(total(page)).to_have_text(total_text(start))

    dues(page, "Medlem 0020").press_sequentially("1 234,5")  # an even member: home insurance too
    expect(row(page, "Medlem 0020").locator("[data-line-total]")).to_have_text(
        money.kr(Decimal("1319.50"))
    )
    expect(total(page)).to_have_text(total_text(start + Decimal("1234.50")))

    dues(page, "Medlem 0021").fill("12.25")  # English decimals, as the server reads them
    expect(total(page)).to_have_text(total_text(start + Decimal("1246.75")))
    dues(page, "Medlem 0020").fill("")
    expect(total(page)).to_have_text(total_text(start + Decimal("12.25")))

    page.get_by_label("Ikke trukket, årsak, Medlem 0021").select_option(label="Sluttet")
    expect(row(page, "Medlem 0021").locator("[data-line-total]")).to_have_text("0,00")
    expect(total(page)).to_have_text(total_text(start))


def test_search_as_you_type_finds_by_name_national_id_and_employee_number(form, big_list):
    page = form
    search(page).press_sequentially("medlem 012")
    expect(shown_rows(page)).to_have_count(10)
    expect(page.get_by_test_id("list-shown")).to_have_text(
        "Viser 10 av 300 personer. Summen gjelder hele listen."
    )
    assert "q=medlem+012" in page.url  # a link to what is shown

    national_id = big_list.lines.get(name="Medlem 0277").national_id
    search(page).fill(f"{national_id[:6]} {national_id[6:]}")  # as people write it, with a space
    expect(shown_rows(page)).to_have_count(1)
    expect(shown_rows(page)).to_contain_text("Medlem 0277")  # on the third page of all

    search(page).fill("a-7731")
    expect(shown_rows(page)).to_have_count(1)
    expect(shown_rows(page)).to_contain_text("Medlem 0150")

    dues(page, "Medlem 0150").fill("100")
    expect(total(page)).to_have_text(total_text(big_list.total + 100))  # the other 299 count

    search(page).fill("")  # other rows: what was typed is saved first
    expect(shown_rows(page)).to_have_count(PAGE)
    expect(page.get_by_test_id("list-shown")).to_have_text("300 personer på listen.")
    expect(total(page)).to_have_text(total_text(big_list.total + 100))
    assert saved_dues(big_list, "Medlem 0150") == Decimal("100.00")


def test_each_filter_shows_its_lines_of_the_whole_list(form):
    page = form
    page.get_by_label("Ikke trukket, årsak, Medlem 0003").select_option(label="Permittert")
    page.get_by_label("Innboforsikring, Medlem 0004", exact=True).fill("0")  # prefilled 85,00
    dues(page, "Medlem 0005").fill("300")  # filled in: neither unfilled nor a deviation
    page.get_by_label("Innboforsikring, Medlem 0006", exact=True).fill("85")  # the same amount
    show = page.get_by_label("Vis")

    show.select_option(label="Bare ikke utfylte")
    expect(page.get_by_test_id("list-shown")).to_have_text(
        "Viser 298 av 300 personer. Summen gjelder hele listen."
    )
    expect(shown_rows(page)).to_have_count(PAGE)
    expect(row(page, "Medlem 0005")).to_have_count(0)

    show.select_option(label="Bare ikke trukket")
    expect(shown_rows(page)).to_have_count(1)
    expect(shown_rows(page)).to_contain_text("Medlem 0003")

    show.select_option(label="Bare avvik (forsikring, lærlingbeløp, ikke på grunnlaget)")
    expect(shown_rows(page)).to_have_count(1)
    expect(shown_rows(page)).to_contain_text("Medlem 0004")

    search(page).fill("0005")
    expect(page.get_by_test_id("list-shown")).to_have_text(
        "Viser 0 av 300 personer. Summen gjelder hele listen."
    )  # search and filter together
    show.select_option(label="Alle")
    expect(shown_rows(page)).to_have_count(1)
    expect(dues(page, "Medlem 0005")).to_have_value("300,00")


def test_a_failed_save_keeps_the_rows_and_says_why(form, big_list):
    page = form
    dues(page, "Medlem 0010").fill("tolv")
    page.get_by_label("Vis").select_option(label="Bare ikke trukket")
    # The autosave goes first (list_autosave.js): the others would be saved, this line is not.
    expect(page.get_by_test_id("autosave-status")).to_contain_text("men ikke 1 linje")
    expect(page.get_by_text("Ikke lagret: «tolv» er ikke et beløp")).to_be_visible()
    expect(dues(page, "Medlem 0010")).to_have_value("tolv")
    expect(shown_rows(page)).to_have_count(PAGE)
    assert saved_dues(big_list, "Medlem 0010") == 0


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
    expect(total(page)).to_have_text(total_text(big_list.total + Decimal("1653.00")))


def test_a_column_longer_than_the_page_fills_the_next_lines_on_the_server(form, big_list):
    page = form
    paste(page, "Medlem 0097", "1\n2,5\n3\n4.25\n5\n")
    expect(page.get_by_test_id("list-status-line")).to_have_text(
        "Limte inn 5 beløp (3 på denne siden og 2 på linjene etter, lagret)."
    )
    expect(dues(page, "Medlem 0097")).to_have_value("1,00")  # the rows again, as saved
    expect(total(page)).to_have_text(total_text(big_list.total + Decimal("15.75")))
    amounts = dict(big_list.lines.filter(position__range=(97, 102)).values_list("name", "dues"))
    assert amounts == {
        "Medlem 0097": Decimal("1.00"),
        "Medlem 0098": Decimal("2.50"),
        "Medlem 0099": Decimal("3.00"),
        "Medlem 0100": Decimal("4.25"),
        "Medlem 0101": Decimal("5.00"),
        "Medlem 0102": Decimal("0.00"),
    }


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


def test_going_to_another_page_keeps_what_was_typed_and_the_whole_total(form, big_list):
    page = form
    dues(page, "Medlem 0010").fill("77")
    page.get_by_role("link", name="Neste").first.click()
    expect(page.get_by_test_id("list-position").first).to_have_text(
        "Side 2 av 3 (linje 101–200 av 300)"
    )
    expect(row(page, "Medlem 0100")).to_be_visible()
    expect(total(page)).to_have_text(total_text(big_list.total + 77))
    assert saved_dues(big_list, "Medlem 0010") == Decimal("77.00")
    assert "side=2" in page.url

    dues(page, "Medlem 0150").fill("10")
    page.get_by_role("link", name="Side 3").first.click()
    expect(row(page, "Medlem 0299")).to_be_visible()
    page.go_back()
    expect(dues(page, "Medlem 0150")).to_have_value("10,00")
    page.get_by_role("link", name="Forrige").first.click()
    expect(dues(page, "Medlem 0010")).to_have_value("77,00")
    expect(total(page)).to_have_text(total_text(big_list.total + 87))


def test_a_person_added_below_is_saved_once_when_the_page_changes(form, big_list):
    page = form
    page.get_by_label("Navn, ny person 1").fill("Ekstra Erik")
    page.get_by_label("Fødselsnummer, ny person 1").fill(synthetic_national_id(999))
    page.get_by_label("Kontingent, ny person 1", exact=True).fill("50")
    expect(total(page)).to_have_text(total_text(big_list.total + 50))
    page.get_by_role("link", name="Neste").first.click()
    expect(page.get_by_test_id("list-position").first).to_have_text(
        "Side 2 av 4 (linje 101–200 av 301)"
    )
    expect(page.get_by_label("Navn, ny person 1")).to_have_value("")
    expect(total(page)).to_have_text(total_text(big_list.total + 50))
    page.get_by_role("link", name="Forrige").first.click()
    expect(row(page, "Medlem 0000")).to_be_visible()
    assert big_list.lines.filter(name="Ekstra Erik").count() == 1


def test_save_and_next_page_with_the_buttons(form, big_list):
    page = form
    dues(page, "Medlem 0042").fill("42")
    page.get_by_role("button", name="Lagre og gå til neste side").click()
    expect(page.get_by_text("Utkastet er lagret")).to_be_visible()
    expect(page.get_by_test_id("list-position").first).to_have_text(
        "Side 2 av 3 (linje 101–200 av 300)"
    )
    assert saved_dues(big_list, "Medlem 0042") == Decimal("42.00")


def test_without_javascript_the_list_is_searched_paged_and_saved(browser, live_server, big_list):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, "10000001", PASSWORD)
        page.goto(reverse("deductions:list_edit", args=[big_list.public_id]))
        dues(page, "Medlem 0042").fill("321,50")
        page.get_by_role("button", name="Lagre utkast").click()
        expect(page.get_by_text("Utkastet er lagret")).to_be_visible()
        assert saved_dues(big_list, "Medlem 0042") == Decimal("321.50")

        search(page).fill("medlem 02")
        page.get_by_role("button", name="Søk").click()
        expect(page.get_by_test_id("list-position").first).to_have_text(
            "Side 1 av 1 (linje 1–100 av 100 treff)"
        )
        dues(page, "Medlem 0250").fill("25")
        page.get_by_role("button", name="Lagre utkast").click()
        expect(page.get_by_text("Utkastet er lagret")).to_be_visible()
        expect(search(page)).to_have_value("medlem 02")  # back on the same rows
        expect(dues(page, "Medlem 0250")).to_have_value("25,00")

        search(page).fill("")
        page.get_by_role("button", name="Søk").click()
        page.get_by_role("link", name="Side 3").first.click()
        expect(dues(page, "Medlem 0299")).to_be_visible()
    finally:
        context.close()


def phone(browser, live_server, big_list):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="nb-NO"
    )
    page = context.new_page()
    log_in(page, "10000001", PASSWORD)
    page.goto(reverse("deductions:list_edit", args=[big_list.public_id]))
    expect(row(page, "Medlem 0001")).to_be_visible()
    return context, page


# Everything in the page's main part whose right edge is past the screen's.
WIDER_THAN_SCREEN = """() => Array.from(document.querySelectorAll("main *"))
    .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map((element) => element.tagName + "." + element.className)"""


def test_the_list_form_on_a_phone_is_one_block_a_person_with_labels(browser, live_server, big_list):
    context, page = phone(browser, live_server, big_list)
    try:
        assert page.evaluate("document.querySelector('main').scrollWidth") <= 390
        assert page.evaluate(WIDER_THAN_SCREEN) == []
        block = row(page, "Medlem 0001").bounding_box()
        assert block["x"] >= 0 and block["x"] + block["width"] <= 390
        assert block["height"] > 150  # the fields one under the other, not one line
        label = row(page, "Medlem 0001").locator("td[data-label='Kontingent']")
        assert label.evaluate("cell => getComputedStyle(cell, '::before').content") == (
            '"Kontingent"'
        )
        dues(page, "Medlem 0001").fill("12")
        expect(total(page)).to_have_text(total_text(big_list.total + 12))
    finally:
        settle(page)  # the dues typed are saved before the page goes, not during teardown
        context.close()


def test_the_whole_list_form_page_on_a_phone_does_not_scroll_sideways(
    browser, live_server, big_list
):
    context, page = phone(browser, live_server, big_list)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
