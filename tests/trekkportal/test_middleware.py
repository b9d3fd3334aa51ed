"""Requests every page refuses before a view sees them."""

import pytest
from django.urls import reverse

from tests.deductions.basis_data import two_published_months
from tests.deductions.conftest import rates  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def february(rates, employer):  # noqa: F811
    return two_published_months(employer)


def assert_refused_in_norwegian(response):
    assert response.status_code == 400
    body = response.content.decode()
    assert '<html lang="nb">' in body
    assert "Adressen inneholder et ugyldig tegn" in body
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("deductions:basis_full", "q=a%00b"),
        ("deductions:basis_changes", "q=a%00b"),
        ("deductions:basis_full", "sorter=navn%00"),
        ("deductions:basis_full", "q%00=a"),
    ],
)
def test_a_nul_byte_in_a_contacts_query_string_is_a_clear_400(owner_client, february, name, query):
    url = reverse(name, args=["2021-02"])
    assert owner_client.get(f"{url}?q=Linda").status_code == 200
    assert_refused_in_norwegian(owner_client.get(f"{url}?{query}"))


@pytest.mark.parametrize(
    "url",
    [
        reverse("deductions:staff_overview", args=["2021-02"]) + "?q=a%00b",
        reverse("deductions:staff_overview_csv", args=["2021-02"]) + "?vis=a%00b",
        reverse("messaging:staff_inbox") + "?bedrift=a%00b",
    ],
)
def test_a_nul_byte_in_a_staff_pages_query_string_is_a_clear_400(staff_client, february, url):
    assert_refused_in_norwegian(staff_client.get(url))


def test_a_nul_byte_in_the_login_pages_query_string_is_a_clear_400(client):
    assert_refused_in_norwegian(client.get(reverse("two_factor:login") + "?next=/%00"))
