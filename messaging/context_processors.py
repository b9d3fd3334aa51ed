from django.utils.functional import SimpleLazyObject, lazy

from messaging.unread import staff_unread_count, unread_count, unread_noun


def unread_messages(request):
    """The number of unread messages for the header, counted only if the page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = SimpleLazyObject(lambda: unread_count(request))
    context = {
        "unread_count": count,
        "unread_noun": lazy(lambda: unread_noun(unread_count(request)), str)(),
    }
    if user.is_staff:
        context["staff_unread_count"] = SimpleLazyObject(lambda: staff_unread_count(request))
        context["staff_unread_noun"] = lazy(lambda: unread_noun(staff_unread_count(request)), str)()
    return context
