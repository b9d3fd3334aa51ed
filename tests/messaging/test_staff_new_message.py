"""Staff write to one contact, or to every contact of an employer."""

from django.core import mail
from django.urls import reverse

from accounts.models import Role
from messaging.models import Message, Thread
from tests.conftest import make_user
from tests.messaging.conftest import PDF_BYTES, upload

URL = reverse("messaging:staff_new")


def post(client, **fields):
    data = {"subject": "Trekkliste mangler", "body": "Hei, listen for mars mangler.", **fields}
    return client.post(URL, data)


def test_staff_write_to_one_contact(owner, employer, staff, staff_client):
    response = post(staff_client, employer_number=employer.number, username=owner.username)

    thread = Thread.objects.get()
    message = thread.messages.get()
    assert response.status_code == 302
    assert thread.contact == owner and thread.employer == employer
    assert message.sender == staff and message.recipient == owner


def test_staff_write_to_every_contact_of_an_employer(
    owner, employer, staff_client, django_capture_on_commit_callbacks
):
    colleague = make_user("10000003", "Per Kollega", email="per@example.com")
    Role.objects.create(user=colleague, employer=employer)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            staff_client,
            employer_number=employer.number,
            attachments=[upload("rundskriv.pdf", PDF_BYTES)],
        )

    assert response.status_code == 302
    assert sorted(Message.objects.values_list("recipient__username", flat=True)) == [
        "10000001",
        "10000003",
    ]
    assert Thread.objects.count() == 2
    assert all(m.attachments.count() == 1 for m in Message.objects.all())
    assert sorted(m.to[0] for m in mail.outbox) == ["kari@example.com", "per@example.com"]


def test_the_contact_must_belong_to_the_employer(outsider, employer, staff_client):
    response = post(staff_client, employer_number=employer.number, username=outsider.username)

    assert response.status_code == 200
    assert "Brukeren er ikke trekkontakt for denne bedriften." in response.content.decode()
    assert not Message.objects.exists()


def test_an_unknown_employer_is_refused(staff_client, db):
    response = post(staff_client, employer_number="12345678")

    assert "Fant ingen aktiv bedrift med dette nummeret." in response.content.decode()
    assert not Message.objects.exists()


def test_an_employer_without_contacts_is_refused(employer, staff_client):
    response = post(staff_client, employer_number=employer.number)

    assert "Bedriften har ingen trekkontakter." in response.content.decode()


def test_the_form_can_be_prefilled_from_the_inbox(employer, staff_client):
    response = staff_client.get(URL, {"bedrift": employer.number})

    assert f'value="{employer.number}"' in response.content.decode()


def test_contacts_cannot_write_as_staff(owner_client, employer, owner):
    response = post(owner_client, employer_number=employer.number, username=owner.username)

    assert response.status_code == 404
    assert not Message.objects.exists()


def test_a_deactivated_contact_cannot_be_written_to(owner, employer, staff_client):
    owner.is_active = False
    owner.save()

    response = post(staff_client, employer_number=employer.number, username=owner.username)

    assert "Brukeren er ikke trekkontakt for denne bedriften." in response.content.decode()
    assert not Message.objects.exists()


def test_the_thread_page_links_to_a_prefilled_new_message_to_the_contact(
    owner, employer, staff_client
):
    from tests.messaging.conftest import send_from_contact

    first = send_from_contact(owner, employer)
    thread_page = staff_client.get(reverse("messaging:staff_thread", args=[first.thread.public_id]))
    link = f"{URL}?bedrift={employer.number}&amp;til={owner.username}"
    assert link in thread_page.content.decode()

    form = staff_client.get(URL, {"bedrift": employer.number, "til": owner.username})

    assert f'value="{owner.username}"' in form.content.decode()


def test_staff_are_not_held_by_the_limit_on_messages(owner, employer, staff_client):
    statuses = [
        post(staff_client, employer_number=employer.number, username=owner.username).status_code
        for _ in range(12)
    ]
    assert statuses == [302] * 12
