"""«Inviter en kollega»: a contact invites a colleague for the active role's employer."""

import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import AuditEvent, Role, RoleInvitation, User
from messaging.models import Message
from tests.accounts.test_password_reset import CONFIRM, NEW_PASSWORD
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db

INVITE = reverse("accounts:invite_colleague")
COLLEAGUE = {"full_name": "Siri Berg", "email": "siri@example.com", "mobile": "+4793333333"}


def first_password_link(text):
    return re.search(r"https?://\S+/glemt-passord/lenke/[\w-]+/", text).group(0)


def test_user_menu_offers_invite_and_give_up_to_a_contact(owner_client):
    page = owner_client.get(reverse("home")).content.decode()
    assert f'href="{INVITE}"' in page
    assert f'href="{reverse("accounts:give_up_role")}"' in page


def test_invitation_waits_for_staff_and_sends_no_link(owner_client, owner, employer):
    response = owner_client.post(INVITE, COLLEAGUE)
    assert response.status_code == 302
    invitation = RoleInvitation.objects.get()
    assert invitation.status == RoleInvitation.Status.PENDING
    assert (invitation.employer, invitation.invited_by) == (employer, owner)
    assert not User.objects.filter(email="siri@example.com").exists()
    assert [m.to for m in mail.outbox] == []


def test_invitation_is_audited_and_staff_get_a_message(owner_client, owner, employer):
    owner_client.post(INVITE, COLLEAGUE)
    event = AuditEvent.objects.get(action="role_invited")
    assert (event.actor, event.employer) == (owner, employer)
    message = Message.objects.get()
    assert message.recipient is None  # the staff team's inbox
    assert message.sender == owner
    assert "Siri Berg" in message.body and employer.name in message.body


def test_with_approval_off_the_colleague_gets_a_first_password_link_at_once(
    client, owner_client, employer, settings
):
    settings.ROLE_INVITATIONS_NEED_APPROVAL = False
    owner_client.post(INVITE, COLLEAGUE)
    invitation = RoleInvitation.objects.get()
    assert invitation.status == RoleInvitation.Status.APPROVED
    assert invitation.decided_by is None
    colleague = User.objects.get(email="siri@example.com")
    assert invitation.user == colleague
    assert re.fullmatch(r"[1-9]\d{7}", colleague.username)
    assert Role.objects.filter(user=colleague, employer=employer).exists()
    assert AuditEvent.objects.get(action="role_invitation_approved").details["automatic"] is True
    (link_mail,) = [m for m in mail.outbox if m.to == ["siri@example.com"]]
    assert "Kari Nordmann har invitert deg" in link_mail.body
    assert colleague.username in link_mail.body
    client.get(first_password_link(link_mail.body))
    client.post(CONFIRM, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    colleague.refresh_from_db()
    assert colleague.check_password(NEW_PASSWORD)


def test_employer_in_the_request_is_ignored(owner_client, employer, other_employer):
    owner_client.post(INVITE, {**COLLEAGUE, "employer": other_employer.pk})
    assert RoleInvitation.objects.get().employer == employer


def test_invitation_needs_name_and_email(owner_client):
    response = owner_client.post(INVITE, {"full_name": "", "email": "ikke-en-adresse"})
    assert response.status_code == 200
    assert not RoleInvitation.objects.exists()
    assert set(response.context["form"].errors) == {"full_name", "email"}


def test_user_without_a_role_cannot_invite(db):
    response = client_for(make_user("10000012", "Uten Rolle")).post(INVITE, COLLEAGUE)
    assert response.status_code == 302
    assert not RoleInvitation.objects.exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(INVITE)
    assert response.status_code == 302
    assert reverse("two_factor:login") in response.url


def test_a_colleague_already_invited_is_not_invited_again(owner_client):
    owner_client.post(INVITE, COLLEAGUE)
    again = owner_client.post(INVITE, {**COLLEAGUE, "email": "SIRI@example.com"})

    assert again.status_code == 200
    assert "venter allerede på at forbundet godkjenner den" in again.content.decode()
    assert RoleInvitation.objects.count() == 1
    assert Message.objects.count() == 1  # staff were told once


def test_someone_who_already_is_a_contact_is_not_invited(owner_client, owner, employer):
    response = owner_client.post(INVITE, {**COLLEAGUE, "email": owner.email})

    assert f"er allerede trekkontakt for {employer.name}" in response.content.decode()
    assert not RoleInvitation.objects.exists()


def test_a_refused_invitation_does_not_stop_a_new_one(owner_client):
    owner_client.post(INVITE, COLLEAGUE)
    RoleInvitation.objects.update(status=RoleInvitation.Status.REFUSED)
    assert owner_client.post(INVITE, COLLEAGUE).status_code == 302
    assert RoleInvitation.objects.count() == 2


def test_the_database_keeps_one_waiting_invitation_per_person_whatever_the_form_missed(
    owner, employer
):
    fields = {"employer": employer, "invited_by": owner, "full_name": "Siri Berg"}
    RoleInvitation.objects.create(email="siri@example.com", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleInvitation.objects.create(email="Siri@Example.com", **fields)
