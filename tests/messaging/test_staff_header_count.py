"""The staff header: a link to the union's messages with the number no one in staff has read."""

import re

from django.urls import reverse

from tests.messaging.conftest import count_queries, send_from_contact

URL = reverse("deductions:staff_overview", args=["2021-02"])


def header_link(response):
    content = response.content.decode()
    found = re.search(r'<a [^>]*data-testid="staff-messages">(.*?)</a>', content, re.S)
    return found and found.group(1)


def test_staff_see_the_number_of_unread_messages_to_the_union(
    owner, employer, outsider, other_employer, staff, staff_client
):
    send_from_contact(owner, employer)
    send_from_contact(outsider, other_employer)
    read = send_from_contact(owner, employer, subject="Lest")
    read.thread.mark_shown_read(staff, [read])

    link = header_link(staff_client.get(URL))

    assert "Meldinger" in link
    assert 'badge text-bg-danger">2<span class="visually-hidden"> uleste meldinger' in link


def test_no_badge_when_everything_is_read(owner, employer, staff, staff_client):
    read = send_from_contact(owner, employer)
    read.thread.mark_shown_read(staff, [read])

    link = header_link(staff_client.get(URL))

    assert "Meldinger" in link and "badge" not in link


def test_contacts_do_not_get_the_staff_link(owner, employer, owner_client):
    send_from_contact(owner, employer)

    assert header_link(owner_client.get(reverse("home"))) is None


def test_the_count_costs_the_same_queries_however_many_messages_there_are(
    owner, employer, staff_client
):
    send_from_contact(owner, employer)
    staff_client.get(URL)  # the first request of a session does its own bookkeeping
    few = count_queries(staff_client, URL)
    for number in range(15):
        send_from_contact(owner, employer, subject=f"Tråd {number}")

    assert count_queries(staff_client, URL) == few
    assert 'badge text-bg-danger">16<' in header_link(staff_client.get(URL))
