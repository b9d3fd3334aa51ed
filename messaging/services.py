"""Sending a message: thread, message, attachments and outbox rows in one transaction."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from messaging.models import Attachment, Message, Thread
from messaging.notices import notices_record


@transaction.atomic
def thread_start(*, sender, subject, body, files=(), employer=None, contact=None):
    """A new conversation. From a contact (contact=None) it goes to the staff team; from staff
    it goes to `contact`. `employer` is the employer the conversation is about."""
    now = timezone.now()
    thread = Thread.objects.create(
        subject=subject,
        contact=contact or sender,
        employer=employer,
        created_at=now,
        last_message_at=now,
        message_count=1,
        unread_by_staff=contact is None,
    )
    return _add_message(
        thread=thread,
        parent=None,
        sender=sender,
        recipient=contact,
        sender_employer=None if contact else employer,
        body=body,
        files=files,
        now=now,
    )


@transaction.atomic
def message_reply(*, thread, sender, body, files=(), sender_employer=None):
    """A reply in a thread: the contact writes to the staff team, staff write to the contact."""
    now = timezone.now()
    from_contact = sender.pk == thread.contact_id
    parent = thread.messages.order_by("-created_at", "-pk").first()
    message = _add_message(
        thread=thread,
        parent=parent,
        sender=sender,
        recipient=None if from_contact else thread.contact,
        sender_employer=sender_employer if from_contact else None,
        body=body,
        files=files,
        now=now,
    )
    fields = {"last_message_at": now, "message_count": F("message_count") + 1}
    if from_contact:
        fields |= {
            "unread_by_staff": True,
            "handled": False,
            "handled_by": None,
            "handled_at": None,
        }
    Thread.objects.filter(pk=thread.pk).update(**fields)
    thread.refresh_from_db(fields=list(fields))
    return message


def messages_send_to_employer(*, sender, employer, subject, body, files=()):
    """Staff write to every contact of an employer: one thread per contact."""
    contacts = User.objects.filter(roles__employer=employer, is_active=True).distinct()
    with transaction.atomic():
        return [
            thread_start(
                sender=sender,
                subject=subject,
                body=body,
                files=files,
                employer=employer,
                contact=contact,
            )
            for contact in contacts
        ]


def _add_message(*, thread, parent, sender, recipient, sender_employer, body, files, now):
    message = Message.objects.create(
        thread=thread,
        parent=parent,
        sender=sender,
        recipient=recipient,
        sender_employer=sender_employer,
        subject=thread.subject,
        body=body,
        created_at=now,
    )
    for checked in files:
        checked.upload.seek(0)
        attachment = Attachment(
            message=message,
            original_name=checked.name,
            size=checked.size,
            content_type=checked.content_type,
        )
        attachment.file.save(checked.name, checked.upload, save=True)
    notices_record(message)
    return message
