"""CSRF protection on every POST."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role

pytestmark = pytest.mark.django_db


def all_views(resolver=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from all_views(pattern)
        elif isinstance(pattern, URLPattern):
            yield pattern.lookup_str, pattern.callback


# Views that refuse an oversized body before the CSRF check would read it, then run the
# check themselves (each has its own test posting without a token).
CHECKS_CSRF_ITSELF = {"deductions.lists.upload_views.list_upload"}


def test_no_view_is_exempt_from_csrf():
    exempt = {name for name, view in all_views() if getattr(view, "csrf_exempt", False)}
    assert exempt == CHECKS_CSRF_ITSELF


def test_login_post_without_token_is_refused(owner):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("two_factor:login"),
        {"auth-username": "10000001", "auth-password": "x", "login_view-current_step": "auth"},
    )
    assert response.status_code == 403


def test_password_reset_post_without_token_is_refused(owner):
    from django.core import mail

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:password_reset"), {"username": "10000001", "channel": "email"}
    )
    assert response.status_code == 403
    assert mail.outbox == []


def test_logged_in_posts_without_token_are_refused(owner, employer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    role = Role.objects.get(user=owner)
    assert client.post(reverse("accounts:choose_role"), {"role": role.pk}).status_code == 403
    assert client.post(reverse("logout")).status_code == 403
    assert "_auth_user_id" in client.session


def test_post_with_the_token_from_the_form_is_accepted(owner, employer, other_employer):
    Role.objects.create(user=owner, employer=other_employer)  # «Velg rolle» shows its form
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get(reverse("accounts:choose_role"))
    token = client.cookies["csrftoken"].value
    role = Role.objects.get(user=owner, employer=employer)
    response = client.post(
        reverse("accounts:choose_role"), {"role": role.pk, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
