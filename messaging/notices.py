"""Notices about new messages: rows first, claimed before sending, never any content.

A notice to a contact (e-mail, and SMS when they chose it) says only that a message is waiting,
with a link to log in. Staff get one batched e-mail to the team address about new messages from
contacts. A row is claimed with a conditional UPDATE before it is sent, so a re-run of the
command or a second host never sends it twice; a failed send goes back to the queue.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

logger = logging.getLogger("messaging.notices")

MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = timedelta(minutes=30)


class NoticeQuerySet(models.QuerySet):
    def due(self, now=None):
        """Rows waiting to be sent, and rows whose claimer vanished half an hour ago."""
        now = now or timezone.now()
        waiting = Q(status=MessageNotice.Status.PENDING)
        stale = Q(status=MessageNotice.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
        return self.filter(waiting | stale)

    def claim(self, pks):
        """Claim the due rows among pks for this process; returns the claim token and the rows."""
        token = uuid.uuid4()
        now = timezone.now()
        self.due(now).filter(pk__in=list(pks)).update(
            status=MessageNotice.Status.SENDING,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
        return list(self.filter(claim_token=token).select_related("recipient"))

    def mark_sent(self):
        return self.update(
            status=MessageNotice.Status.SENT,
            sent_at=timezone.now(),
            last_error="",
            claim_token=None,
        )

    def mark_failed(self, error):
        """Back to the queue for the next run, or failed for good after MAX_ATTEMPTS."""
        return self.update(
            status=models.Case(
                models.When(
                    attempts__gte=MAX_ATTEMPTS, then=models.Value(MessageNotice.Status.FAILED)
                ),
                default=models.Value(MessageNotice.Status.PENDING),
            ),
            last_error=str(error)[:500],
            claim_token=None,
        )


class MessageNotice(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "E-post"
        SMS = "sms", "SMS"
        STAFF_DIGEST = "staff_digest", "Samlet e-post til staben"

    class Status(models.TextChoices):
        PENDING = "pending", "Venter"
        SENDING = "sending", "Sendes"
        SENT = "sent", "Sendt"
        FAILED = "failed", "Feilet"

    message = models.ForeignKey(
        "messaging.Message",
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name="melding",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="mottaker",
        help_text="Tom for samlet varsel til staben.",
    )
    channel = models.CharField("kanal", max_length=20, choices=Channel.choices)
    status = models.CharField(
        "status", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("forsøk", default=0)
    claim_token = models.UUIDField("krav", null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField("tatt", null=True, blank=True)
    sent_at = models.DateTimeField("sendt", null=True, blank=True)
    last_error = models.CharField("siste feil", max_length=500, blank=True)
    created_at = models.DateTimeField("opprettet", default=timezone.now)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "varsel"
        verbose_name_plural = "varsler"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_channel_display()} ({self.get_status_display()})"

    @classmethod
    def for_new_message(cls, message):
        """The rows a new message needs: to its recipient, or to the staff team."""
        if message.recipient_id is None:
            return [cls(message=message, channel=cls.Channel.STAFF_DIGEST)]
        recipient = message.recipient
        rows = []
        if recipient.email:
            rows.append(cls(message=message, recipient=recipient, channel=cls.Channel.EMAIL))
        if recipient.notify_by_sms and recipient.mobile:
            rows.append(cls(message=message, recipient=recipient, channel=cls.Channel.SMS))
        return rows

    def _claimed(self):
        return MessageNotice.objects.filter(pk=self.pk, claim_token=self.claim_token)

    def mark_sent(self):
        self._claimed().mark_sent()

    def mark_failed(self, error):
        self._claimed().mark_failed(error)


def login_link():
    return settings.SITE_URL + reverse(settings.LOGIN_URL)


def send_notices(pks=None):
    """Send the due contact notices (all, or those among pks). Returns (sent, failed)."""
    due = MessageNotice.objects.due().exclude(channel=MessageNotice.Channel.STAFF_DIGEST)
    if pks is not None:
        due = due.filter(pk__in=list(pks))
    sent = failed = 0
    for notice in MessageNotice.objects.claim(due.values_list("pk", flat=True)):
        try:
            _deliver(notice)
        except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
            logger.warning("Notice %s (%s) failed: %s", notice.pk, notice.channel, error)
            notice.mark_failed(error)
            failed += 1
        else:
            notice.mark_sent()
            sent += 1
    return sent, failed


def _deliver(notice):
    from trekkportal.mail import send_templated_mail
    from trekkportal.sms import send_sms

    recipient = notice.recipient
    if notice.channel == MessageNotice.Channel.EMAIL:
        if not recipient.email:
            raise ValueError("Mottakeren har ingen e-postadresse.")
        send_templated_mail(
            "messaging/email/new_message",
            {"login_url": login_link(), "union_name": settings.UNION_NAME},
            [recipient.email],
        )
    else:
        if not recipient.mobile:
            raise ValueError("Mottakeren har ikke mobilnummer.")
        send_sms(
            recipient.mobile.as_e164,
            f"Du har fått en ny melding i Trekkportalen. Logg inn for å lese den: {login_link()}",
        )


def send_staff_digest():
    """One e-mail to the staff team about all new messages from contacts. Returns (sent, failed)."""
    from trekkportal.mail import send_templated_mail

    due = MessageNotice.objects.due().filter(channel=MessageNotice.Channel.STAFF_DIGEST)
    notices = MessageNotice.objects.claim(due.values_list("pk", flat=True))
    if not notices:
        return 0, 0
    claimed = MessageNotice.objects.filter(claim_token=notices[0].claim_token)
    try:
        send_templated_mail(
            "messaging/email/staff_digest",
            {
                "count": len(notices),
                "inbox_url": settings.SITE_URL + reverse("messaging:staff_inbox"),
                "union_name": settings.UNION_NAME,
            },
            [settings.UNION_STAFF_EMAIL],
        )
    except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
        logger.warning("Staff digest of %s notices failed: %s", len(notices), error)
        claimed.mark_failed(error)
        return 0, len(notices)
    claimed.mark_sent()
    return len(notices), 0


def send_after_commit(notices):
    """Send these contact notices as soon as the transaction that created them commits."""
    pks = [n.pk for n in notices if n.channel != MessageNotice.Channel.STAFF_DIGEST]
    if pks:
        transaction.on_commit(lambda: _send_quietly(pks))


def _send_quietly(pks):
    try:
        send_notices(pks)
    except Exception:  # a page must not fail because mail is down; cron retries
        logger.exception("Sending notices after commit failed")
