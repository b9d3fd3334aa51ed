"""«Gi fra meg rollen»: a contact leaves the active role, never as the employer's last one."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Role
from messaging.models import Message
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

GIVE_UP = reverse("accounts:give_up_role")


@pytest.fixture
def colleague(employer):
    user = make_user("10000009", "Siri Berg", email="siri@example.com")
    Role.objects.create(user=user, employer=employer)
    return user


def test_contact_gives_up_the_role_when_a_colleague_remains(
    owner_client, owner, employer, colleague
):
    response = owner_client.post(GIVE_UP, {"confirm": "on"})
    assert response.status_code == 302
    assert not Role.objects.filter(user=owner).exists()
    assert Role.objects.filter(user=colleague, employer=employer).exists()
    event = AuditEvent.objects.get(action="role_given_up")
    assert (event.actor, event.employer) == (owner, employer)
    message = Message.objects.get()
    assert message.recipient is None and "Kari Nordmann" in message.body
    # The session no longer acts for the employer.
    assert owner_client.get(reverse("home")).status_code == 302


def test_the_last_contact_cannot_give_up_the_role(owner_client, owner):
    page = owner_client.get(GIVE_UP).content.decode()
    assert "den eneste trekkontakten" in page
    response = owner_client.post(GIVE_UP, {"confirm": "on"})
    assert response.status_code == 409
    assert Role.objects.filter(user=owner).exists()
    assert not AuditEvent.objects.filter(action="role_given_up").exists()
    assert not Message.objects.exists()


def test_giving_up_needs_the_box_ticked(owner_client, owner, colleague):
    response = owner_client.post(GIVE_UP, {})
    assert response.status_code == 200
    assert "Kryss av for å bekrefte" in response.content.decode()
    assert Role.objects.filter(user=owner).exists()


def test_only_the_active_role_is_given_up(employer, other_employer, colleague):
    both = make_user("10000010", "Liv Dahl", email="liv@example.com")
    Role.objects.create(user=both, employer=employer)
    Role.objects.create(user=both, employer=other_employer)
    make_user("10000011", "Tor Lie").roles.create(employer=other_employer)
    client_for(both, employer).post(
        GIVE_UP, {"confirm": "on", "role": Role.objects.get(user=both, employer=other_employer).pk}
    )
    assert list(Role.objects.filter(user=both).values_list("employer", flat=True)) == [
        other_employer.pk
    ]
