from django import template

from messaging.models import Message
from messaging.unread import unread_count, unread_phrase

register = template.Library()

LATEST_COUNT = 5


@register.inclusion_tag("messaging/_latest.html", takes_context=True)
def latest_messages(context):
    """The front page's "Siste meldinger" box for the logged-in user."""
    request = context["request"]
    latest = list(Message.objects.latest_for(request.user, LATEST_COUNT))
    for message in latest:
        message.unread = message.is_unread_for(request.user)
    return {
        "request": request,
        "user": request.user,
        "unread_phrase": unread_phrase(unread_count(request)),
        "latest": latest,
    }


@register.filter
def unread_messages_phrase(count):
    """1 -> "1 ulest melding", 2 -> "2 uleste meldinger"."""
    return unread_phrase(count)
