"""Cycle mail: the monthly notice and the list reminder, one row per (kind, employer, period,
recipient) before anything is sent.

Rows are made set-based (one INSERT ... SELECT over the roles), claimed in batches before
sending (select_for_update(skip_locked=True) and a claim token), and marked sent only by the
holder of the claim. A re-run or a second host sends only what nobody has sent or holds; a
claim left by a crashed run can be taken over once it is older than `STALE_CLAIM`.
"""

import uuid
from datetime import timedelta

from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from deductions.fields import PeriodField

STALE_CLAIM = timedelta(minutes=15)


class CycleMailQuerySet(models.QuerySet):
    def of(self, kind, period):
        return self.filter(kind=kind, period=period)

    def unsent(self):
        return self.exclude(status__in=[CycleMail.Status.SENT, CycleMail.Status.SKIPPED])

    def create_missing(self, *, kind, period, employers):
        """One row per contact with an e-mail address at each of `employers` (a queryset), in
        one INSERT ... SELECT; rows that exist already are left alone. Returns rows added."""
        from accounts.models import Role, User

        employer_ids, params = employers.values("pk").query.sql_with_params()
        table = connection.ops.quote_name(CycleMail._meta.db_table)
        role = connection.ops.quote_name(Role._meta.db_table)
        user = connection.ops.quote_name(User._meta.db_table)
        sql = f"""
            INSERT INTO {table} (kind, employer_id, period, user_id, email, status, attempts,
                                 error, created_at)
            SELECT %s, r.employer_id, %s, r.user_id, u.email, %s, 0, '', %s
            FROM {role} r JOIN {user} u ON u.id = r.user_id
            WHERE u.is_active AND u.email <> '' AND r.employer_id IN ({employer_ids})
            ON CONFLICT (kind, employer_id, period, user_id) DO NOTHING
        """  # noqa: S608 (table names from our models, values as parameters)
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [kind, period.index, CycleMail.Status.PENDING, timezone.now(), *params]
            )
            return cursor.rowcount

    def claimable(self, *, run_started, now=None):
        """Unsent rows nobody holds (or whose holder is presumed dead), not yet tried by the
        run that started at `run_started` (so a failure is retried next run, not in a loop)."""
        now = now or timezone.now()
        return self.unsent().filter(
            Q(claim_token__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM),
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=run_started),
        )

    def claim(self, *, run_started, limit):
        """Takes up to `limit` claimable rows for this caller; returns (token, rows), an
        employer's contacts together (its mail is rendered once). A second host skips the rows
        locked here; on SQLite the write transaction serialises claims."""
        token = uuid.uuid4()
        now = timezone.now()
        with transaction.atomic():
            ids = list(
                self.claimable(run_started=run_started, now=now)
                .select_for_update(skip_locked=True)
                .order_by("employer_id", "pk")
                .values_list("pk", flat=True)[:limit]
            )
            if ids:
                CycleMail.objects.filter(pk__in=ids).update(claim_token=token, claimed_at=now)
        # By primary key: the claim token has no index (a scan of the whole table per batch).
        rows = CycleMail.objects.filter(pk__in=ids, claim_token=token).select_related("employer")
        return token, list(rows.order_by("employer_id", "pk"))


class CycleMail(models.Model):
    class Kind(models.TextChoices):
        NOTICE = "notice", "Varsel om trekkgrunnlag"
        REMINDER = "reminder", "Påminnelse om trekkliste"

    class Status(models.TextChoices):
        PENDING = "pending", "Venter"
        SENT = "sent", "Sendt"
        FAILED = "failed", "Feilet"
        SKIPPED = "skipped", "Ikke nødvendig"

    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    employer = models.ForeignKey(
        "employers.Employer",
        on_delete=models.CASCADE,
        related_name="cycle_mails",
        verbose_name="bedrift",
    )
    period = PeriodField("måned")
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="cycle_mails",
        verbose_name="mottaker",
    )
    email = models.EmailField("e-post")
    status = models.CharField(
        "status", max_length=20, choices=Status.choices, default=Status.PENDING
    )
    claim_token = models.UUIDField("hentet av", null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField("hentet", null=True, blank=True)
    sent_at = models.DateTimeField("sendt", null=True, blank=True)
    attempts = models.PositiveIntegerField("forsøk", default=0)
    error = models.TextField("feil", blank=True)
    created_at = models.DateTimeField("opprettet", default=timezone.now)

    objects = CycleMailQuerySet.as_manager()

    class Meta:
        verbose_name = "utsendt e-post"
        verbose_name_plural = "utsendte e-poster"
        ordering = ["-period", "kind", "employer__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "employer", "period", "user"],
                name="one_cycle_mail_per_recipient",
            ),
        ]
        indexes = [models.Index(fields=["kind", "period", "status"], name="cyclemail_kind_period")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period} {self.employer} → {self.email}"

    def mark_sent(self, token, cursor=None):
        """Only the claim's holder can mark it; False if the claim was taken over.

        Plain SQL, as it runs once for every mail sent (the ORM's UPDATE costs twice the
        round trip here), on the `cursor` of the caller's batch if given (a cursor of its own
        made every mark a third dearer)."""
        if cursor is None:
            with connection.cursor() as cursor:
                return self.mark_sent(token, cursor)
        table = connection.ops.quote_name(CycleMail._meta.db_table)
        sql = f"""
            UPDATE {table}
            SET status = %s, sent_at = %s, claim_token = NULL, attempts = attempts + 1,
                error = ''
            WHERE id = %s AND claim_token = %s
        """  # noqa: S608 (table name from our model, values as parameters)
        fields = CycleMail._meta
        params = [
            self.Status.SENT,
            fields.get_field("sent_at").get_db_prep_value(timezone.now(), connection),
            self.pk,
            fields.get_field("claim_token").get_db_prep_value(token, connection),
        ]
        cursor.execute(sql, params)
        return cursor.rowcount == 1

    def mark_skipped(self, token):
        """Not needed any more (a reminder to an employer that has since delivered)."""
        return bool(
            CycleMail.objects.filter(pk=self.pk, claim_token=token).update(
                status=self.Status.SKIPPED, claim_token=None
            )
        )

    def mark_failed(self, token, error):
        return bool(
            CycleMail.objects.filter(pk=self.pk, claim_token=token).update(
                status=self.Status.FAILED,
                claim_token=None,
                attempts=F("attempts") + 1,
                error=str(error)[:2000],
            )
        )
