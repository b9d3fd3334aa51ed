"""Sending e-mail from a subject/text/html template set.

A message named ``accounts/email/password_reset`` is three templates:
``..._subject.txt``, ``....txt`` and ``....html``. Text templates are wrapped in
``{% autoescape off %}`` (as Django's own mail templates are); the HTML part is escaped.
Every template also sees ``site_url``, ``union_name`` and ``union_email``.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_mail(template_prefix, context, to, reply_to=None, connection=None):
    """Render and send one message; `to` is an address or a list of them.

    Replies go to the union's address unless `reply_to` names others.
    """
    context = {
        "site_url": settings.SITE_URL,
        "union_name": settings.UNION_NAME,
        "union_email": settings.UNION_REPLY_TO,
        **context,
    }
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template_prefix}.txt", context),
        to=[to] if isinstance(to, str) else list(to),
        reply_to=[settings.UNION_REPLY_TO] if reply_to is None else list(reply_to),
        connection=connection,
    )
    message.attach_alternative(render_to_string(f"{template_prefix}.html", context), "text/html")
    message.send()
    return message
