"""Notices about new messages: no content, sent once right after the message, retried by
`send_message_notices`, staff batched. Claims, attempt limit and stale claims are the outbox's
(tests/messaging/test_outbox.py)."""

from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command

from messaging.models import OutboxMessage
from tests.messaging.conftest import reply_from_staff, send_from_contact

FAIL_MAIL = mock.patch(
    "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("smtp")
)


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
    """A reply from staff whose notices were recorded but not sent (no commit in the test)."""
    first = send_from_contact(
        sms_owner, employer, subject="Hemmelig emne", body="Hemmelig spørsmål"
    )
    return reply_from_staff(first.thread, staff, body="Hemmelig svar om Åse Ås")


def test_a_message_to_a_contact_records_an_email_and_an_sms_notice(answer):
    rows = OutboxMessage.objects.filter(message=answer)

    assert set(rows.values_list("kind", "channel", "address")) == {
        ("message_notice", "email", "kari@example.com"),
        ("message_notice", "sms", "+4791234567"),
    }


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


def test_a_failed_send_is_retried_on_the_next_run(answer, sms_outbox):
    with FAIL_MAIL:
        run()

    notice = answer.notices.get(channel="email")
    assert notice.status == "failed"
    assert notice.last_error == "OSError: smtp"
    assert contact_mail() == []

    run()

    notice.refresh_from_db()
    assert notice.status == "sent"
    assert notice.attempts == 2
    assert len(contact_mail()) == 1
    assert len(sms_outbox) == 1


def test_the_command_says_what_failed_on_stderr(answer):
    out, err = StringIO(), StringIO()
    with FAIL_MAIL:
        call_command("send_message_notices", stdout=out, stderr=err)

    assert "Varsler sendt: 1, feilet: 1." in out.getvalue()
    assert "Noen varsler feilet" in err.getvalue()


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
    with FAIL_MAIL, django_capture_on_commit_callbacks(execute=True):
        answer = reply_from_staff(first.thread, staff)

    assert answer.notices.get().status == "failed"
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
    with FAIL_MAIL:
        run()
    assert OutboxMessage.objects.get().status == "failed"

    run()

    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get().status == "sent"


def test_the_staff_digest_waits_for_the_command(
    owner, employer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_from_contact(owner, employer)

    assert mail.outbox == []
    assert OutboxMessage.objects.get().status == "pending"


def test_a_failed_sms_is_retried_without_sending_the_email_again(answer, sms_outbox):
    from trekkportal.sms import SmsError

    with mock.patch("trekkportal.sms.send_sms", side_effect=SmsError("Twilio nede")):
        run()
    assert answer.notices.get(channel="sms").status == "failed"
    assert sms_outbox == []

    run()

    assert len(sms_outbox) == 1
    assert len(contact_mail()) == 1
