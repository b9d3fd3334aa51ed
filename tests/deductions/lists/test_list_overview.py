"""Staff's overview of one month's lists across employers, with filter and CSV export."""

import csv
import io

import pytest
from django.urls import reverse

from employers.models import Employer
from tests.deductions.lists.conftest import deliver, form_data, position_of, start_list

URL = reverse("deductions:list_overview_month", args=["2021-02"])


@pytest.fixture
def one_delivered(owner_client, february):
    deduction_list = start_list(owner_client)
    owner_client.post(
        reverse("deductions:list_edit", args=[deduction_list.public_id]),
        form_data(deduction_list, **{f"l-{position_of(deduction_list, 'Hauge Linda')}-home": "0"}),
    )
    deliver(owner_client, deduction_list)
    deduction_list.refresh_from_db()
    return deduction_list


def test_staff_see_each_employer_delivered_or_not_with_totals_and_deviations(
    staff_client, one_delivered
):
    response = staff_client.get(URL)
    assert response.status_code == 200
    rows = {row.employer.number: row for row in response.context["rows"]}
    assert rows["94001761"].status_label == "Levert"
    assert rows["94001761"].delivered_total == one_delivered.total
    assert rows["94001761"].deviations == one_delivered.deviation_count == 1
    assert rows["00080000"].status_label == "Ikke levert"
    assert "1 av 2 bedrifter har levert" in response.text


@pytest.mark.parametrize(
    ("status", "numbers"), [("levert", {"94001761"}), ("ikke-levert", {"00080000"})]
)
def test_staff_filter_by_status(staff_client, one_delivered, status, numbers):
    response = staff_client.get(URL, {"status": status})
    assert {row.employer.number for row in response.context["rows"]} == numbers


def test_staff_filter_by_name(staff_client, one_delivered):
    response = staff_client.get(URL, {"q": "avinor"})
    assert [row.employer.name for row in response.context["rows"]] == ["Avinor AS"]


def test_the_csv_export_neutralises_formula_text(staff_client, one_delivered):
    Employer.objects.filter(number="00080000").update(name="=cmd|' /C calc'!A0")
    response = staff_client.get(URL, {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Bedriftsnr.", "Bedrift", "Status", "Lister levert", "Sum levert", "Avvik"]
    names = [row[1] for row in rows[1:]]
    assert "'=cmd|' /C calc'!A0" in names


def test_the_overview_takes_a_bounded_number_of_queries(
    staff_client, one_delivered, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        assert staff_client.get(URL).status_code == 200


def test_without_a_month_the_overview_opens_the_current_one(staff_client, db):
    response = staff_client.get(reverse("deductions:list_overview"))
    assert response.status_code == 302
