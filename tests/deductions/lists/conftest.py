"""Deduction list fixtures: two published months (January with an apprentice, February with
three on deduction and one stop) and helpers to fill, save and deliver a list."""

import pytest
from django.urls import reverse

from accounts.models import Role
from deductions.models import Basis, DeductionList
from tests.conftest import client_for, make_user
from tests.deductions.basis_data import FEB, JAN, two_published_months


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def february(rates, employer, other_employer):
    return two_published_months(employer)


@pytest.fixture
def january(february):
    return Basis.objects.get(employer=february.employer, period=JAN)


@pytest.fixture
def draft(owner_client, february):
    """February's list, started by Kari (the owner) and not yet saved."""
    return start_list(owner_client)


@pytest.fixture
def colleague_client(employer):
    """Per, another contact of Kari's employer, on the same draft."""
    colleague = make_user("10000009", "Per Kollega")
    Role.objects.create(user=colleague, employer=employer)
    return client_for(colleague, employer)


def start_list(client, period=FEB):
    """Starts "Registrer trekkliste i nettskjema" (the button on the page the link opens) and
    returns the list it leads to."""
    response = client.post(reverse("deductions:list_new", args=[period.slug]))
    assert response.status_code == 302
    return DeductionList.objects.get(public_id=response.url.split("/")[-3])


def form_data(deduction_list, **overrides):
    """The form as the page shows it, every member deducted 100,00 in dues; `overrides` by
    input name (`l-0-reason`)."""
    data = {"new-count": "3"}
    for line in deduction_list.lines.all():
        prefix = f"l-{line.position}"
        data[f"{prefix}-dues"] = "100,00" if not line.dues else str(line.dues)
        data[f"{prefix}-home"] = str(line.home_insurance)
        data[f"{prefix}-travel"] = str(line.travel_insurance)
        data[f"{prefix}-reason"] = line.reason
        data[f"{prefix}-comment"] = line.comment
    data.update(overrides)
    return data


def position_of(deduction_list, name):
    return deduction_list.lines.get(name=name).position


def deliver(client, deduction_list):
    return client.post(reverse("deductions:list_confirm", args=[deduction_list.public_id]))
