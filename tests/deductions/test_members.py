import pytest
from django.core.exceptions import ValidationError

from deductions.models import Category, Deduction, Member
from deductions.period import Period
from tests.deductions.conftest import make_member


def test_national_id_is_checked_with_its_check_digits(db):
    member = Member(number="1", name="Hauge Linda", national_id="01010012357")
    with pytest.raises(ValidationError) as error:
        member.full_clean()
    assert "Fødselsnummeret er ikke gyldig" in str(error.value)


def test_a_change_keeps_the_history_so_any_month_can_be_answered(employer):
    member = make_member("Hauge Linda", employer, Period(2021, 1), home=True)
    member.change_deduction(employer=employer, from_period=Period(2021, 4), home=True, travel=True)
    member.stop_deduction(last_period=Period(2021, 8))

    assert member.deduction_in(Period(2020, 12)) is None
    assert member.deduction_in(Period(2021, 3)).travel_insurance is False
    assert member.deduction_in(Period(2021, 4)).travel_insurance is True
    assert member.deduction_in(Period(2021, 8)) is not None
    assert member.deduction_in(Period(2021, 9)) is None
    assert Deduction.objects.filter(member=member).count() == 2


def test_a_change_back_in_time_replaces_what_was_planned_after_it(employer):
    member = make_member("Hauge Linda", employer, Period(2021, 6))
    member.change_deduction(employer=employer, from_period=Period(2021, 3), home=True)
    assert list(member.deductions.values_list("first_period", "last_period")) == [
        (Period(2021, 3), None)
    ]


def test_apprentices_cannot_have_insurance(employer):
    member = make_member("Lærling Lise")
    with pytest.raises(ValidationError):
        member.change_deduction(
            employer=employer,
            from_period=Period(2021, 1),
            category=Category.APPRENTICE,
            home=True,
        )


def test_overlapping_spells_are_refused(employer):
    member = make_member("Hauge Linda", employer, Period(2021, 1))
    overlapping = Deduction(member=member, employer=employer, first_period=Period(2021, 5))
    with pytest.raises(ValidationError) as error:
        overlapping.full_clean()
    assert "allerede et trekkforhold" in str(error.value)
