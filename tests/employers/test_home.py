"""The front page for the active role."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from employers.models import Employer, PortalInformation
from tests.accounts.test_login import log_in
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def test_front_page_shows_the_active_roles_employer(owner_client):
    body = owner_client.get(HOME).content.decode()
    assert "Bedrift" in body
    for text in ["Systemadministrasjonen", "Møllergata 10", "0179 OSLO", "94001761"]:
        assert text in body


def test_front_page_never_shows_another_employer(owner_client):
    body = owner_client.get(HOME).content.decode()
    assert "Avinor" not in body and "GARDERMOEN" not in body


def test_outsider_sees_only_their_own_employer(outsider_client):
    body = outsider_client.get(HOME).content.decode()
    assert "GARDERMOEN" in body
    assert "Møllergata" not in body


def test_information_text_from_staff_is_shown_escaped_with_paragraphs(owner_client):
    PortalInformation.objects.create(
        title="Informasjon om trekkportalen",
        body="Første avsnitt.\n\n<script>alert(1)</script> & <b>fet</b>",
    )
    body = owner_client.get(HOME).content.decode()
    assert "<p>Første avsnitt.</p>" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;fet&lt;/b&gt;" in body
    assert "<script>alert(1)" not in body


def test_unpublished_information_is_not_shown(owner_client):
    PortalInformation.objects.create(body="Gammel tekst", published=False)
    body = owner_client.get(HOME).content.decode()
    assert "Gammel tekst" not in body
    assert "Informasjon om trekkportalen" in body


def test_front_page_links_to_our_user_guide(owner_client):
    body = owner_client.get(HOME).content.decode()
    assert f'href="{reverse("user_guide")}"' in body
    assert "Brukerveiledning" in body


def test_front_page_needs_a_bounded_number_of_queries(
    owner_client, owner, other_employer, django_assert_max_num_queries
):
    Role.objects.create(user=owner, employer=other_employer)
    PortalInformation.objects.create(body="Tekst")
    # Six today (session, user, active role, the menu's roles, information text, session
    # save); the messages box and the month table bring their own few.
    with django_assert_max_num_queries(12):
        response = owner_client.get(HOME)
    assert response.status_code == 200


def test_front_page_queries_do_not_grow_with_the_number_of_roles(owner_client, owner):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(HOME).status_code == 200
        return len(queries)

    owner_client.get(HOME)  # the session's first save after login is not what is compared
    one_role = count()
    for number in range(5):
        employer = Employer.objects.create(number=f"9500000{number}", name=f"Bedrift {number}")
        Role.objects.create(user=owner, employer=employer)
    assert count() == one_role


def test_front_page_needs_login(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor:login"))


def test_staff_without_roles_go_to_admin_after_login(staff_client):
    response = staff_client.get(reverse("accounts:after_login"))
    assert response.url == reverse("admin:index")


def test_contact_without_roles_sees_whom_to_contact(client, db, settings):
    settings.UNION_REPLY_TO = "trekk@forbund.example"
    make_user("10000009", "Uten Rolle")
    log_in(client, "10000009")
    response = client.get(HOME, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:no_role")
    body = response.content.decode()
    assert "Du har ingen rolle i trekkportalen" in body
    assert "trekk@forbund.example" in body
    assert "10000009" in body
