"""Every basis URL, walked by a contact of another employer: always a 404, nothing leaks."""

import pytest
from django.urls import reverse

from deductions.models import Basis
from tests.deductions.basis_data import two_published_months

URLS = [
    ("deductions:basis_full", ["2021-02"]),
    ("deductions:basis_changes", ["2021-02"]),
    *[
        ("deductions:basis_download", ["2021-02", view, fmt])
        for view in ("grunnlag", "endringer")
        for fmt in ("csv", "xlsx", "pdf")
    ],
]


@pytest.fixture
def february(rates, employer, other_employer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return two_published_months(employer)


@pytest.fixture
def only_employer_has_months(february, other_employer):
    Basis.objects.filter(employer=other_employer).delete()
    return february


@pytest.mark.parametrize(("name", "args"), URLS)
def test_contact_cannot_open_other_employers_basis(
    outsider_client, only_employer_has_months, name, args
):
    response = outsider_client.get(reverse(name, args=args))
    assert response.status_code == 404
    assert b"Hauge Linda" not in response.getvalue()
    assert b"Systemadministrasjonen" not in response.getvalue()


@pytest.mark.parametrize(("name", "args"), URLS)
def test_the_same_url_shows_the_outsider_only_their_own_month(
    outsider_client, february, name, args
):
    """Every active employer has a basis each month: the URL names a month, the role the
    employer."""
    response = outsider_client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert b"Hauge Linda" not in response.getvalue()
    assert b"Systemadministrasjonen" not in response.getvalue()


@pytest.mark.parametrize(("name", "args"), URLS)
def test_the_owner_can_open_every_basis_url(owner_client, february, name, args):
    assert owner_client.get(reverse(name, args=args)).status_code == 200


def test_outsiders_month_list_shows_only_their_own_months(
    outsider_client, february, other_employer
):
    response = outsider_client.get(reverse("deductions:month_list"))
    assert response.status_code == 200
    assert {basis.employer for basis in response.context["months"]} == {other_employer}


@pytest.mark.parametrize(("name", "args"), URLS)
def test_anonymous_visitors_are_sent_to_log_in(client, february, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert "/logg-inn/" in response["Location"]
