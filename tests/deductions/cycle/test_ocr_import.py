"""Staff read the bank's OCR file in admin; payments are matched by KID, never counted twice."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from netsgiro.records import AssignmentEnd, TransmissionEnd

from accounts.models import AuditEvent
from deductions.kid import kid_for
from deductions.models import OcrImport, Payment
from deductions.period import Period
from tests.deductions.cycle.ocr_files import (
    altered,
    ocr_file,
    sample,
    with_avtalegiro_agreements,
)
from trekkportal import uploads

MARCH = Period(2021, 3)
KID = "9019400176121038"
ADD_URL = "/admin/deductions/ocrimport/add/"


def upload(client, content, name="ocr.txt"):
    return client.post(ADD_URL, {"file": SimpleUploadedFile(name, content)}, follow=True)


@pytest.fixture
def staff_admin(staff_client, staff):
    staff.is_superuser = True
    staff.save()
    return staff_client


def test_payments_are_matched_to_employer_and_month_by_kid(staff_admin, employer, other_employer):
    content = ocr_file(
        [
            (kid_for(employer.number, MARCH), "1234.50"),
            (kid_for(other_employer.number, MARCH), "99.00"),
        ]
    )
    response = upload(staff_admin, content)

    assert response.status_code == 200
    assert "2 nye innbetalinger lest inn" in response.text
    ours = Payment.objects.get(employer=employer)
    assert (ours.period, ours.amount, ours.kid) == (MARCH, Decimal("1234.50"), "9019400176121038")
    assert Payment.objects.get(employer=other_employer).amount == Decimal("99.00")
    imported = OcrImport.objects.get()
    assert (imported.payment_count, imported.total, imported.uploaded_by.username) == (
        2,
        Decimal("1333.50"),
        "90000001",
    )
    assert AuditEvent.objects.filter(action="ocr_imported").count() == 1


def test_the_same_file_twice_is_refused_and_nothing_is_counted_again(staff_admin, employer):
    content = ocr_file([(kid_for(employer.number, MARCH), "500.00")])
    upload(staff_admin, content)
    response = upload(staff_admin, content, name="ocr-igjen.txt")

    assert "Denne filen er allerede lest inn." in response.text
    assert Payment.objects.count() == 1
    assert OcrImport.objects.count() == 1


def test_a_payment_repeated_in_a_later_file_is_counted_once(staff_admin, employer):
    kid = kid_for(employer.number, MARCH)
    upload(staff_admin, ocr_file([(kid, "500.00")], transmission="1000081"))
    later = ocr_file([(kid, "500.00"), (kid, "20.00")], transmission="1000082")

    response = upload(staff_admin, later)

    assert "1 ny innbetaling lest inn (kr 20,00), 1 var lest inn før." in response.text
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [
        Decimal("20.00"),
        Decimal("500.00"),
    ]
    assert OcrImport.objects.order_by("uploaded_at").last().duplicate_count == 1


def test_unknown_kid_is_kept_unmatched_and_listed_for_staff(staff_admin, employer):
    unknown_employer_kid = kid_for("12345678", MARCH)
    content = ocr_file([(unknown_employer_kid, "10.00"), ("12345678901", "20.00")])

    response = upload(staff_admin, content)

    assert "2 har ukjent KID og må følges opp" in response.text
    assert Payment.objects.unmatched().count() == 2
    listing = staff_admin.get("/admin/deductions/payment/?kid=ukjent")
    assert "12345678901" in listing.text
    assert unknown_employer_kid in listing.text


def test_a_file_that_is_not_ocr_is_a_form_error(staff_admin):
    response = upload(staff_admin, b"navn;belop\nKari;100\n", name="liste.csv")
    assert response.status_code == 200
    assert "Filen er ikke en OCR-fil fra banken" in response.text
    assert OcrImport.objects.count() == 0


def forged_totals():
    content = ocr_file([(KID, "154000.00"), (KID, "524.00")])
    content = altered(content, AssignmentEnd, total_amount=99)
    return altered(content, TransmissionEnd, total_amount=99)


@pytest.mark.parametrize(
    "content, message",
    [
        (
            forged_totals,
            "Oppdrag 4000086: sluttposten sier 0,99 kr, transaksjonene summerer 154\xa0524,00 kr.",
        ),
        (
            lambda: b"\n".join(ocr_file([(KID, "500.00")]).splitlines()[:-1]),
            "Filen er ikke en fullstendig OCR-fil: sluttposten for forsendelsen mangler.",
        ),
        (
            lambda: sample("avtalegiro_agreements.txt"),
            "Dette er en AvtaleGiro-fil, ikke en OCR-fil med innbetalinger",
        ),
    ],
    ids=["totals", "cut-off", "avtalegiro"],
)
def test_a_file_that_cannot_be_trusted_is_a_form_error_and_nothing_is_read(
    staff_admin, content, message
):
    response = upload(staff_admin, content())

    assert response.status_code == 200
    assert message in response.text
    assert OcrImport.objects.count() == 0
    assert Payment.objects.count() == 0


def test_an_ocr_file_without_payments_is_read_and_says_so(staff_admin):
    response = upload(staff_admin, ocr_file([]))

    assert "Filen er lest inn, men den har ingen innbetalinger." in response.text
    assert OcrImport.objects.get().payment_count == 0


def test_netsgiros_ocr_giro_sample_is_read_in_admin(staff_admin):
    response = upload(staff_admin, sample("ocr_giro_transactions.txt"))

    assert "20 nye innbetalinger lest inn (kr 51\xa0449,00), 0 var lest inn før." in response.text
    assert Payment.objects.unmatched().count() == 20


def test_avtalegiro_agreements_in_an_ocr_file_are_named_and_not_read(staff_admin, employer):
    content = ocr_file([(kid_for(employer.number, MARCH), "500.00")])

    response = upload(staff_admin, with_avtalegiro_agreements(content))

    assert "1 ny innbetaling lest inn" in response.text
    assert "Filen har også 16 AvtaleGiro-avtaler; de er ikke lest inn." in response.text
    assert Payment.objects.get().employer == employer


@pytest.mark.parametrize(
    "content", [b"%PDF-1.7\n%binary", b"PK\x03\x04zip", b"NY000010\x00\x01\x02"]
)
def test_a_file_that_is_not_text_is_refused_before_it_is_parsed(staff_admin, content):
    response = upload(staff_admin, content)
    assert "Filen er ikke en OCR-fil fra banken (tekst)" in response.text
    assert OcrImport.objects.count() == 0


def test_an_oversized_file_is_refused_before_it_is_read(staff_admin, monkeypatch):
    monkeypatch.setattr(uploads, "OCR", replace(uploads.OCR, default_max_bytes=10))
    response = upload(staff_admin, b"x" * 11)
    assert "Filen er for stor" in response.text


def test_payments_cannot_be_edited_in_admin(staff_admin, employer):
    upload(staff_admin, ocr_file([(kid_for(employer.number, MARCH), "500.00")]))
    payment = Payment.objects.get()
    url = reverse("admin:deductions_payment_change", args=[payment.pk])
    response = staff_admin.post(url, {"amount": "1.00"})
    payment.refresh_from_db()
    assert payment.amount == Decimal("500.00")
    assert response.status_code == 403


def test_contacts_cannot_reach_the_upload(owner_client):
    response = owner_client.get(ADD_URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_two_factor_cannot_reach_the_upload(staff):
    client = Client()
    client.force_login(staff)
    response = client.get(ADD_URL)
    assert response.status_code == 302
    assert response["Location"] == "/konto/tofaktor/oppsett/"
