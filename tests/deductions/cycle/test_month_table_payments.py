"""The month table shows what was paid next to "Levert"/"Ikke levert"."""

import pytest
from django.urls import reverse

from deductions.basis.services import basis_generate
from deductions.period import Period
from tests.deductions.conftest import make_member
from tests.deductions.cycle.conftest import deliver_list, pay

MARCH = Period(2021, 3)


@pytest.fixture
def march(rates, employer, other_employer):
    make_member("Hauge Linda", employer, MARCH)
    basis_generate(period=MARCH)
    return MARCH


def status_cell(response):
    text = response.text
    start = text.index('data-testid="payment-status"')
    return " ".join(text[start : text.index("</div>", start)].split())


def test_month_without_payment_says_not_paid(march, owner_client):
    response = owner_client.get(reverse("deductions:month_list"))
    assert "Ikke betalt" in status_cell(response)


def test_month_shows_the_amount_paid_with_its_kid(march, owner_client, employer):
    pay(employer, MARCH, "1000.00")
    pay(employer, MARCH, "234.50")
    response = owner_client.get(reverse("deductions:month_list"))
    assert "Betalt kr 1 234,50" in status_cell(response).replace("\xa0", " ")


def test_front_page_month_table_shows_the_payment_too(march, owner_client, employer):
    pay(employer, MARCH, "85.00")
    response = owner_client.get(reverse("home"))
    assert "Betalt kr 85,00" in status_cell(response)


def test_another_employers_payment_is_not_shown(march, owner_client, other_employer):
    pay(other_employer, MARCH, "777.00")
    response = owner_client.get(reverse("deductions:month_list"))
    assert "777" not in response.text
    assert "Ikke betalt" in status_cell(response)


def test_payment_that_differs_from_the_delivered_list_shows_the_difference(
    march, owner_client, employer
):
    pay(employer, MARCH, "900.00")
    deliver_list(employer, MARCH, "1000.00")
    response = owner_client.get(reverse("deductions:month_list"))
    cell = status_cell(response)
    assert "Betalt kr 900,00" in cell
    assert "Avvik mot trekkliste: kr -100,00" in cell


def test_payment_equal_to_the_list_total_shows_no_difference(march, owner_client, employer):
    pay(employer, MARCH, "1000.00")
    deliver_list(employer, MARCH, "1000.00")
    response = owner_client.get(reverse("deductions:month_list"))
    assert "Avvik" not in status_cell(response)


def test_month_list_queries_stay_bounded_with_many_paid_months(
    rates, employer, owner_client, django_assert_max_num_queries
):
    make_member("Hauge Linda", employer, Period(2020, 1))
    for n in range(24):
        period = Period(2020, 1) + n
        basis_generate(period=period)
        pay(employer, period, "100.00")
    with django_assert_max_num_queries(12):
        response = owner_client.get(reverse("deductions:month_list"))
    assert response.text.count("Betalt kr 100,00") == 24


def test_supplementary_lists_count_toward_the_total_and_drafts_do_not(
    march, owner_client, employer
):
    from deductions.models import Basis, DeductionList

    pay(employer, MARCH, "1000.00")
    deliver_list(employer, MARCH, "600.00")
    deliver_list(employer, MARCH, "400.00", kind="supplementary")
    DeductionList.objects.create(
        basis=Basis.objects.get(employer=employer, period=MARCH), kind="supplementary", total=5
    )
    response = owner_client.get(reverse("deductions:month_list"))
    assert "Levert" in response.text
    assert "Avvik" not in status_cell(response)
