"""Deduction fixtures: the 2021 rates, and members on deduction at `employer`."""

from decimal import Decimal
from itertools import count

import pytest

from deductions.models import Member, Rate
from deductions.national_ids import synthetic_national_id
from deductions.period import Period

_numbers = count(1)


@pytest.fixture
def rates(db):
    return Rate.objects.create(
        valid_from=Period(2020, 1),
        dues_percent=Decimal("1.10"),
        home_insurance=Decimal("85.00"),
        travel_insurance=Decimal("91.00"),
        apprentice_total=Decimal("42.00"),
    )


def make_member(name, employer=None, from_period=None, **deduction):
    """A member, and (with `employer`) on deduction there from `from_period`."""
    n = next(_numbers)
    member = Member.objects.create(
        number=f"{700000 + n}", name=name, national_id=synthetic_national_id(n)
    )
    if employer is not None:
        member.change_deduction(employer=employer, from_period=from_period, **deduction)
    return member
