"""Every list URL, walked by a contact of another employer: a 404 with nothing leaked."""

import pytest
from django.urls import reverse

from deductions.models import Basis
from tests.deductions.lists.conftest import deliver, form_data, start_list

PERIOD_URLS = [
    ("deductions:list_new", ["2021-02"]),
    ("deductions:list_upload", ["2021-02"]),
    ("deductions:list_template", ["2021-02", "csv"]),
    ("deductions:list_template", ["2021-02", "xlsx"]),
]
LIST_URLS = [
    "list_detail",
    "list_edit",
    "list_autosave",
    "list_confirm",
    "list_pdf",
    "list_paste",
]


@pytest.fixture
def delivered(owner_client, february, other_employer):
    Basis.objects.filter(employer=other_employer).delete()  # the outsider has no months
    deduction_list = start_list(owner_client)
    owner_client.post(
        reverse("deductions:list_edit", args=[deduction_list.public_id]),
        form_data(deduction_list),
    )
    deliver(owner_client, deduction_list)
    return deduction_list


def assert_nothing_leaks(response):
    assert response.status_code == 404
    assert b"Hauge Linda" not in response.getvalue()
    assert b"Systemadministrasjonen" not in response.getvalue()


@pytest.mark.parametrize(("name", "args"), PERIOD_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_contact_cannot_use_other_employers_month_urls(
    outsider_client, delivered, name, args, method
):
    assert_nothing_leaks(getattr(outsider_client, method)(reverse(name, args=args)))


@pytest.mark.parametrize("name", LIST_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_contact_cannot_use_other_employers_list_urls(outsider_client, delivered, name, method):
    url = reverse(f"deductions:{name}", args=[delivered.public_id])
    response = getattr(outsider_client, method)(url, form_data(delivered))
    assert_nothing_leaks(response)
    delivered.refresh_from_db()
    assert delivered.deliveries.count() == 1


def test_the_list_reference_is_not_a_sequential_number(owner_client, delivered):
    url = reverse("deductions:list_detail", args=[delivered.public_id])
    assert str(delivered.public_id) in url
    assert f"/{delivered.pk}/" not in url


def test_a_malformed_reference_is_a_404(owner_client, delivered):
    assert owner_client.get("/trekk/trekklister/1/").status_code == 404


def test_the_staff_month_page_with_the_lists_is_a_404_for_contacts(owner_client, delivered):
    url = reverse("deductions:staff_overview", args=["2021-02"])
    assert owner_client.get(url).status_code == 404
