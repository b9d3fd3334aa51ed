import re
from base64 import b32decode

from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.conftest import log_in, log_out, open_user_menu
from tests.conftest import PASSWORD

CODE_FIELD = re.compile(r"^\s*Engangskode")


def test_contact_turns_on_an_authenticator_app_and_needs_a_code_at_next_login(page, owner):
    log_in(page, "10000001", PASSWORD)
    open_user_menu(page)
    page.get_by_role("link", name="Tofaktorinnlogging").click()
    page.get_by_role("link", name="Slå på tofaktorinnlogging").click()
    page.get_by_role("button", name="Neste").click()
    page.get_by_label("Autentiseringsapp").check()
    page.get_by_role("button", name="Neste").click()
    expect(page.get_by_role("img", name="QR-kode for autentiseringsappen")).to_be_visible()
    key = b32decode(page.get_by_test_id("totp-secret").inner_text())
    page.get_by_label(CODE_FIELD).fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Neste").click()
    expect(page.get_by_role("heading", name="Tofaktorinnlogging er slått på")).to_be_visible()

    page.get_by_role("link", name="Lag reservekoder").click()
    page.get_by_role("button", name="Lag nye koder").click()
    expect(page.get_by_test_id("backup-codes").locator("li")).to_have_count(10)

    log_out(page)
    log_in(page, "10000001", PASSWORD)
    expect(page.get_by_label(CODE_FIELD)).to_be_visible()
    page.get_by_label(CODE_FIELD).fill(f"{totp(key, drift=1):06d}")
    page.get_by_role("button", name="Bekreft").click()
    expect(page.get_by_test_id("employer")).to_contain_text("Møllergata 10")
