"""Two staff upload OCR files at the same moment (two tabs, two hosts): nothing counted twice,
and the one who comes second is told, never shown a server error."""

import threading

import pytest
from django.db import connection
from django.test import Client

from deductions.cycle import ocr
from deductions.kid import kid_for
from deductions.models import OcrImport, Payment
from deductions.period import Period
from tests.deductions.cycle.ocr_files import ocr_file
from tests.deductions.cycle.test_ocr_import import upload
from tests.deductions.test_basis_generate_concurrently import run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two writers at once need PostgreSQL (SQLite has one writer)",
    ),
]

MARCH = Period(2021, 3)


@pytest.fixture
def together(monkeypatch):
    """Both uploads are past the "read before?" look-up before either writes: each waits for
    the other once its file is parsed."""
    barrier = threading.Barrier(2, timeout=20)
    read_ocr = ocr.read_ocr

    def read_in_step(content):
        parsed = read_ocr(content)
        barrier.wait()
        return parsed

    monkeypatch.setattr(ocr, "read_ocr", read_in_step)


@pytest.fixture
def two_staff_clients(staff_client, staff):
    staff.is_superuser = True
    staff.save()
    second = Client()
    second.cookies = staff_client.cookies
    return staff_client, second


def test_the_same_file_uploaded_twice_at_once_is_read_once(two_staff_clients, together, employer):
    content = ocr_file([(kid_for(employer.number, MARCH), "500.00")])
    clients = iter(two_staff_clients)

    responses, errors = run_at_once(2, lambda: upload(next(clients), content))

    assert errors == []
    texts = sorted(response.text for response in responses)
    assert [response.status_code for response in responses] == [200, 200]
    assert sum("1 ny innbetaling lest inn" in text for text in texts) == 1
    assert sum("Denne filen er allerede lest inn." in text for text in texts) == 1
    assert OcrImport.objects.count() == 1
    assert Payment.objects.count() == 1


def test_two_files_sharing_a_payment_uploaded_at_once_store_it_once(
    two_staff_clients, together, employer
):
    kid = kid_for(employer.number, MARCH)
    first = ocr_file([(kid, "500.00")], transmission="1000081")
    second = ocr_file([(kid, "500.00"), (kid, "20.00")], transmission="1000082")
    work = iter(zip(two_staff_clients, [first, second], strict=True))

    responses, errors = run_at_once(2, lambda: upload(*next(work)))

    assert errors == []
    assert [response.status_code for response in responses] == [200, 200]
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [20, 500]
    imports = OcrImport.objects.order_by("transmission_number")
    assert sum(i.payment_count for i in imports) == 2
    assert sum(i.duplicate_count for i in imports) == 1
    assert sum(i.total for i in imports) == 520
