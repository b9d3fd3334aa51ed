"""The staff inbox: threads with contacts, unread first, filters by employer and status."""

import re

from django.urls import reverse

from tests.messaging.conftest import count_queries, reply_from_staff, send_from_contact

URL = reverse("messaging:staff_inbox")


def subjects(response):
    return re.findall(
        r'data-testid="thread">\s*<td[^>]*><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


def test_unread_threads_come_first(owner, employer, outsider, other_employer, staff, staff_client):
    old_unread = send_from_contact(owner, employer, subject="Gammel ulest")
    read = send_from_contact(outsider, other_employer, subject="Lest")
    read.thread.mark_shown_read(staff, [read])
    send_from_contact(owner, employer, subject="Ny ulest")

    response = staff_client.get(URL)

    assert subjects(response) == ["Ny ulest", "Gammel ulest", "Lest"]
    assert old_unread.thread.public_id
    assert "2 uleste meldinger" in response.content.decode()


def test_staff_filter_by_employer(owner, employer, outsider, other_employer, staff_client):
    send_from_contact(owner, employer, subject="Fra Systemadm")
    send_from_contact(outsider, other_employer, subject="Fra Avinor")

    response = staff_client.get(URL, {"bedrift": other_employer.number})

    assert subjects(response) == ["Fra Avinor"]


def test_staff_filter_by_handled_and_not_handled(owner, employer, staff, staff_client):
    done = send_from_contact(owner, employer, subject="Ferdig")
    done.thread.mark_handled(staff)
    send_from_contact(owner, employer, subject="Venter")

    assert subjects(staff_client.get(URL, {"vis": "behandlet"})) == ["Ferdig"]
    assert subjects(staff_client.get(URL, {"vis": "ubehandlet"})) == ["Venter"]
    assert sorted(subjects(staff_client.get(URL))) == ["Ferdig", "Venter"]


def test_a_bad_employer_filter_shows_an_error_and_no_threads(owner, employer, staff_client):
    send_from_contact(owner, employer, subject="Noe")

    response = staff_client.get(URL, {"bedrift": "abc"})

    assert response.status_code == 200
    assert "Bedriftsnummeret har åtte sifre." in response.content.decode()
    assert subjects(response) == []


def test_contacts_and_anonymous_users_cannot_see_the_staff_inbox(owner_client, client):
    assert owner_client.get(URL).status_code == 404
    assert client.get(URL).status_code == 302


def test_staff_without_two_factor_are_sent_to_log_in_again(staff):
    from django.test import Client
    from django_otp.plugins.otp_static.models import StaticDevice

    StaticDevice.objects.create(user=staff, name="kort")
    client = Client()
    client.force_login(staff)

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor:login")


def test_the_staff_inbox_query_count_does_not_grow_with_threads(
    owner, employer, outsider, other_employer, staff, staff_client, django_assert_max_num_queries
):
    send_from_contact(owner, employer, subject="Første")
    baseline = count_queries(staff_client, URL)
    assert baseline <= 12
    for number in range(30):
        first = send_from_contact(owner if number % 2 else outsider, employer, subject=f"T{number}")
        reply_from_staff(first.thread, staff)

    with django_assert_max_num_queries(baseline):
        response = staff_client.get(URL)

    assert len(subjects(response)) == 31
