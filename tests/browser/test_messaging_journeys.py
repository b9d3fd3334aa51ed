"""The message journey: Kari writes with an attachment, switches role, Nora answers, Kari reads."""

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import Role
from employers.models import Employer
from tests.browser.conftest import log_in, log_out, open_user_menu
from tests.conftest import PASSWORD
from tests.messaging.conftest import PDF_BYTES

TOTP_KEY = "3132333435363738393031323334353637383930"


@pytest.fixture
def museum(db):
    return Employer.objects.create(number="94002001", name="Stiftinga Vest-Telemark Museum")


@pytest.fixture
def nora(staff):
    TOTPDevice.objects.create(user=staff, name="default", key=TOTP_KEY, confirmed=True)
    return staff


def current_code(user):
    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def latest_box(page):
    return page.get_by_test_id("latest-messages")


def test_kari_writes_switches_role_nora_answers_and_kari_reads(
    page, owner, employer, museum, nora, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    Role.objects.create(user=owner, employer=museum)

    # Kari, acting for Systemadministrasjonen, writes with an attachment.
    log_in(page, "10000001", PASSWORD)
    page.get_by_label("Systemadministrasjonen - Trekkontakt").check()
    page.get_by_role("button", name="Fortsett").click()
    expect(latest_box(page)).to_contain_text("Siste meldinger (0 uleste meldinger)")
    latest_box(page).get_by_role("link", name="Ny melding").click()
    page.get_by_label("Emne").fill("Medlem sluttet i februar")
    page.get_by_label("Tekst").fill("Hei! Skal vi trekke for hele februar?")
    page.get_by_label("Vedlegg").set_input_files(
        files=[{"name": "sluttbrev.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.get_by_role("button", name="Send melding").click()
    expect(page.get_by_role("status")).to_contain_text("Meldingen er sendt")
    expect(page.get_by_test_id("message")).to_contain_text(
        "som trekkontakt for Systemadministrasjonen"
    )

    # She switches to the museum: the message is still in her mailbox.
    open_user_menu(page)
    page.get_by_role("button", name="Stiftinga Vest-Telemark Museum - Trekkontakt").click()
    expect(latest_box(page)).to_contain_text("Medlem sluttet i februar")
    page.get_by_role("link", name="Alle meldinger").click()
    expect(page.get_by_role("link", name="Medlem sluttet i februar")).to_be_visible()
    log_out(page)

    # Nora passes two-factor, reads the message and its attachment, and answers.
    log_in(page, "90000001", PASSWORD)
    page.locator("input[name='token-otp_token']").fill(current_code(nora))
    page.get_by_role("button", name="Bekreft").click()
    page.goto("/meldinger/stab/")
    expect(page.get_by_test_id("unread-summary")).to_have_text("1 ulest melding")
    page.get_by_role("link", name="Medlem sluttet i februar").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="sluttbrev.pdf").click()
    assert download.value.suggested_filename == "sluttbrev.pdf"
    page.get_by_role("textbox", name="Tekst").fill("Hei Kari! Dere trekker for hele februar.")
    page.get_by_role("button", name="Send svar").click()
    expect(page.get_by_role("status")).to_contain_text("Svaret er sendt til Kari Nordmann")
    log_out(page)

    # Kari sees one unread message, opens it, and the count drops.
    log_in(page, "10000001", PASSWORD)
    page.get_by_label("Stiftinga Vest-Telemark Museum - Trekkontakt").check()
    page.get_by_role("button", name="Fortsett").click()
    expect(latest_box(page)).to_contain_text("Siste meldinger (1 ulest melding)")
    expect(page.get_by_role("link", name="Meldinger 1 ulest melding")).to_be_visible()
    latest_box(page).get_by_role("row", name="Nora Stab").get_by_role("link").click()
    expect(page.get_by_text("Hei Kari! Dere trekker for hele februar.")).to_be_visible()
    page.get_by_role("link", name="Trekkportalen").click()
    expect(latest_box(page)).to_contain_text("Siste meldinger (0 uleste meldinger)")
    expect(page.get_by_role("link", name="Meldinger", exact=True)).to_be_visible()
