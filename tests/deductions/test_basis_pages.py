"""The pages "Vis kun endringer" and "Vis hele trekkgrunnlaget"."""

import pytest
from django.urls import reverse

from deductions.basis.services import basis_generate
from deductions.models import Basis
from deductions.period import Period
from tests.deductions.basis_data import two_published_months
from tests.deductions.conftest import make_member


@pytest.fixture
def february(rates, employer, other_employer):
    return two_published_months(employer)


def changes_url(period="2021-02"):
    return reverse("deductions:basis_changes", args=[period])


def full_url(period="2021-02"):
    return reverse("deductions:basis_full", args=[period])


def test_changes_page_names_each_change_in_a_payroll_clerks_words(owner_client, february):
    response = owner_client.get(changes_url())
    assert response.status_code == 200
    body = response.text
    assert "Stopp trekk" in body
    assert "Start reiseforsikring" in body
    assert "Overgang fra lærling til ordinært medlem" in body
    assert "Start trekk" in body
    assert "9019400176121020" in body  # the month's KID
    assert "no-store" in response["Cache-Control"]


def test_full_page_lists_everyone_on_deduction_with_totals(owner_client, february):
    response = owner_client.get(full_url())
    body = response.text
    assert "Berg Per" not in body  # stopped in January
    for name in ("Hauge Linda", "=Lærling Lise", "Ny Nina"):
        assert name in body
    totals = response.text.split('data-testid="basis-totals"')[1].split("</tr>")[0]
    assert "170,00" in totals  # two home insurances
    assert "261,00" in totals  # 170 + 91


def test_search_finds_by_name_and_by_national_id(owner_client, february):
    nina = february.lines.get(name="Ny Nina")
    by_name = owner_client.get(full_url(), {"q": "nina"})
    assert list(by_name.context["page"]) == [nina]
    by_id = owner_client.get(full_url(), {"q": nina.national_id[:6]})
    assert nina in list(by_id.context["page"])
    nothing = owner_client.get(full_url(), {"q": "Ingen Slik"})
    assert "Ingen på trekk passer søket" in nothing.text


def test_sorting_by_name_descending(owner_client, february):
    response = owner_client.get(full_url(), {"sorter": "-navn"})
    names = [line.name for line in response.context["page"]]
    assert names == sorted(names, reverse=True)


def test_an_unknown_sort_falls_back_to_name(owner_client, february):
    response = owner_client.get(full_url(), {"sorter": "national_id; drop table"})
    assert response.status_code == 200
    assert response.context["sort"] == "navn"


def test_an_unpublished_month_is_not_found(owner_client, rates, employer):
    basis_generate(period=Period(2021, 3), publish=False)
    assert owner_client.get(full_url("2021-03")).status_code == 404


def test_a_nonsense_month_is_not_found(owner_client, february):
    assert owner_client.get(full_url("2021-13")).status_code == 404


def test_a_month_without_changes_says_so(owner_client, rates, employer):
    make_member("Hauge Linda", employer, Period(2021, 1))
    basis_generate(period=Period(2021, 1))
    basis_generate(period=Period(2021, 2))
    response = owner_client.get(changes_url())
    assert "Ingen endringer fra 2021/01" in response.text


def test_a_basis_of_2000_lines_is_paged_with_a_bounded_number_of_queries(
    owner_client, rates, employer, django_assert_max_num_queries
):
    big_month(employer, 2000)
    with django_assert_max_num_queries(12):
        response = owner_client.get(full_url("2021-01"))
    assert len(response.context["page"]) == 100
    assert response.context["page"].paginator.count == 2000
    with django_assert_max_num_queries(12):
        response = owner_client.get(changes_url("2021-01"), {"side": 20})
    assert len(response.context["page"]) == 100


def big_month(employer, size):
    """`size` members on deduction from January 2021, created in bulk."""
    from deductions.models import Deduction, Member
    from deductions.national_ids import synthetic_national_id

    members = Member.objects.bulk_create(
        Member(
            number=f"{500000 + n}",
            name=f"Medlem {n:04d}",
            national_id=synthetic_national_id(n + 20000),
        )
        for n in range(size)
    )
    Deduction.objects.bulk_create(
        Deduction(
            member=m, employer=employer, first_period=Period(2021, 1), home_insurance=n % 2 == 0
        )
        for n, m in enumerate(members)
    )
    basis_generate(period=Period(2021, 1))
    return Basis.objects.get(employer=employer, period=Period(2021, 1))


def row_of(body, name):
    start = body.index(f'<th scope="row">{name}')
    return " ".join(body[start : body.index("</tr>", start)].split())


def test_each_full_row_shows_the_dues_rate_and_the_fixed_amounts(owner_client, february):
    body = owner_client.get(full_url()).text
    linda = row_of(body, "Hauge Linda")
    assert '<td data-label="Kontingent">1,1 %</td>' in linda
    assert '<td data-label="Innboforsikring" class="num">85,00</td>' in linda
    january = owner_client.get(full_url("2021-01")).text
    apprentice = row_of(january, "=Lærling Lise")
    assert '<td data-label="Kontingent">Lærling</td>' in apprentice
    assert '<td data-label="Lærling" class="num">42,00</td>' in apprentice


def test_each_change_row_shows_what_changed_and_what_is_deducted_now(owner_client, february):
    body = owner_client.get(changes_url()).text
    stopped = row_of(body, "Berg Per")
    assert '<td data-label="Endring">Stopp trekk</td>' in stopped
    assert "Skal ikke trekkes" in stopped


@pytest.mark.parametrize("url", [changes_url(), full_url()])
def test_names_in_the_rows_are_escaped(owner_client, february, url):
    february.lines.filter(name="Hauge Linda").update(
        name="<script>alert(1)</script>", employee_number='"><b>'
    )
    body = owner_client.get(url).text
    assert "<script>alert(1)</script>" not in body and '"><b>' not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
