"""«Siste meldinger» on the front page, and the unread count in the header."""

import re

from django.urls import reverse

from tests.messaging.conftest import count_queries, reply_from_staff, send_from_contact

HOME = reverse("home")


def box(response):
    content = response.content.decode()
    start = content.index('data-testid="latest-messages"')
    return content[start : content.index("</section>", start)]


def test_the_box_lists_the_latest_messages_with_sender_recipient_date_and_subject(
    owner, employer, staff, owner_client, time_machine
):
    time_machine.move_to("2026-03-05 10:00 +01:00")
    first = send_from_contact(owner, employer, subject="Spørsmål om februar")
    reply_from_staff(first.thread, staff)

    html = box(owner_client.get(HOME))

    for heading in ("Avsender", "Mottaker", "Dato", "Emne"):
        assert f">{heading}</th>" in html
    assert "Kari Nordmann" in html and "Trekkteamet" in html and "Nora Stab" in html
    assert "05.03.2026" in html
    assert "Spørsmål om februar" in html
    assert 'href="/meldinger/ny/"' in html and ">Ny melding<" in html
    assert 'href="/meldinger/"' in html and ">Alle meldinger<" in html


def test_the_box_shows_at_most_five_messages(owner, employer, owner_client):
    for number in range(7):
        send_from_contact(owner, employer, subject=f"Emne {number}")

    html = box(owner_client.get(HOME))

    assert html.count("<tr") == 6, "a header row and five messages"
    assert "Emne 6" in html and "Emne 1" not in html


def test_zero_one_and_two_unread_are_worded_correctly(owner, employer, staff, owner_client):
    first = send_from_contact(owner, employer)
    assert "(0 uleste meldinger)" in box(owner_client.get(HOME))

    reply_from_staff(first.thread, staff)
    assert "(1 ulest melding)" in box(owner_client.get(HOME))

    reply_from_staff(first.thread, staff)
    assert "(2 uleste meldinger)" in box(owner_client.get(HOME))


def test_the_header_shows_the_unread_count_with_correct_wording(
    owner, employer, staff, owner_client
):
    first = send_from_contact(owner, employer)
    content = owner_client.get(HOME).content.decode()
    assert not re.search(r'class="badge text-bg-danger"', content)

    reply_from_staff(first.thread, staff)
    content = owner_client.get(HOME).content.decode()
    assert re.search(r'text-bg-danger">1<span class="visually-hidden"> ulest melding<', content)

    reply_from_staff(first.thread, staff)
    content = owner_client.get(HOME).content.decode()
    assert re.search(r'text-bg-danger">2<span class="visually-hidden"> uleste meldinger<', content)


def test_the_count_includes_messages_from_every_role(owner_with_two_roles, employer, museum, staff):
    from tests.conftest import client_for

    for active in (employer, museum):
        first = send_from_contact(owner_with_two_roles, active)
        reply_from_staff(first.thread, staff)

    html = box(client_for(owner_with_two_roles, employer).get(HOME))

    assert "(2 uleste meldinger)" in html


def test_the_box_costs_two_queries_however_many_messages_there_are(
    owner, employer, staff, rf, django_assert_num_queries
):
    from django.template import Context, Template

    for number in range(20):
        first = send_from_contact(owner, employer, subject=f"Tråd {number}")
        reply_from_staff(first.thread, staff)
    request = rf.get(HOME)
    request.user = owner
    template = Template("{% load messaging_tags %}{% latest_messages %}")

    with django_assert_num_queries(2):
        html = template.render(Context({"request": request}))

    assert "(20 uleste meldinger)" in html
    assert html.count("<tr") == 6


def test_the_front_page_query_count_does_not_grow_with_messages(
    owner, employer, staff, owner_client, django_assert_max_num_queries
):
    first = send_from_contact(owner, employer)
    reply_from_staff(first.thread, staff)
    few = count_queries(owner_client, HOME)
    for number in range(20):
        first = send_from_contact(owner, employer, subject=f"Tråd {number}")
        reply_from_staff(first.thread, staff)

    with django_assert_max_num_queries(few):
        response = owner_client.get(HOME)

    assert "(21 uleste meldinger)" in box(response)
