"""Each reconciliation case, on a list checked against its month's basis."""

from decimal import Decimal

from deductions.lists.reconciliation import (
    APPRENTICE,
    INSURANCE,
    MISSING,
    NOT_ON_BASIS,
    ZERO_DUES,
    reconcile,
)
from deductions.models import DeductionListLine, Reason
from deductions.national_ids import synthetic_national_id
from tests.deductions.lists.conftest import start_list


def kinds(deduction_list):
    return sorted((d.kind, d.name) for d in reconcile(deduction_list))


def set_line(deduction_list, name, dues, home=None, travel=None, reason=""):
    line = deduction_list.lines.get(name=name)
    line.reason = reason
    line.set_amounts(
        Decimal(dues),
        line.home_insurance if home is None else Decimal(home),
        line.travel_insurance if travel is None else Decimal(travel),
    )
    line.save()


def test_a_list_matching_the_basis_has_no_deviations(owner_client, february):
    deduction_list = start_list(owner_client)
    for name in ("Hauge Linda", "Ny Nina", "=Lærling Lise"):
        set_line(deduction_list, name, "100")
    assert kinds(deduction_list) == []


def test_dues_of_zero_without_a_reason_is_a_deviation(owner_client, february):
    deduction_list = start_list(owner_client)
    set_line(deduction_list, "Hauge Linda", "100")
    set_line(deduction_list, "=Lærling Lise", "100")
    assert kinds(deduction_list) == [(ZERO_DUES, "Ny Nina")]
    set_line(deduction_list, "Ny Nina", "0", reason=Reason.LAID_OFF)
    assert kinds(deduction_list) == []


def test_insurance_other_than_expected_is_a_deviation(owner_client, february):
    deduction_list = start_list(owner_client)
    set_line(deduction_list, "Hauge Linda", "100", home="80")
    set_line(deduction_list, "Ny Nina", "100", travel="91")
    set_line(deduction_list, "=Lærling Lise", "100")
    assert kinds(deduction_list) == [(INSURANCE, "Hauge Linda"), (INSURANCE, "Ny Nina")]
    messages = [d.message for d in reconcile(deduction_list)]
    assert "Innboforsikring kr 80,00, forventet kr 85,00." in messages
    assert "Reiseforsikring kr 91,00, forventet kr 0,00." in messages


def test_an_apprentice_charged_other_than_the_flat_amount_is_a_deviation(owner_client, january):
    deduction_list = start_list(owner_client, january.period)
    for name in ("Hauge Linda", "Berg Per"):
        set_line(deduction_list, name, "100")
    assert kinds(deduction_list) == []  # Lise prefilled with the flat 42,00
    set_line(deduction_list, "=Lærling Lise", "100")
    assert kinds(deduction_list) == [(APPRENTICE, "=Lærling Lise")]


def test_members_missing_without_a_reason_and_persons_not_on_the_basis(owner_client, february):
    deduction_list = start_list(owner_client)
    for name in ("Hauge Linda", "=Lærling Lise"):
        set_line(deduction_list, name, "100")
    deduction_list.lines.filter(name="Ny Nina").delete()
    stranger = DeductionListLine(
        deduction_list=deduction_list,
        position=10,
        national_id=synthetic_national_id(777),
        name="Fremmed Frank",
    )
    stranger.set_amounts(Decimal("100"), Decimal("0"), Decimal("0"))
    stranger.save()
    assert kinds(deduction_list) == [(MISSING, "Ny Nina"), (NOT_ON_BASIS, "Fremmed Frank")]


def test_reconciliation_takes_two_queries(owner_client, february, django_assert_num_queries):
    deduction_list = start_list(owner_client)
    deduction_list.basis  # noqa: B018 (the views fetch the list with its basis)
    with django_assert_num_queries(2):
        reconcile(deduction_list)
