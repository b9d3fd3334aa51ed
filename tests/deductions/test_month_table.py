"""The front page's month table and the page with older months."""

import pytest
from django.urls import reverse

from deductions.basis.services import basis_generate
from deductions.kid import kid_for
from deductions.period import Period
from tests.deductions.conftest import make_member


@pytest.fixture
def fifteen_months(rates, employer, other_employer):
    make_member("Hauge Linda", employer, Period(2020, 1))
    for n in range(15):
        basis_generate(period=Period(2020, 1) + n)
    basis_generate(period=Period(2021, 4), publish=False)


def test_front_page_shows_the_last_twelve_months_newest_first(owner_client, fifteen_months):
    response = owner_client.get(reverse("home"))
    body = response.text
    table = body.split('data-testid="month-table"')[1].split("</table>")[0]
    assert table.index("2021/03") < table.index("2021/02")
    assert "2020/04" in table
    assert "2020/03" not in table
    assert "2021/04" not in table  # not published
    assert kid_for("94001761", Period(2021, 3)) in table
    assert "Ikke levert" in table
    assert "Vis kun endringer" in table and "Vis hele trekkgrunnlaget" in table
    assert reverse("deductions:month_list") in body


def test_front_page_month_table_takes_a_bounded_number_of_queries(
    owner_client, fifteen_months, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        response = owner_client.get(reverse("home"))
    assert response.status_code == 200


def test_older_months_are_on_their_own_page(owner_client, fifteen_months):
    response = owner_client.get(reverse("deductions:month_list"))
    labels = [basis.period.table_label for basis in response.context["months"]]
    assert labels[0] == "2021/03"
    assert labels[-1] == "2020/01"
    assert len(labels) == 15


def test_front_page_without_months_says_none_are_published(owner_client):
    assert "Ingen måneder er publisert ennå." in owner_client.get(reverse("home")).text


def test_each_months_links_lead_to_that_months_pages(owner_client, fifteen_months):
    body = owner_client.get(reverse("home")).text
    start = body.index('<th scope="row">2021/02</th>')
    row = body[start : body.index("</tr>", start)]
    for name, text in [
        ("basis_changes", "Vis kun endringer"),
        ("basis_full", "Vis hele trekkgrunnlaget"),
        ("list_new", "Registrer trekkliste i nettskjema"),
        ("list_upload", "Last opp fil"),
    ]:
        url = reverse(f"deductions:{name}", args=["2021-02"])
        assert f'href="{url}"' in row and text in row
