"""A contact hands over the role: invites a colleague, staff approve, the colleague sets a
first password and logs in, and the contact gives up the role."""

import re

from django.core import mail
from playwright.sync_api import expect

from accounts.models import Role, RoleInvitation
from tests.browser.conftest import log_in, open_user_menu
from tests.conftest import PASSWORD

NEW_PASSWORD = "blå-fjell-over-havet"


def test_contact_invites_a_successor_and_gives_up_the_role(page, owner, employer, staff):
    log_in(page, owner.username, PASSWORD)
    open_user_menu(page)
    page.get_by_role("link", name="Inviter en kollega").click()
    expect(page.get_by_role("heading", name="Inviter en kollega")).to_be_visible()
    expect(page.get_by_text("forbundet godkjenner invitasjonen først")).to_be_visible()
    page.get_by_label("Navn").fill("Siri Berg")
    page.get_by_label("E-post").fill("siri@example.com")
    page.get_by_role("button", name="Send invitasjon").click()
    expect(page.get_by_text("Invitasjonen til Siri Berg er sendt til forbundet")).to_be_visible()

    # Until staff approve, the contact is still the only one and cannot leave.
    open_user_menu(page)
    page.get_by_role("link", name="Gi fra meg rollen").click()
    expect(page.get_by_text("Du er den eneste trekkontakten")).to_be_visible()

    # Staff approve in admin (tested there); the colleague gets the first-password link.
    RoleInvitation.objects.get().approve(by=staff, request=None)
    (link_mail,) = [m for m in mail.outbox if m.to == ["siri@example.com"]]
    url = re.search(r"http://\S+/glemt-passord/lenke/\S+/", link_mail.body).group(0)
    username = re.search(r"Brukernavnet ditt er (\d{8})", link_mail.body).group(1)

    page.reload()
    page.get_by_label("Jeg vil ikke lenger være trekkontakt").check()
    page.get_by_role("button", name="Gi fra meg rollen").click()
    expect(
        page.get_by_text("Du er ikke lenger trekkontakt for Systemadministrasjonen")
    ).to_be_visible()
    assert not Role.objects.filter(user=owner).exists()
    page.locator("#main").get_by_role("button", name="Logg ut").click()  # the no-role page's

    page.goto(url)
    page.get_by_label(re.compile(r"^\s*Nytt passord")).fill(NEW_PASSWORD)
    page.get_by_label("Gjenta nytt passord").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Lagre passord").click()
    log_in(page, username, NEW_PASSWORD)
    expect(page.get_by_test_id("employer")).to_contain_text("Møllergata 10")
