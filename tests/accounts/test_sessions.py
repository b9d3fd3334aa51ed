"""Sessions: a new key at login, idle and absolute timeouts, logout on the server."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.accounts.test_login import log_in
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def logged_in(response):
    return response.status_code == 200


def log_in_now(client):
    """Logs Kari in with the clock stopped; returns that moment."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        log_in(client, "10000001")
        client.get(reverse("accounts:after_login"))
    return start


def test_login_gives_a_new_session_key(client, owner):
    client.get(reverse("accounts:password_reset"))
    client.session.save()
    before = client.session.session_key
    client.cookies["sessionid"] = before
    log_in(client, "10000001")
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_session_ends_after_30_idle_minutes(client, owner):
    start = log_in_now(client)
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert logged_in(client.get(HOME))
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor:login"))


def test_session_ends_12_hours_after_login_however_active(client, owner):
    start = log_in_now(client)
    minutes = 20
    while minutes < 12 * 60:
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert logged_in(client.get(HOME)), minutes
        minutes += 20
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        response = client.get(HOME)
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert "Økten din er utløpt" in client.get(response.url).content.decode()


def test_logout_is_post_only(owner_client):
    assert owner_client.get(reverse("logout")).status_code == 405
    assert logged_in(owner_client.get(HOME))


def test_logout_ends_the_session_on_the_server(owner_client):
    key = owner_client.session.session_key
    response = owner_client.post(reverse("logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    # An old copy of the cookie is worth nothing.
    owner_client.cookies["sessionid"] = key
    assert owner_client.get(HOME).status_code == 302


def test_login_page_says_you_are_logged_out(owner_client):
    response = owner_client.post(reverse("logout"), follow=True)
    assert response.request["PATH_INFO"] == reverse("two_factor:login")
    assert "Du er logget ut" in response.content.decode()


def test_deactivated_user_is_out_on_the_next_request(owner_client, owner):
    owner.is_active = False
    owner.save()
    response = owner_client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor:login"))


def test_removed_role_stops_working_and_the_user_is_told(owner_client, owner):
    owner.roles.all().delete()
    response = owner_client.get(HOME, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:no_role")


def test_role_at_deactivated_employer_stops_working(owner_client, employer):
    employer.active = False
    employer.save()
    response = owner_client.get(HOME, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:no_role")
    assert "Systemadministrasjonen" not in response.content.decode()


def test_changing_password_ends_other_sessions(owner, employer):
    first = client_for(owner, employer)
    second = client_for(owner, employer)
    response = first.post(
        reverse("accounts:password_change"),
        {
            "old_password": "riktig-hest-batteri",
            "new_password1": "nytt-og-langt-passord",
            "new_password2": "nytt-og-langt-passord",
        },
    )
    assert response.status_code == 302
    assert logged_in(first.get(HOME))
    assert second.get(HOME).status_code == 302


def test_a_busy_session_is_written_at_most_once_a_minute(client, owner):
    start = log_in_now(client)
    key = client.session.session_key

    def expiry():
        return Session.objects.get(session_key=key).expire_date

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get(HOME)
        pushed = expiry()
    assert pushed == start + timedelta(seconds=61, minutes=30)
    with time_machine.travel(start + timedelta(seconds=100), tick=False):
        client.get(HOME)
    assert expiry() == pushed  # within the minute: not written again
    with time_machine.travel(start + timedelta(seconds=122), tick=False):
        client.get(HOME)
    assert expiry() == start + timedelta(seconds=122, minutes=30)


def test_idle_sessions_end_within_the_minute_before_30_minutes_never_after(client, owner):
    start = log_in_now(client)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert logged_in(client.get(HOME))  # not written: the session was saved 30 s ago
    with time_machine.travel(start + timedelta(seconds=30, minutes=30), tick=False):
        assert client.get(HOME).status_code == 302


KEEP_ALIVE = reverse("accounts:keep_alive")


def test_the_forms_keep_alive_pushes_the_idle_timeout_on(client, owner):
    """Typing in the list form asks accounts:keep_alive now and then (list_autosave.js): an
    hour of typing without a page load, the session is still there."""
    start = log_in_now(client)
    for minutes in range(20, 80, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.post(KEEP_ALIVE).status_code == 204
    with time_machine.travel(start + timedelta(minutes=60 + 29), tick=False):
        assert logged_in(client.get(HOME))


def test_the_keep_alive_does_not_outlive_the_12_hours(client, owner):
    start = log_in_now(client)
    minutes = 20
    while minutes < 12 * 60:
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.post(KEEP_ALIVE, HTTP_ACCEPT="application/json").status_code == 204
        minutes += 20
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        response = client.post(KEEP_ALIVE, HTTP_ACCEPT="application/json")
    assert response.status_code == 401  # JSON for the script, not a redirect to an HTML page
    assert response.json()["error"].startswith("Økten din er avsluttet")
    assert "_auth_user_id" not in client.session


def test_the_keep_alive_after_an_idle_end_is_a_json_401(client, owner):
    start = log_in_now(client)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = client.post(KEEP_ALIVE, HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response.json()["login_url"] == reverse("two_factor:login")


def test_the_keep_alive_is_post_only(owner_client):
    assert owner_client.get(KEEP_ALIVE).status_code == 405
