"""Headers every page carries."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def directives(response):
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize("url_name", ["two_factor:login", "accounts:password_reset", "user_guide"])
def test_content_security_policy_allows_no_inline_script_and_no_framing(client, url_name):
    policy = directives(client.get(reverse(url_name)))
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe-inline" in value for values in policy.values() for value in values)
    assert not any("unsafe-eval" in value for values in policy.values() for value in values)


def test_pages_for_a_logged_in_contact_carry_the_policy_and_are_not_stored(owner_client):
    response = owner_client.get(reverse("home"))
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url_name", ["two_factor:login", "accounts:password_reset", "user_guide"])
def test_public_pages_are_not_stored_either(client, url_name):
    response = client.get(reverse(url_name))
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_in_the_base_layout_has_inline_script(owner_client):
    body = owner_client.get(reverse("home")).content.decode()
    assert "<script>" not in body
    assert " onclick=" not in body and " onsubmit=" not in body
