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


def test_an_attachments_link_escapes_the_name_the_contact_gave_the_file():
    name = "<script>alert(1)</script>.pdf"
    attachment = SimpleNamespace(public_id=uuid4(), original_name=name)
    link = AttachmentInline(Message, admin.site).download(attachment)
    assert name not in link
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.pdf</a>" in link
