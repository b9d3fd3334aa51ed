"""Staff approve or refuse contacts' invitations of colleagues in Django admin."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent, PasswordReset, Role, RoleInvitation, User
from messaging.models import Message

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_roleinvitation_changelist")


@pytest.fixture
def invitation(owner, employer):
    return RoleInvitation.objects.create(
        employer=employer,
        invited_by=owner,
        full_name="Siri Berg",
        email="siri@example.com",
        mobile="+4793333333",
    )


def act(client, action, *invitations):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [invitation.pk for invitation in invitations]},
    )


def test_staff_see_pending_invitations(superuser_client, invitation):
    response = superuser_client.get(CHANGELIST, {"status__exact": "pending"})
    assert response.status_code == 200
    assert "Siri Berg" in response.content.decode()


def test_approving_makes_the_user_and_sends_the_first_password_link(
    superuser_client, staff, invitation, employer
):
    response = act(superuser_client, "approve", invitation)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == RoleInvitation.Status.APPROVED
    assert invitation.decided_by == staff and invitation.decided_at is not None
    colleague = User.objects.get(email="siri@example.com")
    assert re.fullmatch(r"[1-9]\d{7}", colleague.username)
    assert not colleague.has_usable_password()
    assert colleague.mobile.as_e164 == "+4793333333"
    assert Role.objects.filter(user=colleague, employer=employer).exists()
    reset = PasswordReset.objects.get(user=colleague)
    assert reset.outcome == PasswordReset.Outcome.SENT
    (link_mail,) = mail.outbox
    assert link_mail.to == ["siri@example.com"]
    assert "/glemt-passord/lenke/" in link_mail.body
    event = AuditEvent.objects.get(action="role_invitation_approved")
    assert (event.actor, event.employer) == (staff, employer)
    assert event.details["user_id"] == colleague.username and event.details["new_user"] is True


def test_first_password_link_lasts_longer_than_a_reset_link(superuser_client, invitation, settings):
    act(superuser_client, "approve", invitation)
    reset = PasswordReset.objects.get()
    assert reset.expires_at - reset.created_at == settings.FIRST_PASSWORD_LINK_VALIDITY
    assert "4320 minutter" in mail.outbox[0].body


def test_approving_for_an_existing_user_adds_the_role_and_tells_them(
    superuser_client, invitation, employer, outsider
):
    invitation.email = "OLA@example.com"
    invitation.save()
    act(superuser_client, "approve", invitation)
    assert Role.objects.filter(user=outsider, employer=employer).exists()
    assert User.objects.filter(email__iexact="ola@example.com").count() == 1
    assert not PasswordReset.objects.exists()
    message = Message.objects.get(recipient=outsider)
    assert employer.name in message.subject
    assert AuditEvent.objects.get(action="role_invitation_approved").details["new_user"] is False


def test_refusing_gives_no_role_and_sends_nothing(superuser_client, staff, invitation):
    act(superuser_client, "refuse", invitation)
    invitation.refresh_from_db()
    assert invitation.status == RoleInvitation.Status.REFUSED
    assert invitation.decided_by == staff
    assert not User.objects.filter(email="siri@example.com").exists()
    assert mail.outbox == []
    assert AuditEvent.objects.get(action="role_invitation_refused").actor == staff


def test_a_decided_invitation_is_not_decided_again(superuser_client, invitation):
    act(superuser_client, "refuse", invitation)
    act(superuser_client, "approve", invitation)
    invitation.refresh_from_db()
    assert invitation.status == RoleInvitation.Status.REFUSED
    assert not User.objects.filter(email="siri@example.com").exists()
    assert not AuditEvent.objects.filter(action="role_invitation_approved").exists()


def test_a_contact_cannot_approve(owner_client, invitation):
    response = act(owner_client, "approve", invitation)
    assert response.status_code == 302  # to the admin's login
    invitation.refresh_from_db()
    assert invitation.status == RoleInvitation.Status.PENDING
    assert not User.objects.filter(email="siri@example.com").exists()


def test_staff_without_the_change_permission_cannot_approve(staff, staff_client, invitation):
    staff.user_permissions.add(Permission.objects.get(codename="view_roleinvitation"))
    act(staff_client, "approve", invitation)
    invitation.refresh_from_db()
    assert invitation.status == RoleInvitation.Status.PENDING
    assert not User.objects.filter(email="siri@example.com").exists()


def test_staff_with_the_change_permission_can_approve(staff, staff_client, invitation):
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_roleinvitation", "change_roleinvitation"])
    )
    act(staff_client, "approve", invitation)
    invitation.refresh_from_db()
    assert invitation.status == RoleInvitation.Status.APPROVED


def test_invitations_cannot_be_added_in_admin(superuser_client):
    add = reverse("admin:accounts_roleinvitation_add")
    assert superuser_client.get(add).status_code == 403
