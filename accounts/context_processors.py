from django.conf import settings


def portal(request):
    """What the base layout needs on every page: the union and the user's roles."""
    context = {"union_name": settings.UNION_NAME, "union_email": settings.UNION_REPLY_TO}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["active_role"] = getattr(request, "role", None)
        context["user_roles"] = getattr(request, "user_roles", None) or _LazyRoles(user)
    return context


class _LazyRoles:
    """The user's roles, fetched once and only when a template asks."""

    def __init__(self, user):
        self.user = user
        self._roles = None

    def _load(self):
        if self._roles is None:
            from accounts.models import Role

            self._roles = list(Role.objects.for_user(self.user))
        return self._roles

    def __iter__(self):
        return iter(self._load())

    def __len__(self):
        return len(self._load())

    def __bool__(self):
        return bool(self._load())
