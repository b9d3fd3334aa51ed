"""Nothing typed in the list form is lost: it saves itself, says when (and when it could not),
does not overwrite a colleague's line, and brings the typing back after the session ended."""

import re
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from deductions.lists.services import list_start
from deductions.national_ids import synthetic_national_id
from tests.browser.conftest import log_in, settle
from tests.conftest import PASSWORD, make_user
from tests.deductions.basis_data import two_published_months
from tests.deductions.conftest import rates  # noqa: F401 (fixture)

SAVED = re.compile(r"^Lagret \d\d:\d\d$")


@pytest.fixture(autouse=True)
def _quick_autosave(settings):
    settings.LIST_AUTOSAVE_DELAY = 0.2  # seconds after the last keystroke; 5 in production
    settings.LIST_AUTOSAVE_MAX_DELAY = 1


@pytest.fixture
def draft(rates, employer, other_employer, owner, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    basis = two_published_months(employer)
    return list_start(basis=basis, actor=owner)


def open_draft(page, draft, username="10000001"):
    log_in(page, username, PASSWORD)
    page.goto(reverse("deductions:list_edit", args=[draft.public_id]))
    expect(page.get_by_label("Kontingent, Hauge Linda")).to_be_visible()
    return page


def status(page):
    return page.get_by_test_id("autosave-status")


def dues(draft, name):
    return draft.lines.get(name=name).dues


def test_typing_is_saved_without_pressing_save(page, draft):
    open_draft(page, draft)

    page.get_by_label("Kontingent, Hauge Linda").fill("400")

    expect(status(page)).to_have_text(SAVED)
    assert dues(draft, "Hauge Linda") == Decimal("400.00")
    draft.refresh_from_db()
    assert draft.total == Decimal("400.00") + Decimal("261.00")
    # The form's own save afterwards is no conflict with the autosave's.
    page.get_by_label("Kontingent, Ny Nina").fill("100")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_text("Utkastet er lagret.")).to_be_visible()
    assert dues(draft, "Ny Nina") == Decimal("100.00")
    assert dues(draft, "Hauge Linda") == Decimal("400.00")


def test_an_autosave_that_cannot_reach_the_server_says_so_and_can_be_retried(page, draft):
    open_draft(page, draft)
    page.route("**/autolagre/", lambda route: route.abort())

    page.get_by_label("Kontingent, Hauge Linda").fill("400")

    expect(status(page)).to_have_text(re.compile("^Ikke lagret: får ikke kontakt med serveren"))
    assert dues(draft, "Hauge Linda") == Decimal("0.00")
    page.unroute("**/autolagre/")
    page.get_by_role("button", name="Prøv igjen").click()
    expect(status(page)).to_have_text(SAVED)
    assert dues(draft, "Hauge Linda") == Decimal("400.00")


def test_a_server_error_is_shown_never_silent(page, draft):
    open_draft(page, draft)
    page.route("**/autolagre/", lambda route: route.fulfill(status=500, body="Server Error"))

    page.get_by_label("Kontingent, Hauge Linda").fill("400")

    expect(status(page)).to_have_text(re.compile(r"^Ikke lagret: feil på serveren \(500\)"))
    expect(page.get_by_role("button", name="Prøv igjen")).to_be_visible()


def test_a_bad_amount_is_marked_on_its_line_and_the_others_are_saved(page, draft):
    open_draft(page, draft)

    page.get_by_label("Kontingent, Hauge Linda").fill("tolv")
    page.get_by_label("Kontingent, Ny Nina").fill("75")

    expect(status(page)).to_have_text(re.compile(r"men ikke 1 linje"))
    expect(page.get_by_label("Kontingent, Hauge Linda")).to_have_class(re.compile("is-invalid"))
    expect(page.get_by_text("Ikke lagret: «tolv» er ikke et beløp")).to_be_visible()
    assert dues(draft, "Ny Nina") == Decimal("75.00")


def test_two_editors_the_later_save_reports_the_conflict(page, browser, live_server, draft):
    colleague = make_user("10000009", "Per Kollega")
    Role.objects.create(user=colleague, employer=draft.basis.employer)
    open_draft(page, draft)
    context = browser.new_context(base_url=live_server.url, locale="nb-NO")
    other = open_draft(context.new_page(), draft, "10000009")

    other.get_by_label("Kontingent, Hauge Linda").fill("150")
    expect(status(other)).to_have_text(SAVED)
    page.get_by_label("Kontingent, Hauge Linda").fill("120")

    conflict = page.get_by_test_id("autosave-conflict")
    expect(conflict).to_contain_text("Linjen ble endret av Per Kollega kl.")
    expect(conflict).to_contain_text("Kontingent: ditt beløp 120,00, lagret beløp 150,00")
    expect(status(page)).to_have_text(re.compile("men ikke 1 linje"))
    assert dues(draft, "Hauge Linda") == Decimal("150.00")

    conflict.get_by_role("button", name="Bruk min verdi").click()
    expect(status(page)).to_have_text(SAVED)
    assert dues(draft, "Hauge Linda") == Decimal("120.00")
    settle(other)
    context.close()


@pytest.mark.parametrize("several_roles", [False, True], ids=["one role", "several roles"])
def test_after_the_session_ended_logging_in_returns_to_the_draft_with_the_typing(
    page, draft, owner, other_employer, several_roles
):
    if several_roles:
        Role.objects.create(user=owner, employer=other_employer)
        log_in(page, "10000001", PASSWORD)
        page.get_by_label("Systemadministrasjonen - Trekkontakt").check()
        page.get_by_role("button", name="Fortsett").click()
        page.goto(reverse("deductions:list_edit", args=[draft.public_id]))
    else:
        open_draft(page, draft)
    page.get_by_label("Kontingent, Hauge Linda").fill("400")
    expect(status(page)).to_have_text(SAVED)
    saved_at = status(page).inner_text().removeprefix("Lagret ")

    Session.objects.all().delete()  # the session ends while Kari types
    page.get_by_label("Kontingent, Ny Nina").fill("250")

    expect(status(page)).to_have_text(
        f"Økten din er avsluttet. Det som ble lagret kl. {saved_at} er trygt; endringene etter "
        "det er tatt vare på i denne fanen. Logg inn igjen for å fortsette."
    )
    assert dues(draft, "Ny Nina") == Decimal("0.00")
    kept = page.evaluate("JSON.stringify(sessionStorage)")
    nina = draft.lines.get(name="Ny Nina")
    assert f"l-{nina.position}-dues" in kept and "250" in kept
    assert "Nina" not in kept and nina.national_id not in kept
    page.get_by_role("link", name="Logg inn igjen").click()
    page.get_by_label("Brukernavn").fill("10000001")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    if several_roles:
        page.get_by_label("Systemadministrasjonen - Trekkontakt").check()
        page.get_by_role("button", name="Fortsett").click()

    expect(page.get_by_test_id("autosave-restored")).to_contain_text(
        "Økten din ble avsluttet før alt var lagret. "
        f"Det som ble lagret kl. {saved_at} er på plass."
    )
    expect(page.get_by_label("Kontingent, Ny Nina")).to_have_value("250")
    expect(page.get_by_label("Kontingent, Hauge Linda")).to_have_value("400,00")
    expect(status(page)).to_have_text(SAVED)
    assert dues(draft, "Ny Nina") == Decimal("250.00")
    assert page.evaluate("Object.keys(sessionStorage).length") == 0


def test_leaving_the_page_saves_what_is_left_at_once(page, draft, settings):
    settings.LIST_AUTOSAVE_DELAY = settings.LIST_AUTOSAVE_MAX_DELAY = 600
    open_draft(page, draft)
    page.get_by_label("Kontingent, Hauge Linda").fill("400")
    expect(status(page)).to_have_text("Endringer ikke lagret ennå …")

    with page.expect_response("**/autolagre/"):
        page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")

    expect(status(page)).to_have_text(SAVED)
    assert dues(draft, "Hauge Linda") == Decimal("400.00")


def test_a_new_person_typed_in_is_added_to_the_list_without_pressing_save(page, draft):
    national_id = synthetic_national_id(901)
    open_draft(page, draft)

    page.get_by_label("Fødselsnummer, ny person 1").fill(national_id)
    page.get_by_label("Kontingent, ny person 1").fill("120,50")
    expect(status(page)).to_have_text("En ny person lagres når fødselsnummer og navn er fylt ut.")
    assert page.evaluate("window.trekkAutosave.flush()") is True  # nothing sent: not complete
    assert draft.lines.count() == 3
    page.get_by_label("Navn, ny person 1").fill("Hansen Per")

    expect(status(page)).to_have_text(
        re.compile(r"^Lagret \d\d:\d\d · Hansen Per er lagt til på listen$")
    )
    expect(page.get_by_label("Navn, ny person 1")).to_have_value("")
    expect(page.get_by_label("Fødselsnummer, ny person 1")).to_have_value("")
    expect(page.get_by_label("Kontingent, ny person 1")).to_have_value("")
    hansen = draft.lines.get(national_id=national_id)
    assert (hansen.name, hansen.dues) == ("Hansen Per", Decimal("120.50"))
    assert draft.lines.filter(national_id=national_id).count() == 1
    expect(page.locator("[data-list-total]")).to_contain_text("381,50")  # the total stays
    assert page.evaluate("Object.keys(sessionStorage).length") == 0
    # «Lagre utkast» afterwards adds no one twice.
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_text("Utkastet er lagret.")).to_be_visible()
    assert draft.lines.filter(national_id=national_id).count() == 1


def test_a_new_persons_invalid_national_id_is_shown_on_the_row_and_kept(page, draft):
    open_draft(page, draft)

    page.get_by_label("Navn, ny person 1").fill("Hansen Per")
    page.get_by_label("Fødselsnummer, ny person 1").fill("12345678901")

    expect(page.get_by_text("Ikke lagret: Fødselsnummeret er ikke gyldig")).to_be_visible()
    expect(page.get_by_label("Fødselsnummer, ny person 1")).to_have_class(re.compile("is-invalid"))
    expect(page.get_by_label("Navn, ny person 1")).to_have_value("Hansen Per")
    assert draft.lines.count() == 3


def test_a_half_typed_new_person_is_back_after_the_session_ended(page, draft):
    open_draft(page, draft)
    page.get_by_label("Kontingent, Hauge Linda").fill("400")
    expect(status(page)).to_have_text(SAVED)

    Session.objects.all().delete()  # the session ends while Kari types a new person
    page.get_by_label("Navn, ny person 1").fill("Hansen Per")
    page.get_by_label("Kontingent, Hauge Linda").fill("410")  # a save now meets the end
    expect(status(page)).to_contain_text("Økten din er avsluttet.")
    assert "Hansen Per" in page.evaluate("JSON.stringify(sessionStorage)")
    page.get_by_role("link", name="Logg inn igjen").click()
    page.get_by_label("Brukernavn").fill("10000001")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()

    expect(page.get_by_test_id("autosave-restored")).to_contain_text(
        "det du skrev om 1 ny person som ikke var lagret, er hentet fra denne fanen"
    )
    expect(page.get_by_label("Navn, ny person 1")).to_have_value("Hansen Per")
    expect(page.get_by_label("Kontingent, Hauge Linda")).to_have_value("410")
    expect(status(page)).to_have_text(SAVED)
    assert dues(draft, "Hauge Linda") == Decimal("410.00")
    assert not draft.lines.filter(name="Hansen Per").exists()  # not complete: not added
    # Completing it adds the person, and empties the row and the tab's storage.
    page.get_by_label("Fødselsnummer, ny person 1").fill(synthetic_national_id(901))
    expect(status(page)).to_contain_text("Hansen Per er lagt til på listen")
    expect(page.get_by_label("Navn, ny person 1")).to_have_value("")
    assert draft.lines.filter(name="Hansen Per").count() == 1
    assert page.evaluate("Object.keys(sessionStorage).length") == 0


def test_a_new_person_saved_with_lagre_utkast_is_not_added_twice_nor_typed_back(
    page, draft, settings
):
    settings.LIST_AUTOSAVE_DELAY = settings.LIST_AUTOSAVE_MAX_DELAY = 600
    national_id = synthetic_national_id(901)
    open_draft(page, draft)
    page.get_by_label("Navn, ny person 1").fill("Hansen Per")
    page.get_by_label("Fødselsnummer, ny person 1").fill(national_id)
    expect(status(page)).to_have_text("Endringer ikke lagret ennå …")

    page.get_by_role("button", name="Lagre utkast").click()

    expect(page.get_by_text("Utkastet er lagret.")).to_be_visible()
    expect(status(page)).to_contain_text("Hansen Per er lagt til på listen")
    expect(page.get_by_label("Navn, ny person 1")).to_have_value("")
    expect(page.get_by_test_id("autosave-restored")).to_be_hidden()
    assert draft.lines.filter(national_id=national_id).count() == 1
    assert page.evaluate("Object.keys(sessionStorage).length") == 0


def test_the_return_after_the_session_ended_is_to_the_same_view_of_the_list(page, draft):
    log_in(page, "10000001", PASSWORD)
    page.goto(reverse("deductions:list_edit", args=[draft.public_id]) + "?q=Nina")
    expect(page.get_by_label("Kontingent, Ny Nina")).to_be_visible()
    expect(page.get_by_label("Kontingent, Hauge Linda")).to_have_count(0)

    Session.objects.all().delete()
    page.get_by_label("Kontingent, Ny Nina").fill("250")
    expect(page.get_by_role("link", name="Logg inn igjen")).to_be_visible()
    page.get_by_role("link", name="Logg inn igjen").click()
    page.get_by_label("Brukernavn").fill("10000001")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()

    expect(page).to_have_url(re.compile(r"/rediger/\?q=Nina$"))
    expect(page.get_by_label("Kontingent, Ny Nina")).to_have_value("250")
    expect(status(page)).to_have_text(SAVED)
    assert dues(draft, "Ny Nina") == Decimal("250.00")
