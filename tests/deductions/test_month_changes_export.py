"""Staff download every employer's changes of a month as one CSV."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from deductions.basis.services import basis_generate
from deductions.models import Basis, BasisLine, wording
from deductions.period import Period
from tests.deductions.conftest import make_member

JAN, FEB = Period(2021, 1), Period(2021, 2)
URL = reverse("deductions:staff_month_changes_csv", args=["2021-02"])


@pytest.fixture
def february(rates, employer, other_employer):
    """January: Linda and Per at our employer. February: Linda takes home insurance, Frida
    starts at Avinor, and one name a spreadsheet would take for a formula."""
    linda = make_member("Hauge Linda", employer, JAN)
    make_member("Berg Per", employer, JAN)
    basis_generate(period=JAN)
    linda.change_deduction(employer=employer, from_period=FEB, home=True)
    make_member("Flyger Frida", other_employer, FEB, travel=True)
    make_member("=HYPERLINK(1)", employer, FEB)
    basis_generate(period=FEB)
    return FEB


def csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def test_staff_get_every_employers_changes_in_employer_and_name_order(february, staff_client):
    response = staff_client.get(URL)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="endringer-2021-02.csv"'
    header, *rows = csv_rows(response)
    assert header[:2] == ["Bedriftsnummer", "Bedrift"] and header[-2:] == ["Endring", "Trekkes nå"]
    assert [(row[1], row[3], row[6], row[7]) for row in rows] == [
        (
            "Avinor AS",
            "Flyger Frida",
            "Start trekk",
            "Kontingent 1,1 % av pensjonsgivende inntekt; Reiseforsikring kr 91,00",
        ),
        (
            "Systemadministrasjonen",
            "'=HYPERLINK(1)",
            "Start trekk",
            "Kontingent 1,1 % av pensjonsgivende inntekt",
        ),
        (
            "Systemadministrasjonen",
            "Hauge Linda",
            "Start innboforsikring",
            "Kontingent 1,1 % av pensjonsgivende inntekt; Innboforsikring kr 85,00",
        ),
    ]


def test_the_rows_read_as_the_employers_own_changes_page_reads_them(february):
    listed = {row["name"]: row for row in BasisLine.objects.month_changes(february)}
    for line in BasisLine.objects.filter(basis__period=february, changed=True):
        row = listed[line.name]
        assert wording.change_descriptions(row.__getitem__) == line.change_descriptions()
        assert wording.items(row.__getitem__, wording.dues_text(row["dues_percent"])) == (
            line.items()
        )
    assert len(listed) == 3


def test_a_month_not_yet_published_lists_nothing(february, staff_client):
    Basis.objects.filter(period=february).update(status=Basis.Status.DRAFT)
    _header, *rows = csv_rows(staff_client.get(URL))
    assert rows == []


def test_the_download_is_audited(february, staff_client, staff):
    csv_rows(staff_client.get(URL))
    event = AuditEvent.objects.get(action="month_changes_downloaded")
    assert event.actor == staff and event.details == {"period": "2021-02"}


def test_the_export_takes_a_few_queries_however_many_lines(
    february, staff_client, employer, django_assert_max_num_queries
):
    for n in range(7):
        make_member(f"Ny {n}", employer, Period(2021, 3))
    basis_generate(period=Period(2021, 3))
    march = reverse("deductions:staff_month_changes_csv", args=["2021-03"])
    with django_assert_max_num_queries(8):
        assert len(csv_rows(staff_client.get(march))) == 1 + 7
