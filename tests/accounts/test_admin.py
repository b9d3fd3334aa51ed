"""Django admin for users, roles and the audit trail."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import AuditEvent, PasswordReset, Role, User

pytestmark = pytest.mark.django_db


def add_user(superuser_client, employer=None, **fields):
    data = {
        "username": "",
        "full_name": "Per Hansen",
        "email": "per@example.com",
        "mobile": "",
        "roles-TOTAL_FORMS": "1" if employer else "0",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        **fields,
    }
    if employer:
        data |= {"roles-0-employer": employer.pk, "roles-0-kind": "contact"}
    return superuser_client.post(reverse("admin:accounts_user_add"), data)


def test_staff_create_a_user_without_an_id_and_get_a_free_8_digit_one(superuser_client, employer):
    response = add_user(superuser_client, employer)
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(full_name="Per Hansen")
    assert len(user.username) == 8 and user.username.isdigit()
    assert not user.has_usable_password()
    assert Role.objects.filter(user=user, employer=employer).exists()


def test_free_ids_are_random_and_unique(db):
    ids = {User.objects.free_user_id() for _ in range(20)}
    assert len(ids) == 20
    assert all(len(value) == 8 and value.isdigit() for value in ids)


def test_staff_may_give_the_id_themselves(superuser_client):
    add_user(superuser_client, username="12345678")
    assert User.objects.filter(username="12345678", full_name="Per Hansen").exists()


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("1234567", "nøyaktig åtte sifre"),
        ("abcdefgh", "nøyaktig åtte sifre"),
        ("123456789", "8 eller færre tegn"),
    ],
)
def test_id_that_is_not_8_digits_is_refused(superuser_client, username, error):
    response = add_user(superuser_client, username=username)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not User.objects.filter(full_name="Per Hansen").exists()


@pytest.mark.parametrize("mobile", ["91234567", "+47 912 34 567", "912 34 567", "004791234567"])
def test_norwegian_mobile_numbers_are_accepted_with_or_without_47(superuser_client, mobile):
    response = add_user(superuser_client, mobile=mobile)
    assert response.status_code == 302
    assert User.objects.get(full_name="Per Hansen").mobile.as_e164 == "+4791234567"


def test_invalid_mobile_number_is_refused(superuser_client):
    response = add_user(superuser_client, mobile="12")
    assert response.status_code == 200
    assert not User.objects.filter(full_name="Per Hansen").exists()


def test_user_change_page_has_the_roles_inline(superuser_client, owner, employer):
    response = superuser_client.get(reverse("admin:accounts_user_change", args=[owner.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="roles-TOTAL_FORMS"' in body
    assert "Systemadministrasjonen" in body


def test_user_list_searches_by_id_and_name(superuser_client, owner, outsider):
    response = superuser_client.get(reverse("admin:accounts_user_changelist"), {"q": "Kari"})
    assert list(response.context["cl"].result_list) == [owner]
    response = superuser_client.get(reverse("admin:accounts_user_changelist"), {"q": "10000002"})
    assert list(response.context["cl"].result_list) == [outsider]


@pytest.mark.parametrize("model", [AuditEvent, PasswordReset])
def test_audit_trail_and_reset_requests_cannot_be_changed_in_admin(superuser_client, staff, model):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = staff
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_audit_trail_is_readable_in_admin(superuser_client, owner):
    AuditEvent.objects.record("login", actor=owner)
    response = superuser_client.get(reverse("admin:accounts_auditevent_changelist"))
    assert response.status_code == 200
    assert "Kari Nordmann (10000001)" in response.content.decode()
    event = AuditEvent.objects.get(actor=owner)
    response = superuser_client.post(
        reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.exists()


def test_reset_request_admin_never_shows_the_token_hash(superuser_client, owner, client):
    client.post(reverse("accounts:password_reset"), {"username": "10000001", "channel": "email"})
    reset = PasswordReset.objects.get()
    response = superuser_client.get(reverse("admin:accounts_passwordreset_change", args=[reset.pk]))
    assert response.status_code == 200
    assert reset.token_hash not in response.content.decode()


def test_admin_changes_go_into_the_audit_trail(superuser_client, staff, employer):
    add_user(superuser_client, employer)
    event = AuditEvent.objects.get(action="admin_add")
    assert event.actor == staff
    assert event.object_type == "bruker"
    assert event.ip_address == "127.0.0.1"
    user = User.objects.get(full_name="Per Hansen")
    superuser_client.post(reverse("admin:accounts_user_delete", args=[user.pk]), {"post": "yes"})
    assert AuditEvent.objects.filter(action="admin_delete", actor=staff).exists()


def test_add_user_page_explains_how_the_user_gets_a_password(superuser_client):
    body = superuser_client.get(reverse("admin:accounts_user_add")).content.decode()
    assert "«Glemt passord?»" in body


def test_audit_details_read_as_norwegian_words(superuser_client, owner):
    event = AuditEvent.objects.record(
        "list_edited", actor=owner, kind="main", changed=37, fields=["dues", "home"], extra="x"
    )
    assert event.details_text() == "Type: trekkliste, endret: 37, felt: dues, home, extra: x"
    for url in (
        reverse("admin:accounts_auditevent_changelist"),
        reverse("admin:accounts_auditevent_change", args=[event.pk]),
    ):
        body = superuser_client.get(url).content.decode()
        assert "Type: trekkliste, endret: 37" in body
        assert "kind" not in body


def test_an_event_without_details_shows_nothing(owner):
    assert AuditEvent.objects.record("login", actor=owner).details_text() == ""
