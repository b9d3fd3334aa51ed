"""`manage.py send_list_reminders`: after the deadline, once, only to those who have not
delivered."""

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from deductions.basis.services import basis_generate
from deductions.period import Period
from employers.models import Employer
from messaging.models import OutboxMessage
from tests.deductions.conftest import make_member
from tests.deductions.cycle.conftest import add_contact, deliver_list

MARCH = Period(2021, 3)


def run(*args):
    out = StringIO()
    call_command("send_list_reminders", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def march_published(rates, employer, other_employer, owner, outsider):
    make_member("Hauge Linda", employer, MARCH)
    basis_generate(period=MARCH)
    return MARCH


@time_machine.travel("2021-04-11 07:00 +02:00", tick=False)
def test_after_the_deadline_every_contact_of_an_undelivered_employer_is_reminded(
    march_published, smtp_server, settings
):
    settings.SITE_URL = "https://trekk.example"
    output = run()

    [message] = smtp_server.to("kari@example.com")
    assert (
        message["Subject"].strip()
        == "Påminnelse: trekkliste for 03/2021 mangler for Systemadministrasjonen"
    )
    assert message["Reply-To"] == settings.UNION_REPLY_TO
    text = smtp_server.text(message)
    assert "Fristen var 10.04.2021." in text
    assert "https://trekk.example/" in text
    assert "KID 9019400176121038" in text
    assert len(smtp_server.to("ola@example.com")) == 1
    assert "Påminnelse om trekkliste 03/2021: 2 sendt" in output


@time_machine.travel("2021-04-10 18:00 +02:00", tick=False)
def test_on_the_deadline_day_nobody_is_reminded_yet(march_published, smtp_server):
    run("--period", "2021-03")
    assert smtp_server.messages == []
    assert OutboxMessage.objects.count() == 0


@time_machine.travel("2021-04-20 07:00 +02:00", tick=False)
def test_reminder_is_sent_once_per_employer_and_period(march_published, smtp_server):
    run()
    run()
    assert sorted(message["To"] for message in smtp_server.messages) == [
        "kari@example.com",
        "ola@example.com",
    ]


@time_machine.travel("2021-04-20 07:00 +02:00", tick=False)
def test_employer_that_delivered_gets_no_reminder(march_published, smtp_server, employer):
    deliver_list(employer, MARCH, "100.00")
    run()
    assert [message["To"] for message in smtp_server.messages] == ["ola@example.com"]


@time_machine.travel("2021-04-20 07:00 +02:00", tick=False)
def test_employer_that_delivers_after_a_failed_reminder_is_not_retried(
    march_published, smtp_server, employer
):
    from django.core.management import CommandError

    smtp_server.defer = {"kari@example.com"}
    with pytest.raises(CommandError, match="1 feilet"):
        run()
    smtp_server.defer = set()
    deliver_list(employer, MARCH, "100.00")
    output = run()

    assert smtp_server.to("kari@example.com") == []
    assert "0 gjenstår" in output
    row = OutboxMessage.objects.get(address="kari@example.com")
    assert row.status == OutboxMessage.Status.SKIPPED


@time_machine.travel("2021-04-20 07:00 +02:00", tick=False)
def test_employer_without_a_published_basis_is_not_reminded(
    march_published, smtp_server, other_employer
):
    third = Employer.objects.create(number="00090009", name="Ny bedrift")
    add_contact("10000020", "Ny Kontakt", "ny@example.com", third)
    run()
    assert smtp_server.to("ny@example.com") == []


@time_machine.travel("2021-04-05 07:00 +02:00", tick=False)
def test_default_period_is_the_latest_with_a_passed_deadline(rates, employer, owner, smtp_server):
    make_member("Hauge Linda", employer, Period(2021, 2))
    basis_generate(period=Period(2021, 2))
    run()
    assert [message["Subject"].strip() for message in smtp_server.messages] == [
        "Påminnelse: trekkliste for 02/2021 mangler for Systemadministrasjonen"
    ]


@time_machine.travel("2021-04-20 07:00 +02:00", tick=False)
def test_dry_run_lists_who_would_be_reminded_and_sends_nothing(march_published, smtp_server):
    output = run("--dry-run")
    assert "94001761 Systemadministrasjonen: kari@example.com" in output
    assert "2 e-poster ville blitt sendt" in output
    assert smtp_server.messages == []
    assert OutboxMessage.objects.count() == 0
