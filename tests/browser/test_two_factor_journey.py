import re
from base64 import b32decode

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
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


def test_staff_types_the_code_and_presses_enter_to_log_in(page, staff):
    """Enter in the code field confirms the code; it used to press «Tilbake» and start over."""
    device = TOTPDevice.objects.create(user=staff, name="default", confirmed=True)
    log_in(page, "90000001", PASSWORD)
    code = page.get_by_label(CODE_FIELD)
    code.fill(f"{totp(device.bin_key):06d}")
    code.press("Enter")
    expect(page.get_by_role("button", name="Logg ut")).to_be_attached()
    expect(page.get_by_label(CODE_FIELD)).to_have_count(0)


def test_enter_on_the_setup_code_step_confirms_the_code(page, owner):
    log_in(page, "10000001", PASSWORD)
    page.goto("/konto/tofaktor/")
    page.get_by_role("link", name="Slå på tofaktorinnlogging").click()
    page.get_by_role("button", name="Neste").click()
    page.get_by_label("Autentiseringsapp").check()
    page.get_by_role("button", name="Neste").click()
    key = b32decode(page.get_by_test_id("totp-secret").inner_text())
    code = page.get_by_label(CODE_FIELD)
    code.fill(f"{totp(key):06d}")
    code.press("Enter")
    expect(page.get_by_role("heading", name="Tofaktorinnlogging er slått på")).to_be_visible()
