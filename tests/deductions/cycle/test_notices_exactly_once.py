"""The notice is sent exactly once per (employer, period, recipient): failures, crashes half-way
and re-runs neither lose nor double a mail."""

import smtplib
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from deductions.models import CycleMail
from deductions.period import Period
from tests.deductions.conftest import make_member
from tests.deductions.cycle.conftest import add_contact

MARCH = Period(2021, 3)


def run():
    out = StringIO()
    call_command("send_monthly_notices", "--period", "2021-03", stdout=out)
    return out.getvalue()


@pytest.fixture
def ten_contacts(rates, employer):
    make_member("Hauge Linda", employer, MARCH)
    return [
        add_contact(f"1200000{n}", f"Kontakt {n}", f"k{n}@example.com", employer) for n in range(10)
    ]


def addresses(smtp_server):
    return sorted(message["To"] for message in smtp_server.messages)


def all_addresses():
    return sorted(f"k{n}@example.com" for n in range(10))


def test_refused_recipient_is_recorded_with_the_error_and_the_command_fails(
    ten_contacts, smtp_server
):
    smtp_server.refuse = {"k3@example.com"}
    with pytest.raises(CommandError, match="9 sendt, 1 feilet, 1 gjenstår"):
        run()
    row = CycleMail.objects.get(email="k3@example.com")
    assert row.status == CycleMail.Status.FAILED
    assert "550" in row.error
    assert row.attempts == 1
    assert len(smtp_server.messages) == 9


def test_failed_recipient_is_retried_on_the_next_run_and_only_it(ten_contacts, smtp_server):
    smtp_server.refuse = {"k3@example.com"}
    with pytest.raises(CommandError):
        run()
    smtp_server.refuse = set()

    output = run()

    assert "1 sendt, 0 feilet, 0 gjenstår" in output
    assert addresses(smtp_server) == all_addresses()
    row = CycleMail.objects.get(email="k3@example.com")
    assert (row.status, row.error, row.attempts) == (CycleMail.Status.SENT, "", 2)


def test_server_refusing_after_four_messages_then_rerun_sends_exactly_the_rest(
    ten_contacts, smtp_server
):
    smtp_server.accept_only = 4
    with pytest.raises(CommandError, match="4 sendt, 6 feilet, 6 gjenstår"):
        run()
    smtp_server.accept_only = None

    run()

    assert addresses(smtp_server) == all_addresses()
    assert CycleMail.objects.filter(status=CycleMail.Status.SENT).count() == 10


class Crash(BaseException):
    """Stands for the process dying (KeyboardInterrupt, SIGTERM) in the middle of a run."""


def crash_after(count):
    """The process dies as it hands the mail after the first `count` to the mail server."""
    real = smtplib.SMTP.sendmail
    calls = []

    def sendmail(self, *args, **kwargs):
        if len(calls) >= count:
            raise Crash
        calls.append(1)
        return real(self, *args, **kwargs)

    return mock.patch.object(smtplib.SMTP, "sendmail", sendmail)


def test_interrupted_run_then_rerun_sends_exactly_the_rest(ten_contacts, smtp_server):
    with crash_after(6), pytest.raises(Crash):
        run()
    assert len(smtp_server.messages) == 6
    assert CycleMail.objects.filter(claim_token__isnull=False).count() == 0

    run()

    assert addresses(smtp_server) == all_addresses()


def test_claim_left_by_a_killed_run_is_taken_over_only_when_stale(ten_contacts, smtp_server):
    with crash_after(6), pytest.raises(Crash):
        run()
    # A killed process gives nothing back: its claim stays on the four unsent rows.
    unsent = CycleMail.objects.exclude(status=CycleMail.Status.SENT)
    unsent.update(claim_token="00000000-0000-0000-0000-000000000001", claimed_at=timezone.now())

    with pytest.raises(CommandError, match="0 sendt, 0 feilet, 4 gjenstår"):
        run()
    assert len(smtp_server.messages) == 6

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        run()
    assert addresses(smtp_server) == all_addresses()


def test_run_without_a_mail_server_records_every_failure(ten_contacts, smtp_server, settings):
    settings.EMAIL_PORT = 1  # nothing listens there
    with pytest.raises(CommandError, match="0 sendt, 10 feilet, 10 gjenstår"):
        run()
    assert all(row.error for row in CycleMail.objects.all())
    assert smtp_server.messages == []
