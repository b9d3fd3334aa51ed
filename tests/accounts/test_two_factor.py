"""Two-factor: required for staff and admin, optional for contacts unless the setting says so."""

from base64 import b32decode

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from two_factor.plugins.phonenumber.models import PhoneDevice

from tests.accounts.test_login import log_in
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

HOME = reverse("home")
SETUP = reverse("two_factor:setup")


def setup_step(client, step, **data):
    fields = {"setup_view-current_step": step}
    fields.update({f"{step}-{name}": value for name, value in data.items()})
    return client.post(SETUP, fields)


def test_staff_without_a_device_must_set_one_up_first(staff):
    client = Client()
    response = log_in(client, "90000001")
    for url in [response.url, reverse("admin:index"), reverse("accounts:password_change")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == SETUP
    assert client.get(SETUP).status_code == 200


def test_staff_with_a_device_is_asked_for_a_code_at_login(staff):
    TOTPDevice.objects.create(user=staff, name="default", confirmed=True)
    client = Client()
    response = log_in(client, "90000001")
    assert response.status_code == 200
    assert 'name="token-otp_token"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_logged_in_without_passing_two_factor_is_sent_back_to_login(staff):
    StaticDevice.objects.create(user=staff, name="backup")
    client = client_for(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url == reverse("two_factor:login")
    assert "_auth_user_id" not in client.session


def test_staff_who_passed_two_factor_reach_admin(staff_client):
    assert staff_client.get(reverse("admin:index")).status_code == 200


def test_staff_log_in_with_a_backup_code_through_the_wizard(staff):
    TOTPDevice.objects.create(user=staff, name="default", confirmed=True)
    device = StaticDevice.objects.create(user=staff, name="backup")
    device.token_set.create(token="12345678")
    client = Client()
    log_in(client, "90000001")
    response = client.post(
        reverse("two_factor:login"),
        {"login_view-current_step": "backup", "backup-otp_token": "12345678"},
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    assert not device.token_set.exists()


def test_admin_site_refuses_staff_who_are_not_verified(staff):
    request = RequestFactory().get("/admin/")
    request.user = staff
    staff.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    staff.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_contact_who_passed_two_factor_still_does_not_reach_admin(owner):
    device = StaticDevice.objects.create(user=owner, name="backup")
    client = client_for(owner)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor:login"))


def test_contacts_need_no_second_factor_by_default(owner_client, settings):
    settings.REQUIRE_2FA_FOR_CONTACTS = False
    assert owner_client.get(HOME).status_code == 200


def test_setting_requires_two_factor_of_every_contact(owner_client, settings):
    settings.REQUIRE_2FA_FOR_CONTACTS = True
    response = owner_client.get(HOME)
    assert response.status_code == 302
    assert response.url == SETUP


def test_with_the_setting_a_contact_with_a_device_is_asked_for_a_code(owner, settings):
    settings.REQUIRE_2FA_FOR_CONTACTS = True
    TOTPDevice.objects.create(user=owner, name="default", confirmed=True)
    client = Client()
    response = log_in(client, "10000001")
    assert 'name="token-otp_token"' in response.content.decode()


def test_contact_finds_two_factor_in_the_user_menu(owner_client):
    body = owner_client.get(HOME).content.decode()
    assert f'href="{reverse("two_factor:profile")}">Tofaktorinnlogging</a>' in body


def test_contact_is_offered_an_app_and_sms(owner_client):
    page = owner_client.get(reverse("two_factor:profile"))
    assert page.status_code == 200
    assert "Tofaktorinnlogging" in page.content.decode()
    response = setup_step(owner_client, "welcome")
    body = response.content.decode()
    assert 'value="generator"' in body
    assert 'value="sms"' in body
    assert 'value="call"' not in body


def test_contact_sets_up_an_authenticator_app_and_gets_backup_codes(owner_client, owner):
    setup_step(owner_client, "welcome")
    response = setup_step(owner_client, "method", method="generator")
    assert "QR" in response.content.decode()
    key = b32decode(owner_client.session["django_two_factor-qr_secret_key"])
    response = setup_step(owner_client, "generator", token=f"{totp(key):06d}")
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=owner, confirmed=True).exists()

    page = owner_client.post(reverse("two_factor:backup_tokens"))
    assert page.status_code == 302
    codes = StaticDevice.objects.get(user=owner).token_set.all()
    assert len(codes) == 10
    body = owner_client.get(reverse("two_factor:backup_tokens")).content.decode()
    assert all(code.token in body for code in codes)


def test_contact_sets_up_sms_and_the_code_comes_by_sms(owner_client, owner, sms_outbox):
    setup_step(owner_client, "welcome")
    setup_step(owner_client, "method", method="sms")
    response = setup_step(owner_client, "sms", number="912 34 567")
    assert response.status_code == 200
    assert len(sms_outbox) == 1
    assert sms_outbox[0].to == "+4791234567"
    code = sms_outbox[0].body.split()[-1].rstrip(".")
    response = setup_step(owner_client, "validation", token=code)
    assert response.status_code == 302
    device = PhoneDevice.objects.get(user=owner)
    assert device.confirmed and device.number.as_e164 == "+4791234567"

    # Next login asks for the code the SMS brings.
    client = Client()
    response = log_in(client, "10000001", PASSWORD)
    assert 'name="token-otp_token"' in response.content.decode()
    assert len(sms_outbox) == 2


ENGLISH = ["Two-Factor", "Two-factor", "Backup", "Token", "Next", "Cancel", "Back to", "Disable"]


def verified_client(user):
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    client = client_for(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.mark.parametrize(
    "url_name",
    ["profile", "backup_tokens", "phone_create", "disable"],
)
def test_two_factor_pages_are_in_our_layout_and_in_norwegian(owner, url_name):
    response = verified_client(owner).get(reverse(f"two_factor:{url_name}"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="nb">' in body
    assert 'id="user-menu"' in body
    main = body[body.index("<main") : body.index("</main>")]
    assert [word for word in ENGLISH if word in main] == []
    assert " onsubmit=" not in main and "javascript:" not in main


def test_set_up_pages_are_in_norwegian(owner_client):
    bodies = [
        owner_client.get(SETUP).content.decode(),
        setup_step(owner_client, "welcome").content.decode(),
        setup_step(owner_client, "method", method="generator").content.decode(),
    ]
    for body in bodies:
        main = body[body.index("<main") : body.index("</main>")]
        assert "Slå på tofaktorinnlogging" in main
        assert [word for word in ENGLISH if word in main] == []


def test_codes_never_reach_the_audit_trail(staff):
    from accounts.models import AuditEvent

    TOTPDevice.objects.create(user=staff, name="default", confirmed=True)
    backup = StaticDevice.objects.create(user=staff, name="backup")
    backup.token_set.create(token="87654321")
    client = Client()
    log_in(client, "90000001")
    wrong = client.post(
        reverse("two_factor:login"),
        {"login_view-current_step": "token", "token-otp_token": "123456"},
    )
    assert "_auth_user_id" not in client.session
    assert wrong.status_code == 200
    client.post(
        reverse("two_factor:login"),
        {"login_view-current_step": "backup", "backup-otp_token": "87654321"},
    )
    assert "_auth_user_id" in client.session
    assert AuditEvent.objects.filter(action="login", actor=staff).exists()
    recorded = str(list(AuditEvent.objects.values_list("details", "object_ref", "actor_label")))
    assert "123456" not in recorded and "87654321" not in recorded
