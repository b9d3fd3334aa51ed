import re
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from deductions.models import Basis
from deductions.period import Period
from tests.deductions.conftest import make_member


@time_machine.travel("2021-02-15 12:00 +01:00", tick=False)
def test_generate_basis_defaults_to_next_month(rates, employer, capsys):
    make_member("Hauge Linda", employer, Period(2021, 1))
    call_command("generate_basis")
    basis = Basis.objects.get()
    assert basis.period == Period(2021, 3)
    assert basis.status == Basis.Status.PUBLISHED
    assert "2021/03: 1 trekkgrunnlag publisert, 1 på trekk, 0 endringer" in capsys.readouterr().out


def test_generate_basis_for_a_given_month_and_again_says_it_is_done(rates, employer, capsys):
    call_command("generate_basis", "--period", "2021-05")
    call_command("generate_basis", "--period", "2021-05")
    assert Basis.objects.get().period == Period(2021, 5)
    assert "har allerede publisert" in capsys.readouterr().out


def test_generate_basis_as_draft_leaves_the_month_unpublished(rates, employer):
    call_command("generate_basis", "--period", "2021-05", "--draft")
    assert Basis.objects.get().status == Basis.Status.DRAFT


def test_generate_basis_refuses_a_malformed_month(rates):
    with pytest.raises(CommandError, match="Ugyldig måned"):
        call_command("generate_basis", "--period", "mai")


def test_generate_basis_without_rates_says_so(employer):
    with pytest.raises(CommandError, match="Ingen satser"):
        call_command("generate_basis", "--period", "2021-05")


def test_generate_basis_publishes_a_skipped_month_first_and_says_so(rates, employer):
    make_member("Hauge Linda", employer, Period(2021, 1))
    call_command("generate_basis", "--period", "2021-01", stdout=StringIO())
    make_member("Berg Per", employer, Period(2021, 2))
    out = StringIO()

    call_command("generate_basis", "--period", "2021-03", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "2021/02: 1 trekkgrunnlag publisert, 2 på trekk, 1 endring."
    assert re.fullmatch(
        r"2021/03: 1 trekkgrunnlag publisert, 2 på trekk, 0 endringer \(\d+\.\d\d s\)\.", lines[1]
    )
    assert lines[2:] == ["Genererte også 2021/02, som manglet."]
    assert Basis.objects.published().count() == 3


def test_generate_basis_draft_after_an_unpublished_month_says_what_it_counts_against(
    rates, employer
):
    call_command("generate_basis", "--period", "2021-01", stdout=StringIO())
    out = StringIO()
    call_command("generate_basis", "--period", "2021-03", "--draft", stdout=out)
    assert out.getvalue().splitlines()[1:] == [
        "Endringene er talt mot 2021/01, siste publiserte måned; "
        "2021/02 publiseres først når 2021/03 publiseres."
    ]
    assert not Basis.objects.filter(period=Period(2021, 2)).exists()


def test_generate_basis_refuses_too_many_missing_months(rates, employer):
    call_command("generate_basis", "--period", "2021-01", stdout=StringIO())
    with pytest.raises(CommandError, match="de 13 månedene imellom mangler"):
        call_command("generate_basis", "--period", "2022-03")
    assert Basis.objects.count() == 1
