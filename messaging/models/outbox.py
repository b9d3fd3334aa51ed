"""The outbox: every mail and SMS that leaves the portal is a row here before it is sent.

One design for all of them (the monthly notice, the list reminder, notices about messages, the
staff digest, password links and notices): a row is recorded first, under a unique `dedupe_key`
where "exactly once" matters; a sender claims rows in batches (`select_for_update(skip_locked=
True)` and a claim token) and only the claim's holder can mark a row sent or failed. A re-run or
a second host sends only what nobody has sent or holds. A claim whose holder vanished is taken
over once it is older than `OUTBOX_STALE_CLAIM`; a row is tried at most `OUTBOX_MAX_ATTEMPTS`
times, then waits for staff (admin: «Prøv igjen» or «Avvis»). The sending loop is
`messaging.outbox.send_pending`.
"""

import uuid

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from deductions.fields import PeriodField


class OutboxQuerySet(models.QuerySet):
    def unsent(self):
        """Rows that still owe a mail or SMS (a given-up failure included: staff may retry it)."""
        return self.filter(status__in=OutboxMessage.OPEN)

    def given_up(self):
        return self.filter(
            status=OutboxMessage.Status.FAILED, attempts__gte=settings.OUTBOX_MAX_ATTEMPTS
        )

    def claimable(self, *, run_started, now=None):
        """Rows to send: waiting, failed with attempts left, or held by a claim older than the
        stale-claim window (its holder is presumed dead); none already tried by the run that
        started at `run_started` (a failure is retried next run, not in a loop)."""
        now = now or timezone.now()
        waiting = Q(status=OutboxMessage.Status.PENDING) | Q(
            status=OutboxMessage.Status.FAILED, attempts__lt=settings.OUTBOX_MAX_ATTEMPTS
        )
        stale = Q(
            status=OutboxMessage.Status.SENDING,
            claimed_at__lt=now - settings.OUTBOX_STALE_CLAIM,
        )
        return self.filter(waiting | stale).filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=run_started)
        )

    def claim(self, *, run_started, limit):
        """Takes up to `limit` claimable rows for this caller; returns (token, rows) in the order
        kind, employer, pk (an employer's contacts together: its mail is rendered once). A second
        host skips the rows locked here; on SQLite the write transaction serialises claims."""
        token = uuid.uuid4()
        now = timezone.now()
        with transaction.atomic():
            ids = list(
                self.claimable(run_started=run_started, now=now)
                .select_for_update(skip_locked=True)
                .order_by("kind", "employer_id", "pk")
                .values_list("pk", flat=True)[:limit]
            )
            if ids:
                OutboxMessage.objects.filter(pk__in=ids).update(
                    status=OutboxMessage.Status.SENDING, claim_token=token, claimed_at=now
                )
        # By primary key: the claim token has no index (a scan of the whole table per batch).
        rows = OutboxMessage.objects.filter(pk__in=ids, claim_token=token)
        return token, list(rows.select_related("employer").order_by("kind", "employer_id", "pk"))

    def give_back(self):
        """These claimed rows were not sent: free again at once, for the next run."""
        return self.filter(claim_token__isnull=False).update(
            status=Case(
                When(attempts__gt=0, then=Value(OutboxMessage.Status.FAILED)),
                default=Value(OutboxMessage.Status.PENDING),
            ),
            claim_token=None,
        )


class OutboxMessage(models.Model):
    """One mail or SMS: what it is, to whom, and how far it got."""

    class Kind(models.TextChoices):
        MONTHLY_NOTICE = "monthly_notice", "Varsel om trekkgrunnlag"
        LIST_REMINDER = "list_reminder", "Påminnelse om trekkliste"
        MESSAGE_NOTICE = "message_notice", "Varsel om ny melding"
        STAFF_DIGEST = "staff_digest", "Samlevarsel til staben"
        PASSWORD_RESET = "password_reset", "Lenke for nytt passord"
        PASSWORD_CHANGED = "password_changed", "Varsel om endret passord"

    class Channel(models.TextChoices):
        EMAIL = "email", "E-post"
        SMS = "sms", "SMS"

    class Status(models.TextChoices):
        PENDING = "pending", "Venter"
        SENDING = "sending", "Sendes"
        SENT = "sent", "Sendt"
        FAILED = "failed", "Feilet"
        SKIPPED = "skipped", "Ikke nødvendig"
        DISMISSED = "dismissed", "Avvist"

    OPEN = [Status.PENDING, Status.SENDING, Status.FAILED]

    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    channel = models.CharField("kanal", max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="mottaker",
        help_text="Tom for samlevarselet til staben.",
    )
    address = models.CharField("adresse", max_length=254, help_text="E-postadresse eller mobil.")
    dedupe_key = models.CharField(
        "nøkkel",
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text="Det som bare skal sendes én gang, for eksempel varsel per bedrift, måned og "
        "kontakt.",
    )
    employer = models.ForeignKey(
        "employers.Employer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
        verbose_name="bedrift",
    )
    period = PeriodField("måned", null=True, blank=True)
    message = models.ForeignKey(
        "messaging.Message",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name="melding",
    )
    context = models.JSONField(
        "innhold",
        default=dict,
        blank=True,
        help_text="Det som trengs for å lage teksten når den sendes (aldri en lenke med nøkkel).",
    )
    status = models.CharField(
        "status", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField("forsøk", default=0)
    last_error = models.TextField("siste feil", blank=True)
    claim_token = models.UUIDField("hentet av", null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField("hentet", null=True, blank=True)
    sent_at = models.DateTimeField("sendt", null=True, blank=True)
    created_at = models.DateTimeField("opprettet", default=timezone.now)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = "utgående e-post eller SMS"
        verbose_name_plural = "utgående e-post og SMS"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "kind"], name="outbox_status_kind"),
            models.Index(fields=["kind", "period", "employer"], name="outbox_kind_period"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.address}"

    def mark_sent(self, token, cursor=None):
        """Only the claim's holder can mark it; False if the claim was taken over.

        Plain SQL, as it runs once for every mail sent (the ORM's UPDATE costs twice the
        round trip here), on the `cursor` of the caller's batch if given (a cursor of its own
        made every mark a third dearer)."""
        if cursor is None:
            with connection.cursor() as cursor:
                return self.mark_sent(token, cursor)
        meta = OutboxMessage._meta
        sql = f"""
            UPDATE {connection.ops.quote_name(meta.db_table)}
            SET status = %s, sent_at = %s, claim_token = NULL, attempts = attempts + 1,
                last_error = ''
            WHERE id = %s AND claim_token = %s
        """  # noqa: S608 (table name from our model, values as parameters)
        params = [
            self.Status.SENT,
            meta.get_field("sent_at").get_db_prep_value(timezone.now(), connection),
            self.pk,
            meta.get_field("claim_token").get_db_prep_value(token, connection),
        ]
        cursor.execute(sql, params)
        return cursor.rowcount == 1

    def mark_failed(self, token, error):
        """Failed this time: tried again by a later run until the attempt limit."""
        return self._claimed(token).update(
            status=self.Status.FAILED,
            claim_token=None,
            attempts=F("attempts") + 1,
            last_error=str(error)[:2000],
        )

    def mark_skipped(self, token):
        """Not needed any more (a reminder to an employer that has since delivered, a password
        link that has expired or been used)."""
        return self._claimed(token).update(status=self.Status.SKIPPED, claim_token=None)

    def _claimed(self, token):
        return OutboxMessage.objects.filter(pk=self.pk, claim_token=token)
