"""The cycle's mail, sent from cron: the monthly notice about next month's basis, and the
reminder to employers that have not delivered their deduction list.

This module decides who gets what and what it says: each mail is an outbox row first (made
set-based, one per kind, employer, period and contact), then sent by the outbox's one sending
loop (`messaging.outbox.send_pending`), which renders an employer's mail once through
`render_notices` / `render_reminders` and sends it over one SMTP connection for the whole run.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role, User
from deductions import money
from deductions.basis.services import basis_generate
from deductions.kid import kid_for
from deductions.lists import delivery
from deductions.models import Basis
from deductions.period import Period
from employers.models import Employer
from messaging.models import OutboxMessage
from messaging.outbox import Skip, Unsendable, send_pending
from trekkportal.mail import render_templated_mail

NOTICE = OutboxMessage.Kind.MONTHLY_NOTICE
REMINDER = OutboxMessage.Kind.LIST_REMINDER
NOTICE_TEMPLATES = "deductions/email/notice"
REMINDER_TEMPLATES = "deductions/email/reminder"


@dataclass
class SendReport:
    kind: str
    period: Period
    sent: int = 0
    failed: int = 0
    remaining: int = 0
    held_elsewhere: int = 0
    would_send: list = field(default_factory=list)
    # The monthly notice's basis_generate result: which missing months it published first.
    generation: object = None

    @property
    def ok(self):
        """Nothing left that this run should have sent: what another live run holds is that
        run's to send (and to report)."""
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


def notices_send(*, period, employer=None, dry_run=False, progress=None, actor=None, stop=None):
    """Makes sure `period`'s basis is published (and the months missing before it, which get
    no notice here), then mails every contact of every active employer (or of `employer`) the
    notice, once. Returns a SendReport. A `stop` (messaging.outbox.Stop) ends the sending
    early."""
    employers = Employer.objects.active()
    if employer is not None:
        employers = employers.filter(pk=employer.pk)
    if dry_run:
        return _dry_run(NOTICE, period, employers)
    generation = basis_generate(period=period, publish=True, actor=actor)
    add_rows(kind=NOTICE, period=period, employers=employers)
    report = _send(NOTICE, period, employers, progress, stop, audit_action="notices_sent")
    report.generation = generation
    return report


def render_notices(rows):
    """The outbox's renderer for monthly notices: one rendering per employer and month,
    whatever its number of contacts (the MIME, too, is then built once)."""
    bases = {
        (basis.employer_id, basis.period): basis
        for basis in Basis.objects.published()
        .filter(
            period__in={row.period for row in rows},
            employer_id__in={row.employer_id for row in rows},
        )
        .select_related("employer")
    }
    rendered = {}
    for row in rows:
        key = (row.employer_id, row.period)
        basis = bases.get(key)
        if basis is None:
            yield [row], Unsendable("Trekkgrunnlaget for måneden er ikke publisert.")
            continue
        if key not in rendered:
            rendered[key] = render_templated_mail(NOTICE_TEMPLATES, notice_context(basis))
        yield [row], rendered[key]


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


def reminders_send(*, period, dry_run=False, progress=None, today=None, stop=None):
    """After the deadline, one reminder per contact of each employer without a delivered list
    for `period`, once per (employer, period). Nothing before the deadline."""
    today = today or timezone.localdate()
    if today <= list_deadline(period):
        return SendReport(REMINDER, period)
    employers = employers_to_remind(period)
    if dry_run:
        return _dry_run(REMINDER, period, employers)
    add_rows(kind=REMINDER, period=period, employers=employers)
    # An employer that delivered after its rows were made (say, between a failure and the
    # retry) gets no reminder.
    OutboxMessage.objects.filter(kind=REMINDER, period=period).unsent().filter(
        claim_token__isnull=True, employer__in=delivery.delivered_employers(period)
    ).update(status=OutboxMessage.Status.SKIPPED)
    return _send(REMINDER, period, employers, progress, stop, audit_action="reminders_sent")


def reminder_context(employer, period):
    return {
        "employer": employer,
        "period_label": period.mail_label,
        "deadline": list_deadline(period),
        "portal_url": settings.SITE_URL + reverse("home"),
        "account": money.account_text(),
        "kid": kid_for(employer.number, period),
    }


def render_reminders(rows):
    """The outbox's renderer for list reminders: none to an employer that has delivered
    meanwhile; one rendering per employer and month."""
    delivered = {}
    rendered = {}
    for row in rows:
        if row.period not in delivered:
            delivered[row.period] = set(
                delivery.delivered_employers(row.period).values_list("pk", flat=True)
            )
        if row.employer_id in delivered[row.period]:
            yield [row], Skip()
            continue
        key = (row.employer_id, row.period)
        if key not in rendered:
            rendered[key] = render_templated_mail(
                REMINDER_TEMPLATES, reminder_context(row.employer, row.period)
            )
        yield [row], rendered[key]


# --- Rows and sending -----------------------------------------------------------------------


def add_rows(*, kind, period, employers):
    """One outbox row per contact with an e-mail address at each of `employers` (a queryset),
    in one INSERT ... SELECT; a row that exists already (same dedupe key: kind, month, employer,
    contact) is left alone. Returns the rows added."""
    employer_ids, params = employers.values("pk").query.sql_with_params()
    quote = connection.ops.quote_name
    json_type = OutboxMessage._meta.get_field("context").db_type(connection)
    sql = f"""
        INSERT INTO {quote(OutboxMessage._meta.db_table)}
            (kind, channel, recipient_id, address, dedupe_key, employer_id, period, context,
             status, attempts, failure, last_error, created_at)
        SELECT %s, %s, r.user_id, u.email,
               CAST(%s AS TEXT) || CAST(r.employer_id AS TEXT) || ':' || CAST(r.user_id AS TEXT),
               r.employer_id, %s, CAST(%s AS {json_type}), %s, 0, '', '', %s
        FROM {quote(Role._meta.db_table)} r JOIN {quote(User._meta.db_table)} u ON u.id = r.user_id
        WHERE u.is_active AND u.email <> '' AND r.employer_id IN ({employer_ids})
        ON CONFLICT (dedupe_key) DO NOTHING
    """  # noqa: S608 (table names from our models, values as parameters)
    values = [
        kind,
        OutboxMessage.Channel.EMAIL,
        f"{kind}:{period.slug}:",
        period.index,
        "{}",
        OutboxMessage.Status.PENDING,
        timezone.now(),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *params])
        return cursor.rowcount


def _dry_run(kind, period, employers):
    """Who would get mail: contacts with an address, less those already sent to."""
    sent = OutboxMessage.objects.filter(kind=kind, period=period, status=OutboxMessage.Status.SENT)
    roles = (
        Role.objects.filter(employer__in=employers, user__is_active=True)
        .exclude(user__email="")
        .select_related("employer", "user")
        .order_by("employer__name", "user__email")
    )
    done = set(sent.values_list("employer_id", "recipient_id"))
    report = SendReport(kind, period)
    report.would_send = [
        (role.employer, role.user.email)
        for role in roles
        if (role.employer_id, role.user_id) not in done
    ]
    return report


def _send(kind, period, employers, progress, stop, *, audit_action):
    """Sends the period's unsent rows of `kind` for `employers` through the outbox."""
    rows = OutboxMessage.objects.filter(kind=kind, period=period, employer__in=employers)
    result = send_pending(rows=rows, progress=progress, total=rows.unsent().count(), stop=stop)
    report = SendReport(
        kind,
        period,
        sent=result.sent,
        failed=result.failed,
        remaining=result.left,
        held_elsewhere=result.held_elsewhere,
    )
    if report.sent or report.failed:
        AuditEvent.objects.record(
            audit_action,
            period=period.slug,
            sent=report.sent,
            failed=report.failed,
            remaining=report.remaining,
            held_elsewhere=report.held_elsewhere,
        )
    return report
