"""The staff's month page: every employer's notice, lists, payment and deviations, with
filters, the month totals line and CSV; the lists' old staff page redirects here."""

import csv
import io

import pytest
import time_machine
from django.urls import reverse

from deductions.basis.services import basis_generate
from deductions.cycle.mailings import NOTICE, add_rows
from deductions.lists.services import list_reopen
from deductions.period import Period
from employers.models import Employer
from messaging.models import OutboxMessage
from tests.deductions.basis_data import two_published_months
from tests.deductions.conftest import make_member
from tests.deductions.cycle.conftest import deliver_list, pay
from tests.deductions.lists.conftest import deliver, form_data, position_of, start_list

MARCH = Period(2021, 3)
URL = reverse("deductions:staff_overview", args=["2021-03"])
CSV_URL = reverse("deductions:staff_overview_csv", args=["2021-03"])
FEBRUARY_URL = reverse("deductions:staff_overview", args=["2021-02"])
CSV_HEADER = (
    "Bedriftsnummer;Bedrift;Varsel sendt;Varsel feilet;Trekkliste;Lister levert;"
    "Trekkliste sum;Betalt;Differanse;Avvik i trekkliste;Avvik"
)


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


@pytest.fixture
def one_delivered(settings, tmp_path, rates, employer, other_employer, owner_client):
    """February's list of 94001761 delivered through the form, with one deviation (Linda's
    home insurance left out); 00080000 delivers nothing."""
    settings.MEDIA_ROOT = tmp_path / "media"
    two_published_months(employer)
    deduction_list = start_list(owner_client)
    owner_client.post(
        reverse("deductions:list_edit", args=[deduction_list.public_id]),
        form_data(deduction_list, **{f"l-{position_of(deduction_list, 'Hauge Linda')}-home": "0"}),
    )
    deliver(owner_client, deduction_list)
    deduction_list.refresh_from_db()
    return deduction_list


def rows_by_number(response):
    return {row.number: row for row in response.context["rows"]}


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
    assert '<td data-label="Varsel sendt">1</td>' in ours
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
    assert '<td data-label="Trekkliste">Levert</td>' in ours
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
    assert ";".join(header) == CSV_HEADER
    names = [row[1] for row in rows]
    assert '\'=HYPERLINK("x")' in names
    ours = dict(zip(header, next(row for row in rows if row[0] == "94001761"), strict=True))
    assert ours["Betalt"] == "1234,50"
    assert ours["Trekkliste"] == "Ikke levert"
    assert "Trekkliste ikke levert" in ours["Avvik"]


def test_csv_export_writes_a_short_payment_as_a_plain_negative_number(
    march, staff_client, employer
):
    pay(employer, MARCH, "900.00")
    deliver_list(employer, MARCH, "1000.00")
    header, *rows = csv_rows(staff_client.get(CSV_URL))

    ours = dict(zip(header, next(row for row in rows if row[0] == "94001761"), strict=True))
    assert ours["Differanse"] == "-100,00"


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
    with django_assert_max_num_queries(16):  # 10, the chart's 5, the header's unread count
        response = staff_client.get(URL)
    table = response.text.split('data-testid="overview-table"')[1].split("</table>")[0]
    assert table.count('<th scope="row">') == 100
    assert "Side 1 av 2" in response.text
    assert f"0 av {Employer.objects.count()} bedrifter har levert" in response.text


def test_queries_stay_bounded_with_delivered_lists(
    staff_client, one_delivered, django_assert_max_num_queries
):
    with django_assert_max_num_queries(16):  # 10, the chart's 5, the header's unread count
        assert staff_client.get(FEBRUARY_URL).status_code == 200


# --- The lists of the month ----------------------------------------------------------------


def test_staff_see_each_employers_lists_delivered_or_not_with_totals_and_deviations(
    staff_client, one_delivered
):
    response = staff_client.get(FEBRUARY_URL)
    assert response.status_code == 200
    rows = rows_by_number(response)
    assert rows["94001761"].status_label == "Levert"
    assert rows["94001761"].lists_delivered == 1
    assert rows["94001761"].list_total == one_delivered.total
    assert rows["94001761"].list_deviations == one_delivered.deviation_count == 1
    assert "Avvik i trekkliste: 1" in rows["94001761"].deviations
    assert rows["00080000"].status_label == "Ikke levert"
    assert rows["00080000"].lists_delivered == 0
    total = f"{one_delivered.total:.2f}".replace(".", ",")
    summary = " ".join(response.text.split()).replace("\xa0", " ")
    assert "1 av 2 bedrifter har levert. Sum levert: kr" in summary
    assert total in summary.replace(" ", "")


@pytest.mark.parametrize(
    ("show", "numbers"),
    [("levert", {"94001761"}), ("ikke-levert", {"00080000"}), ("avvik-i-trekkliste", {"94001761"})],
)
def test_staff_filter_by_the_lists_status(staff_client, one_delivered, show, numbers):
    response = staff_client.get(FEBRUARY_URL, {"vis": show})
    assert set(rows_by_number(response)) == numbers


def test_staff_filter_by_name(staff_client, one_delivered):
    response = staff_client.get(FEBRUARY_URL, {"q": "avinor"})
    assert [row.name for row in response.context["rows"]] == ["Avinor AS"]


def test_a_reopened_list_is_delivered_but_not_counted_in_the_total(
    staff_client, staff, one_delivered
):
    list_reopen(deduction_list=one_delivered, reason="Feil beløp", actor=staff)
    response = staff_client.get(FEBRUARY_URL, {"vis": "gjenapnet"})

    assert set(rows_by_number(response)) == {"94001761"}
    row = rows_by_number(response)["94001761"]
    assert row.status_label == "Gjenåpnet"
    assert row.lists_delivered == 1
    assert row.list_total is None
    assert "Trekkliste ikke levert" not in row.deviations
    assert '<td data-label="Trekkliste">Gjenåpnet</td>' in row_of(
        response, "Systemadministrasjonen"
    )
    assert "1 av 1 bedrift har levert. Sum levert: kr 0,00." in response.text
    assert staff_client.get(FEBRUARY_URL, {"vis": "levert"}).context["rows"] == []


def test_csv_export_has_the_lists_status_count_total_and_deviations(staff_client, one_delivered):
    Employer.objects.filter(number="00080000").update(name="=cmd|' /C calc'!A0")
    response = staff_client.get(reverse("deductions:staff_overview_csv", args=["2021-02"]))

    assert response.status_code == 200
    header, *rows = csv_rows(response)
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    ours = by_number["94001761"]
    assert ours["Trekkliste"] == "Levert"
    assert ours["Lister levert"] == "1"
    assert ours["Trekkliste sum"] == f"{one_delivered.total:.2f}".replace(".", ",")
    assert ours["Avvik i trekkliste"] == "1"
    assert by_number["00080000"]["Bedrift"] == "'=cmd|' /C calc'!A0"


# --- The lists' old staff page ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/trekk/trekklister/oversikt/2021-02/", FEBRUARY_URL),
        ("/trekk/trekklister/oversikt/2021-02/?status=", FEBRUARY_URL),
        ("/trekk/trekklister/oversikt/2021-02/?status=levert", f"{FEBRUARY_URL}?vis=levert"),
        (
            "/trekk/trekklister/oversikt/2021-02/?status=ikke-levert&q=Avinor+AS",
            f"{FEBRUARY_URL}?vis=ikke-levert&q=Avinor+AS",
        ),
        ("/trekk/trekklister/oversikt/2021-02/?status=gjenapnet", f"{FEBRUARY_URL}?vis=gjenapnet"),
        (
            "/trekk/trekklister/oversikt/2021-02/?status=levert&format=csv",
            "/trekk/stab/2021-02/oversikt.csv?vis=levert",
        ),
        ("/trekk/trekklister/oversikt/", "/trekk/stab/"),
        ("/trekk/trekklister/oversikt/?status=levert", "/trekk/stab/?vis=levert"),
    ],
)
def test_the_lists_old_staff_page_moved_here_for_good(staff_client, db, old, new):
    response = staff_client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


@time_machine.travel("2021-02-15 12:00 +01:00", tick=False)
def test_the_filter_survives_the_way_to_the_default_month(staff_client):
    response = staff_client.get("/trekk/stab/", {"vis": "levert"})
    assert response["Location"] == f"{URL}?vis=levert"


@pytest.mark.parametrize(
    "url", ["/trekk/trekklister/oversikt/", "/trekk/trekklister/oversikt/2021-02/"]
)
def test_contacts_get_404_on_the_old_page_too(owner_client, url):
    assert owner_client.get(url).status_code == 404
