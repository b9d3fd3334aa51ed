"""Sending one templated e-mail (subject, text and HTML from one template set).

Same signature as the project-wide helper planned for trekkportal/mail.py; when that lands,
messaging can import it from there instead and this module goes.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_mail(template_prefix, context, to, reply_to=None, connection=None):
    """Render <prefix>_subject.txt, <prefix>_body.txt and <prefix>_body.html and send them."""
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    text = render_to_string(f"{template_prefix}_body.txt", context)
    html = render_to_string(f"{template_prefix}_body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        reply_to=list(reply_to) if reply_to else [settings.UNION_REPLY_TO],
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return message
