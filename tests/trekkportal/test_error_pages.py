"""Our own Norwegian pages for 400, 403, 404, a refused form and 500, as production shows them."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

pytestmark = pytest.mark.urls("tests.trekkportal.error_urls")

HOME_LINK = f'href="{reverse("home")}"'


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def assert_norwegian_page(response, status, heading):
    assert response.status_code == status
    body = response.content.decode()
    assert '<html lang="nb">' in body
    assert heading in body
    assert "Trekkportalen</a>" in body  # the header
    assert f"{HOME_LINK}>Gå til forsiden</a>" in body
    return body


@pytest.mark.django_db
def test_unknown_address_is_a_norwegian_404(client):
    assert_norwegian_page(client.get("/finnes-ikke/"), 404, "Vi fant ikke siden")


@pytest.mark.django_db
def test_unknown_address_keeps_the_logged_in_users_menu(owner_client):
    body = assert_norwegian_page(owner_client.get("/finnes-ikke/"), 404, "Vi fant ikke siden")
    assert "Logg ut" in body


@pytest.mark.django_db
def test_permission_denied_is_a_norwegian_403(owner_client):
    assert_norwegian_page(owner_client.get("/feil/403/"), 403, "Du har ikke tilgang")


@pytest.mark.django_db
def test_suspicious_request_is_a_norwegian_400(client):
    assert_norwegian_page(client.get("/feil/400/"), 400, "Forespørselen kunne ikke behandles")


@pytest.mark.django_db
def test_form_without_csrf_token_is_a_norwegian_403(owner):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("two_factor:login"), {"auth-username": "10000001"})
    body = assert_norwegian_page(response, 403, "Skjemaet ble avvist")
    assert "informasjonskapsler" in body
    assert "CSRF" not in body


def test_crash_is_a_norwegian_500(caplog):
    client = Client(raise_request_exception=False)
    body = assert_norwegian_page(client.get("/feil/500/"), 500, "Noe gikk galt hos oss")
    assert "Server Error" not in body
    # The page is for the view's own error, not one met while handling it.
    assert [str(record.exc_info[1]) for record in caplog.records if record.exc_info] == ["test"]


def test_500_page_renders_without_the_database():
    # No django_db mark: the database is blocked, and any query here raises.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Noe gikk galt hos oss" in response.content.decode()
