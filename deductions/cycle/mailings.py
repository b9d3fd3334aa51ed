"""The cycle's mail, sent from cron: the monthly notice about next month's basis, and the
reminder to employers that have not delivered their deduction list.

Each mail is a `CycleMail` row first (made set-based), claimed before sending and marked sent by
the claim's holder (see `deductions.models.notices`). One SMTP connection serves the whole run.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection as db
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from deductions import money
from deductions.basis.services import basis_generate
from deductions.kid import kid_for
from deductions.lists import delivery
from deductions.models import Basis, CycleMail
from deductions.period import Period
from employers.models import Employer
from trekkportal.mail import MailRun, render_templated_mail

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
NOTICE_TEMPLATES = "deductions/email/notice"
REMINDER_TEMPLATES = "deductions/email/reminder"


@dataclass
class SendReport:
    kind: str
    period: Period
    sent: int = 0
    failed: int = 0
    remaining: int = 0
    would_send: list = field(default_factory=list)

    @property
    def ok(self):
        return self.remaining == 0


# --- The monthly notice ---------------------------------------------------------------------


def default_notice_period(today=None):
    """Run mid-month for next month."""
    return Period.from_date(today or timezone.localdate()).next()


def notice_context(basis):
    period = basis.period
    return {
        "employer": basis.employer,
        "period_label": period.mail_label,
        "change_count": basis.change_count,
        "portal_url": settings.SITE_URL + reverse("deductions:basis_changes", args=[period.slug]),
        "dues_percent": basis.dues_percent_text,
        "home_insurance": basis.home_insurance_rate,
        "travel_insurance": basis.travel_insurance_rate,
        "apprentice_total": basis.apprentice_rate,
        "account": money.account_text(),
        "kid": kid_for(basis.employer.number, period),
    }


def notices_send(*, period, employer=None, dry_run=False, progress=None, actor=None):
    """Makes sure `period`'s basis is published, then mails every contact of every active
    employer (or of `employer`) the notice, once. Returns a SendReport."""
    employers = Employer.objects.active()
    if employer is not None:
        employers = employers.filter(pk=employer.pk)
    if dry_run:
        return _dry_run(CycleMail.Kind.NOTICE, period, employers)
    basis_generate(period=period, publish=True, actor=actor)
    CycleMail.objects.create_missing(kind=CycleMail.Kind.NOTICE, period=period, employers=employers)

    def build(rows):
        bases = {
            basis.employer_id: basis
            for basis in Basis.objects.published()
            .filter(period=period, employer_id__in={row.employer_id for row in rows})
            .select_related("employer")
        }
        rendered = {}  # one rendering per employer, whatever its number of contacts
        for row in rows:
            basis = bases.get(row.employer_id)
            if basis is None:
                yield row, "Trekkgrunnlaget for måneden er ikke publisert."
                continue
            if row.employer_id not in rendered:
                rendered[row.employer_id] = render_templated_mail(
                    NOTICE_TEMPLATES, notice_context(basis)
                )
            yield row, rendered[row.employer_id]

    return _send_rows(CycleMail.Kind.NOTICE, period, employers, build, progress)


# --- The list reminder ----------------------------------------------------------------------


def list_deadline(period):
    """The day a period's list is due: the LIST_DEADLINE_DAY of the month after it."""
    after = period.next()
    return date(after.year, after.month, settings.LIST_DEADLINE_DAY)


def default_reminder_period(today=None):
    """The latest period whose list deadline has passed."""
    today = today or timezone.localdate()
    period = Period.from_date(today).previous()
    return period if list_deadline(period) < today else period.previous()


def employers_to_remind(period):
    """Active employers with a published basis for `period` and no delivered list."""
    return (
        Employer.objects.active()
        .filter(bases__period=period, bases__status=Basis.Status.PUBLISHED)
        .exclude(pk__in=delivery.delivered_employers(period))
    )


def reminders_send(*, period, dry_run=False, progress=None, today=None):
    """After the deadline, one reminder per contact of each employer without a delivered list
    for `period`, once per (employer, period). Nothing before the deadline."""
    today = today or timezone.localdate()
    if today <= list_deadline(period):
        return SendReport(CycleMail.Kind.REMINDER, period)
    employers = employers_to_remind(period)
    if dry_run:
        return _dry_run(CycleMail.Kind.REMINDER, period, employers)
    CycleMail.objects.create_missing(
        kind=CycleMail.Kind.REMINDER, period=period, employers=employers
    )
    # An employer that delivered after its rows were made (say, between a failure and the
    # retry) gets no reminder.
    CycleMail.objects.of(CycleMail.Kind.REMINDER, period).unsent().filter(
        claim_token__isnull=True, employer__in=delivery.delivered_employers(period)
    ).update(status=CycleMail.Status.SKIPPED)
    delivered = set(delivery.delivered_employers(period).values_list("pk", flat=True))
    context = {
        "period_label": period.mail_label,
        "deadline": list_deadline(period),
        "portal_url": settings.SITE_URL + reverse("home"),
        "account": money.account_text(),
    }

    def build(rows):
        rendered = {}
        for row in rows:
            if row.employer_id in delivered:
                yield row, None
                continue
            if row.employer_id not in rendered:
                message_context = {
                    **context,
                    "employer": row.employer,
                    "kid": kid_for(row.employer.number, period),
                }
                rendered[row.employer_id] = render_templated_mail(
                    REMINDER_TEMPLATES, message_context
                )
            yield row, rendered[row.employer_id]

    return _send_rows(CycleMail.Kind.REMINDER, period, employers, build, progress)


# --- Sending --------------------------------------------------------------------------------


def _dry_run(kind, period, employers):
    """Who would get mail: contacts with an address, less those already sent to."""
    sent = CycleMail.objects.of(kind, period).filter(status=CycleMail.Status.SENT)
    roles = (
        Role.objects.filter(employer__in=employers, user__is_active=True)
        .exclude(user__email="")
        .select_related("employer", "user")
        .order_by("employer__name", "user__email")
    )
    done = set(sent.values_list("employer_id", "user_id"))
    report = SendReport(kind, period)
    report.would_send = [
        (role.employer, role.user.email)
        for role in roles
        if (role.employer_id, role.user_id) not in done
    ]
    return report


def _send_rows(kind, period, employers, build, progress):
    """Claims and sends the period's unsent rows in batches over one connection to the mail
    server. `build(rows)` yields (row, RenderedMail), (row, error text) or (row, None: skip)."""
    report = SendReport(kind, period)
    rows = CycleMail.objects.of(kind, period).filter(employer__in=employers)
    total = rows.unsent().count()
    run_started = timezone.now()
    with MailRun() as mail, _quick_commits():
        while True:
            token, claimed = rows.claim(run_started=run_started, limit=BATCH_SIZE)
            if not claimed:
                break
            try:
                _send_batch(kind, token, build(claimed), mail, report, progress, total)
            finally:
                # Interrupted: give back what this batch did not get to, for the next run.
                CycleMail.objects.filter(
                    pk__in=[row.pk for row in claimed], claim_token=token
                ).update(claim_token=None, claimed_at=None)
    report.remaining = rows.unsent().count()
    if report.sent or report.failed:
        AuditEvent.objects.record(
            f"{kind}s_sent",
            period=period.slug,
            sent=report.sent,
            failed=report.failed,
            remaining=report.remaining,
        )
    return report


def _send_batch(kind, token, built, mail, report, progress, total):
    with db.cursor() as cursor:
        for row, rendered in built:
            if rendered is None:
                row.mark_skipped(token)
                continue
            error = rendered if isinstance(rendered, str) else mail.send(rendered, row.email)
            if error is None:
                row.mark_sent(token, cursor)
                report.sent += 1
            else:
                row.mark_failed(token, error)
                report.failed += 1
                logger.warning("%s to %s failed: %s", kind, row.email, error)
            if progress:
                progress(report.sent + report.failed, total)


@contextmanager
def _quick_commits():
    """Every "sent" mark is a commit of its own, so a crash of this process loses or doubles
    nothing. On PostgreSQL those commits need not wait for the disk (synchronous_commit off,
    for this session only): they are visible and kept at once; only a crash of the database
    server itself in the same fraction of a second could forget the last marks."""
    if db.vendor != "postgresql":
        yield
        return
    with db.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with db.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
