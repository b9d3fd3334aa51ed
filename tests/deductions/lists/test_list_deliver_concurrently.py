"""Two submits of "Lever trekkliste" at the same moment (two tabs, two hosts): one delivery."""

import pytest
from django.db import connection

from accounts.models import AuditEvent
from deductions.lists.services import list_deliver, list_start
from deductions.models import ListDelivery
from tests.deductions.basis_data import two_published_months
from tests.deductions.test_basis_generate_concurrently import run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (SQLite has one writer)",
    ),
]


def test_two_simultaneous_deliveries_deliver_once(rates, employer, other_employer, owner):
    february = two_published_months(employer)
    deduction_list = list_start(basis=february, actor=owner)

    results, errors = run_at_once(
        2, lambda: list_deliver(deduction_list=deduction_list, actor=owner)
    )

    assert errors == []
    assert sorted(results) == [False, True]
    assert ListDelivery.objects.filter(deduction_list=deduction_list).count() == 1
    assert AuditEvent.objects.filter(action="list_delivered").count() == 1
    deduction_list.refresh_from_db()
    assert deduction_list.version == 1 and deduction_list.is_delivered
