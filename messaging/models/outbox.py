"""The outbox: every mail and SMS that leaves the portal is a row here before it is sent.

One design for all of them (the monthly notice, the list reminder, notices about messages, the
staff digest, password links and notices): a row is recorded first, under a unique `dedupe_key`
where "exactly once" matters; a sender claims rows in batches (`select_for_update(skip_locked=
True)` and a claim token) and only the claim's holder can mark a row sent or failed. A re-run or
a second host sends only what nobody has sent or holds.

A claim is a lease: its holder renews `claimed_at` while it sends (`renew`), and checks that a
row is still its own right before sending it (`mark_sent(..., check=)`); only a claim whose
holder stopped renewing it for `OUTBOX_STALE_CLAIM` is taken over. A temporary failure (4xx, no
connection) is tried again by later runs, at most `OUTBOX_MAX_ATTEMPTS` times; a permanent one
(5xx: the server refused the address or the message) is not, unless the recipient's address
has changed since; both then wait for staff (admin: «Prøv igjen» or «Avvis»). The sending loop
is `messaging.outbox.send_pending`.
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
        """Failed rows no run will try again: they wait for staff."""
        return self.filter(status=OutboxMessage.Status.FAILED).filter(
            Q(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS)
            | Q(failure=OutboxMessage.Failure.PERMANENT)
        )

    def claimable(self, *, run_started, now=None):
        """Rows to send: waiting, failed temporarily with attempts left, or held by a claim not
        renewed within the stale-claim window (its holder is presumed dead); none already tried
        by the run that started at `run_started` (a failure is retried next run, not in a
        loop)."""
        now = now or timezone.now()
        waiting = Q(status=OutboxMessage.Status.PENDING) | Q(
            ~Q(failure=OutboxMessage.Failure.PERMANENT),
            status=OutboxMessage.Status.FAILED,
            attempts__lt=settings.OUTBOX_MAX_ATTEMPTS,
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
        rows = list(rows.select_related("employer").order_by("kind", "employer_id", "pk"))
        _to_current_addresses(rows, token)
        return token, rows

    def open_counts(self):
        """(left, held elsewhere) among these rows once a run is over: unsent rows nobody
        holds (failed, or waiting), and unsent rows another live run holds (claimed, or being
        claimed at this very moment: locked), which that run sends."""
        with transaction.atomic():
            free = list(
                self.unsent()
                .exclude(status=OutboxMessage.Status.SENDING)
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)
            )
        return len(free), self.unsent().count() - len(free)

    def renew(self, token):
        """The lease of these rows, where `token` still holds them, starts afresh; returns the
        primary keys still held."""
        held = self.filter(claim_token=token)
        held.update(claimed_at=timezone.now())
        return set(held.values_list("pk", flat=True))

    def reopen_corrected(self):
        """Permanently failed rows whose recipient has another address now wait again: the
        corrected address gets its try (the claim takes it up)."""
        email = (
            Q(channel=OutboxMessage.Channel.EMAIL)
            & ~Q(recipient__email="")
            & ~Q(recipient__email=F("address"))
        )
        mobile = (
            Q(channel=OutboxMessage.Channel.SMS)
            & ~Q(recipient__mobile="")
            & ~Q(recipient__mobile=F("address"))
        )
        return (
            self.filter(
                status=OutboxMessage.Status.FAILED,
                failure=OutboxMessage.Failure.PERMANENT,
                recipient__isnull=False,
            )
            .filter(email | mobile)
            .update(status=OutboxMessage.Status.PENDING, failure="")
        )

    def mark_sent(self, token, pks, *, check=(), cursor=None):
        """Marks the rows `pks` sent, where `token` still holds them, and in the same statement
        renews the lease of the rows `check` (the next mail's); returns how many rows it
        marked and the set of the rows of `check` still held. One statement, as it runs once
        for every mail sent (the ORM's UPDATE cost twice the round trip here), on the `cursor`
        of the caller's batch if given (a cursor of its own made every mark a third dearer)."""
        if cursor is None:
            with connection.cursor() as cursor:
                return self.mark_sent(token, pks, check=check, cursor=cursor)
        meta = OutboxMessage._meta
        pks, check = list(pks), list(check)

        def prep(field, value):
            return meta.get_field(field).get_db_prep_value(value, connection)

        marked = ", ".join(["%s"] * len(pks))
        every = ", ".join(["%s"] * (len(pks) + len(check)))
        now = prep("sent_at", timezone.now())
        sql = f"""
            UPDATE {connection.ops.quote_name(meta.db_table)} SET
                status = CASE WHEN id IN ({marked}) THEN %s ELSE status END,
                sent_at = CASE WHEN id IN ({marked}) THEN %s ELSE sent_at END,
                attempts = CASE WHEN id IN ({marked}) THEN attempts + 1 ELSE attempts END,
                last_error = CASE WHEN id IN ({marked}) THEN '' ELSE last_error END,
                failure = CASE WHEN id IN ({marked}) THEN '' ELSE failure END,
                claimed_at = CASE WHEN id IN ({marked}) THEN claimed_at ELSE %s END,
                claim_token = CASE WHEN id IN ({marked}) THEN NULL ELSE claim_token END
            WHERE id IN ({every}) AND claim_token = %s
        """  # noqa: S608 (table name from our model, values as parameters)
        params = [
            *pks,
            OutboxMessage.Status.SENT,
            *pks,
            now,
            *pks,
            *pks,
            *pks,
            *pks,
            now,
            *pks,
            *pks,
            *check,
            prep("claim_token", token),
        ]
        cursor.execute(sql, params)
        changed = cursor.rowcount
        if changed == len(pks) + len(check):
            return len(pks), set(check)
        held = set(self.filter(pk__in=check, claim_token=token).values_list("pk", flat=True))
        return changed - len(held), held

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

    class Failure(models.TextChoices):
        TEMPORARY = "temporary", "Midlertidig"
        PERMANENT = "permanent", "Permanent"

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
    failure = models.CharField(
        "feiltype",
        max_length=10,
        choices=Failure.choices,
        blank=True,
        help_text="Midlertidig (4xx, ingen forbindelse): prøves igjen ved neste kjøring. "
        "Permanent (5xx, adressen eller e-posten avvist): prøves ikke igjen av seg selv.",
    )
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
        """Only the claim's holder can mark it; False if the claim was taken over."""
        marked, _ = OutboxMessage.objects.mark_sent(token, [self.pk], cursor=cursor)
        return marked == 1

    def mark_failed(self, token, error, *, permanent=False):
        """Failed this time: a temporary failure is tried again by a later run until the
        attempt limit, a permanent one waits for staff (or a corrected address)."""
        return self._claimed(token).update(
            status=self.Status.FAILED,
            failure=self.Failure.PERMANENT if permanent else self.Failure.TEMPORARY,
            claim_token=None,
            attempts=F("attempts") + 1,
            last_error=str(error)[:2000],
        )

    def current_address(self):
        """The recipient's address on this row's channel as it is now ("" without one)."""
        user = self.recipient
        if user is None:
            return ""
        if self.channel == self.Channel.SMS:
            return user.mobile.as_e164 if user.mobile else ""
        return user.email

    def mark_skipped(self, token):
        """Not needed any more (a reminder to an employer that has since delivered, a password
        link that has expired or been used)."""
        return self._claimed(token).update(status=self.Status.SKIPPED, claim_token=None)

    def _claimed(self, token):
        return OutboxMessage.objects.filter(pk=self.pk, claim_token=token)


def _to_current_addresses(rows, token):
    """A claimed row with a recipient goes to the recipient's address as it is now (one
    corrected after a bounce, say), saved on the row so that admin shows where it went."""
    users = OutboxMessage.recipient.field.related_model.objects.in_bulk(
        {row.recipient_id for row in rows if row.recipient_id}
    )
    for row in rows:
        if row.recipient_id is None:
            continue
        row.recipient = users.get(row.recipient_id)
        address = row.current_address()
        if address and address != row.address:
            row.address = address
            OutboxMessage.objects.filter(pk=row.pk, claim_token=token).update(address=address)
