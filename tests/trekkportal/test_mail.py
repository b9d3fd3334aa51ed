from django.core import mail

from accounts.models import User
from trekkportal.mail import send_templated_mail


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
