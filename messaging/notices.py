"""Notices about new messages: outbox rows that never carry any content.

A notice to a contact (e-mail, and SMS when they chose it) says only that a message is waiting,
with a link to log in; it goes out right after the message is written (after the response, or
after the commit outside a request). Staff get one batched e-mail to the team address about new
messages from contacts, sent by `send_message_notices` from cron. Sending, claims and retries
are the outbox's (`messaging.outbox`).
"""

from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.urls import reverse

from messaging.models import OutboxMessage
from messaging.outbox import send_soon
from trekkportal.mail import render_templated_mail

Kind = OutboxMessage.Kind
Channel = OutboxMessage.Channel


def notices_record(message):
    """The outbox rows a new message needs, saved: to its recipient (sent soon), or one line of
    the staff team's digest. Once per message and channel (the dedupe key)."""
    if message.recipient_id is None:
        rows = [
            OutboxMessage(
                kind=Kind.STAFF_DIGEST,
                channel=Channel.EMAIL,
                address=settings.UNION_STAFF_EMAIL,
                message=message,
                dedupe_key=f"{Kind.STAFF_DIGEST}:{message.pk}",
            )
        ]
    else:
        recipient = message.recipient
        addresses = []
        if recipient.email:
            addresses.append((Channel.EMAIL, recipient.email))
        if recipient.notify_by_sms and recipient.mobile:
            addresses.append((Channel.SMS, recipient.mobile.as_e164))
        rows = [
            OutboxMessage(
                kind=Kind.MESSAGE_NOTICE,
                channel=channel,
                recipient=recipient,
                address=address,
                message=message,
                dedupe_key=f"{Kind.MESSAGE_NOTICE}:{message.pk}:{channel}",
            )
            for channel, address in addresses
        ]
    rows = OutboxMessage.objects.bulk_create(rows)
    send_soon([row for row in rows if row.kind == Kind.MESSAGE_NOTICE])
    return rows


def login_link():
    return settings.SITE_URL + reverse(settings.LOGIN_URL)


def render_message_notices(rows):
    """The outbox's renderer for notices to contacts: the same words for everyone."""
    mail = None
    for row in rows:
        if row.channel == Channel.SMS:
            yield (
                [row],
                "Du har fått en ny melding i Trekkportalen. "
                f"Logg inn for å lese den: {login_link()}",
            )
            continue
        if mail is None:
            mail = render_templated_mail(
                "messaging/email/new_message",
                {"login_url": login_link(), "union_name": settings.UNION_NAME},
            )
        yield [row], mail


def render_staff_digest(rows):
    """The outbox's renderer for the staff digest: one mail for all the claimed rows (one row
    per new message from a contact) that go to the same address."""
    for _, same_address in groupby(sorted(rows, key=attrgetter("address")), attrgetter("address")):
        group = list(same_address)
        mail = render_templated_mail(
            "messaging/email/staff_digest",
            {
                "count": len(group),
                "inbox_url": settings.SITE_URL + reverse("messaging:staff_inbox"),
                "union_name": settings.UNION_NAME,
            },
        )
        yield group, mail
