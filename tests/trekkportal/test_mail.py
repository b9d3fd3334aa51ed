import email
from email import policy

import pytest
from django.core import mail
from django.core.mail import BadHeaderError

from accounts.models import User
from trekkportal.mail import MailRun, render_templated_mail, send_templated_mail


def test_templated_mail_has_subject_text_and_html_with_union_defaults(settings):
    settings.UNION_REPLY_TO = "trekk@forbund.example"
    user = User(username="10000001", full_name="Kari & <Ola>")
    send_templated_mail("accounts/email/password_changed", {"user": user}, "kari@example.com")
    message = mail.outbox[0]
    assert message.subject == "Passordet ditt i Trekkportalen er endret"
    assert message.to == ["kari@example.com"]
    assert message.reply_to == ["trekk@forbund.example"]
    assert "Hei Kari & <Ola>," in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Hei Kari &amp; &lt;Ola&gt;," in html
    assert "trekk@forbund.example" in html


def test_templated_mail_takes_a_list_and_its_own_reply_to():
    user = User(username="10000001", full_name="Kari")
    send_templated_mail(
        "accounts/email/password_changed",
        {"user": user},
        ["a@example.com", "b@example.com"],
        reply_to=["svar@example.com"],
    )
    assert mail.outbox[0].to == ["a@example.com", "b@example.com"]
    assert mail.outbox[0].reply_to == ["svar@example.com"]


def parse(data):
    return email.message_from_bytes(data, policy=policy.default)


def rendered():
    return render_templated_mail(
        "accounts/email/password_changed", {"user": User(username="1", full_name="Kåre Ås")}
    )


def test_copy_for_one_recipient_is_what_djangos_smtp_backend_would_send():
    mail = rendered()
    copy = parse(mail.as_bytes("kari@example.com"))
    django = parse(mail.to("kari@example.com").message().as_bytes(linesep="\r\n"))

    def same_for_every_message(message):
        return sorted((k, v) for k, v in message.items() if k not in {"Date", "Message-ID"})

    assert copy.get_content_type() == django.get_content_type() == "multipart/alternative"
    assert same_for_every_message(copy) != []
    copy.set_boundary("x")
    django.set_boundary("x")
    assert same_for_every_message(copy) == same_for_every_message(django)
    assert copy["To"] == "kari@example.com"
    assert "Hei Kåre Ås," in copy.get_body(("plain",)).get_content()
    assert [part.as_bytes() for part in copy.iter_parts()] == [
        part.as_bytes() for part in django.iter_parts()
    ]


def test_every_copy_has_its_own_recipient_date_and_message_id():
    mail = rendered()
    first, second = parse(mail.as_bytes("a@example.com")), parse(mail.as_bytes("b@example.com"))
    assert (first["To"], second["To"]) == ("a@example.com", "b@example.com")
    assert first["Message-ID"] != second["Message-ID"]
    assert first["Date"] and second["Date"]


def test_copy_has_smtp_line_endings_only():
    data = rendered().as_bytes("a@example.com")
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_non_ascii_recipient_is_encoded_as_django_does():
    mail = rendered()
    copy = parse(mail.as_bytes("ola@bøler.no"))
    assert copy["To"] == mail.to("ola@bøler.no").message()["To"] == "ola@xn--bler-gra.no"


def test_recipient_with_a_line_break_is_refused():
    with pytest.raises(BadHeaderError):
        rendered().as_bytes("a@example.com\r\nBcc: b@example.com")


def test_mail_run_hands_other_backends_the_message():
    with MailRun() as run:
        assert run.send(rendered(), "kari@example.com") is None
    [message] = mail.outbox
    assert message.to == ["kari@example.com"]
    assert message.subject == "Passordet ditt i Trekkportalen er endret"
