"""The one sending loop for the outbox (`messaging.models.OutboxMessage`), used by every command
and by requests that record mail.

`send_pending` claims rows in batches and sends each over one connection to the mail server
(SMS through `trekkportal.sms`), marking each row right after the server took it. A claim is
held exactly as long as its run lives (a lease, renewed while sending, checked before each
mail); SIGTERM and SIGINT finish the mail in flight and give the rest back (`Stop`); a lost
database connection gives the claims back over a new one (`DatabaseLost`). What a row
says is made when it is sent, by the renderer of its kind (`RENDERERS`): the part that knows
the domain decides who gets what and what it says; this module only sends, once.

A request never waits on a mail server: rows it records with `send_soon` go out once the response
has been handed to the client (`messaging.middleware.OutboxMiddleware`); outside a request, once
the transaction commits. Whatever does not go out then waits for the next run of a command.
"""

import logging
import signal
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from asgiref.local import Local
from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from messaging.models import OutboxMessage
from trekkportal import sms
from trekkportal.mail import MailRun, SendFailure

logger = logging.getLogger(__name__)

Kind = OutboxMessage.Kind

BATCH_SIZE = 200

# A lost connection to the database; anything else the database says is a bug, not a fault.
CONNECTION_ERRORS = (OperationalError, InterfaceError)

# Where each kind's content is made: `render(rows)` yields (rows, content) for the claimed rows
# of that kind, `rows` a list (one row, or the rows one mail covers, as the staff digest does).
# Content is a RenderedMail (e-mail), a str (SMS), Skip() or Unsendable(reason).
RENDERERS = {
    Kind.MONTHLY_NOTICE: "deductions.cycle.mailings.render_notices",
    Kind.LIST_REMINDER: "deductions.cycle.mailings.render_reminders",
    Kind.MESSAGE_NOTICE: "messaging.notices.render_message_notices",
    Kind.STAFF_DIGEST: "messaging.notices.render_staff_digest",
    Kind.PASSWORD_RESET: "accounts.models.password_reset.render_reset_links",
    Kind.PASSWORD_CHANGED: "accounts.models.password_reset.render_password_changed",
}


class Skip:
    """Not needed any more: the row ends as «Ikke nødvendig», nothing is sent."""


@dataclass(frozen=True)
class Unsendable:
    """Cannot be made now (say, the month's basis is not published): counted as a failure."""

    reason: str


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    # After the run: unsent rows nobody holds (failed, or waiting for staff), and unsent rows
    # another live run holds (it sends them; not this run's failure).
    left: int = 0
    held_elsewhere: int = 0


def send_pending(*, kinds=None, rows=None, pks=None, progress=None, total=None, stop=None):
    """Claims and sends the sendable outbox rows (of `kinds`, among `rows` or `pks`) in batches
    over one connection to the mail server; returns a SendResult counting rows.

    A run that is interrupted (an exception, Ctrl-C) gives back what it did not get to; one
    asked to `stop` (a Stop: SIGTERM, SIGINT) finishes the mail in flight first. A row that
    failed is tried again by the next run, not by this one. A lost database connection raises
    DatabaseLost once the claims are given back over a fresh one."""
    queryset = OutboxMessage.objects.all() if rows is None else rows
    if kinds is not None:
        queryset = queryset.filter(kind__in=kinds)
    if pks is not None:
        queryset = queryset.filter(pk__in=list(pks))
    result = SendResult()
    run_started = timezone.now()
    batch = None
    try:
        queryset.reopen_corrected()
        with MailRun() as mail, _quick_commits():
            while not stop:
                token, claimed = queryset.claim(run_started=run_started, limit=BATCH_SIZE)
                if not claimed:
                    break
                batch = _Batch(token, claimed)
                try:
                    batch.send(mail, result, progress, total, stop)
                finally:
                    # Stopped or interrupted: give back what this batch did not get to.
                    batch.give_back(result)
                    batch = None
        result.left, result.held_elsewhere = queryset.open_counts()
    except CONNECTION_ERRORS as error:
        given_back = _give_back_afresh(batch, result)
        raise DatabaseLost(error, result, given_back=given_back) from None
    return result


class _Batch:
    """A claimed batch while it is sent. Its claim is a lease, renewed every third of the
    stale-claim window (so no other run takes over a row while this one lives), and each
    mail's rows are checked to be still this run's right before they are sent: in the same
    statement that marks the mail before (`OutboxQuerySet.mark_sent(check=)`), so that the
    check costs no round trip of its own."""

    def __init__(self, token, rows):
        self.token = token
        self.rows = rows
        self.held = {row.pk for row in rows}  # claimed just now: certainly held
        self.renewed = time.monotonic()
        self.unmarked = []  # the server took this mail; the mark did not get through (yet)

    def send(self, mail, result, progress, total, stop):
        with connection.cursor() as cursor:
            items = self._rendered()
            upcoming = next(items, None)
            while upcoming is not None and not stop:
                rows, content = upcoming
                upcoming = next(items, None)
                self._renew_if_due()
                rows = [row for row in rows if row.pk in self.held]  # taken over: not ours
                if rows:
                    self._deliver(rows, content, upcoming, mail, result, cursor)
                    if progress:
                        progress(result.sent + result.failed, total)

    def _rendered(self):
        for kind, rows in groupby(self.rows, key=attrgetter("kind")):
            yield from import_string(RENDERERS[kind])(list(rows))

    def _renew_if_due(self):
        if time.monotonic() - self.renewed >= settings.OUTBOX_STALE_CLAIM.total_seconds() / 3:
            self.held = OutboxMessage.objects.filter(pk__in=self.held).renew(self.token)
            self.renewed = time.monotonic()

    def _deliver(self, rows, content, upcoming, mail, result, cursor):
        if isinstance(content, Skip):
            for row in rows:
                row.mark_skipped(self.token)
            self.held.difference_update(row.pk for row in rows)
            result.skipped += len(rows)
            return
        row = rows[0]
        if isinstance(content, Unsendable):
            failure = SendFailure(content.reason)
        elif row.channel == OutboxMessage.Channel.SMS:
            failure = _send_sms(row.address, content)
        else:
            failure = mail.send(content, row.address)
        self.held.difference_update(row.pk for row in rows)
        if failure is None:
            # Marked sent, and the next mail's rows checked and their lease renewed.
            after = [r.pk for r in upcoming[0] if r.pk in self.held] if upcoming else []
            self.unmarked = [r.pk for r in rows]
            _, still = OutboxMessage.objects.mark_sent(
                self.token, self.unmarked, check=after, cursor=cursor
            )
            self.unmarked = []
            self.held.difference_update(set(after) - still)
            result.sent += len(rows)
            return
        for row in rows:
            row.mark_failed(self.token, failure, permanent=failure.permanent)
        result.failed += len(rows)
        logger.warning("%s to %s failed: %s", row.kind, row.address, failure)

    def give_back(self, result=None):
        """What this batch did not get to is free again; a mail the server took but whose
        mark was lost with the database connection is marked sent first (and counted in
        `result`), so that no run sends it again."""
        if self.unmarked:
            marked, _ = OutboxMessage.objects.mark_sent(self.token, self.unmarked)
            if result is not None:
                result.sent += marked
            self.unmarked = []
        if self.held:
            OutboxMessage.objects.filter(pk__in=self.held, claim_token=self.token).give_back()
            self.held = set()


def _give_back_afresh(batch, result=None):
    """The claims of `batch` given back over a new connection (the old one is gone); False
    when the database cannot be reached either (the claims then lapse after the stale-claim
    window)."""
    with suppress(DatabaseError):  # it was broken; closing it anyway forgets it
        connection.close()
    if batch is None:
        return True
    try:
        batch.give_back(result)
    except CONNECTION_ERRORS:
        return False
    return True


def _send_sms(address, text):
    try:
        sms.send_sms(address, text)
    except sms.SmsError as error:
        return SendFailure(f"SmsError: {error}")
    return None


@contextmanager
def _quick_commits():
    """Every "sent" mark is a commit of its own, so a crash of this process loses or doubles
    nothing. On PostgreSQL those commits need not wait for the disk (synchronous_commit off,
    for this session only): they are visible and kept at once; only a crash of the database
    server itself in the same fraction of a second could forget the last marks."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        if connection.connection is not None and connection.is_usable():
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


# --- Faults a command reports in one line ---------------------------------------------------


class DatabaseLost(Exception):
    """The connection to the database was lost in the middle of a run."""

    def __init__(self, error, result, *, given_back):
        self.result = result
        self.given_back = given_back
        cause = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        if given_back:
            rest = "det som ikke ble sendt er gitt tilbake og sendes ved neste kjøring"
        else:
            minutes = int(settings.OUTBOX_STALE_CLAIM.total_seconds() // 60)
            rest = (
                "det som ikke ble sendt kunne ikke gis tilbake, og tas over av neste kjøring "
                f"etter {minutes} minutter"
            )
        super().__init__(
            f"Mistet forbindelsen til databasen ({cause}) etter {result.sent} sendt; {rest}."
        )


class Stop:
    """SIGTERM and SIGINT during a command's run, handled alike: the mail in flight is sent
    and marked, the rest is given back (`send_pending(stop=)`), and the command ends with
    one line. A second signal stops at once (KeyboardInterrupt: the claims are still given
    back). True once a signal came; `signal` names it."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self):
        self.signal = None
        self.previous = {}

    def __bool__(self):
        return self.signal is not None

    def __enter__(self):
        # Signal handlers belong to the main thread (a command run from a test thread has none).
        if threading.current_thread() is threading.main_thread():
            self.previous = {signum: signal.signal(signum, self._handle) for signum in self.SIGNALS}
        return self

    def __exit__(self, *exc_info):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum, frame):
        if self.signal is not None:
            raise KeyboardInterrupt
        self.signal = signal.Signals(signum).name

    def error(self, summary):
        """The command's last word after a signal: exit status 128 + the signal's number, as
        a shell reports a process stopped by it."""
        return CommandError(
            f"Avbrutt av {self.signal}: {summary} Det som ikke ble sendt er gitt tilbake og "
            "sendes ved neste kjøring.",
            returncode=128 + signal.Signals[self.signal].value,
        )


@contextmanager
def command_run():
    """What every command that sends does alike: yields a Stop for `send_pending`, and turns
    a lost database connection into one line (CommandError, exit status 1) instead of a chain
    of tracebacks."""
    with Stop() as stop:
        try:
            yield stop
        except DatabaseLost as lost:
            raise CommandError(str(lost)) from None
        except CONNECTION_ERRORS as error:
            _give_back_afresh(None)
            raise CommandError(str(DatabaseLost(error, SendResult(), given_back=True))) from None


# --- Sending soon after a request or a transaction ------------------------------------------

_request = Local()


def send_soon(rows):
    """Send these rows without waiting for cron: after the response when in a request (so the
    request never waits on a mail server, and its timing tells nothing), else after the
    transaction commits. Rows that fail then are left for the next run of a command."""
    pks = [row.pk for row in rows]
    if not pks:
        return
    collected = getattr(_request, "pks", None)
    if collected is not None:
        collected.extend(pks)
    else:
        transaction.on_commit(lambda: send_quietly(pks))


@contextmanager
def collecting():
    """Within: `send_soon` collects into the yielded list instead of sending."""
    previous = getattr(_request, "pks", None)
    _request.pks = []
    try:
        yield _request.pks
    finally:
        _request.pks = previous


def send_quietly(pks):
    """Send now; a failure is logged, never raised (the page has been answered already)."""
    try:
        send_pending(pks=pks)
    except Exception:  # a page must not fail because mail is down; cron retries
        logger.exception("Sending outbox rows %s failed", pks)
