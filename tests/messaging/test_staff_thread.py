"""Staff read a thread (marking it read for the team), reply in their own name, mark handled."""

from django.core import mail

from accounts.models import AuditEvent
from messaging.models import Message, OutboxMessage
from tests.messaging.conftest import send_from_contact


def url(thread):
    from django.urls import reverse

    return reverse("messaging:staff_thread", args=[thread.public_id])


def handled_url(thread):
    from django.urls import reverse

    return reverse("messaging:staff_mark_handled", args=[thread.public_id])


def test_staff_opening_a_thread_marks_the_contacts_messages_read(
    owner, employer, staff, staff_client
):
    first = send_from_contact(owner, employer, body="Et spørsmål")

    response = staff_client.get(url(first.thread))

    first.refresh_from_db()
    assert response.status_code == 200
    assert "Et spørsmål" in response.content.decode()
    assert first.read_by == staff
    assert first.read_at is not None


def test_staff_reply_comes_from_the_named_staff_member_and_notifies_the_contact(
    owner, employer, staff, staff_client, sms_outbox, django_capture_on_commit_callbacks
):
    owner.notify_by_sms = True
    owner.save()
    first = send_from_contact(owner, employer, subject="Hemmelig emne", body="Hemmelig tekst")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            url(first.thread), {"body": "Svar med hemmelig innhold", "mark_handled": "on"}
        )

    assert response.status_code == 302
    reply = Message.objects.latest("pk")
    assert reply.sender == staff
    assert reply.recipient == owner
    assert reply.thread == first.thread
    first.thread.refresh_from_db()
    assert first.thread.handled and first.thread.handled_by == staff
    assert len(mail.outbox) == 1
    assert len(sms_outbox) == 1
    assert set(OutboxMessage.objects.filter(message=reply).values_list("status", flat=True)) == {
        "sent"
    }


def test_staff_mark_a_thread_handled_and_not_handled(owner, employer, staff, staff_client):
    first = send_from_contact(owner, employer)

    staff_client.post(handled_url(first.thread), {"behandlet": "1"})
    first.thread.refresh_from_db()
    assert first.thread.handled and first.thread.handled_by == staff

    staff_client.post(handled_url(first.thread), {"behandlet": "0"})
    first.thread.refresh_from_db()
    assert not first.thread.handled and first.thread.handled_by is None
    assert list(
        AuditEvent.objects.filter(object_ref=str(first.thread.public_id))
        .order_by("pk")
        .values_list("action", "actor")
    ) == [("message_thread_handled", staff.pk), ("message_thread_reopened", staff.pk)]


def test_marking_handled_needs_post(owner, employer, staff_client):
    first = send_from_contact(owner, employer)

    assert staff_client.get(handled_url(first.thread)).status_code == 405


def test_contacts_cannot_use_the_staff_thread_pages(owner, employer, owner_client):
    first = send_from_contact(owner, employer)

    assert owner_client.get(url(first.thread)).status_code == 404
    assert owner_client.post(url(first.thread), {"body": "x"}).status_code == 404
    assert owner_client.post(handled_url(first.thread), {"behandlet": "1"}).status_code == 404
    first.thread.refresh_from_db()
    assert not first.thread.handled


def test_a_staff_read_does_not_mark_the_contacts_unread_answers_read(
    owner, employer, staff, staff_client
):
    first = send_from_contact(owner, employer)
    staff_client.post(url(first.thread), {"body": "Svar"})

    staff_client.get(url(first.thread))

    answer = Message.objects.get(sender=staff)
    assert answer.read_at is None


def test_opening_a_thread_clears_its_unread_mark_in_the_staff_inbox(owner, employer, staff_client):
    first = send_from_contact(owner, employer)
    assert first.thread.unread_by_staff

    staff_client.get(url(first.thread))

    first.thread.refresh_from_db()
    assert not first.thread.unread_by_staff


def test_a_message_not_shown_to_staff_stays_unread(owner, employer, staff):
    from messaging.services import message_reply

    first = send_from_contact(owner, employer)
    shown = list(first.thread.messages.all())
    late = message_reply(thread=first.thread, sender=owner, body="Kom mens siden ble laget")

    first.thread.mark_shown_read(staff, shown)

    late.refresh_from_db()
    first.thread.refresh_from_db()
    assert late.read_at is None
    assert first.thread.unread_by_staff


def test_a_new_question_from_the_contact_marks_the_thread_unread_and_not_handled(
    owner, employer, staff, staff_client
):
    from messaging.services import message_reply

    first = send_from_contact(owner, employer)
    staff_client.post(url(first.thread), {"body": "Svar", "mark_handled": "on"})
    staff_client.get(url(first.thread))

    message_reply(thread=first.thread, sender=owner, body="Et spørsmål til")

    first.thread.refresh_from_db()
    assert first.thread.unread_by_staff and not first.thread.handled
    assert first.thread.message_count == 3
