""" "Endre passord" from the user menu."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from tests.conftest import PASSWORD, client_for, respond_without_closing

pytestmark = pytest.mark.django_db

URL = reverse("accounts:password_change")
NEW = "nytt-og-langt-passord"
WRONG = "feil-passord-her"


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
    # The error itself, not the help text that also says "minst 10 tegn".
    assert "Passordet er for kort. Det må bestå av minst 10 tegn." in body
    assert "This password" not in body
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


def test_five_wrong_old_passwords_refuse_even_the_right_one_until_the_cool_off(owner, employer):
    client = client_for(owner, employer)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        statuses = [change(client, old=WRONG).status_code for _ in range(5)]
        assert statuses == [200] * 4 + [429]
        response = change(client)
        assert response.status_code == 429
        body = response.content.decode()
        assert "For mange forsøk med feil passord" in body
        assert "Ditt gamle passord er galt" not in body
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert change(client).status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert change(client).url == reverse("accounts:password_change_done")
    owner.refresh_from_db()
    assert owner.check_password(NEW)


def test_wrong_old_passwords_and_the_throttling_are_audited(owner_client, owner):
    for _ in range(6):
        change(owner_client, old=WRONG)
    events = AuditEvent.objects.filter(actor=owner, action__startswith="password_change")
    actions = list(events.order_by("id").values_list("action", flat=True))
    assert actions == ["password_change_failed"] * 5 + [
        "password_change_locked",
        "password_change_refused",
    ]
    assert WRONG not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_a_successful_change_starts_the_count_of_wrong_old_passwords_afresh(owner_client):
    for _ in range(4):
        change(owner_client, old=WRONG)
    assert change(owner_client).status_code == 302
    statuses = [change(owner_client, old=WRONG, new="enda-et-nytt-passord").status_code]
    statuses += [change(owner_client, old=NEW, new="enda-et-nytt-passord").status_code]
    assert statuses == [200, 302]


def test_throttling_of_one_user_leaves_another_alone(owner_client, outsider, other_employer):
    for _ in range(5):
        change(owner_client, old=WRONG)
    assert change(client_for(outsider, other_employer)).status_code == 302
