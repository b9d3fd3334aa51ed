"""Django admin for employers."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from employers.models import Employer

pytestmark = pytest.mark.django_db


def add_employer(superuser_client, **fields):
    data = {
        "number": "94009999",
        "name": "Testbedriften AS",
        "organisation_number": "974760673",
        "active": "on",
        "address": "Gata 1",
        "postcode": "0150",
        "city": "OSLO",
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        **fields,
    }
    return superuser_client.post(reverse("admin:employers_employer_add"), data)


def test_employer_with_valid_organisation_number_is_saved(superuser_client):
    assert add_employer(superuser_client).status_code == 302
    assert Employer.objects.filter(number="94009999", organisation_number="974760673").exists()


@pytest.mark.parametrize("number", ["974760672", "97476067", "abcdefghi"])
def test_organisation_number_failing_mod11_is_refused(superuser_client, number):
    response = add_employer(superuser_client, organisation_number=number)
    assert response.status_code == 200
    assert "Organisasjonsnummeret er ikke gyldig" in response.content.decode()
    assert not Employer.objects.exists()


def test_employer_number_must_be_8_digits_and_unique(superuser_client, employer):
    response = add_employer(superuser_client, number="9400")
    assert "nøyaktig åtte sifre" in response.content.decode()
    response = add_employer(superuser_client, number=employer.number)
    assert response.status_code == 200
    assert Employer.objects.count() == 1


def test_employer_change_page_has_the_roles_inline(superuser_client, owner, employer):
    response = superuser_client.get(reverse("admin:employers_employer_change", args=[employer.pk]))
    body = response.content.decode()
    assert 'name="roles-TOTAL_FORMS"' in body
    assert "Kari Nordmann (10000001)" in body


def test_staff_add_a_role_on_the_employer_page(superuser_client, owner, other_employer):
    data = {
        "number": other_employer.number,
        "name": other_employer.name,
        "organisation_number": "",
        "active": "on",
        "address": other_employer.address,
        "postcode": other_employer.postcode,
        "city": other_employer.city,
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "roles-0-user": owner.pk,
        "roles-0-kind": "contact",
    }
    url = reverse("admin:employers_employer_change", args=[other_employer.pk])
    assert superuser_client.post(url, data).status_code == 302
    assert owner.roles.filter(employer=other_employer).exists()


@pytest.mark.parametrize(("query", "expected"), [("Avinor", "00080000"), ("94001761", "94001761")])
def test_employer_admin_searches_by_name_and_number(
    superuser_client, employer, other_employer, query, expected
):
    response = superuser_client.get(reverse("admin:employers_employer_changelist"), {"q": query})
    assert [e.number for e in response.context["cl"].result_list] == [expected]


def test_user_autocomplete_for_the_roles_inline_works(superuser_client, owner, employer):
    response = superuser_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "accounts", "model_name": "role", "field_name": "user", "term": "Kari"},
    )
    assert response.status_code == 200
    assert "Kari Nordmann" in response.content.decode()


def test_changing_an_employer_is_audited_with_that_employer(superuser_client, staff, employer):
    data = {
        "number": employer.number,
        "name": "Systemadministrasjonen",
        "organisation_number": "",
        "active": "",
        "address": employer.address,
        "postcode": employer.postcode,
        "city": employer.city,
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
    }
    url = reverse("admin:employers_employer_change", args=[employer.pk])
    assert superuser_client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="admin_change")
    assert event.employer == employer
    assert event.actor == staff
    assert event.details["change"] == [{"changed": {"fields": ["Aktiv"]}}]
