"""Login lockout (django-axes): keyed on user ID and IP address together."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.lockout import client_ip_address
from accounts.models import AuditEvent
from tests.accounts.test_login import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "feil-passord-her"


def fail_six_times(client, username="10000001", **extra):
    return [log_in(client, username, WRONG, **extra).status_code for _ in range(6)]


def test_six_wrong_passwords_lock_that_id_from_that_ip(client, owner):
    statuses = fail_six_times(client)
    assert statuses[:4] == [200] * 4
    assert statuses[-1] == 429
    response = log_in(client, "10000001")
    assert response.status_code == 429
    body = response.content.decode()
    assert "For mange mislykkede innlogginger" in body
    assert "15 minutter" in body
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="lockout", details__user_id="10000001").exists()


def test_another_user_from_the_same_ip_still_logs_in(client, owner, outsider):
    fail_six_times(client)
    response = log_in(Client(), "10000002")
    assert response.status_code == 302


def test_the_same_id_from_another_ip_still_logs_in(client, owner):
    fail_six_times(client)
    response = log_in(Client(REMOTE_ADDR="10.1.2.3"), "10000001")
    assert response.status_code == 302


def test_lockout_ends_15_minutes_after_the_last_attempt(client, owner):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail_six_times(client)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert log_in(Client(), "10000001").status_code == 429
    with time_machine.travel(start + timedelta(minutes=28), tick=False):
        assert log_in(Client(), "10000001").status_code == 429
    with time_machine.travel(start + timedelta(minutes=44), tick=False):
        assert log_in(Client(), "10000001").status_code == 302


def test_success_resets_the_count_of_failures(client, owner):
    for _ in range(4):
        log_in(client, "10000001", WRONG)
    assert log_in(Client(), "10000001").status_code == 302
    statuses = [log_in(client, "10000001", WRONG).status_code for _ in range(4)]
    assert statuses == [200] * 4
    assert log_in(Client(), "10000001").status_code == 302


def test_spoofed_x_forwarded_for_is_ignored(owner):
    client = Client()
    for number in range(6):
        log_in(client, "10000001", WRONG, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    response = log_in(client, "10000001", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429


def test_unknown_id_is_locked_out_the_same_way(client):
    assert fail_six_times(client, "19999999")[-1] == 429


def test_lockout_page_is_norwegian_and_in_our_layout(client, owner):
    fail_six_times(client)
    body = log_in(client, "10000001", PASSWORD).content.decode()
    assert '<html lang="nb">' in body
    assert "Glemt passord" in body


def test_behind_one_trusted_proxy_the_address_it_appended_counts(owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    for number in range(6):
        # The client wrote the first entry itself; our proxy appended the real address.
        forwarded = f"198.51.100.{number}, 203.0.113.9"
        log_in(client, "10000001", WRONG, HTTP_X_FORWARDED_FOR=forwarded)
    assert log_in(client, "10000001", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    # A colleague behind another address, through the same proxy, still logs in.
    assert log_in(client, "10000001", HTTP_X_FORWARDED_FOR="192.0.2.44").status_code == 302
    assert AuditEvent.objects.filter(action="lockout").first().ip_address == "203.0.113.9"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),
        (1, "ikke-en-adresse", "10.0.0.1"),
    ],
)
def test_client_address_reads_only_what_trusted_proxies_wrote(
    settings, rf, count, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.1")
    assert client_ip_address(request) == expected


@pytest.mark.parametrize(
    "variant",
    [" 10000001", "10000001 ", "\t10000001", "１００００００１", " １０000001\t", "10000001\n"],
)
def test_a_locked_id_stays_locked_however_it_is_written(client, owner, variant):
    fail_six_times(client)
    response = log_in(client, variant, PASSWORD)
    assert response.status_code == 429
    assert "For mange mislykkede innlogginger" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("variant", [" 10000001", "１００００００１", "\t10000001 "])
def test_failures_under_any_spelling_of_an_id_count_towards_one_lockout(client, owner, variant):
    statuses = fail_six_times(client, variant)
    assert statuses[-1] == 429
    assert log_in(client, "10000001", PASSWORD).status_code == 429
    recorded = [event.details["user_id"] for event in AuditEvent.objects.all()]
    assert recorded and set(recorded) == {"10000001"}
