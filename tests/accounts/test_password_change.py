""" "Endre passord" from the user menu."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent
from tests.conftest import PASSWORD, client_for, respond_without_closing

pytestmark = pytest.mark.django_db

URL = reverse("accounts:password_change")
NEW = "nytt-og-langt-passord"


def change(client, old=PASSWORD, new=NEW, repeat=None):
    return client.post(
        URL, {"old_password": old, "new_password1": new, "new_password2": repeat or new}
    )


def test_contact_changes_password_and_gets_a_notice(owner_client, owner):
    response = change(owner_client)
    assert response.url == reverse("accounts:password_change_done")
    owner.refresh_from_db()
    assert owner.check_password(NEW)
    assert mail.outbox[0].subject == "Passordet ditt i Trekkportalen er endret"
    event = AuditEvent.objects.get(action="password_changed")
    assert event.actor == owner
    assert NEW not in str(event.details)


def test_this_session_stays_and_other_sessions_end(owner, employer):
    this, other = client_for(owner, employer), client_for(owner, employer)
    change(this)
    assert this.get(reverse("home")).status_code == 200
    assert other.get(reverse("home")).status_code == 302


def test_wrong_old_password_or_weak_new_one_is_refused_in_norwegian(owner_client, owner):
    body = change(owner_client, old="feil-passord-her").content.decode()
    assert "Ditt gamle passord er galt" in body
    body = change(owner_client, new="kort").content.decode()
    assert "minst 10 tegn" in body
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert mail.outbox == []


def test_password_change_needs_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor:login"))


def test_the_notice_goes_once_the_response_is_closed(owner_client):
    new = {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    response = respond_without_closing("post", URL, new, client=owner_client)
    assert response.url == reverse("accounts:password_change_done")
    assert mail.outbox == []
    response.close()
    assert [message.to for message in mail.outbox] == [["kari@example.com"]]
