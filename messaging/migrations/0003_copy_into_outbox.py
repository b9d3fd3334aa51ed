"""The cycle's mail (deductions.CycleMail) and the message notices (messaging.MessageNotice)
copied into the outbox, with the dedupe keys the code makes, before both models go."""

from django.conf import settings
from django.db import migrations

BATCH = 2000

CYCLE_KINDS = {"notice": "monthly_notice", "reminder": "list_reminder"}


def copy_cycle_mail(OutboxMessage, CycleMail):
    rows = []
    for mail in CycleMail.objects.order_by("pk").iterator(chunk_size=BATCH):
        kind = CYCLE_KINDS[mail.kind]
        claimed = mail.claim_token is not None and mail.status == "pending"
        rows.append(
            OutboxMessage(
                kind=kind,
                channel="email",
                recipient_id=mail.user_id,
                address=mail.email,
                dedupe_key=f"{kind}:{mail.period.slug}:{mail.employer_id}:{mail.user_id}",
                employer_id=mail.employer_id,
                period=mail.period,
                status="sending" if claimed else mail.status,
                attempts=mail.attempts,
                last_error=mail.error,
                claim_token=mail.claim_token,
                claimed_at=mail.claimed_at,
                sent_at=mail.sent_at,
                created_at=mail.created_at,
            )
        )
    OutboxMessage.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)


def copy_message_notices(OutboxMessage, MessageNotice):
    rows = []
    notices = MessageNotice.objects.select_related("recipient").order_by("pk")
    for notice in notices.iterator(chunk_size=BATCH):
        if notice.channel == "staff_digest":
            kind, channel, address = "staff_digest", "email", settings.UNION_STAFF_EMAIL
            key = f"staff_digest:{notice.message_id}"
        else:
            kind, channel = "message_notice", notice.channel
            recipient = notice.recipient
            if channel == "sms":
                address = recipient.mobile.as_e164 if recipient.mobile else ""
            else:
                address = recipient.email
            key = f"message_notice:{notice.message_id}:{channel}"
        rows.append(
            OutboxMessage(
                kind=kind,
                channel=channel,
                recipient_id=notice.recipient_id,
                address=address,
                dedupe_key=key,
                message_id=notice.message_id,
                status=notice.status,
                attempts=notice.attempts,
                last_error=notice.last_error,
                claim_token=notice.claim_token,
                claimed_at=notice.claimed_at,
                sent_at=notice.sent_at,
                created_at=notice.created_at,
            )
        )
    OutboxMessage.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)


def copy_into_outbox(apps, schema_editor):
    OutboxMessage = apps.get_model("messaging", "OutboxMessage")
    copy_cycle_mail(OutboxMessage, apps.get_model("deductions", "CycleMail"))
    copy_message_notices(OutboxMessage, apps.get_model("messaging", "MessageNotice"))


def copy_back(apps, schema_editor):
    """Backwards: the outbox's cycle mail and message notices moved into the old tables."""
    OutboxMessage = apps.get_model("messaging", "OutboxMessage")
    CycleMail = apps.get_model("deductions", "CycleMail")
    MessageNotice = apps.get_model("messaging", "MessageNotice")
    kinds = {new: old for old, new in CYCLE_KINDS.items()}
    CycleMail.objects.bulk_create(
        (
            CycleMail(
                kind=kinds[row.kind],
                employer_id=row.employer_id,
                period=row.period,
                user_id=row.recipient_id,
                email=row.address,
                status={"sending": "pending", "dismissed": "failed"}.get(row.status, row.status),
                claim_token=row.claim_token,
                claimed_at=row.claimed_at,
                sent_at=row.sent_at,
                attempts=row.attempts,
                error=row.last_error,
                created_at=row.created_at,
            )
            for row in OutboxMessage.objects.filter(
                kind__in=kinds, recipient__isnull=False
            ).iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )
    MessageNotice.objects.bulk_create(
        (
            MessageNotice(
                message_id=row.message_id,
                recipient_id=row.recipient_id,
                channel="staff_digest" if row.kind == "staff_digest" else row.channel,
                status={"skipped": "sent", "dismissed": "failed"}.get(row.status, row.status),
                attempts=row.attempts,
                claim_token=row.claim_token,
                claimed_at=row.claimed_at,
                sent_at=row.sent_at,
                last_error=row.last_error[:500],
                created_at=row.created_at,
            )
            for row in OutboxMessage.objects.filter(
                kind__in=["message_notice", "staff_digest"], message__isnull=False
            ).iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )
    OutboxMessage.objects.filter(
        kind__in=[*kinds, "message_notice", "staff_digest"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("deductions", "0004_merge_lists_and_cycle"),
        ("messaging", "0002_outbox"),
    ]

    operations = [migrations.RunPython(copy_into_outbox, copy_back)]
