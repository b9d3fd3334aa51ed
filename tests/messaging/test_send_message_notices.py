"""Notices about new messages: no content, sent once, retried after a failure, staff batched."""

from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command

from messaging import notices
from messaging.models import MessageNotice
from messaging.notices import send_notices
from tests.messaging.conftest import reply_from_staff, send_from_contact


def contact_mail():
    """Mail to contacts (the staff digest about the contact's own question goes elsewhere)."""
    return [email for email in mail.outbox if email.to == ["kari@example.com"]]


def run():
    out = StringIO()
    call_command("send_message_notices", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def sms_owner(owner):
    owner.notify_by_sms = True
    owner.save()
    return owner


@pytest.fixture
def answer(sms_owner, employer, staff):
    first = send_from_contact(
        sms_owner, employer, subject="Hemmelig emne", body="Hemmelig spørsmål"
    )
    return reply_from_staff(first.thread, staff, body="Hemmelig svar om Åse Ås")


def test_a_message_to_a_contact_records_an_email_and_an_sms_notice(answer):
    channels = set(MessageNotice.objects.filter(message=answer).values_list("channel", flat=True))

    assert channels == {"email", "sms"}


def test_no_sms_notice_unless_the_contact_chose_it(owner, employer, staff):
    first = send_from_contact(owner, employer)
    answer = reply_from_staff(first.thread, staff)

    assert list(answer.notices.values_list("channel", flat=True)) == ["email"]


def test_notices_say_only_that_a_message_waits_with_a_login_link(
    answer, sms_outbox, settings, staff
):
    settings.SITE_URL = "https://trekk.example.org"

    run()

    assert len(contact_mail()) == 1
    email = contact_mail()[0]
    assert email.to == ["kari@example.com"]
    html = email.alternatives[0][0]
    for text in (email.subject, email.body, html, sms_outbox[0].body):
        for secret in ("Hemmelig", "Åse", "Kari", "Nora", staff.full_name):
            assert secret not in text
    assert "https://trekk.example.org/logg-inn/" in email.body
    assert 'href="https://trekk.example.org/logg-inn/"' in html
    assert "https://trekk.example.org/logg-inn/" in sms_outbox[0].body
    assert sms_outbox[0].to == "+4791234567"


def test_a_notice_is_sent_once_however_often_the_command_runs(answer, sms_outbox):
    run()
    run()

    assert len(contact_mail()) == 1
    assert len(sms_outbox) == 1
    assert set(answer.notices.values_list("status", flat=True)) == {"sent"}


def test_a_notice_claimed_by_another_host_is_not_sent_again(answer, sms_outbox):
    notice = answer.notices.get(channel="email")
    claimed = MessageNotice.objects.claim([notice.pk])
    assert [n.pk for n in claimed] == [notice.pk]

    run()

    assert contact_mail() == []
    assert len(sms_outbox) == 1
    assert MessageNotice.objects.claim([notice.pk]) == []


def test_a_failed_send_is_retried_on_the_next_run(answer, sms_outbox):
    with mock.patch("trekkportal.mail.EmailMultiAlternatives.send", side_effect=OSError("smtp")):
        run()

    notice = answer.notices.get(channel="email")
    assert notice.status == "pending"
    assert notice.last_error == "smtp"
    assert contact_mail() == []

    run()

    notice.refresh_from_db()
    assert notice.status == "sent"
    assert notice.attempts == 2
    assert len(contact_mail()) == 1
    assert len(sms_outbox) == 1


def test_a_notice_that_keeps_failing_gives_up_after_the_last_attempt(answer):
    with mock.patch("trekkportal.mail.EmailMultiAlternatives.send", side_effect=OSError("smtp")):
        for _ in range(notices.MAX_ATTEMPTS + 2):
            run()

    notice = answer.notices.get(channel="email")
    assert notice.status == "failed"
    assert notice.attempts == notices.MAX_ATTEMPTS


def test_a_claim_abandoned_by_a_crashed_host_is_picked_up_later(answer, time_machine):
    time_machine.move_to("2026-03-05 10:00 +01:00")
    notice = answer.notices.get(channel="email")
    MessageNotice.objects.claim([notice.pk])

    run()
    assert contact_mail() == []

    time_machine.move_to("2026-03-05 10:31 +01:00")
    run()
    assert len(contact_mail()) == 1


def test_notices_are_sent_right_after_the_message_is_committed(
    sms_owner, employer, staff, django_capture_on_commit_callbacks, sms_outbox
):
    first = send_from_contact(sms_owner, employer)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reply_from_staff(first.thread, staff)

    assert len(callbacks) == 1
    assert len(contact_mail()) == 1
    assert len(sms_outbox) == 1


def test_a_mail_failure_after_commit_leaves_the_notice_for_the_command(
    owner, employer, staff, django_capture_on_commit_callbacks
):
    first = send_from_contact(owner, employer)
    with (
        mock.patch("trekkportal.mail.EmailMultiAlternatives.send", side_effect=OSError("nede")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer = reply_from_staff(first.thread, staff)

    assert answer.notices.get().status == "pending"
    run()
    assert len(contact_mail()) == 1


def test_staff_get_one_batched_email_about_new_messages_from_contacts(
    owner, employer, outsider, other_employer, settings
):
    settings.UNION_STAFF_EMAIL = "trekk@forbund.example"
    send_from_contact(owner, employer, subject="Hemmelig A")
    send_from_contact(owner, employer, subject="Hemmelig B")
    send_from_contact(outsider, other_employer, subject="Hemmelig C")

    output = run()
    run()

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["trekk@forbund.example"]
    assert "3 nye meldinger" in email.subject
    assert "Hemmelig" not in email.body and "Kari" not in email.body
    assert "/meldinger/stab/" in email.body
    assert "samlevarsel til staben: 3" in output


def test_one_new_message_is_worded_in_the_singular(owner, employer):
    send_from_contact(owner, employer)

    run()

    assert mail.outbox[0].subject == "1 ny melding fra trekkontakter"


def test_a_failed_staff_digest_is_retried(owner, employer):
    send_from_contact(owner, employer)
    with mock.patch("trekkportal.mail.EmailMultiAlternatives.send", side_effect=OSError("smtp")):
        run()
    assert MessageNotice.objects.get().status == "pending"

    run()

    assert len(mail.outbox) == 1
    assert MessageNotice.objects.get().status == "sent"


def test_send_notices_leaves_the_staff_digest_to_the_command(owner, employer):
    send_from_contact(owner, employer)

    assert send_notices() == (0, 0)
    assert MessageNotice.objects.get().status == "pending"


def test_a_failed_sms_is_retried_without_sending_the_email_again(answer, sms_outbox):
    from trekkportal.sms import SmsError

    with mock.patch("trekkportal.sms.send_sms", side_effect=SmsError("Twilio nede")):
        run()
    assert answer.notices.get(channel="sms").status == "pending"
    assert sms_outbox == []

    run()

    assert len(sms_outbox) == 1
    assert len(contact_mail()) == 1
