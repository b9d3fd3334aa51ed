"""The staff month page's chart: 12 months of employers per status, as SVG and as a table,
counted in one query."""

import re

import pytest
from django.urls import reverse

from deductions.basis.services import basis_generate
from deductions.cycle import month_chart
from deductions.cycle.month_chart import month_counts
from deductions.cycle.overview import employer_month_rows
from deductions.models import DeductionList
from deductions.period import Period
from employers.models import Employer
from tests.deductions.cycle.conftest import deliver_list, pay

FEBRUARY, MARCH = Period(2021, 2), Period(2021, 3)
URL = reverse("deductions:staff_overview", args=["2021-03"])


@pytest.fixture
def two_months(rates, employer, other_employer):
    """Three employers, two months:

    February: 94001761 delivered and paid in full; 00080000 delivered and paid too little;
    00070000 delivered nothing.
    March: 94001761 delivered, not paid; 00080000 paid without a list; 00070000 delivered,
    reopened it and paid (a reopened list is not counted, so nothing to differ from).
    """
    third = Employer.objects.create(number="00070000", name="Tredje AS")
    basis_generate(period=FEBRUARY)
    basis_generate(period=MARCH)
    deliver_list(employer, FEBRUARY, "1000.00")
    pay(employer, FEBRUARY, "1000.00")
    deliver_list(other_employer, FEBRUARY, "500.00")
    pay(other_employer, FEBRUARY, "400.00")
    deliver_list(employer, MARCH, "1000.00")
    pay(other_employer, MARCH, "300.00")
    reopened = deliver_list(third, MARCH, "200.00")
    reopened.status = DeductionList.Status.REOPENED
    reopened.save()
    pay(third, MARCH, "200.00")


def chart_table(response):
    """{month: [delivered, not delivered, paid, differs]} from the chart's table."""
    table = response.text.split('data-testid="month-chart-table"')[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row">([\d/]+)</th>(.*?)</tr>', table, re.S)
    return {month: [int(n) for n in re.findall(r">(\d+)</td>", cells)] for month, cells in rows}


def test_table_behind_the_chart_counts_each_status_per_month(two_months, staff_client):
    table = chart_table(staff_client.get(URL))

    assert list(table) == [str(MARCH - back) for back in range(11, -1, -1)]
    assert table["2021/02"] == [2, 1, 2, 1]
    assert table["2021/03"] == [2, 1, 2, 0]
    assert table["2020/04"] == [0, 3, 0, 0]  # active employers, nothing delivered


def test_each_count_is_the_number_of_rows_the_page_filter_shows(two_months):
    filters = {"not_delivered": "ikke-levert", "differs": "differanse"}
    for month, counts in month_counts(MARCH):
        for key, show in filters.items():
            assert counts[key] == employer_month_rows(month, show).count(), (month, key)
        assert counts["paid"] == (
            employer_month_rows(month).count() - employer_month_rows(month, "ikke-betalt").count()
        )


def test_each_chart_is_an_image_with_a_summary_for_screen_readers(two_months, staff_client):
    text = staff_client.get(URL).text
    svgs = re.findall(r"<svg [^>]*>", text)

    assert len(svgs) == 4
    assert all('role="img"' in svg for svg in svgs)
    labels = [re.search(r'aria-label="([^"]+)"', svg)[1] for svg in svgs]
    assert labels[0] == (
        "Levert, 2020/04 til 2021/03: 2 bedrifter i 2021/03; "
        "høyest 2 i 2021/02, lavest 0 i 2020/04."
    )
    assert labels[3] == (
        "Betalt avviker fra trekkliste, 2020/04 til 2021/03: 0 bedrifter i 2021/03; "
        "høyest 1 i 2021/02, lavest 0 i 2020/04."
    )
    assert "Vis som tabell</summary>" in text


def test_a_status_that_never_changes_is_summed_up_in_one_sentence(rates, employer):
    charts = month_chart.charts(MARCH)["charts"]
    assert charts[2].summary == "Betalt, 2020/04 til 2021/03: 0 bedrifter hver måned."


def test_bars_are_drawn_to_scale_without_localised_decimals(two_months, staff_client):
    text = staff_client.get(URL).text
    delivered = text.split("month-chart-delivered")[1].split("</svg>")[0]
    heights = re.findall(r'<rect class="month-chart-bar" [^>]*height="([^"]+)"', delivered)

    assert len(heights) == 12
    assert heights[-2:] == ["80.0", "80.0"]  # both months at the highest count
    assert heights[0] == "0.0"
    assert "," not in " ".join(re.findall(r'(?:x|y|height)="([^"]*)"', delivered))


@pytest.mark.parametrize("employers", [3, 30])
def test_twelve_months_are_counted_in_five_queries_however_many_employers(
    rates, django_assert_num_queries, employers
):
    for n in range(employers):
        employer = Employer.objects.create(number=f"6000{n:04d}", name=f"Bedrift {n:03d}")
        pay(employer, FEBRUARY, "10.00")
    basis_generate(period=MARCH)
    Employer.objects.filter(number="60000000").update(active=False)  # listed for its basis
    with django_assert_num_queries(5):  # who is listed (2), delivered, paid, differs
        months = month_counts(MARCH)
    assert months[-1][1]["not_delivered"] == employers
    assert months[-2][1] == {
        "delivered": 0,
        "not_delivered": employers - 1,
        "paid": employers - 1,
        "differs": 0,
    }
