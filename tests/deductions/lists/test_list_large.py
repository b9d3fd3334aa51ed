"""A 2,000-line list: every page and the save take a bounded number of queries."""

import pytest
from django.urls import reverse

from tests.deductions.lists.conftest import form_data, start_list
from tests.deductions.test_basis_pages import big_month

SIZE = 2000


@pytest.fixture
def big_list(rates, employer, owner_client):
    basis = big_month(employer, SIZE)
    deduction_list = start_list(owner_client, basis.period)
    assert deduction_list.lines.count() == SIZE
    return deduction_list


@pytest.mark.parametrize(
    "query", ["", "?side=4", "?q=medlem+1&vis=ikke-utfylt&side=2", "?vis=avvik"]
)
def test_a_page_of_the_form_of_a_2000_line_list_takes_a_bounded_number_of_queries(
    owner_client, big_list, query, settings, django_assert_max_num_queries
):
    url = reverse("deductions:list_edit", args=[big_list.public_id]) + query
    with django_assert_max_num_queries(12):
        response = owner_client.get(url)
    assert response.status_code == 200
    if not query or query == "?side=4":
        # One page of lines: five inputs each and the fingerprint of what they show (`-was`).
        assert response.text.count('name="l-') == settings.LIST_FORM_PAGE_SIZE * 6


def test_saving_every_line_of_a_2000_line_list_takes_a_bounded_number_of_queries(
    owner_client, big_list, django_assert_max_num_queries
):
    url = reverse("deductions:list_edit", args=[big_list.public_id])
    data = form_data(big_list)  # every member's dues changed from 0 to 100
    # Batches of inserts: SQLite takes at most 999 parameters a statement, so ~25 batches here.
    with django_assert_max_num_queries(60):
        response = owner_client.post(url, data)
    assert response.status_code == 302
    big_list.refresh_from_db()
    assert big_list.lines.filter(dues=100).count() == SIZE


@pytest.mark.parametrize("name", ["list_confirm", "list_detail"])
def test_the_pages_of_a_2000_line_list_take_a_bounded_number_of_queries(
    owner_client, big_list, name, django_assert_max_num_queries
):
    url = reverse(f"deductions:{name}", args=[big_list.public_id])
    with django_assert_max_num_queries(15):
        response = owner_client.get(url)
    assert response.status_code == 200


def test_the_month_table_stays_bounded_with_lists(
    owner_client, big_list, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        response = owner_client.get(reverse("home"))
    assert "Fortsett trekkliste i nettskjema" in response.text


def test_the_rows_alone_and_the_scripts_save_take_a_bounded_number_of_queries(
    owner_client, big_list, settings, django_assert_max_num_queries
):
    url = reverse("deductions:list_edit", args=[big_list.public_id])
    with django_assert_max_num_queries(12):
        response = owner_client.get(url + "?q=medlem&side=3&del=rader")
    assert response.text.count("<tr data-line") == settings.LIST_FORM_PAGE_SIZE
    page = {
        name: value
        for name, value in form_data(big_list).items()
        if name == "new-count" or int(name.split("-")[1]) < settings.LIST_FORM_PAGE_SIZE
    }
    with django_assert_max_num_queries(30):
        response = owner_client.post(url, page, HTTP_X_REQUESTED_WITH="fetch")
    assert response.json()["ok"] is True
    assert big_list.lines.filter(dues=100).count() == settings.LIST_FORM_PAGE_SIZE


def test_the_rest_of_a_long_pasted_column_takes_a_bounded_number_of_queries(
    owner_client, big_list, django_assert_max_num_queries
):
    url = reverse("deductions:list_paste", args=[big_list.public_id])
    with django_assert_max_num_queries(40):
        response = owner_client.post(url, {"etter": "199", "verdier": "\n".join(["5"] * 1000)})
    assert response.json() == {"ok": True, "filled": 1000, "left": 0}
    assert list(big_list.lines.filter(dues=5).values_list("position", flat=True)) == list(
        range(200, 1200)
    )
