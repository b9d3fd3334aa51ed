"""`manage.py send_monthly_notices` against a real SMTP server on 127.0.0.1."""

import threading
import time
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from deductions.basis.services import basis_generate
from deductions.cycle.mailings import add_rows
from deductions.models import Basis
from deductions.period import Period
from employers.models import Employer
from messaging.models import OutboxMessage
from tests.deductions.conftest import make_member
from tests.deductions.cycle.conftest import add_contact

MARCH = Period(2021, 3)


def run(*args):
    out = StringIO()
    call_command("send_monthly_notices", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def march(rates, employer, other_employer, owner, outsider):
    """Two members at `employer` start in March; `owner` and `outsider` are the contacts."""
    make_member("Hauge Linda", employer, MARCH, home=True)
    make_member("Berg Per", employer, MARCH)
    return MARCH


def test_notice_carries_employer_period_changes_rates_account_kid_and_link(
    march, smtp_server, owner, settings
):
    settings.SITE_URL = "https://trekk.example"
    run("--period", "2021-03")

    [message] = smtp_server.to("kari@example.com")
    text = smtp_server.text(message)
    assert message["Subject"] == "Trekkgrunnlag for 03/2021: Systemadministrasjonen"
    assert message["Reply-To"] == settings.UNION_REPLY_TO
    assert "Systemadministrasjonen" in text
    assert "perioden 03/2021" in text
    assert "Antall endringer fra forrige måned: 2." in text
    assert "https://trekk.example/trekk/2021-03/endringer/" in text
    assert "Kontingent: 1,1 %" in text
    assert "pensjonsgivende inntekt" in text
    assert "Overtid skal ikke tas med" in text
    assert "Innboforsikring: kr 85,00" in text
    assert "Reiseforsikring (for dem som har den): kr 91,00" in text
    assert "fast beløp på kr 42,00" in text
    assert "kontonummer 9001 07 41504" in text
    assert "KID 9019400176121038" in text
    assert "ikke trekkes" in text
    html = smtp_server.html(message)
    assert 'href="https://trekk.example/trekk/2021-03/endringer/"' in html
    assert "9019400176121038" in html


def test_notice_publishes_the_months_basis_first(march, smtp_server):
    run("--period", "2021-03")
    assert set(Basis.objects.values_list("status", flat=True)) == {Basis.Status.PUBLISHED}
    assert Basis.objects.filter(period=MARCH).count() == 2


def test_contact_with_three_roles_gets_three_mails_one_per_employer(march, smtp_server, employer):
    third = Employer.objects.create(number="00090009", name="Statens vegvesen")
    add_contact("10000009", "Mona Mange", "mona@example.com", *Employer.objects.all())

    run("--period", "2021-03")

    messages = smtp_server.to("mona@example.com")
    assert sorted(message["Subject"].split(": ")[1] for message in messages) == sorted(
        ["Systemadministrasjonen", "Avinor AS", third.name]
    )
    assert len(smtp_server.messages) == 5  # Kari, Ola, and Mona's three
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count() == 5


def test_one_smtp_connection_serves_the_whole_run(march, smtp_server, employer):
    for n in range(5):
        add_contact(f"1100000{n}", f"Kontakt {n}", f"k{n}@example.com", employer)
    run("--period", "2021-03")
    assert len(smtp_server.messages) == 7
    assert smtp_server.connections == 1


def test_contact_at_a_non_ascii_domain_gets_the_notice_at_its_ascii_form(
    march, smtp_server, employer
):
    add_contact("10000012", "Åse Bøler", "ase@bøler.no", employer)
    run("--period", "2021-03")
    assert len(smtp_server.to("ase@xn--bler-gra.no")) == 1
    assert OutboxMessage.objects.get(address="ase@bøler.no").status == OutboxMessage.Status.SENT


def test_running_again_sends_nothing_new(march, smtp_server):
    run("--period", "2021-03")
    output = run("--period", "2021-03")
    assert len(smtp_server.messages) == 2
    assert "0 sendt, 0 feilet, 0 gjenstår" in output


def test_a_contact_added_later_gets_only_their_own_notice_on_the_next_run(
    march, smtp_server, employer
):
    run("--period", "2021-03")
    add_contact("10000010", "Ny Kontakt", "ny@example.com", employer)
    run("--period", "2021-03")
    assert len(smtp_server.messages) == 3
    assert len(smtp_server.to("ny@example.com")) == 1


def test_contacts_without_an_address_and_inactive_employers_get_nothing(
    march, smtp_server, employer
):
    add_contact("10000011", "Uten Adresse", "", employer)
    Employer.objects.filter(number="00080000").update(active=False)
    run("--period", "2021-03")
    assert [message["To"] for message in smtp_server.messages] == ["kari@example.com"]


def test_employer_option_mails_only_that_employer(march, smtp_server):
    run("--period", "2021-03", "--employer", "00080000")
    assert [message["To"] for message in smtp_server.messages] == ["ola@example.com"]


def test_unknown_employer_is_refused(march, smtp_server):
    with pytest.raises(CommandError, match="Fant ingen aktiv bedrift"):
        run("--period", "2021-03", "--employer", "12345678")


@time_machine.travel("2021-02-15 06:00 +01:00", tick=False)
def test_default_period_is_next_month(march, smtp_server):
    run()
    assert {message["Subject"][:27] for message in smtp_server.messages} == {
        "Trekkgrunnlag for 03/2021: "
    }


def test_dry_run_lists_recipients_and_sends_nothing(march, smtp_server):
    output = run("--period", "2021-03", "--dry-run")
    assert "94001761 Systemadministrasjonen: kari@example.com" in output
    assert "00080000 Avinor AS: ola@example.com" in output
    assert "2 e-poster ville blitt sendt" in output
    assert smtp_server.messages == []
    assert OutboxMessage.objects.count() == 0
    assert Basis.objects.count() == 0


def test_without_rates_the_command_says_so(employer, owner, smtp_server):
    with pytest.raises(CommandError, match="Ingen satser"):
        run("--period", "2021-03")
    assert smtp_server.messages == []


def test_summary_is_one_line_when_not_on_a_terminal(march, smtp_server):
    output = run("--period", "2021-03")
    assert len(output.strip().splitlines()) == 1
    assert output.startswith("Varsel om trekkgrunnlag 03/2021: 2 sendt, 0 feilet, 0 gjenstår")


class Terminal(StringIO):
    def isatty(self):
        return True


def test_on_a_terminal_the_command_shows_its_progress(march, smtp_server):
    out = Terminal()
    call_command("send_monthly_notices", "--period", "2021-03", stdout=out)
    assert "\r2/2 behandlet" in out.getvalue()
    assert "2 sendt" in out.getvalue()


def test_under_cron_there_is_no_progress_count(march, smtp_server):
    assert "behandlet" not in run("--period", "2021-03")


def test_employer_name_is_escaped_in_html_and_plain_in_text(march, smtp_server, employer):
    employer.name = "Bygg & Anlegg <Vest>"
    employer.save()
    run("--period", "2021-03")
    [message] = smtp_server.to("kari@example.com")
    assert "Bygg &amp; Anlegg &lt;Vest&gt;" in smtp_server.html(message)
    assert "Bygg & Anlegg <Vest>" in smtp_server.text(message)


def test_a_run_that_sent_leaves_one_audit_row(march, smtp_server):
    from accounts.models import AuditEvent

    run("--period", "2021-03")
    run("--period", "2021-03")
    [event] = AuditEvent.objects.filter(action="notices_sent")
    assert event.details == {
        "period": "2021-03",
        "sent": 2,
        "failed": 0,
        "remaining": 0,
        "held_elsewhere": 0,
    }


def test_rows_are_made_once_per_employer_period_and_recipient(employer, other_employer, owner):
    from deductions.cycle.mailings import NOTICE, add_rows

    add_contact("10000030", "To Roller", "to@example.com", employer, other_employer)
    assert add_rows(kind=NOTICE, period=MARCH, employers=Employer.objects.all()) == 3
    assert add_rows(kind=NOTICE, period=MARCH, employers=Employer.objects.all()) == 0
    assert OutboxMessage.objects.count() == 3


def test_a_refused_recipient_makes_the_command_fail_and_points_to_admin(march, smtp_server):
    smtp_server.refuse = {"ola@example.com"}
    with pytest.raises(CommandError) as failure:
        run("--period", "2021-03")
    message = str(failure.value)
    assert "Varsel om trekkgrunnlag 03/2021: 1 sendt, 1 feilet, 1 gjenstår" in message
    assert "«Utgående e-post og SMS»" in message
    row = OutboxMessage.objects.get(address="ola@example.com")
    assert (row.status, row.attempts) == (OutboxMessage.Status.FAILED, 1)
    assert "550" in row.last_error


def test_a_failed_notice_is_sent_by_the_next_run_and_nothing_twice(march, smtp_server):
    smtp_server.defer = {"ola@example.com"}
    with pytest.raises(CommandError):
        run("--period", "2021-03")
    smtp_server.defer = set()

    assert "1 sendt, 0 feilet, 0 gjenstår" in run("--period", "2021-03")
    assert sorted(message["To"] for message in smtp_server.messages) == [
        "kari@example.com",
        "ola@example.com",
    ]


def test_notice_after_a_skipped_month_publishes_it_first_and_says_its_notice_is_not_sent(
    march, smtp_server, employer
):
    from deductions.basis.services import basis_generate

    basis_generate(period=Period(2021, 1))

    output = run("--period", "2021-03")

    lines = output.splitlines()
    assert lines[:2] == [
        "Genererte også 2021/02, som manglet.",
        "Varsel for 2021/02 er ikke sendt: kjør send_monthly_notices --period 2021-02 om "
        "bedriftene skal ha det.",
    ]
    assert "Varsel om trekkgrunnlag 03/2021: 2 sendt, 0 feilet, 0 gjenstår" in lines[2]
    february = Basis.objects.get(employer=employer, period=Period(2021, 2))
    assert (february.status, february.change_count) == (Basis.Status.PUBLISHED, 0)
    assert Basis.objects.get(employer=employer, period=MARCH).change_count == 2
    assert {message["Subject"][:27] for message in smtp_server.messages} == {
        "Trekkgrunnlag for 03/2021: "
    }


def test_dry_run_names_the_missing_months_it_would_publish_and_publishes_nothing(
    march, smtp_server
):
    from deductions.basis.services import basis_generate

    basis_generate(period=Period(2021, 1))

    output = run("--period", "2021-03", "--dry-run")

    assert "Prøvekjøring: 2021/02 mangler og ville blitt publisert først." in output
    assert not Basis.objects.filter(period__gt=Period(2021, 1)).exists()


def test_notice_refuses_when_too_many_months_are_missing(march, smtp_server):
    from deductions.basis.services import basis_generate

    basis_generate(period=Period(2020, 1))

    with pytest.raises(CommandError, match="de 13 månedene imellom mangler"):
        run("--period", "2021-03")
    assert not smtp_server.messages


def test_rows_another_live_run_holds_are_reported_as_held_and_are_no_failure(march, smtp_server):
    basis_generate(period=MARCH)
    add_rows(kind=OutboxMessage.Kind.MONTHLY_NOTICE, period=MARCH, employers=Employer.objects)
    OutboxMessage.objects.claim(run_started=timezone.now(), limit=1)  # another run, alive

    output = run("--period", "2021-03")

    assert "1 sendt, 0 feilet, 0 gjenstår, 1 holdes av en annen kjøring" in output
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two runs at once need PostgreSQL row locks (SQLite has one writer)",
)
def test_a_second_run_while_the_first_sends_reports_what_the_first_holds_and_exits_0(
    march, smtp_server, employer
):
    for n in range(6):
        add_contact(f"1000004{n}", f"Kontakt {n}", f"k{n}@example.com", employer)
    smtp_server.delay = 0.3
    outputs, errors = {}, []

    def host(name):
        try:
            outputs[name] = run("--period", "2021-03")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=host, args=["first"])
    first.start()
    deadline = time.monotonic() + 60
    while not smtp_server.messages and time.monotonic() < deadline:
        time.sleep(0.02)
    host("second")
    first.join()

    assert errors == []
    assert "8 sendt, 0 feilet, 0 gjenstår (" in outputs["first"]
    assert "0 sendt, 0 feilet, 0 gjenstår, 7 holdes av en annen kjøring" in outputs["second"]
    recipients = [message["To"] for message in smtp_server.messages]
    assert len(recipients) == len(set(recipients)) == 8
