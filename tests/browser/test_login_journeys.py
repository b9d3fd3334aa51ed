import re

from playwright.sync_api import expect

from accounts.models import Role
from employers.models import Employer
from tests.browser.conftest import log_in, log_out, open_user_menu
from tests.conftest import PASSWORD


def test_kari_picks_a_role_switches_from_the_menu_and_logs_out(page, owner, employer):
    museum = Employer.objects.create(
        number="94002001",
        name="Stiftinga Vest-Telemark Museum",
        address="Museumsvegen 2",
        postcode="3850",
        city="KVITESEID",
    )
    Role.objects.create(user=owner, employer=museum)

    log_in(page, "10000001", PASSWORD)
    expect(page.get_by_role("heading", name="Velg rolle")).to_be_visible()
    page.get_by_label("Systemadministrasjonen - Trekkontakt").check()
    page.get_by_role("button", name="Fortsett").click()
    expect(page.get_by_test_id("employer")).to_contain_text("Møllergata 10")

    open_user_menu(page)
    page.get_by_role("button", name="Stiftinga Vest-Telemark Museum - Trekkontakt").click()
    expect(page.get_by_test_id("employer")).to_contain_text("Museumsvegen 2")
    expect(page.get_by_test_id("employer")).not_to_contain_text("Møllergata")

    log_out(page)
    expect(page.get_by_role("heading", name="Logg inn")).to_be_visible()
    expect(page.get_by_text("Du er logget ut")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/logg-inn/"))


def test_ola_with_one_role_lands_on_his_employer(page, outsider):
    log_in(page, "10000002", PASSWORD)
    expect(page.get_by_test_id("employer")).to_contain_text("Avinor AS")
