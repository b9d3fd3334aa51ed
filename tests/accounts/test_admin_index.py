import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_index_links_to_every_staff_page(staff_client, staff):
    staff.is_superuser = True
    staff.save()
    body = staff_client.get(reverse("admin:index")).content.decode()
    for url in (
        reverse("messaging:staff_inbox"),
        reverse("deductions:staff_overview_current"),
    ):
        assert f'href="{url}"' in body
    assert "/trekk/trekklister/oversikt/" not in body, "the lists' page is the month page now"


def test_third_party_apps_and_models_have_norwegian_names(superuser_client):
    body = superuser_client.get(reverse("admin:index")).content.decode()
    for name in (
        "Innloggingsforsøk og sperrer",
        "Mislykkede innlogginger",
        "Tofaktor: reservekoder",
        "Autentiseringsapper",
        "Telefoner for koder",
        "Bakgrunnsjobber",
        "Grupper",
    ):
        assert name in body
    for english in (
        "Access attempts",
        "Access failures",
        "Access logs",
        "Otp_Static",
        "Phone devices",
        "TOTP devices",
        "Static devices",
        "Task Results",
        "Groups",
    ):
        assert english not in body
