"""Two hosts generating the same month at once: one does the work, nothing is doubled."""

import threading

import pytest
from django.db import connection

from deductions.basis.services import basis_generate
from deductions.models import Basis, BasisLine
from deductions.period import Period
from tests.deductions.conftest import make_member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (SQLite has one writer)",
    ),
]


def run_at_once(count, work):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def runner():
        from django.db import connections

        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_two_hosts_generating_the_same_month_publish_it_once(rates, employer, other_employer):
    for n in range(50):
        make_member(f"Medlem {n:02d}", employer, Period(2021, 1), home=n % 3 == 0)

    results, errors = run_at_once(2, lambda: basis_generate(period=Period(2021, 1)))

    assert errors == []
    assert sorted(result.bases for result in results) == [0, 2]
    assert Basis.objects.count() == 2
    assert BasisLine.objects.count() == 50
    assert Basis.objects.get(employer=employer).line_count == 50
