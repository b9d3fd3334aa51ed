from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Q
from stdnum.no import fodselsnummer

from accounts.models import Role, User
from bench.management.commands.generate_scale_data import Command as GenerateScaleData
from bench.scale_data import (
    CONTACT_PASSWORD,
    SQLITE_MAX_MEMBERS,
    employer_sizes,
    national_ids,
)
from deductions.models import Basis, BasisLine, Deduction, Member
from employers.models import Employer

pytestmark = pytest.mark.django_db


def generate(**options):
    out = StringIO()
    options = {"members": 400, "employers": 20, "months": 6, "contacts": 30, **options}
    call_command(GenerateScaleData(), stdout=out, **options)
    return out.getvalue()


def test_it_makes_what_it_reports_and_publishes_every_month():
    output = generate()
    assert "20 bedrifter" in output
    assert "400 medlemmer" in output
    assert "30 trekkontakter" in output
    assert Employer.objects.count() == 20
    assert Member.objects.count() == 400
    assert User.objects.count() == 30
    months = Basis.objects.values("period").annotate(n=Count("pk"))
    assert [month["n"] for month in months] == [20] * 6
    assert not Basis.objects.exclude(status=Basis.Status.PUBLISHED).exists()


def test_the_largest_employer_is_the_first_and_most_employers_are_small():
    generate(members=2000, employers=50, largest=500)
    sizes = sorted(
        Deduction.objects.values("employer__number")
        .annotate(n=Count("member", distinct=True))
        .values_list("employer__number", "n"),
        key=lambda pair: -pair[1],
    )
    assert sizes[0][0] == "10000000"
    median = sizes[len(sizes) // 2][1]
    assert sizes[0][1] > 10 * median


def test_a_few_percent_change_every_month():
    generate(members=2000, employers=50, months=8)
    months = (
        BasisLine.objects.values("basis__period")
        .annotate(lines=Count("pk"), changed=Count("pk", filter=Q(changed=True)))
        .order_by("basis__period")
    )
    shares = [month["changed"] / month["lines"] for month in months]
    assert shares[0] == 1  # the first month starts everyone
    assert all(0.005 < share < 0.10 for share in shares[1:]), shares


def test_no_member_has_overlapping_spells():
    generate()
    spells = {}
    for member_id, first, last in Deduction.objects.order_by(
        "member_id", "first_period"
    ).values_list("member_id", "first_period", "last_period"):
        previous_last = spells.get(member_id, "none")
        assert previous_last is not None, "a spell follows an open-ended one"
        if previous_last != "none":
            assert previous_last < first
        spells[member_id] = last


def test_every_employer_has_a_contact_and_some_contacts_have_several_roles():
    generate()
    assert not Employer.objects.filter(roles__isnull=True).exists()
    roles = User.objects.annotate(n=Count("roles")).values_list("n", flat=True)
    assert max(roles) >= 2
    assert User.objects.get(username="20000000").check_password(CONTACT_PASSWORD)


def test_it_refuses_a_database_that_already_has_data(employer):
    with pytest.raises(CommandError, match="tom database"):
        generate()
    assert Member.objects.count() == 0


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the limit is SQLite's")
def test_it_refuses_large_data_on_sqlite():
    with pytest.raises(CommandError, match="krever PostgreSQL"):
        generate(members=SQLITE_MAX_MEMBERS + 1)


def test_employer_sizes_add_up_with_one_largest_and_none_empty():
    sizes = employer_sizes(400_000, 10_000, 5_000)
    assert sum(sizes) == 400_000
    assert sizes[0] == 5_000 == max(sizes)
    assert min(sizes) >= 1
    assert sorted(sizes)[5_000] < 50  # the median employer is small


def test_synthetic_national_ids_are_valid_and_distinct():
    ids = [number for number, _ in zip(national_ids(), range(20_000), strict=False)]
    assert len(set(ids)) == len(ids)
    assert all(fodselsnummer.is_valid(number) for number in ids[::97])


def test_role_pairs_are_unique():
    generate(contacts=10, employers=20)
    assert Role.objects.count() == Role.objects.values("user", "employer").distinct().count()
