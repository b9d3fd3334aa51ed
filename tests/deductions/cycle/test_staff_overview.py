"""The staff's month overview: every employer's notice, list, payment and deviations."""

import csv
import io

import pytest
import time_machine
from django.urls import reverse

from deductions.basis.services import basis_generate
from deductions.cycle.mailings import NOTICE, add_rows
from deductions.period import Period
from employers.models import Employer
from messaging.models import OutboxMessage
from tests.deductions.conftest import make_member
from tests.deductions.cycle.conftest import deliver_list, pay

MARCH = Period(2021, 3)
URL = reverse("deductions:staff_overview", args=["2021-03"])
CSV_URL = reverse("deductions:staff_overview_csv", args=["2021-03"])


@pytest.fixture
def march(rates, employer, other_employer, owner, outsider):
    make_member("Hauge Linda", employer, MARCH)
    basis_generate(period=MARCH)
    add_rows(kind=NOTICE, period=MARCH, employers=Employer.objects.all())
    OutboxMessage.objects.filter(employer=employer).update(status=OutboxMessage.Status.SENT)
    OutboxMessage.objects.filter(employer=other_employer).update(
        status=OutboxMessage.Status.FAILED, last_error="550"
    )
    return MARCH


def row_of(response, name):
    text = response.text
    start = text.index(f'<th scope="row">{name}')
    return " ".join(text[start : text.index("</tr>", start)].split())


def csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def test_staff_see_every_employer_with_notice_list_payment_and_deviations(
    march, staff_client, employer
):
    pay(employer, MARCH, "1234.50")
    response = staff_client.get(URL)

    assert response.status_code == 200
    ours = row_of(response, "Systemadministrasjonen")
    assert "<td>1</td>" in ours
    assert "1 234,50" in ours.replace("\xa0", " ")
    assert "Trekkliste ikke levert" in ours
    assert "Ikke betalt" not in ours
    theirs = row_of(response, "Avinor AS")
    assert "(1 feilet)" in theirs
    assert "Varsel feilet" in theirs
    assert "Ikke betalt" in theirs
    assert reverse("admin:employers_employer_change", args=[employer.pk]) in ours
    assert "/admin/deductions/deductionlist/?q=94001761" in ours
    assert f"/admin/deductions/payment/?employer__id__exact={employer.pk}" in ours


def test_filter_not_paid_leaves_out_those_who_paid(march, staff_client, employer):
    pay(employer, MARCH, "10.00")
    response = staff_client.get(URL, {"vis": "ikke-betalt"})
    assert "Avinor AS" in response.text
    assert "Systemadministrasjonen" not in response.text


def test_filter_failed_notices(march, staff_client):
    response = staff_client.get(URL, {"vis": "varsel-feilet"})
    assert "Avinor AS" in response.text
    assert "Systemadministrasjonen" not in response.text


def test_search_by_employer_number(march, staff_client):
    response = staff_client.get(URL, {"q": "94001761"})
    assert "Systemadministrasjonen" in response.text
    assert "Avinor AS" not in response.text


def test_payment_that_differs_from_the_list_total_is_a_deviation(march, staff_client, employer):
    pay(employer, MARCH, "900.00")
    deliver_list(employer, MARCH, "1000.00")
    response = staff_client.get(URL, {"vis": "differanse"})
    listed = staff_client.get(URL, {"vis": "avvik"})

    ours = row_of(response, "Systemadministrasjonen")
    assert "<td>Levert</td>" in ours
    assert "-100,00" in ours
    assert "Betalt for lite" in ours
    assert "Avinor AS" not in response.text
    assert "Systemadministrasjonen" in listed.text


def test_employer_with_nothing_wrong_is_not_a_deviation(march, staff_client, employer):
    pay(employer, MARCH, "1000.00")
    deliver_list(employer, MARCH, "1000.00")
    response = staff_client.get(URL, {"vis": "avvik"})
    everyone = staff_client.get(URL)
    assert "Systemadministrasjonen" not in response.text
    assert "Ingen</td>" in row_of(everyone, "Systemadministrasjonen")


def test_unmatched_payments_are_pointed_out(march, staff_client):
    pay(None, None, "50.00", kid="12345")
    response = staff_client.get(URL)
    assert "1 innbetaling har ukjent KID." in response.text
    assert "/admin/deductions/payment/?kid=ukjent" in response.text


def test_csv_export_has_every_filtered_row_and_neutralises_formulas(march, staff_client, employer):
    Employer.objects.create(number="00090009", name='=HYPERLINK("x")')
    pay(employer, MARCH, "1234.50")
    response = staff_client.get(CSV_URL)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="oversikt-2021-03.csv"' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:3] == ["Bedriftsnummer", "Bedrift", "Varsel sendt"]
    names = [row[1] for row in rows]
    assert '\'=HYPERLINK("x")' in names
    ours = next(row for row in rows if row[0] == "94001761")
    assert ours[6] == "1234,50"
    assert "Trekkliste ikke levert" in ours[8]


def test_csv_export_follows_the_filter(march, staff_client):
    response = staff_client.get(CSV_URL, {"vis": "varsel-feilet"})
    assert [row[0] for row in csv_rows(response)[1:]] == ["00080000"]


@time_machine.travel("2021-02-15 12:00 +01:00", tick=False)
def test_overview_without_a_period_opens_next_month(staff_client):
    response = staff_client.get(reverse("deductions:staff_overview_current"))
    assert response["Location"] == URL


def test_the_links_open_in_admin(march, staff_client, staff, employer):
    staff.is_superuser = True
    staff.save()
    for url in (
        "/admin/deductions/deductionlist/?q=94001761",
        f"/admin/deductions/payment/?employer__id__exact={employer.pk}",
        f"/admin/messaging/outboxmessage/?employer__id__exact={employer.pk}",
    ):
        assert staff_client.get(url).status_code == 200, url


def test_malformed_period_is_404(staff_client):
    assert staff_client.get("/trekk/stab/2021-13/").status_code == 404


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_contacts_get_404(march, owner_client, url):
    assert owner_client.get(url).status_code == 404


def test_queries_stay_bounded_with_many_employers(
    rates, staff_client, django_assert_max_num_queries
):
    for n in range(150):
        Employer.objects.create(number=f"6000{n:04d}", name=f"Bedrift {n:03d}")
    basis_generate(period=MARCH)
    with django_assert_max_num_queries(12):
        response = staff_client.get(URL)
    assert response.text.count('<th scope="row">') == 100
    assert "Side 1 av 2" in response.text
