"""Secure messages between payroll contacts and the union's staff.

A conversation (Thread) is always between one contact and the union's staff team. A message
from the contact goes to the team (recipient is empty): any staff member may read and answer
it. A message from staff is written by a named staff member to the contact. Messages belong to
the user, not the role: the employer a message was written for is kept as context only.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

STAFF_TEAM_LABEL = "Trekkteamet"


class ThreadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every thread; a contact sees their own."""
        if user.is_staff:
            return self
        return self.filter(contact=user)

    def for_staff_inbox(self):
        """Threads with messages staff have not read first, then the latest activity first."""
        return self.select_related("contact", "employer").order_by(
            "-unread_by_staff", "-last_message_at", "-pk"
        )

    def for_contact_inbox(self, user):
        """The user's threads, newest activity first, with their unread count."""
        unread = Count(
            "messages", filter=Q(messages__recipient=user, messages__read_at__isnull=True)
        )
        return (
            self.filter(contact=user)
            .select_related("employer")
            .annotate(unread_count=unread)
            .order_by("-last_message_at", "-pk")
        )


class Thread(models.Model):
    """A conversation between one payroll contact and the union's staff."""

    public_id = models.UUIDField("offentlig ID", default=uuid.uuid4, unique=True, editable=False)
    subject = models.CharField("emne", max_length=200)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="message_threads",
        verbose_name="trekkontakt",
    )
    employer = models.ForeignKey(
        "employers.Employer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="message_threads",
        verbose_name="bedrift",
    )
    created_at = models.DateTimeField("opprettet", default=timezone.now)
    last_message_at = models.DateTimeField("siste melding", default=timezone.now, db_index=True)
    message_count = models.PositiveIntegerField("antall meldinger", default=0)
    unread_by_staff = models.BooleanField(
        "ulest hos staben",
        default=False,
        help_text="Kontakten har skrevet noe ingen i staben har lest.",
    )
    handled = models.BooleanField("behandlet", default=False, db_index=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="behandlet av",
    )
    handled_at = models.DateTimeField("behandlet", null=True, blank=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = "meldingstråd"
        verbose_name_plural = "meldingstråder"
        ordering = ["-last_message_at"]
        indexes = [
            models.Index(fields=["contact", "-last_message_at"]),
            models.Index(fields=["-unread_by_staff", "-last_message_at"]),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("messaging:thread", kwargs={"public_id": self.public_id})

    @property
    def public_ref(self):
        return self.public_id

    def mark_shown_read(self, reader, shown):
        """Mark the shown messages that were unread for `reader` read, and nothing else: a
        message that arrived while the page was being built stays unread."""
        unread = [message.pk for message in shown if message.is_unread_for(reader)]
        if not unread:
            return
        Message.objects.filter(pk__in=unread, read_at__isnull=True).update(
            read_at=timezone.now(), read_by=reader
        )
        if reader.is_staff:
            still_unread = Message.objects.filter(thread=OuterRef("pk")).unread_for_staff()
            Thread.objects.filter(pk=self.pk).update(unread_by_staff=Exists(still_unread))

    def mark_handled(self, by, handled=True):
        self.handled = handled
        self.handled_by = by if handled else None
        self.handled_at = timezone.now() if handled else None
        self.save(update_fields=["handled", "handled_by", "handled_at"])


class MessageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only the sender and the recipient (and staff, for the team's messages) see a message."""
        if user.is_staff:
            return self
        return self.filter(Q(sender=user) | Q(recipient=user))

    def unread_for(self, user):
        return self.filter(recipient=user, read_at__isnull=True)

    def unread_for_staff(self):
        return self.filter(recipient__isnull=True, read_at__isnull=True)

    def latest_for(self, user, limit=5):
        """The user's newest messages, sent or received, for the front page."""
        return (
            self.visible_to_contact(user)
            .select_related("sender", "recipient", "thread")
            .order_by("-created_at", "-pk")[:limit]
        )

    def visible_to_contact(self, user):
        return self.filter(Q(sender=user) | Q(recipient=user))


class Message(models.Model):
    public_id = models.UUIDField("offentlig ID", default=uuid.uuid4, unique=True, editable=False)
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="messages", verbose_name="tråd"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
        verbose_name="svar på",
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sent_messages",
        verbose_name="avsender",
    )
    sender_employer = models.ForeignKey(
        "employers.Employer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="sendt som trekkontakt for",
        help_text="Rollen avsenderen handlet for da meldingen ble skrevet.",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_messages",
        verbose_name="mottaker",
        help_text="Tom når meldingen går til forbundets trekkteam.",
    )
    subject = models.CharField("emne", max_length=200)
    body = models.TextField("tekst", max_length=10_000)
    created_at = models.DateTimeField("sendt", default=timezone.now, db_index=True)
    read_at = models.DateTimeField("lest", null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="lest av",
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "melding"
        verbose_name_plural = "meldinger"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["sender", "-created_at"]),
        ]

    def __str__(self):
        return self.subject

    @property
    def public_ref(self):
        return self.public_id

    @property
    def sender_label(self):
        return self.sender.full_name or self.sender.username

    @property
    def recipient_label(self):
        if self.recipient_id is None:
            return STAFF_TEAM_LABEL
        return self.recipient.full_name or self.recipient.username

    def is_unread_for(self, user):
        if self.read_at is not None:
            return False
        return self.recipient_id == user.pk or (self.recipient_id is None and user.is_staff)


def attachment_path(instance, filename):
    """A generated name: the uploader's file name never reaches the storage."""
    return f"meldinger/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user.is_staff:
            return self
        return self.filter(Q(message__sender=user) | Q(message__recipient=user))


class Attachment(models.Model):
    public_id = models.UUIDField("offentlig ID", default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name="melding"
    )
    file = models.FileField("fil", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("filnavn", max_length=255)
    size = models.PositiveBigIntegerField("størrelse (byte)")
    content_type = models.CharField("filtype", max_length=100)
    created_at = models.DateTimeField("lastet opp", default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = "vedlegg"
        verbose_name_plural = "vedlegg"
        ordering = ["pk"]

    def __str__(self):
        return self.original_name

    @property
    def public_ref(self):
        return self.public_id
