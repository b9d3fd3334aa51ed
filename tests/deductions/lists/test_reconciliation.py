"""Each reconciliation case, on a list checked against its month's basis."""

from decimal import Decimal

from django.urls import reverse

from deductions.lists.reconciliation import (
    APPRENTICE,
    EMPTY_LINE,
    INSURANCE,
    MISSING,
    NOT_ON_BASIS,
    ZERO_DUES,
    reconcile,
)
from deductions.models import DeductionListLine, Reason
from deductions.national_ids import synthetic_national_id
from tests.deductions.lists.conftest import deliver, start_list


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


def supplement_for(client, deduction_list):
    """Delivers `deduction_list` and starts the supplementary list that may follow it."""
    assert deliver(client, deduction_list).status_code == 302
    supplementary = start_list(client)
    assert supplementary.is_supplementary and not supplementary.lines.exists()
    return supplementary


def add_line(deduction_list, national_id, name, dues, home="0", travel="0", reason=""):
    line = DeductionListLine(
        deduction_list=deduction_list,
        position=deduction_list.lines.count(),
        national_id=national_id,
        name=name,
        reason=reason,
    )
    line.set_amounts(Decimal(dues), Decimal(home), Decimal(travel))
    line.save()


def delivered_main(client):
    deduction_list = start_list(client)
    for name in ("Hauge Linda", "Ny Nina", "=Lærling Lise"):
        set_line(deduction_list, name, "100")
    return deduction_list


def test_a_supplement_is_checked_only_against_what_it_contains(owner_client, february):
    main = delivered_main(owner_client)
    linda = main.lines.get(name="Hauge Linda")
    supplementary = supplement_for(owner_client, main)
    # 512 kr of dues and no insurance: the month's 85 kr were on the delivered list.
    add_line(supplementary, linda.national_id, "Hauge Linda", "512")
    assert kinds(supplementary) == []


def test_a_supplement_with_more_than_the_months_insurance_or_an_empty_line_deviates(
    owner_client, february
):
    main = delivered_main(owner_client)
    linda = main.lines.get(name="Hauge Linda")
    nina = main.lines.get(name="Ny Nina")
    supplementary = supplement_for(owner_client, main)
    add_line(supplementary, linda.national_id, "Hauge Linda", "0", home="170")
    add_line(supplementary, nina.national_id, "Ny Nina", "0")
    add_line(supplementary, synthetic_national_id(778), "Fremmed Frank", "50")

    assert kinds(supplementary) == [
        (EMPTY_LINE, "Ny Nina"),
        (INSURANCE, "Hauge Linda"),
        (NOT_ON_BASIS, "Fremmed Frank"),
    ]
    messages = [d.message for d in reconcile(supplementary)]
    assert "Innboforsikring kr 170,00 i tillegg, mer enn månedens beløp (kr 85,00)." in messages


def test_the_supplement_check_page_has_wording_of_its_own(owner_client, february):
    main = delivered_main(owner_client)
    linda = main.lines.get(name="Hauge Linda")
    supplementary = supplement_for(owner_client, main)
    add_line(supplementary, linda.national_id, "Hauge Linda", "512")

    page = owner_client.get(reverse("deductions:list_confirm", args=[supplementary.public_id])).text

    assert "Avvik i tilleggslisten (0)" in page and "Ingen avvik i tilleggslisten." in page
    assert "Summen kommer i tillegg til trekklisten som er levert" in page
    assert "Sum faste beløp på trekkgrunnlaget" not in page
    assert "Avvik mot trekkgrunnlaget" not in page


def test_the_supplement_form_says_it_starts_empty(owner_client, february):
    supplementary = supplement_for(owner_client, delivered_main(owner_client))

    page = owner_client.get(reverse("deductions:list_edit", args=[supplementary.public_id])).text

    assert "En tilleggsliste starter tom." in page
    assert "fylt ut med" not in page
