"""The contact's thread page: reading marks read, replies keep the thread, outsiders get 404."""

from django.urls import reverse

from messaging.models import Message
from tests.conftest import client_for
from tests.messaging.conftest import (
    PDF_BYTES,
    count_queries,
    reply_from_staff,
    send_from_contact,
    upload,
)


def test_contact_sees_the_whole_thread_in_order(owner, employer, staff, owner_client):
    first = send_from_contact(owner, employer, subject="Sluttdato", body="Når slutter trekket?")
    reply_from_staff(first.thread, staff, body="Fra neste måned.")

    response = owner_client.get(first.thread.get_absolute_url())

    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Når slutter trekket?") < content.index("Fra neste måned.")
    assert "Fra Nora Stab" in content


def test_opening_a_thread_marks_its_messages_to_the_user_read(owner, employer, staff, owner_client):
    first = send_from_contact(owner, employer)
    answer = reply_from_staff(first.thread, staff)

    response = owner_client.get(first.thread.get_absolute_url())

    answer.refresh_from_db()
    first.refresh_from_db()
    assert answer.read_at is not None
    assert answer.read_by == owner
    assert first.read_at is None, "the contact's own message waits for staff to read it"
    assert ">Ny</span>" in response.content.decode()


def test_reply_keeps_the_thread_and_goes_to_the_staff_team(
    owner_with_two_roles, employer, museum, staff
):
    first = send_from_contact(owner_with_two_roles, employer)
    reply_from_staff(first.thread, staff)
    first.thread.mark_handled(staff)
    client = client_for(owner_with_two_roles, museum)

    response = client.post(first.thread.get_absolute_url(), {"body": "Takk, et spørsmål til."})

    assert response.status_code == 302
    reply = Message.objects.latest("pk")
    assert reply.thread == first.thread
    assert reply.recipient is None
    assert reply.parent.sender == staff
    assert reply.sender_employer == museum
    first.thread.refresh_from_db()
    assert first.thread.handled is False, "a new question reopens a handled thread"
    assert first.thread.last_message_at == reply.created_at


def test_message_text_is_escaped_and_links_are_not_made_live(owner, employer, owner_client):
    first = send_from_contact(
        owner, employer, body="<script>alert(1)</script> Se https://evil.example/ nå"
    )

    content = owner_client.get(first.thread.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert 'href="https://evil.example/' not in content


def test_an_outsider_gets_404_for_a_thread_and_cannot_reply(owner, employer, outsider_client):
    first = send_from_contact(owner, employer, body="Hemmelig innhold")

    response = outsider_client.get(first.thread.get_absolute_url())
    post = outsider_client.post(first.thread.get_absolute_url(), {"body": "Innbrudd"})

    assert response.status_code == 404
    assert "Hemmelig innhold" not in response.content.decode()
    assert post.status_code == 404
    assert Message.objects.count() == 1


def test_an_unknown_thread_is_a_404(owner_client):
    url = reverse("messaging:thread", args=["00000000-0000-0000-0000-000000000000"])

    assert owner_client.get(url).status_code == 404


def test_thread_urls_carry_no_sequential_ids(owner, employer):
    first = send_from_contact(owner, employer)

    assert str(first.thread.public_id) in first.thread.get_absolute_url()
    assert f"/{first.thread.pk}/" not in first.thread.get_absolute_url()


def test_the_thread_page_query_count_does_not_grow_with_messages(
    owner, employer, staff, owner_client, django_assert_max_num_queries
):
    first = send_from_contact(owner, employer, files=[upload("a.pdf", PDF_BYTES)])
    reply_from_staff(first.thread, staff)
    baseline = count_queries(owner_client, first.thread.get_absolute_url())
    for _ in range(19):
        reply_from_staff(first.thread, staff)

    with django_assert_max_num_queries(baseline):
        response = owner_client.get(first.thread.get_absolute_url())

    assert response.content.decode().count('data-testid="message"') == 21


def test_replies_count_towards_the_limit_on_messages(owner, employer, owner_client):
    first = send_from_contact(owner, employer)
    url = first.thread.get_absolute_url()
    statuses = [owner_client.post(url, {"body": f"Svar {n}"}).status_code for n in range(10)]
    assert statuses == [302] * 9 + [429]  # the thread's first message counts too
    assert "Svar 9" in owner_client.post(url, {"body": "Svar 9"}).content.decode()
    assert Message.objects.count() == 10
