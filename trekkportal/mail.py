"""Sending e-mail from a subject/text/html template set.

A message named ``accounts/email/password_reset`` is three templates:
``..._subject.txt``, ``....txt`` and ``....html``. Text templates are wrapped in
``{% autoescape off %}`` (as Django's own mail templates are); the HTML part is escaped.
Every template also sees ``site_url``, ``union_name`` and ``union_email``.

The cycle's mail goes to thousands of contacts in one run: `render_templated_mail` renders a
message once, and `MailRun` sends it over one connection as one copy per recipient.
"""

import smtplib
from dataclasses import dataclass
from email.policy import compat32
from email.utils import formatdate

from django.conf import settings
from django.core.mail import (
    DNS_NAME,
    EmailMultiAlternatives,
    forbid_multi_line_headers,
    get_connection,
    make_msgid,
)
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.utils.functional import cached_property

# How Django's SMTP backend flattens a message: `as_bytes(linesep="\r\n")`, compat32 folding.
SMTP_POLICY = compat32.clone(linesep="\r\n")


def send_templated_mail(template_prefix, context, to, reply_to=None, connection=None):
    """Render and send one message; `to` is an address or a list of them.

    Replies go to the union's address unless `reply_to` names others.
    """
    rendered = render_templated_mail(template_prefix, context, reply_to)
    message = rendered.message([to] if isinstance(to, str) else list(to), connection)
    message.send()
    return message


def render_templated_mail(template_prefix, context, reply_to=None):
    """The template set rendered once, as a RenderedMail; replies go to the union's address
    unless `reply_to` names others."""
    context = {
        "site_url": settings.SITE_URL,
        "union_name": settings.UNION_NAME,
        "union_email": settings.UNION_REPLY_TO,
        **context,
    }
    return RenderedMail(
        subject=" ".join(render_to_string(f"{template_prefix}_subject.txt", context).split()),
        text=render_to_string(f"{template_prefix}.txt", context),
        html=render_to_string(f"{template_prefix}.html", context),
        reply_to=tuple([settings.UNION_REPLY_TO] if reply_to is None else reply_to),
    )


@dataclass(frozen=True)
class RenderedMail:
    """A message rendered once, for one recipient or for many (a copy each)."""

    subject: str
    text: str
    html: str
    reply_to: tuple = ()

    def message(self, to, connection=None):
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text,
            to=to,
            reply_to=list(self.reply_to),
            connection=connection,
        )
        message.attach_alternative(self.html, "text/html")
        return message

    def to(self, address, connection=None):
        """The message to one recipient."""
        return self.message([address], connection)

    def as_bytes(self, address):
        """The copy for `address` as Django's SMTP backend would send it, without building it:
        the MIME is built and flattened once (`_common`), a copy adds its own To, Date and
        Message-ID. (Building, flattening and sanitizing every copy the way Django's backend
        does cost 1.4 ms a message, about as much as the SMTP exchange itself.)"""
        head, body = self._common
        own = [
            ("To", address),
            ("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
            ("Message-ID", make_msgid(domain=DNS_NAME)),
        ]
        charset = settings.DEFAULT_CHARSET
        lines = [SMTP_POLICY.fold_binary(*forbid_multi_line_headers(*h, charset)) for h in own]
        return b"".join([head, *lines, body])

    @cached_property
    def _common(self):
        """The headers, and the blank line and body, that every copy shares, flattened as
        Django's SMTP backend flattens a message."""
        mime = self.message([]).message()
        del mime["Date"]
        del mime["Message-ID"]
        head, body = mime.as_bytes(linesep="\r\n").split(b"\r\n\r\n", 1)
        return head + b"\r\n", b"\r\n" + body


@dataclass(frozen=True)
class SendFailure:
    """Why a copy was not sent. Permanent when the server refused the recipient or the message
    with a 5xx reply: sent again unchanged it would be refused again. Anything else (a 4xx
    reply, a timeout, no connection, a refused sender or login, which are the server's
    configuration and not this mail's) is temporary."""

    text: str
    permanent: bool = False

    def __str__(self):
        return self.text

    @classmethod
    def from_exception(cls, exception):
        text = f"{type(exception).__name__}: {exception}"
        if isinstance(exception, smtplib.SMTPRecipientsRefused):
            codes = [code for code, _ in exception.recipients.values()]
            return cls(text, permanent=bool(codes) and all(code >= 500 for code in codes))
        if isinstance(exception, smtplib.SMTPDataError):
            return cls(text, permanent=exception.smtp_code >= 500)
        return cls(text)


class MailRun:
    """One connection to the mail server (the configured backend) for a run of many messages,
    opened with the first message (a run with nothing to mail connects to nothing) and closed
    on leaving.

    Over SMTP a copy goes to smtplib as `RenderedMail.as_bytes`, what Django's backend would
    have sent; other backends (console, locmem) get the EmailMessage.
    """

    def __init__(self):
        self.backend = get_connection()
        self.charset = settings.DEFAULT_CHARSET
        self.sender = sanitize_address(settings.DEFAULT_FROM_EMAIL, self.charset)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.backend.close()

    def send(self, mail, address):
        """None when the server took the copy of `mail` for `address`, else a SendFailure (and
        the connection is closed, to be opened afresh for the next).

        Every wait on the server is bounded by EMAIL_TIMEOUT (Django's backend gives it to
        smtplib, whose socket then times out on the connect and on each command), so a hung
        server costs a run at most that much per mail."""
        try:
            if isinstance(self.backend, SmtpBackend):
                self._send_smtp(mail, address)
                return None
            if self.backend.send_messages([mail.to(address)]) == 1:
                return None
            failure = SendFailure(
                "Meldingen ble ikke sendt (ingen forbindelse til e-posttjeneren)."
            )
        except (smtplib.SMTPException, OSError) as exception:
            failure = SendFailure.from_exception(exception)
        self.backend.close()
        return failure

    def _send_smtp(self, mail, address):
        if self.backend.connection is None:
            self.backend.open()
        # Django's backend sanitizes every envelope address; a plain ASCII one stays as it is.
        recipient = address if address.isascii() else sanitize_address(address, self.charset)
        self.backend.connection.sendmail(self.sender, [recipient], mail.as_bytes(address))
