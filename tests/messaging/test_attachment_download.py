"""Attachments: downloads for the sender, the recipient and staff only, with safe headers."""

from django.urls import reverse

from accounts.models import AuditEvent
from tests.conftest import client_for
from tests.messaging.conftest import PDF_BYTES, upload, xlsx_bytes
from tests.messaging.conftest import send_from_contact as send


def url(attachment):
    return reverse("messaging:attachment", args=[attachment.public_id])


def test_the_sender_downloads_an_attachment_as_a_file(owner, employer, owner_client):
    attachment = send(owner, employer, files=[upload("kvittering.pdf", PDF_BYTES)])
    attachment = attachment.attachments.get()

    response = owner_client.get(url(attachment))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="kvittering.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_a_download_leaves_an_audit_row(owner, employer, owner_client):
    attachment = send(owner, employer, files=[upload("liste.xlsx", xlsx_bytes())])
    attachment = attachment.attachments.get()

    owner_client.get(url(attachment))

    event = AuditEvent.objects.get(action="message_attachment_download")
    assert event.actor == owner
    assert event.employer == employer
    assert event.object_ref == str(attachment.public_id)


def test_staff_download_an_attachment_from_a_contact(owner, employer, staff_client):
    attachment = send(owner, employer, files=[upload("kvittering.pdf", PDF_BYTES)])

    response = staff_client.get(url(attachment.attachments.get()))

    assert response.status_code == 200


def test_the_recipient_downloads_an_attachment_from_staff(owner, employer, staff, owner_client):
    from messaging.attachments import check_attachment
    from messaging.services import thread_start

    message = thread_start(
        sender=staff,
        contact=owner,
        employer=employer,
        subject="Kvittering",
        body="Se vedlegg.",
        files=[check_attachment(upload("kvittering.pdf", PDF_BYTES))],
    )

    response = owner_client.get(url(message.attachments.get()))

    assert response.status_code == 200


def test_an_outsider_gets_404_for_an_attachment_and_no_audit_row(owner, employer, outsider_client):
    attachment = send(owner, employer, files=[upload("kvittering.pdf", PDF_BYTES)])

    response = outsider_client.get(url(attachment.attachments.get()))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="message_attachment_download").exists()


def test_a_colleague_at_the_same_employer_gets_404(owner, employer):
    from accounts.models import Role
    from tests.conftest import make_user

    colleague = make_user("10000003", "Per Kollega")
    Role.objects.create(user=colleague, employer=employer)
    message = send(owner, employer, body="Bare til staben", files=[upload("a.pdf", PDF_BYTES)])
    client = client_for(colleague, employer)

    assert client.get(url(message.attachments.get())).status_code == 404
    assert client.get(message.thread.get_absolute_url()).status_code == 404


def test_anonymous_users_are_sent_to_login(owner, employer, client):
    attachment = send(owner, employer, files=[upload("kvittering.pdf", PDF_BYTES)])

    response = client.get(url(attachment.attachments.get()))

    assert response.status_code == 302
    assert reverse("two_factor:login") in response["Location"]


def test_a_file_missing_from_storage_is_a_404_not_a_500(owner, employer, owner_client):
    message = send(owner, employer, files=[upload("kvittering.pdf", PDF_BYTES)])
    attachment = message.attachments.get()
    attachment.file.delete(save=False)

    assert owner_client.get(url(attachment)).status_code == 404
