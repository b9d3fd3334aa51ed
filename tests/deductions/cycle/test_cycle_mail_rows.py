"""CycleMail rows: made once per recipient, claimed by one holder, marked only by it."""

import uuid
from datetime import timedelta

import time_machine
from django.utils import timezone

from deductions.models import CycleMail
from deductions.period import Period
from employers.models import Employer
from tests.deductions.cycle.conftest import add_contact

MARCH = Period(2021, 3)
NOTICE = CycleMail.Kind.NOTICE


def make_rows():
    return CycleMail.objects.create_missing(
        kind=NOTICE, period=MARCH, employers=Employer.objects.all()
    )


def test_rows_are_made_once_per_employer_period_and_recipient(employer, other_employer, owner):
    add_contact("10000030", "To Roller", "to@example.com", employer, other_employer)
    assert make_rows() == 3
    assert make_rows() == 0
    assert CycleMail.objects.count() == 3


def test_a_claimed_row_is_not_claimed_again(employer, owner):
    make_rows()
    started = timezone.now() + timedelta(seconds=1)
    with time_machine.travel(started):
        _, first = CycleMail.objects.claim(run_started=started, limit=10)
        _, second = CycleMail.objects.claim(run_started=started, limit=10)
    assert len(first) == 1
    assert second == []


def test_only_the_claims_holder_can_mark_it_sent(employer, owner):
    make_rows()
    token, [row] = CycleMail.objects.claim(run_started=timezone.now(), limit=10)
    assert row.mark_sent(uuid.uuid4()) is False
    assert CycleMail.objects.get().status == CycleMail.Status.PENDING
    assert row.mark_sent(token) is True
    row.refresh_from_db()
    assert (row.status, row.claim_token, row.attempts) == (CycleMail.Status.SENT, None, 1)
    assert row.sent_at is not None


def test_a_stale_claim_is_taken_over_and_the_old_holder_can_no_longer_mark_it(employer, owner):
    make_rows()
    old_token, [row] = CycleMail.objects.claim(run_started=timezone.now(), limit=10)
    later = timezone.now() + timedelta(minutes=16)
    with time_machine.travel(later):
        new_token, [taken] = CycleMail.objects.claim(run_started=later, limit=10)
    assert taken.pk == row.pk
    assert row.mark_sent(old_token) is False
    assert taken.mark_sent(new_token) is True


def test_a_row_that_failed_in_this_run_waits_for_the_next_run(employer, owner):
    make_rows()
    started = timezone.now()
    token, [row] = CycleMail.objects.claim(run_started=started, limit=10)
    row.mark_failed(token, "451 Try again later")
    assert CycleMail.objects.claim(run_started=started, limit=10)[1] == []
    next_run = timezone.now() + timedelta(seconds=1)
    with time_machine.travel(next_run):
        assert len(CycleMail.objects.claim(run_started=next_run, limit=10)[1]) == 1
