import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from messaging.models import Attachment, Message, OutboxMessage
from tests.conftest import client_for
from tests.messaging.conftest import PDF_BYTES, send_from_contact, upload, xlsx_bytes

URL = reverse("messaging:new")


def post(client, **fields):
    data = {"subject": "Sluttet medlem", "body": "Hei, hva gjør vi?", **fields}
    return client.post(URL, data)


def test_new_message_page_has_labelled_fields(owner_client):
    response = owner_client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    for field, label in (("subject", "Emne"), ("body", "Tekst"), ("attachments", "Vedlegg")):
        assert re.search(rf'<label\s+for="id_{field}"[^>]*>\s*{label}', content)
    assert 'enctype="multipart/form-data"' in content


def test_contact_sends_a_message_to_the_staff_team_for_the_active_role(
    owner_with_two_roles, museum
):
    client = client_for(owner_with_two_roles, museum)

    response = post(client, attachments=[upload("kvittering.pdf", PDF_BYTES)])

    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == message.thread.get_absolute_url()
    assert message.sender == owner_with_two_roles
    assert message.recipient is None
    assert message.sender_employer == museum
    assert message.thread.employer == museum
    assert message.thread.contact == owner_with_two_roles
    attachment = message.attachments.get()
    assert attachment.original_name == "kvittering.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF_BYTES)


def test_an_employer_or_contact_named_in_the_post_is_not_taken(owner_client, owner, outsider):
    """The employer comes from the active role, the sender from the session: fields added to
    the form by hand are not read."""
    other = outsider.roles.get().employer
    post(
        owner_client,
        employer=other.pk,
        employer_number=other.number,
        sender_employer=other.pk,
        contact=outsider.pk,
        username=outsider.username,
    )

    message = Message.objects.get()
    assert (message.sender, message.thread.contact) == (owner, owner)
    assert message.sender_employer == message.thread.employer == owner.roles.get().employer


def test_a_nul_in_subject_or_body_is_a_form_error(owner_client):
    response = post(owner_client, subject="Slutt\x00et", body="Hei\x00")

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "subject": ["Null-tegn er ikke tillatt."],
        "body": ["Null-tegn er ikke tillatt."],
    }
    assert not Message.objects.exists()


def test_attachments_are_stored_under_generated_names(owner_client):
    post(owner_client, attachments=[upload("kvittering.pdf", PDF_BYTES)])

    attachment = Attachment.objects.get()
    assert "kvittering" not in attachment.file.name
    assert attachment.file.name.startswith("meldinger/")
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES


def test_several_attachments_are_kept(owner_client):
    post(
        owner_client,
        attachments=[upload("a.pdf", PDF_BYTES), upload("liste.xlsx", xlsx_bytes())],
    )

    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == [
        "a.pdf",
        "liste.xlsx",
    ]


def test_a_bad_attachment_is_a_form_error_and_nothing_is_sent(owner_client):
    response = post(owner_client, attachments=[upload("liste.xlsm", xlsx_bytes())])

    assert response.status_code == 200
    assert "makroer" in response.content.decode()
    assert "Sluttet medlem" in response.content.decode()
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()


def test_too_many_attachments_are_refused(owner_client, settings):
    settings.MESSAGE_ATTACHMENTS_MAX_COUNT = 2
    files = [upload(f"{n}.pdf", PDF_BYTES) for n in range(3)]

    response = post(owner_client, attachments=files)

    assert "høyst 2 filer" in response.content.decode()
    assert not Message.objects.exists()


def test_subject_and_text_are_required(owner_client):
    response = owner_client.post(URL, {"subject": "", "body": ""})

    assert response.status_code == 200
    assert response.content.decode().count("Feltet er påkrevet") == 2
    assert not Message.objects.exists()


def test_a_message_to_staff_queues_one_digest_notice_and_mails_no_contact(
    owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(owner_client)

    notice = OutboxMessage.objects.get()
    assert notice.kind == OutboxMessage.Kind.STAFF_DIGEST
    assert notice.status == OutboxMessage.Status.PENDING
    assert mail.outbox == []


def test_the_page_needs_a_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("two_factor:login") in response["Location"]


@pytest.mark.parametrize("method", ["put", "delete"])
def test_other_methods_are_refused(owner_client, method):
    assert getattr(owner_client, method)(URL).status_code == 405


def test_posting_without_a_csrf_token_is_refused(owner, employer):
    from django.test import Client

    from accounts.middleware import ROLE_SESSION_KEY
    from accounts.models import Role

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    session = client.session
    session[ROLE_SESSION_KEY] = Role.objects.get(user=owner).pk
    session.save()

    response = client.post(URL, {"subject": "x", "body": "y"})

    assert response.status_code == 403
    assert not Message.objects.exists()


RATE_LIMITED = "Du har sendt mange meldinger på kort tid. Prøv igjen om litt."


def test_the_eleventh_message_in_ten_minutes_waits_and_nothing_typed_is_lost(owner_client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert [post(owner_client).status_code for _ in range(10)] == [302] * 10
        response = post(
            owner_client,
            subject="Den ellevte",
            body="Denne teksten er min.",
            attachments=[upload("kvittering.pdf", PDF_BYTES)],
        )
    assert response.status_code == 429
    body = response.content.decode()
    assert RATE_LIMITED in body
    assert "Legg dem ved på nytt" in body
    assert 'value="Den ellevte"' in body and "Denne teksten er min." in body
    assert Message.objects.count() == 10
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        assert post(owner_client).status_code == 302


def test_the_fifty_first_message_in_a_day_waits(owner, employer, owner_client):
    start = timezone.now() - timedelta(hours=23)
    for number in range(50):
        with time_machine.travel(start + timedelta(minutes=20 * number), tick=False):
            send_from_contact(owner, employer)
    response = post(owner_client)
    assert response.status_code == 429
    assert RATE_LIMITED in response.content.decode()
    assert Message.objects.count() == 50


def test_the_limits_are_settings(owner_client, settings):
    settings.MESSAGES_PER_10_MINUTES = 2
    assert [post(owner_client).status_code for _ in range(3)] == [302, 302, 429]


def test_another_contacts_messages_do_not_count(owner_client, outsider, other_employer):
    for _ in range(10):
        send_from_contact(outsider, other_employer)
    assert post(owner_client).status_code == 302
