""" "Delivered once" and "counted in the month's total" mean the same on every page that asks:
the month table (`MonthLists`), the staff's month page and the reminders."""

from decimal import Decimal

import pytest

from deductions.cycle.mailings import employers_to_remind
from deductions.cycle.overview import described, employer_month_rows, with_deviations
from deductions.lists.delivery import delivered_employers
from deductions.models import Basis, DeductionList
from deductions.models.lists import MonthLists
from deductions.models.payments import with_paid_total
from tests.deductions.basis_data import FEB
from tests.deductions.cycle.conftest import deliver_list, pay

D = DeductionList.Status.DELIVERED
R = DeductionList.Status.REOPENED
DRAFT = DeductionList.Status.DRAFT


def add_list(basis, kind, status, version, total):
    return DeductionList.objects.create(
        basis=basis, kind=kind, status=status, version=version, total=total
    )


@pytest.mark.parametrize(
    ("lists", "status", "delivered", "total"),
    [
        ([], "Ikke levert", False, None),
        ([("main", DRAFT, 0, "10.00")], "Ikke levert", False, None),
        ([("main", D, 1, "10.00")], "Levert", True, "10.00"),
        ([("main", R, 1, "10.00")], "Gjenåpnet", True, None),
        ([("main", D, 2, "10.00"), ("supplementary", D, 1, "5.00")], "Levert", True, "15.00"),
        ([("main", D, 1, "10.00"), ("supplementary", R, 1, "5.00")], "Gjenåpnet", True, "10.00"),
        ([("main", D, 1, "10.00"), ("supplementary", DRAFT, 0, "5.00")], "Levert", True, "10.00"),
    ],
)
def test_the_month_table_the_staff_page_and_the_reminders_agree(
    february, employer, lists, status, delivered, total
):
    for kind, list_status, version, amount in lists:
        add_list(february, kind, list_status, version, amount)
    pay(employer, FEB, "12.00")

    (month,) = MonthLists.attach(with_paid_total(Basis.objects.filter(pk=february.pk)))
    (row,) = described(with_deviations(employer_month_rows(FEB, query=employer.number)))

    assert month.delivery_status == row.status_label == status
    assert (employer.pk in delivered_employers(FEB).values_list("pk", flat=True)) is delivered
    assert (employer in employers_to_remind(FEB)) is not delivered
    expected = None if total is None else Decimal(total)
    assert month.month_lists.list_total == row.list_total == expected
    difference = None if expected is None else Decimal("12.00") - expected
    assert month.payment_difference == row.difference == difference


def test_a_list_delivered_again_is_one_list_delivered(february, employer):
    deliver_list(employer, FEB, "10.00")
    DeductionList.objects.update(version=3)
    (row,) = described(with_deviations(employer_month_rows(FEB, query=employer.number)))
    assert row.lists_delivered == 1
    assert row.list_total == Decimal("10.00")
