"""«Alle meldinger»: every thread of the user, whichever role is active, with paging."""

from django.urls import reverse

from accounts.models import Role
from tests.conftest import client_for
from tests.messaging.conftest import count_queries, reply_from_staff, send_from_contact

URL = reverse("messaging:inbox")


def test_the_mailbox_is_the_same_whichever_role_is_active(owner_with_two_roles, employer, museum):
    send_from_contact(owner_with_two_roles, employer, subject="Skrevet for Systemadm")
    send_from_contact(owner_with_two_roles, museum, subject="Skrevet for museet")

    for active in (employer, museum):
        content = client_for(owner_with_two_roles, active).get(URL).content.decode()
        assert "Skrevet for Systemadm" in content
        assert "Skrevet for museet" in content


def test_the_mailbox_shows_no_one_elses_messages(owner, employer, outsider, other_employer):
    send_from_contact(outsider, other_employer, subject="Olas spørsmål")

    content = client_for(owner, employer).get(URL).content.decode()

    assert "Olas spørsmål" not in content
    assert "Du har ingen meldinger ennå." in content


def test_unread_threads_are_marked(owner, employer, staff, owner_client):
    first = send_from_contact(owner, employer, subject="Med svar")
    reply_from_staff(first.thread, staff)
    send_from_contact(owner, employer, subject="Uten svar")

    content = owner_client.get(URL).content.decode()

    assert content.count("1 ulest melding") == 2, "the heading and the one unread thread"
    assert "Lest" in content


def test_the_mailbox_pages(owner, employer, owner_client):
    for number in range(27):
        send_from_contact(owner, employer, subject=f"Emne nr. {number:02}")

    first = owner_client.get(URL).content.decode()
    second = owner_client.get(URL, {"side": 2}).content.decode()

    assert "Side 1 av 2" in first
    assert "Emne nr. 26" in first and "Emne nr. 00" not in first
    assert "Emne nr. 00" in second and "Emne nr. 01" in second


def test_the_mailbox_needs_a_role(owner, other_employer):
    """With several roles and none active, the user chooses first (one role is taken as is)."""
    Role.objects.create(user=owner, employer=other_employer)
    client = client_for(owner)

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:choose_role')}?next=%2Fmeldinger%2F"


def test_the_mailbox_query_count_does_not_grow_with_threads(
    owner, employer, staff, owner_client, django_assert_max_num_queries
):
    first = send_from_contact(owner, employer, subject="Første")
    reply_from_staff(first.thread, staff)
    baseline = count_queries(owner_client, URL)
    assert baseline <= 12
    for number in range(30):
        first = send_from_contact(owner, employer, subject=f"Tråd {number}")
        reply_from_staff(first.thread, staff)

    with django_assert_max_num_queries(baseline):
        response = owner_client.get(URL)

    assert "Side 1 av 2" in response.content.decode()
