"""Admin: staff search messages; messages cannot be added or changed there."""

from types import SimpleNamespace
from uuid import uuid4

import pytest
from django.contrib import admin
from django.urls import reverse

from messaging.admin import AttachmentInline
from messaging.models import Message
from tests.messaging.conftest import PDF_BYTES, send_from_contact, upload


@pytest.fixture
def admin_client(staff, staff_client):
    staff.is_superuser = True
    staff.save()
    return staff_client


def test_staff_search_messages_by_text_and_employer_number(
    owner, employer, outsider, other_employer, admin_client
):
    send_from_contact(owner, employer, subject="Om sluttdato", body="Åse sluttet 15.02.")
    send_from_contact(outsider, other_employer, subject="Om KID", body="Hvilken KID?")
    url = reverse("admin:messaging_message_changelist")

    by_text = admin_client.get(url, {"q": "sluttet"}).content.decode()
    by_employer = admin_client.get(url, {"q": other_employer.number}).content.decode()

    assert "Om sluttdato" in by_text and "Om KID" not in by_text
    assert "Om KID" in by_employer and "Om sluttdato" not in by_employer


def test_a_message_in_admin_is_read_only_and_links_its_attachment_through_the_checked_view(
    owner, employer, admin_client
):
    message = send_from_contact(owner, employer, files=[upload("kvittering.pdf", PDF_BYTES)])
    attachment = message.attachments.get()

    response = admin_client.get(reverse("admin:messaging_message_change", args=[message.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert reverse("messaging:attachment", args=[attachment.public_id]) in content
    assert 'name="_save"' not in content
    assert admin_client.get(reverse("admin:messaging_message_add")).status_code == 403


def test_staff_search_threads_by_contact(owner, employer, admin_client):
    message = send_from_contact(owner, employer, subject="Spørsmål fra Kari")

    content = admin_client.get(
        reverse("admin:messaging_thread_changelist"), {"q": owner.username}
    ).content.decode()

    assert "Spørsmål fra Kari" in content
    detail = admin_client.get(reverse("admin:messaging_thread_change", args=[message.thread.pk]))
    assert (
        reverse("messaging:staff_thread", args=[message.thread.public_id])
        in detail.content.decode()
    )


def failed_row(user, address="gammel@example.com", **fields):
    from messaging.models import OutboxMessage

    values = {
        "kind": OutboxMessage.Kind.MESSAGE_NOTICE,
        "channel": OutboxMessage.Channel.EMAIL,
        "recipient": user,
        "address": address,
        "status": OutboxMessage.Status.FAILED,
        "attempts": 5,
        "last_error": "550 5.1.1 Mailbox unavailable",
    }
    return OutboxMessage.objects.create(**values | fields)


def act(admin_client, action, *rows):
    return admin_client.post(
        reverse("admin:messaging_outboxmessage_changelist"),
        {"action": action, "_selected_action": [row.pk for row in rows]},
        follow=True,
    )


def test_the_outbox_in_admin_is_read_only_and_filters_by_kind_channel_and_status(
    owner, admin_client
):
    row = failed_row(owner)
    url = reverse("admin:messaging_outboxmessage_changelist")

    listing = admin_client.get(url, {"kind": "message_notice", "channel": "email"})
    failed = admin_client.get(url, {"status__exact": "failed"}).content.decode()
    sent = admin_client.get(url, {"status__exact": "sent"}).content.decode()

    assert listing.status_code == 200
    assert "gammel@example.com" in failed and "gammel@example.com" not in sent
    assert "Prøv igjen" in failed and "Avvis" in failed
    detail = admin_client.get(reverse("admin:messaging_outboxmessage_change", args=[row.pk]))
    assert 'name="_save"' not in detail.content.decode()
    assert admin_client.get(reverse("admin:messaging_outboxmessage_add")).status_code == 403
    delete = reverse("admin:messaging_outboxmessage_delete", args=[row.pk])
    assert admin_client.get(delete).status_code == 403


def test_retry_puts_a_failed_row_back_with_fresh_attempts_to_the_current_address(
    owner, admin_client, staff
):
    from accounts.models import AuditEvent

    row = failed_row(owner)

    response = act(admin_client, "retry", row)

    assert "1 lagt i kø for å sendes igjen." in response.content.decode()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.address) == ("pending", 0, "kari@example.com")
    event = AuditEvent.objects.get(action="outbox_retried")
    assert event.actor == staff
    assert event.object_ref == str(row.pk)
    assert "550" in event.details["error"]


def test_a_retried_row_is_sent_by_the_next_run(owner, admin_client):
    from django.core import mail

    from messaging.outbox import send_pending

    act(admin_client, "retry", failed_row(owner))

    assert send_pending().sent == 1
    assert [message.to for message in mail.outbox] == [["kari@example.com"]]


def test_dismiss_gives_a_failed_row_up_and_is_audited(owner, admin_client):
    from accounts.models import AuditEvent
    from messaging.outbox import send_pending

    row = failed_row(owner, attempts=1)

    act(admin_client, "dismiss", row)

    row.refresh_from_db()
    assert row.status == "dismissed"
    assert AuditEvent.objects.filter(action="outbox_dismissed").count() == 1
    assert send_pending().sent == 0


def test_retry_and_dismiss_leave_rows_that_did_not_fail_alone(owner, admin_client):
    from accounts.models import AuditEvent

    sent = failed_row(owner, status="sent")

    response = act(admin_client, "dismiss", sent)

    assert "1 var ikke feilet og ble ikke endret." in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == "sent"
    assert not AuditEvent.objects.filter(action="outbox_dismissed").exists()


def test_an_attachments_link_escapes_the_name_the_contact_gave_the_file():
    name = "<script>alert(1)</script>.pdf"
    attachment = SimpleNamespace(public_id=uuid4(), original_name=name)
    link = AttachmentInline(Message, admin.site).download(attachment)
    assert name not in link
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.pdf</a>" in link


def test_the_outbox_in_admin_tells_permanent_from_temporary_failures(owner, admin_client):
    failed_row(owner, failure="permanent")
    failed_row(owner, address="travel@example.com", failure="temporary", last_error="450 busy")
    url = reverse("admin:messaging_outboxmessage_changelist")

    permanent = admin_client.get(url, {"failure__exact": "permanent"}).content.decode()

    assert "gammel@example.com" in permanent and "travel@example.com" not in permanent
    assert '<td class="field-failure">Permanent</td>' in permanent


def test_retry_of_a_permanent_failure_is_sent_by_the_next_run(owner, admin_client):
    from django.core import mail

    from messaging.outbox import send_pending

    row = failed_row(owner, address=owner.email, attempts=1, failure="permanent")
    assert send_pending().sent == 0  # refused for good: not retried by itself

    act(admin_client, "retry", row)

    assert send_pending().sent == 1
    assert [message.to for message in mail.outbox] == [["kari@example.com"]]
