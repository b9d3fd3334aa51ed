"""The user's unread count, counted once per request, and its Norwegian wording."""

from messaging.models import Message

_CACHE_ATTRIBUTE = "_messaging_unread_count"
_STAFF_CACHE_ATTRIBUTE = "_messaging_staff_unread_count"


def unread_count(request):
    if not hasattr(request, _CACHE_ATTRIBUTE):
        setattr(request, _CACHE_ATTRIBUTE, Message.objects.unread_for(request.user).count())
    return getattr(request, _CACHE_ATTRIBUTE)


def staff_unread_count(request):
    """Messages to the union that no one in staff has read: one count, whatever the number."""
    if not hasattr(request, _STAFF_CACHE_ATTRIBUTE):
        setattr(request, _STAFF_CACHE_ATTRIBUTE, Message.objects.unread_for_staff().count())
    return getattr(request, _STAFF_CACHE_ATTRIBUTE)


def unread_noun(count):
    """ "ulest melding" for one, "uleste meldinger" for any other number."""
    return "ulest melding" if count == 1 else "uleste meldinger"


def unread_phrase(count):
    return f"{count} {unread_noun(count)}"
