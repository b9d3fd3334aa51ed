""" "Glemt passord": request a link by e-mail or SMS, open it, set a password."""

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, PasswordReset, User
from messaging.models import OutboxMessage
from tests.accounts.test_login import log_in
from tests.conftest import client_for, respond_without_closing

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password_reset")
CONFIRM = reverse("accounts:password_reset_confirm")
NEW_PASSWORD = "blå-fjell-over-havet"


def ask(client, username="10000001", channel="email", **extra):
    return client.post(RESET, {"username": username, "channel": channel}, **extra)


def link_in(text):
    return re.search(r"https?://\S+/glemt-passord/lenke/[\w-]+/", text).group(0)


def set_password(client, url, password=NEW_PASSWORD):
    client.get(url)
    return client.post(CONFIRM, {"new_password1": password, "new_password2": password})


@pytest.fixture
def contact(db):
    """A contact created by staff: no password yet."""
    return User.objects.create_user(
        username="10000005",
        full_name="Per Hansen",
        email="per@example.com",
        mobile="+4795555555",
    )


def test_login_page_links_to_glemt_passord(client):
    assert f'href="{RESET}"' in client.get(reverse("two_factor:login")).content.decode()


def test_user_without_password_gets_a_link_by_email_and_sets_a_first_password(client, contact):
    assert not contact.has_usable_password()
    response = ask(client, "10000005")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["per@example.com"]
    assert message.subject == "Sett passord i Trekkportalen"
    assert "60 minutter" in message.body
    url = link_in(message.body)
    assert url in message.alternatives[0][0]

    response = set_password(client, url)
    assert response.status_code == 302
    assert response.url == reverse("two_factor:login")
    contact.refresh_from_db()
    assert contact.check_password(NEW_PASSWORD)


def test_link_by_sms_goes_to_the_mobile_on_file_and_lasts_15_minutes(client, contact, sms_outbox):
    ask(client, "10000005", "sms")
    assert mail.outbox == []
    assert len(sms_outbox) == 1
    assert sms_outbox[0].to == "+4795555555"
    assert "15 minutter" in sms_outbox[0].body
    reset = PasswordReset.objects.get()
    assert reset.expires_at - reset.created_at == timedelta(minutes=15)
    set_password(client, link_in(sms_outbox[0].body))
    contact.refresh_from_db()
    assert contact.check_password(NEW_PASSWORD)


def test_same_answer_whether_or_not_the_id_or_address_exists(client, contact, sms_outbox):
    contact.mobile = ""
    contact.save()
    answers = []
    for username, channel in [
        ("10000005", "email"),  # sent
        ("19999999", "email"),  # unknown ID
        ("10000005", "sms"),  # no mobile on file
    ]:
        response = ask(client, username, channel)
        assert response.status_code == 302
        answers.append(client.get(response.url).content.decode().replace("mobilen", "e-posten"))
    assert len(mail.outbox) == 1
    assert sms_outbox == []
    sent_page, unknown_page, _ = answers
    assert sent_page == unknown_page
    assert list(PasswordReset.objects.order_by("created_at").values_list("outcome", flat=True)) == [
        "sent",
        "unknown_user",
        "no_address",
    ]


def test_deactivated_user_gets_no_link(client, contact):
    contact.is_active = False
    contact.save()
    ask(client, "10000005")
    assert mail.outbox == []


def test_link_is_built_from_site_url_never_from_the_host_header(client, contact, settings):
    settings.SITE_URL = "https://trekk.example.org"
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    ask(client, "10000005", HTTP_HOST="evil.example")
    url = link_in(mail.outbox[0].body)
    assert url.startswith("https://trekk.example.org/konto/glemt-passord/lenke/")
    assert "evil.example" not in mail.outbox[0].body
    assert "evil.example" not in mail.outbox[0].alternatives[0][0]


def test_only_a_hash_of_the_token_is_stored(client, contact):
    ask(client, "10000005")
    token = link_in(mail.outbox[0].body).rstrip("/").rsplit("/", 1)[1]
    reset = PasswordReset.objects.get()
    assert reset.token_hash and token not in reset.token_hash
    assert len(token) >= 40


def test_token_url_redirects_to_an_address_without_the_token(client, contact):
    ask(client, "10000005")
    url = link_in(mail.outbox[0].body)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == CONFIRM
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(CONFIRM)
    assert page.status_code == 200
    assert "Velg nytt passord" in page.content.decode()


def test_reset_pages_never_send_a_referrer_outside_the_site(client):
    assert client.get(reverse("accounts:password_reset_sent"))["Referrer-Policy"] == "no-referrer"
    # Pages with a form keep same-origin: under no-referrer the browser would post
    # `Origin: null`, and the CSRF check would refuse the form.
    for url in [RESET, CONFIRM]:
        assert client.get(url)["Referrer-Policy"] == "same-origin"


def test_link_works_only_once(client, contact):
    ask(client, "10000005")
    url = link_in(mail.outbox[0].body)
    set_password(client, url)
    response = set_password(client, url, "et-helt-annet-passord-her")
    assert response.status_code == 400
    assert "Lenken virker ikke lenger" in response.content.decode()
    contact.refresh_from_db()
    assert contact.check_password(NEW_PASSWORD)


def test_a_completed_reset_uses_up_every_other_open_link(client, contact):
    ask(client, "10000005")
    ask(client, "10000005")
    first, second = (link_in(message.body) for message in mail.outbox)
    set_password(client, second)
    assert set_password(client, first, "et-helt-annet-passord-her").status_code == 400


@pytest.mark.parametrize(("channel", "minutes"), [("email", 60), ("sms", 15)], ids=["email", "sms"])
def test_link_expires(client, contact, sms_outbox, channel, minutes):
    ask(client, "10000005", channel)
    text = mail.outbox[0].body if channel == "email" else sms_outbox[0].body
    url = link_in(text)
    with time_machine.travel(timezone.now() + timedelta(minutes=minutes - 1), tick=False):
        assert client.get(url, follow=True).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=minutes + 1), tick=False):
        response = set_password(client, url)
    assert response.status_code == 400
    contact.refresh_from_db()
    assert not contact.has_usable_password()


def test_invalid_token_is_refused(client, contact):
    response = set_password(client, reverse("accounts:password_reset_link", args=["feil"]))
    assert response.status_code == 400
    contact.refresh_from_db()
    assert not contact.has_usable_password()


def test_at_most_three_links_per_id_per_hour(client, contact):
    start = timezone.now()
    for _ in range(5):
        assert ask(client, "10000005").status_code == 302
    assert len(mail.outbox) == 3
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        ask(client, "10000005")
    assert len(mail.outbox) == 4


def test_limit_per_ip_address_is_silent(client, contact, owner, settings):
    settings.PASSWORD_RESET_MAX_PER_IP_PER_HOUR = 4
    for number in range(4):
        ask(client, f"1999999{number}")
    limited = ask(client, "10000005")
    assert limited.status_code == 302
    assert mail.outbox == []
    # Another address is not held back by the first one.
    ask(client, "10000001", REMOTE_ADDR="10.0.0.2")
    assert [message.to for message in mail.outbox] == [["kari@example.com"]]


def test_new_password_must_pass_the_validators_in_norwegian(client, contact):
    ask(client, "10000005")
    client.get(link_in(mail.outbox[0].body))
    for password, error in [
        ("kort", "Passordet er for kort. Det må bestå av minst 10 tegn."),
        ("a" * 129, "lengre enn 128 tegn"),
        ("password123", "ofte brukt"),
        ("per.hansen", "for likt"),
    ]:
        response = client.post(CONFIRM, {"new_password1": password, "new_password2": password})
        assert response.status_code == 200
        assert error in response.content.decode(), password
        assert "This password" not in response.content.decode(), password
    contact.refresh_from_db()
    assert not contact.has_usable_password()


def test_after_a_reset_other_sessions_end_and_nobody_is_logged_in(client, owner):
    other_browser = client_for(owner)
    assert other_browser.get(reverse("accounts:after_login")).status_code == 302
    ask(client, "10000001")
    response = set_password(client, link_in(mail.outbox[0].body))
    assert response.url == reverse("two_factor:login")
    assert "_auth_user_id" not in client.session
    login_page = client.get(response.url).content.decode()
    assert "Passordet er lagret. Logg inn med det nye passordet." in login_page
    response = other_browser.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor:login"))


def test_after_a_reset_a_notice_is_sent_by_email(client, owner):
    ask(client, "10000001")
    set_password(client, link_in(mail.outbox[0].body))
    notice = mail.outbox[-1]
    assert notice.subject == "Passordet ditt i Trekkportalen er endret"
    assert notice.to == ["kari@example.com"]


def test_after_a_reset_a_notice_goes_by_sms_when_there_is_no_email(client, owner, sms_outbox):
    owner.email = ""
    owner.save()
    ask(client, "10000001", "sms")
    set_password(client, link_in(sms_outbox[0].body))
    assert sms_outbox[-1].to == "+4791234567"
    assert "Passordet ditt i Trekkportalen ble endret" in sms_outbox[-1].body


def test_after_a_reset_two_factor_is_still_asked(client, owner):
    TOTPDevice.objects.create(user=owner, name="default", confirmed=True)
    ask(client, "10000001")
    set_password(client, link_in(mail.outbox[0].body))
    response = log_in(client, "10000001", NEW_PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert 'name="token-otp_token"' in response.content.decode()


def test_request_and_completion_are_audited_without_the_token(client, contact):
    ask(client, "10000005")
    url = link_in(mail.outbox[0].body)
    token = url.rstrip("/").rsplit("/", 1)[1]
    set_password(client, url)
    events = AuditEvent.objects.order_by("created_at", "id")
    assert [event.action for event in events] == [
        "password_reset_requested",
        "password_reset_completed",
    ]
    assert all(event.actor == contact for event in events)
    assert events[0].details == {"user_id": "10000005", "channel": "email", "outcome": "sent"}
    assert events[0].ip_address == "127.0.0.1"
    for event in events:
        assert token not in str(event.details)
        assert NEW_PASSWORD not in str(event.details)


def test_a_reset_lifts_a_lockout_of_that_id(client, owner):
    for _ in range(6):
        log_in(client, "10000001", "feil-passord-her")
    assert log_in(client, "10000001", "feil-passord-her").status_code == 429
    ask(client, "10000001")
    set_password(client, link_in(mail.outbox[0].body))
    response = log_in(client, "10000001", NEW_PASSWORD)
    assert response.status_code == 302


def test_id_must_be_eight_digits(client):
    response = client.post(RESET, {"username": "kari", "channel": "email"})
    assert response.status_code == 200
    assert "nøyaktig åtte sifre" in response.content.decode()
    assert not PasswordReset.objects.exists()


def test_an_id_typed_with_spaces_or_full_width_digits_gets_its_link(client, contact):
    ask(client, " １００００００５ ")
    assert PasswordReset.objects.get().user == contact


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_a_link_that_cannot_be_sent_gives_the_same_answer(client, contact, channel):
    from unittest import mock

    from trekkportal.sms import SmsError

    with (
        mock.patch("trekkportal.sms.send_sms", side_effect=SmsError("nede")),
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=ConnectionRefusedError("nede"),
        ),
    ):
        response = ask(client, "10000005", channel)
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_sent")
    link = OutboxMessage.objects.get(kind="password_reset")
    assert (link.channel, link.status) == (channel, "failed")
    assert "nede" in link.last_error


def test_a_link_that_failed_is_sent_by_the_command_while_it_is_valid(client, contact):
    from unittest import mock

    from django.core.management import call_command

    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("nede"),
    ):
        ask(client, "10000005")
    call_command("send_message_notices", stdout=io.StringIO(), stderr=io.StringIO())
    set_password(client, link_in(mail.outbox[0].body))
    contact.refresh_from_db()
    assert contact.check_password(NEW_PASSWORD)


def test_a_link_that_expired_before_it_could_be_sent_is_not_sent(client, contact):
    from unittest import mock

    from django.core.management import call_command

    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("nede"),
    ):
        ask(client, "10000005")
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        call_command("send_message_notices", stdout=io.StringIO(), stderr=io.StringIO())
    assert mail.outbox == []
    assert OutboxMessage.objects.get().status == "skipped"


def test_the_request_sends_nothing_the_link_goes_once_the_response_is_closed(contact, sms_outbox):
    sent = []
    for channel in ["email", "sms"]:
        response = respond_without_closing(
            "post", RESET, {"username": "10000005", "channel": channel}
        )
        assert response.status_code == 302
        sent.append(len(mail.outbox) + len(sms_outbox))
        response.close()
    assert sent == [0, 1]  # nothing when the response was ready; the e-mail once closed
    assert [message.to for message in mail.outbox] == [["per@example.com"]]
    assert [sms.to for sms in sms_outbox] == ["+4795555555"]


def test_the_outbox_keeps_no_token_only_what_makes_it_with_the_secret_key(client, contact):
    ask(client, "10000005")
    token = link_in(mail.outbox[0].body).rstrip("/").rsplit("/", 1)[1]
    row = OutboxMessage.objects.get()
    assert token not in str(row.context) and token not in str(row.__dict__)
    assert row.status == "sent"


def test_a_notice_that_cannot_be_sent_does_not_undo_the_reset(client, contact):
    from unittest import mock

    ask(client, "10000005")
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("nede"),
    ):
        response = set_password(client, link_in(mail.outbox[0].body))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.check_password(NEW_PASSWORD)
    notice = OutboxMessage.objects.get(kind="password_changed")
    assert notice.status == "failed"
