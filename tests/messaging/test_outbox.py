"""The outbox sends every row exactly once: claims, re-runs, interrupted and killed runs, stale
claims, the attempt limit and two runs at once, against a real SMTP server on 127.0.0.1.

These hold for every kind of mail and SMS; the kinds' own tests check only what they say."""

import os
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError, OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from messaging.models import OutboxMessage
from messaging.outbox import RENDERERS, DatabaseLost, send_pending, send_soon
from tests.conftest import respond_without_closing
from tests.messaging.conftest import send_from_contact

Kind = OutboxMessage.Kind
Status = OutboxMessage.Status
Failure = OutboxMessage.Failure


def add_rows(count=10, channel=OutboxMessage.Channel.EMAIL):
    return OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind=Kind.MESSAGE_NOTICE,
            channel=channel,
            address=f"k{n}@example.com" if channel == "email" else f"+479000000{n}",
            dedupe_key=f"test:{channel}:{n}",
        )
        for n in range(count)
    )


def run():
    return send_pending(kinds=[Kind.MESSAGE_NOTICE])


def addresses(smtp_server):
    return sorted(message["To"] for message in smtp_server.messages)


def all_addresses():
    return sorted(f"k{n}@example.com" for n in range(10))


def claim(started=None):
    return OutboxMessage.objects.claim(run_started=started or timezone.now(), limit=100)


# --- Rows and claims -----------------------------------------------------------------------


def test_a_dedupe_key_is_recorded_once(db):
    add_rows(1)
    with pytest.raises(IntegrityError), transaction.atomic():
        add_rows(1)
    assert OutboxMessage.objects.count() == 1


def test_a_claimed_row_is_not_claimed_again(db):
    add_rows(1)
    started = timezone.now() + timedelta(seconds=1)
    with time_machine.travel(started):
        _, first = claim(started)
        _, second = claim(started)
    assert len(first) == 1
    assert second == []
    assert first[0].status == Status.SENDING


def test_only_the_claims_holder_can_mark_it(db):
    add_rows(1)
    token, [row] = claim()
    assert row.mark_sent(uuid.uuid4()) is False
    assert not row.mark_failed(uuid.uuid4(), "nei")
    assert OutboxMessage.objects.get().status == Status.SENDING
    assert row.mark_sent(token) is True
    row.refresh_from_db()
    assert (row.status, row.claim_token, row.attempts) == (Status.SENT, None, 1)
    assert row.sent_at is not None


def test_a_stale_claim_is_taken_over_after_the_window_set_in_settings(db, settings):
    settings.OUTBOX_STALE_CLAIM = timedelta(minutes=5)
    add_rows(1)
    old_token, [row] = claim()
    soon = timezone.now() + timedelta(minutes=4)
    with time_machine.travel(soon):
        assert claim(soon)[1] == []
    later = timezone.now() + timedelta(minutes=6)
    with time_machine.travel(later):
        new_token, [taken] = claim(later)
    assert taken.pk == row.pk
    assert row.mark_sent(old_token) is False
    assert taken.mark_sent(new_token) is True


def test_a_row_that_failed_in_this_run_waits_for_the_next_run(db):
    add_rows(1)
    started = timezone.now()
    token, [row] = claim(started)
    row.mark_failed(token, "451 Try again later")
    assert claim(started)[1] == []
    next_run = timezone.now() + timedelta(seconds=1)
    with time_machine.travel(next_run):
        assert len(claim(next_run)[1]) == 1


# --- Sending over SMTP ---------------------------------------------------------------------


def test_every_row_is_sent_once_over_one_connection(db, smtp_server):
    add_rows()

    first, second = run(), run()

    assert (first.sent, first.failed, second.sent) == (10, 0, 0)
    assert addresses(smtp_server) == all_addresses()
    assert smtp_server.connections == 1
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}


def test_a_run_with_nothing_to_send_opens_no_connection(db, smtp_server):
    assert run().sent == 0
    assert smtp_server.connections == 0


def test_a_deferred_recipient_is_recorded_and_only_it_is_retried(db, smtp_server):
    add_rows()
    smtp_server.defer = {"k3@example.com"}

    result = run()

    assert (result.sent, result.failed) == (9, 1)
    row = OutboxMessage.objects.get(address="k3@example.com")
    assert (row.status, row.attempts, row.failure) == (Status.FAILED, 1, Failure.TEMPORARY)
    assert "450" in row.last_error

    smtp_server.defer = set()
    assert run().sent == 1
    assert addresses(smtp_server) == all_addresses()
    row.refresh_from_db()
    assert (row.status, row.last_error, row.attempts) == (Status.SENT, "", 2)


def test_a_server_refusing_after_four_messages_then_a_rerun_sends_exactly_the_rest(db, smtp_server):
    add_rows()
    smtp_server.accept_only = 4
    assert (run().sent, OutboxMessage.objects.filter(status=Status.FAILED).count()) == (4, 6)
    smtp_server.accept_only = None

    run()

    assert addresses(smtp_server) == all_addresses()


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


def test_an_interrupted_run_gives_back_its_claims_and_a_rerun_sends_exactly_the_rest(
    db, smtp_server
):
    add_rows()
    with crash_after(6), pytest.raises(Crash):
        run()
    assert len(smtp_server.messages) == 6
    assert not OutboxMessage.objects.filter(claim_token__isnull=False).exists()
    assert OutboxMessage.objects.filter(status=Status.PENDING).count() == 4

    run()

    assert addresses(smtp_server) == all_addresses()


def test_claims_of_a_killed_run_are_taken_over_only_when_stale(db, smtp_server, settings):
    add_rows()
    with crash_after(6), pytest.raises(Crash):
        run()
    # A killed process gives nothing back: its claim stays on the four unsent rows.
    OutboxMessage.objects.exclude(status=Status.SENT).update(
        status=Status.SENDING, claim_token=uuid.uuid4(), claimed_at=timezone.now()
    )

    assert run().sent == 0
    assert len(smtp_server.messages) == 6

    with time_machine.travel(timezone.now() + settings.OUTBOX_STALE_CLAIM + timedelta(minutes=1)):
        assert run().sent == 4
    assert addresses(smtp_server) == all_addresses()


def test_a_run_without_a_mail_server_records_every_failure(db, smtp_server, settings):
    add_rows()
    settings.EMAIL_PORT = 1  # nothing listens there

    assert run().failed == 10

    assert all(row.last_error for row in OutboxMessage.objects.all())
    assert smtp_server.messages == []


def test_a_row_is_tried_at_most_the_attempt_limit_then_waits_for_staff(db, smtp_server, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    add_rows(1)
    smtp_server.defer = {"k0@example.com"}

    for _ in range(5):
        run()

    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts) == (Status.FAILED, 3)
    assert list(OutboxMessage.objects.given_up()) == [row]
    assert list(OutboxMessage.objects.unsent()) == [row]
    smtp_server.defer = set()
    assert run().sent == 0


def test_sms_rows_go_through_the_sms_backend_once(db, sms_outbox):
    add_rows(2, channel=OutboxMessage.Channel.SMS)

    run()
    run()

    assert sorted(sms.to for sms in sms_outbox) == ["+4790000000", "+4790000001"]


# --- Soon after a request or a commit ------------------------------------------------------


def test_outside_a_request_rows_are_sent_once_the_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_soon(add_rows(1))
        assert mail.outbox == []

    assert [message.to for message in mail.outbox] == [["k0@example.com"]]


def test_a_request_sends_nothing_itself_its_rows_go_once_the_response_is_closed(
    owner, employer, staff_client
):
    first = send_from_contact(owner, employer)
    url = reverse("messaging:staff_thread", args=[first.thread.public_id])

    response = respond_without_closing("post", url, {"body": "Svar"}, client=staff_client)

    assert response.status_code == 302
    assert mail.outbox == []
    response.close()
    assert [message.to for message in mail.outbox] == [["kari@example.com"]]


# --- Two hosts -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two runs at once need PostgreSQL row locks (SQLite has one writer)",
)
def test_two_runs_at_once_send_each_row_once(smtp_server, monkeypatch):
    monkeypatch.setattr("messaging.outbox.BATCH_SIZE", 7)
    OutboxMessage.objects.bulk_create(
        OutboxMessage(kind=Kind.MESSAGE_NOTICE, channel="email", address=f"c{n}@example.com")
        for n in range(40)
    )
    barrier = threading.Barrier(2)
    results, errors = [], []

    def host():
        from django.db import connections

        try:
            barrier.wait()
            results.append(run())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=host) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    recipients = [message["To"] for message in smtp_server.messages]
    assert len(recipients) == 40
    assert len(set(recipients)) == 40
    assert sum(result.sent for result in results) == 40
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 40


def test_every_kind_of_outbox_row_has_a_renderer_that_can_be_imported():
    assert set(RENDERERS) == set(OutboxMessage.Kind)
    for kind, path in RENDERERS.items():
        assert callable(import_string(path)), kind


# --- A slow or hung server: a claim is a lease, held while its run lives -------------------


def test_a_second_run_while_a_slow_run_sends_takes_over_nothing_the_first_holds(
    db, smtp_server, settings
):
    settings.OUTBOX_STALE_CLAIM = timedelta(seconds=0.6)
    smtp_server.delay = 0.15  # ten mails take 1.5 s, two and a half stale windows
    add_rows()
    second = []

    def start_a_second_run(done, total):
        if done == 6:  # the batch was claimed 0.9 s ago, longer than the window
            second.append(run())

    first = send_pending(kinds=[Kind.MESSAGE_NOTICE], progress=start_a_second_run)

    assert (first.sent, second[0].sent) == (10, 0)
    assert (second[0].held_elsewhere, second[0].left) == (4, 0)
    assert addresses(smtp_server) == all_addresses()


def test_a_row_no_longer_held_is_not_sent_by_its_former_holder(db, smtp_server):
    add_rows()

    def take_k5_over(done, total):
        if done == 1:  # as a run whose clock is far ahead would
            OutboxMessage.objects.filter(address="k5@example.com").update(
                claim_token=uuid.uuid4(), claimed_at=timezone.now()
            )

    result = send_pending(kinds=[Kind.MESSAGE_NOTICE], progress=take_k5_over)

    assert result.sent == 9
    assert "k5@example.com" not in addresses(smtp_server)
    assert OutboxMessage.objects.get(address="k5@example.com").status == Status.SENDING


def hung_server():
    """A socket that takes connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_a_hung_server_costs_a_run_at_most_the_timeout_per_mail(db, smtp_server, settings):
    settings.EMAIL_TIMEOUT = 1
    add_rows(2)
    with hung_server() as server:
        settings.EMAIL_PORT = server.getsockname()[1]
        started = time.monotonic()
        result = run()

    assert result.failed == 2
    assert time.monotonic() - started < 5
    row = OutboxMessage.objects.first()
    assert "timed out" in row.last_error
    assert (row.status, row.failure) == (Status.FAILED, Failure.TEMPORARY)


def test_a_server_that_stops_answering_after_data_is_bounded_too(db, smtp_server, settings):
    settings.EMAIL_TIMEOUT = 1
    smtp_server.delay = 3
    add_rows(1)
    started = time.monotonic()

    assert run().failed == 1

    assert time.monotonic() - started < 2.5
    assert "timed out" in OutboxMessage.objects.get().last_error


# --- Temporary and permanent failures, and a corrected address -----------------------------


def test_a_refused_address_fails_for_good_and_is_not_retried(db, smtp_server):
    add_rows()
    smtp_server.refuse = {"k3@example.com"}

    assert (run().failed, run().sent) == (1, 0)

    smtp_server.refuse = set()
    assert run().sent == 0
    row = OutboxMessage.objects.get(address="k3@example.com")
    assert (row.status, row.attempts, row.failure) == (Status.FAILED, 1, Failure.PERMANENT)
    assert "550" in row.last_error
    assert list(OutboxMessage.objects.given_up()) == [row]


def test_a_deferred_address_is_retried_up_to_the_attempt_limit(db, smtp_server, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    add_rows(1)
    smtp_server.defer = {"k0@example.com"}

    assert [run().failed for _ in range(3)] == [1, 1, 0]

    row = OutboxMessage.objects.get()
    assert (row.attempts, row.failure) == (2, Failure.TEMPORARY)
    assert "450" in row.last_error


def contact_row(user, address):
    return OutboxMessage.objects.create(
        kind=Kind.MESSAGE_NOTICE, channel="email", recipient=user, address=address
    )


@pytest.mark.parametrize("refusal", ["defer", "refuse"])
def test_a_corrected_address_gets_the_next_runs_try(db, owner, smtp_server, refusal):
    row = contact_row(owner, owner.email)
    setattr(smtp_server, refusal, {owner.email})
    assert run().failed == 1

    owner.email = "kari.ny@example.com"
    owner.save()

    assert run().sent == 1
    assert addresses(smtp_server) == ["kari.ny@example.com"]
    row.refresh_from_db()
    assert (row.status, row.address, row.failure) == (Status.SENT, "kari.ny@example.com", "")


def test_a_row_for_a_recipient_without_an_address_now_keeps_the_old_one(db, owner, smtp_server):
    contact_row(owner, "kari@example.com")
    owner.email = ""
    owner.save()

    run()

    assert addresses(smtp_server) == ["kari@example.com"]


# --- A lost database connection ------------------------------------------------------------


def lose_the_database_at_mark(number):
    """The connection breaks as the `number`th mail is marked sent (after the server took it)."""
    real = OutboxMessage.objects.mark_sent
    calls = []

    def mark_sent(*args, **kwargs):
        calls.append(1)
        if len(calls) == number:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    return mock.patch.object(type(OutboxMessage.objects), "mark_sent", side_effect=mark_sent)


@pytest.mark.django_db(transaction=True)
def test_a_lost_database_gives_the_claims_back_and_marks_what_was_sent(smtp_server):
    add_rows()
    with lose_the_database_at_mark(4), pytest.raises(DatabaseLost) as lost:
        run()

    assert str(lost.value) == (
        "Mistet forbindelsen til databasen (server closed the connection unexpectedly) etter "
        "4 sendt; det som ikke ble sendt er gitt tilbake og sendes ved neste kjøring."
    )
    assert not OutboxMessage.objects.filter(claim_token__isnull=False).exists()
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 4

    assert run().sent == 6
    assert addresses(smtp_server) == all_addresses()


@pytest.mark.django_db(transaction=True)
def test_the_command_ends_a_lost_database_in_one_line(smtp_server):
    add_rows()
    with lose_the_database_at_mark(2), pytest.raises(CommandError) as error:
        call_command("send_message_notices", stdout=StringIO(), stderr=StringIO())

    assert str(error.value).startswith("Mistet forbindelsen til databasen (")
    assert "\n" not in str(error.value)
    assert error.value.__suppress_context__
    assert not OutboxMessage.objects.filter(claim_token__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="kills a PostgreSQL backend")
def test_a_killed_database_backend_mid_run_gives_the_claims_back_on_a_new_connection(
    smtp_server, django_db_blocker
):
    import psycopg

    add_rows()
    ours = connection.connection.info.backend_pid
    dsn = {
        key: value
        for key, value in connection.get_connection_params().items()
        if key in ("dbname", "user", "password", "host", "port")
    }

    def kill_after_three(done, total):
        if done == 3:
            with psycopg.connect(**dsn, autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", [ours])

    with pytest.raises(DatabaseLost) as lost:
        send_pending(kinds=[Kind.MESSAGE_NOTICE], progress=kill_after_three)

    assert lost.value.given_back
    assert "etter 4 sendt" in str(lost.value)
    assert not OutboxMessage.objects.filter(claim_token__isnull=False).exists()
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 4
    assert run().sent == 6
    assert addresses(smtp_server) == all_addresses()


# --- SIGTERM and SIGINT: the mail in flight is finished, the rest given back ---------------


class SharedDatabase:
    """The test database as a child process can open it: PostgreSQL's as it is, SQLite's
    (in memory) copied to a file before the child runs and copied back after."""

    def __init__(self, path):
        self.path = path
        self.sqlite = connection.vendor == "sqlite"

    @property
    def url(self):
        if self.sqlite:
            return f"sqlite:///{self.path}"
        db = connection.settings_dict
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

    def hand_over(self):
        if self.sqlite:
            connection.ensure_connection()
            with sqlite3.connect(self.path) as target:
                connection.connection.backup(target)

    def take_back(self):
        if self.sqlite:
            with sqlite3.connect(self.path) as source:
                source.backup(connection.connection)


def run_command_in_a_child(database, command, smtp_port):
    environment = os.environ | {
        "DATABASE_URL": database.url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "5",
    }
    database.hand_over()
    return subprocess.Popen(
        [sys.executable, "manage.py", command],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_sigterm_finishes_the_mail_in_flight_gives_the_rest_back_and_says_so(
    smtp_server, tmp_path, settings
):
    smtp_server.delay = 0.4
    add_rows()
    database = SharedDatabase(tmp_path / "shared.sqlite3")
    child = run_command_in_a_child(database, "send_message_notices", settings.EMAIL_PORT)
    wait_for(lambda: len(smtp_server.messages) >= 2)

    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=60)

    assert child.returncode == 128 + signal.SIGTERM
    [line] = err.strip().splitlines()
    assert line.startswith("CommandError: Avbrutt av SIGTERM: Varsler sendt: ")
    assert line.endswith("Det som ikke ble sendt er gitt tilbake og sendes ved neste kjøring.")
    database.take_back()
    sent = OutboxMessage.objects.filter(status=Status.SENT).count()
    assert sent == len(smtp_server.messages) < 10  # the mail in flight, too, was marked
    assert not OutboxMessage.objects.filter(claim_token__isnull=False).exists()

    assert run().sent == 10 - sent
    assert addresses(smtp_server) == all_addresses()


def test_ctrl_c_is_handled_as_sigterm_is(db, smtp_server):
    smtp_server.delay = 0.2
    add_rows()

    def press_ctrl_c():
        wait_for(lambda: len(smtp_server.messages) >= 2)
        os.kill(os.getpid(), signal.SIGINT)

    before = signal.getsignal(signal.SIGINT)  # SIG_IGN when the suite runs as a background job
    threading.Thread(target=press_ctrl_c, daemon=True).start()
    with pytest.raises(CommandError) as error:
        call_command("send_message_notices", stdout=StringIO(), stderr=StringIO())

    assert error.value.returncode == 128 + signal.SIGINT
    assert str(error.value).startswith("Avbrutt av SIGINT: Varsler sendt: ")
    sent = OutboxMessage.objects.filter(status=Status.SENT).count()
    assert sent == len(smtp_server.messages) < 10
    assert not OutboxMessage.objects.filter(claim_token__isnull=False).exists()
    assert signal.getsignal(signal.SIGINT) is before
