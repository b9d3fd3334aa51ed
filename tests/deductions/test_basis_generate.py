"""basis_generate: the set-based monthly snapshot and its changes against last month."""

from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from deductions.basis.services import NoRatesError, TooManyMissingMonths, basis_generate
from deductions.models import Basis, BasisLine, Category, Rate
from deductions.period import Period
from tests.deductions.conftest import make_member

JAN, FEB, MAR = Period(2021, 1), Period(2021, 2), Period(2021, 3)


def basis(employer, period):
    return Basis.objects.get(employer=employer, period=period)


def changes_of(employer, period):
    return {line.name: line.change_descriptions() for line in basis(employer, period).changes()}


def test_every_active_employer_gets_a_published_basis_with_frozen_lines(
    rates, employer, other_employer
):
    make_member("Hauge Linda", employer, JAN, home=True, travel=True)
    make_member("Berg Per", employer, JAN)

    result = basis_generate(period=JAN)

    assert (result.bases, result.lines, result.changes) == (2, 2, 2)
    january = basis(employer, JAN)
    assert january.status == Basis.Status.PUBLISHED
    assert january.published_at is not None
    assert (january.line_count, january.change_count) == (2, 2)
    assert january.home_insurance_total == Decimal("85.00")
    assert january.travel_insurance_total == Decimal("91.00")
    assert january.fixed_total == Decimal("176.00")
    linda = january.lines.get(name="Hauge Linda")
    assert linda.items() == [
        "Kontingent 1,1 % av pensjonsgivende inntekt",
        "Innboforsikring kr 85,00",
        "Reiseforsikring kr 91,00",
    ]
    assert basis(other_employer, JAN).line_count == 0


def test_inactive_employers_get_no_basis(rates, employer):
    employer.active = False
    employer.save()
    basis_generate(period=JAN)
    assert not Basis.objects.exists()


def test_apprentices_pay_the_flat_amount_and_nothing_else(rates, employer):
    make_member("Lærling Lise", employer, JAN, category=Category.APPRENTICE)
    basis_generate(period=JAN)
    line = basis(employer, JAN).lines.get()
    assert line.dues is False
    assert line.apprentice_amount == Decimal("42.00")
    assert line.fixed_total == Decimal("42.00")
    assert line.items() == ["Lærling, fast beløp kr 42,00"]


def test_start_and_stop_of_deduction_are_changes(rates, employer):
    staying = make_member("Berg Per", employer, JAN)
    leaving = make_member("Dahl Kim", employer, JAN)
    basis_generate(period=JAN)
    leaving.stop_deduction(last_period=JAN)
    make_member("Ny Nina", employer, FEB)

    basis_generate(period=FEB)

    assert changes_of(employer, FEB) == {"Dahl Kim": ["Stopp trekk"], "Ny Nina": ["Start trekk"]}
    february = basis(employer, FEB)
    assert february.change_count == 2
    assert february.line_count == 2
    assert set(february.deducted_lines().values_list("member", flat=True)) == {
        staying.pk,
        BasisLine.objects.get(basis=february, name="Ny Nina").member_id,
    }


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        ({"home": False}, {"home": True}, ["Start innboforsikring"]),
        ({"home": True}, {"home": False}, ["Stopp innboforsikring"]),
        ({"travel": False}, {"travel": True}, ["Start reiseforsikring"]),
        ({"travel": True}, {"travel": False}, ["Stopp reiseforsikring"]),
        (
            {"category": Category.APPRENTICE},
            {"category": Category.ORDINARY},
            ["Overgang fra lærling til ordinært medlem"],
        ),
        (
            {"category": Category.ORDINARY},
            {"category": Category.APPRENTICE},
            ["Overgang fra ordinært medlem til lærling"],
        ),
        (
            {"home": False, "travel": False},
            {"home": True, "travel": True},
            ["Start innboforsikring", "Start reiseforsikring"],
        ),
    ],
)
def test_every_kind_of_change_is_named_in_a_payroll_clerks_words(
    rates, employer, before, after, words
):
    member = make_member("Hauge Linda", employer, JAN, **before)
    basis_generate(period=JAN)
    member.change_deduction(employer=employer, from_period=FEB, **after)

    basis_generate(period=FEB)

    assert changes_of(employer, FEB) == {"Hauge Linda": words}


def test_a_month_without_changes_has_none(rates, employer):
    make_member("Hauge Linda", employer, JAN, home=True)
    basis_generate(period=JAN)
    basis_generate(period=FEB)
    assert basis(employer, FEB).change_count == 0
    assert not basis(employer, FEB).changes().exists()


def test_moving_to_another_employer_is_a_stop_there_and_a_start_here(
    rates, employer, other_employer
):
    member = make_member("Hauge Linda", other_employer, JAN)
    basis_generate(period=JAN)
    member.change_deduction(employer=employer, from_period=FEB)
    basis_generate(period=FEB)
    assert changes_of(other_employer, FEB) == {"Hauge Linda": ["Stopp trekk"]}
    assert changes_of(employer, FEB) == {"Hauge Linda": ["Start trekk"]}


def test_a_published_month_is_frozen_and_corrections_show_next_month(rates, employer):
    member = make_member("Hauge Linda", employer, JAN)
    basis_generate(period=JAN)
    january = basis(employer, JAN)
    lines_before = list(january.lines.values_list("pk", "name", "home_insurance"))

    member.name = "Hauge-Olsen Linda"
    member.save()
    member.change_deduction(employer=employer, from_period=JAN, home=True)
    again = basis_generate(period=JAN)

    assert again.bases == 0
    assert list(january.lines.values_list("pk", "name", "home_insurance")) == lines_before
    basis_generate(period=FEB)
    assert changes_of(employer, FEB) == {"Hauge-Olsen Linda": ["Start innboforsikring"]}


def test_regenerating_an_unpublished_month_replaces_it(rates, employer):
    make_member("Hauge Linda", employer, JAN)
    basis_generate(period=JAN, publish=False)
    assert basis(employer, JAN).status == Basis.Status.DRAFT
    make_member("Berg Per", employer, JAN)

    basis_generate(period=JAN, publish=False)

    draft = basis(employer, JAN)
    assert draft.status == Basis.Status.DRAFT
    assert sorted(draft.lines.values_list("name", flat=True)) == ["Berg Per", "Hauge Linda"]
    assert Basis.objects.count() == 1


def test_running_twice_changes_nothing(rates, employer):
    make_member("Hauge Linda", employer, JAN)
    basis_generate(period=JAN)
    first = list(BasisLine.objects.values_list("pk", flat=True))
    basis_generate(period=JAN)
    assert list(BasisLine.objects.values_list("pk", flat=True)) == first
    assert Basis.objects.count() == 1


def test_rates_changing_between_months_price_each_month_by_its_own_rates(rates, employer):
    make_member("Hauge Linda", employer, JAN, home=True, travel=True)
    make_member("Lærling Lise", employer, JAN, category=Category.APPRENTICE)
    Rate.objects.create(
        valid_from=FEB,
        dues_percent=Decimal("1.25"),
        home_insurance=Decimal("89.50"),
        travel_insurance=Decimal("95.00"),
        apprentice_total=Decimal("45.00"),
    )
    basis_generate(period=JAN)
    basis_generate(period=FEB)

    january, february = basis(employer, JAN), basis(employer, FEB)
    assert january.fixed_total == Decimal("218.00")
    assert february.fixed_total == Decimal("229.50")
    assert january.dues_text == "1,1 % av pensjonsgivende inntekt"
    assert february.dues_text == "1,25 % av pensjonsgivende inntekt"
    assert february.lines.get(name="Hauge Linda").home_insurance_amount == Decimal("89.50")
    assert february.change_count == 0


def test_without_rates_for_the_month_nothing_is_generated(employer):
    with pytest.raises(NoRatesError):
        basis_generate(period=JAN)
    assert not Basis.objects.exists()


def test_generation_and_publication_leave_audit_rows(rates, employer, staff):
    basis_generate(period=JAN, actor=staff)
    assert AuditEvent.objects.filter(action="basis_published", employer=employer).exists()
    summary = AuditEvent.objects.get(action="basis_published", employer=None)
    assert summary.actor == staff
    assert summary.details["period"] == "2021-01"


def test_generation_takes_the_same_number_of_queries_for_many_members(
    rates, employer, django_assert_max_num_queries
):
    for n in range(30):
        make_member(f"Medlem {n:02d}", employer, JAN, home=n % 2 == 0)
    with django_assert_max_num_queries(16):
        basis_generate(period=JAN)
    assert basis(employer, JAN).line_count == 30


def test_an_employers_first_month_compares_with_the_history_not_with_nothing(rates, employer):
    """Members already deducted before the portal's first month are no news to payroll."""
    make_member("Hauge Linda", employer, Period(2020, 6), home=True)
    leaving = make_member("Dahl Kim", employer, Period(2020, 6))
    leaving.stop_deduction(last_period=Period(2020, 12))
    make_member("Ny Nina", employer, JAN)

    basis_generate(period=JAN)

    assert changes_of(employer, JAN) == {"Dahl Kim": ["Stopp trekk"], "Ny Nina": ["Start trekk"]}
    assert basis(employer, JAN).line_count == 2


# --- A month nobody generated ---------------------------------------------------------------


@pytest.fixture
def february_unpublished(rates, employer):
    """January published; in February (never generated) Dahl Kim stops and Hauge Linda takes
    home insurance; in March Ny Nina starts. Three changes in all."""
    linda = make_member("Hauge Linda", employer, JAN)
    kim = make_member("Dahl Kim", employer, JAN)
    basis_generate(period=JAN)
    kim.stop_deduction(last_period=JAN)
    linda.change_deduction(employer=employer, from_period=FEB, home=True)
    make_member("Ny Nina", employer, MAR)


def test_publishing_after_a_skipped_month_publishes_it_first_and_loses_no_change(
    february_unpublished, employer
):
    result = basis_generate(period=MAR)

    [february] = result.earlier
    assert (february.period, february.bases, february.changes) == (FEB, 1, 2)
    assert basis(employer, FEB).status == Basis.Status.PUBLISHED
    assert changes_of(employer, FEB) == {
        "Dahl Kim": ["Stopp trekk"],
        "Hauge Linda": ["Start innboforsikring"],
    }
    assert (result.period, result.changes, result.compared_with) == (MAR, 1, FEB)
    assert changes_of(employer, MAR) == {"Ny Nina": ["Start trekk"]}
    assert february.changes + result.changes == 3
    assert result.earlier_text == "Genererte også 2021/02, som manglet."
    assert AuditEvent.objects.filter(
        action="basis_published", employer=employer, object_ref="2021-02"
    ).exists()


def test_a_draft_after_an_unpublished_month_counts_every_change_since_the_last_published(
    february_unpublished, employer
):
    result = basis_generate(period=MAR, publish=False)

    assert result.earlier == ()
    assert not Basis.objects.filter(period=FEB).exists()
    assert (result.changes, result.compared_with) == (3, JAN)
    assert changes_of(employer, MAR) == {
        "Dahl Kim": ["Stopp trekk"],
        "Hauge Linda": ["Start innboforsikring"],
        "Ny Nina": ["Start trekk"],
    }
    assert result.compared_text == (
        "Endringene er talt mot 2021/01, siste publiserte måned; "
        "2021/02 publiseres først når 2021/03 publiseres."
    )


def test_an_unpublished_draft_of_the_month_before_is_published_first(
    february_unpublished, employer
):
    basis_generate(period=FEB, publish=False)

    result = basis_generate(period=MAR)

    assert [earlier.period for earlier in result.earlier] == [FEB]
    assert basis(employer, FEB).status == Basis.Status.PUBLISHED
    assert basis(employer, FEB).change_count == 2
    assert basis(employer, MAR).change_count == 1


def test_generating_ahead_publishes_the_months_between_in_order(rates, employer):
    linda = make_member("Hauge Linda", employer, JAN)
    basis_generate(period=JAN)
    linda.change_deduction(employer=employer, from_period=MAR, travel=True)

    result = basis_generate(period=Period(2021, 4))

    assert [earlier.period for earlier in result.earlier] == [FEB, MAR]
    assert result.earlier_text == "Genererte også 2021/02 og 2021/03, som manglet."
    assert changes_of(employer, FEB) == {}
    assert changes_of(employer, MAR) == {"Hauge Linda": ["Start reiseforsikring"]}
    assert changes_of(employer, Period(2021, 4)) == {}
    # The cron run for February, later, finds it done; a change entered after it was
    # published shows in the next month not yet published.
    assert basis_generate(period=FEB).bases == 0
    linda.change_deduction(employer=employer, from_period=FEB, travel=True, home=True)
    basis_generate(period=Period(2021, 5))
    assert changes_of(employer, Period(2021, 5)) == {"Hauge Linda": ["Start innboforsikring"]}


def test_more_than_twelve_missing_months_are_refused_and_nothing_is_written(rates, employer):
    basis_generate(period=JAN)

    with pytest.raises(TooManyMissingMonths) as refused:
        basis_generate(period=Period(2022, 3))

    assert str(refused.value) == (
        "Kan ikke publisere trekkgrunnlag for 2022/03: siste publiserte måned er 2021/01, "
        "og de 13 månedene imellom mangler. Høyst 12 manglende måneder lages i samme kjøring. "
        "Sjekk måneden, eller publiser de tidligere månedene først (fra 2021/02)."
    )
    assert list(Basis.objects.values_list("period", flat=True)) == [JAN]
    assert basis_generate(period=Period(2022, 3), publish=False).bases == 1


def test_twelve_missing_months_are_published_first(rates, employer):
    basis_generate(period=JAN)
    result = basis_generate(period=Period(2022, 2))
    assert [earlier.period for earlier in result.earlier] == [FEB + n for n in range(12)]
    assert Basis.objects.published().count() == 14


def test_a_missing_month_without_rates_refuses_before_anything_is_written(rates, employer):
    rates.valid_from = MAR
    rates.save()
    Basis.objects.create(employer=employer, period=JAN, status=Basis.Status.PUBLISHED)

    with pytest.raises(NoRatesError, match="Ingen satser gjelder for 2021/02"):
        basis_generate(period=MAR)

    assert list(Basis.objects.values_list("period", flat=True)) == [JAN]


def test_an_employer_without_a_basis_last_month_is_compared_with_its_last_published_one(
    rates, employer, other_employer
):
    kim = make_member("Dahl Kim", employer, JAN)
    linda = make_member("Hauge Linda", employer, JAN)
    basis_generate(period=JAN)
    employer.active = False
    employer.save()
    basis_generate(period=FEB)
    kim.stop_deduction(last_period=JAN)
    linda.change_deduction(employer=employer, from_period=FEB, home=True)
    employer.active = True
    employer.save()

    result = basis_generate(period=MAR)

    assert result.earlier == ()
    assert not Basis.objects.filter(employer=employer, period=FEB).exists()
    assert changes_of(employer, MAR) == {
        "Dahl Kim": ["Stopp trekk"],
        "Hauge Linda": ["Start innboforsikring"],
    }


def test_a_new_employer_among_old_ones_is_compared_with_the_history(
    rates, employer, other_employer
):
    other_employer.active = False
    other_employer.save()
    basis_generate(period=JAN)
    make_member("Hauge Linda", other_employer, Period(2020, 6))
    make_member("Ny Nina", other_employer, FEB)
    other_employer.active = True
    other_employer.save()

    basis_generate(period=FEB)

    assert changes_of(other_employer, FEB) == {"Ny Nina": ["Start trekk"]}
    assert basis(other_employer, FEB).line_count == 2
