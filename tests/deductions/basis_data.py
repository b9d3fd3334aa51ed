"""A few published months for `employer`, for the page and download tests."""

from deductions.basis.services import basis_generate
from deductions.models import Basis, Category
from deductions.period import Period
from tests.deductions.conftest import make_member

JAN, FEB = Period(2021, 1), Period(2021, 2)


def two_published_months(employer):
    """January: Linda (home insurance), Per, Lise (apprentice). February: Linda adds travel
    insurance, Per stops, Lise becomes ordinary, Nina starts."""
    linda = make_member("Hauge Linda", employer, JAN, home=True)
    per = make_member("Berg Per", employer, JAN)
    lise = make_member("=Lærling Lise", employer, JAN, category=Category.APPRENTICE)
    basis_generate(period=JAN)
    linda.change_deduction(employer=employer, from_period=FEB, home=True, travel=True)
    per.stop_deduction(last_period=JAN)
    lise.change_deduction(employer=employer, from_period=FEB)
    make_member("Ny Nina", employer, FEB, home=True)
    basis_generate(period=FEB)
    return Basis.objects.get(employer=employer, period=FEB)
