import re

from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.conftest import log_in

NEW_PASSWORD = "blå-fjell-over-havet"


def test_new_contact_sets_a_first_password_through_the_email_link_and_logs_in(page, employer):
    contact = User.objects.create_user(
        username="10000005", full_name="Per Hansen", email="per@example.com"
    )
    contact.roles.create(employer=employer)

    page.goto("/logg-inn/")
    page.get_by_role("link", name="Glemt passord?").click()
    expect(page.get_by_role("heading", name="Glemt passord")).to_be_visible()
    page.get_by_label("Brukernavn").fill("10000005")
    page.get_by_label("E-post").check()
    page.get_by_role("button", name="Send lenke").click()
    expect(page.get_by_role("heading", name="Sjekk e-posten din")).to_be_visible()

    url = re.search(r"http://\S+/glemt-passord/lenke/\S+/", mail.outbox[0].body).group(0)
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/konto/glemt-passord/nytt/$"))
    page.get_by_label(re.compile(r"^\s*Nytt passord")).fill("kort")
    page.get_by_label("Gjenta nytt passord").fill("kort")
    page.get_by_role("button", name="Lagre passord").click()
    expect(
        page.get_by_text("Passordet er for kort. Det må bestå av minst 10 tegn.")
    ).to_be_visible()

    page.get_by_label(re.compile(r"^\s*Nytt passord")).fill(NEW_PASSWORD)
    page.get_by_label("Gjenta nytt passord").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Lagre passord").click()
    expect(page.get_by_text("Passordet er lagret. Logg inn med det nye passordet.")).to_be_visible()
    expect(page.get_by_role("heading", name="Logg inn")).to_be_visible()

    log_in(page, "10000005", NEW_PASSWORD)
    expect(page.get_by_test_id("employer")).to_contain_text("Møllergata 10")

    # The link was for one use only.
    page.goto(url)
    expect(page.get_by_role("heading", name="Lenken virker ikke lenger")).to_be_visible()
