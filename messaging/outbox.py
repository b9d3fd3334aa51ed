"""The one sending loop for the outbox (`messaging.models.OutboxMessage`), used by every command
and by requests that record mail.

`send_pending` claims rows in batches and sends each over one connection to the mail server
(SMS through `trekkportal.sms`), marking each row right after the server took it. What a row
says is made when it is sent, by the renderer of its kind (`RENDERERS`): the part that knows
the domain decides who gets what and what it says; this module only sends, once.

A request never waits on a mail server: rows it records with `send_soon` go out once the response
has been handed to the client (`messaging.middleware.OutboxMiddleware`); outside a request, once
the transaction commits. Whatever does not go out then waits for the next run of a command.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from asgiref.local import Local
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from messaging.models import OutboxMessage
from trekkportal import sms
from trekkportal.mail import MailRun

logger = logging.getLogger(__name__)

Kind = OutboxMessage.Kind

BATCH_SIZE = 200

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


def send_pending(*, kinds=None, rows=None, pks=None, progress=None, total=None):
    """Claims and sends the sendable outbox rows (of `kinds`, among `rows` or `pks`) in batches
    over one connection to the mail server; returns a SendResult counting rows.

    A batch that is interrupted (an exception, Ctrl-C, SIGTERM) gives back what it did not get
    to; a row that failed is tried again by the next run, not by this one."""
    queryset = OutboxMessage.objects.all() if rows is None else rows
    if kinds is not None:
        queryset = queryset.filter(kind__in=kinds)
    if pks is not None:
        queryset = queryset.filter(pk__in=list(pks))
    result = SendResult()
    run_started = timezone.now()
    with MailRun() as mail, _quick_commits():
        while True:
            token, claimed = queryset.claim(run_started=run_started, limit=BATCH_SIZE)
            if not claimed:
                break
            try:
                _send_batch(token, claimed, mail, result, progress, total)
            finally:
                # Interrupted: give back what this batch did not get to, for the next run.
                OutboxMessage.objects.filter(
                    pk__in=[row.pk for row in claimed], claim_token=token
                ).give_back()
    return result


def _send_batch(token, claimed, mail, result, progress, total):
    with connection.cursor() as cursor:
        for kind, rows in groupby(claimed, key=attrgetter("kind")):
            render = import_string(RENDERERS[kind])
            for group, content in render(list(rows)):
                _deliver(token, group, content, mail, result, cursor)
                if progress:
                    progress(result.sent + result.failed, total)


def _deliver(token, rows, content, mail, result, cursor):
    if isinstance(content, Skip):
        for row in rows:
            row.mark_skipped(token)
        result.skipped += len(rows)
        return
    row = rows[0]
    if isinstance(content, Unsendable):
        error = content.reason
    elif row.channel == OutboxMessage.Channel.SMS:
        error = _send_sms(row.address, content)
    else:
        error = mail.send(content, row.address)
    for row in rows:
        if error is None:
            row.mark_sent(token, cursor)
        else:
            row.mark_failed(token, error)
    if error is None:
        result.sent += len(rows)
    else:
        result.failed += len(rows)
        logger.warning("%s to %s failed: %s", row.kind, row.address, error)


def _send_sms(address, text):
    try:
        sms.send_sms(address, text)
    except sms.SmsError as error:
        return f"SmsError: {error}"
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
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


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
