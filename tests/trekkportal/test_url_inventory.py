"""Every URL in the portal is accounted for: public, the user's own, staff only, or scoped to
the active role's employer and walked by an outsider. A new URL fails here until it is placed."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.deductions.lists.test_list_outsiders import LIST_URLS, PERIOD_URLS
from tests.deductions.test_basis_outsiders import URLS as BASIS_URLS

pytestmark = pytest.mark.django_db

PUBLIC = {
    "user_guide",
    "two_factor:login",
    "accounts:password_reset",
    "accounts:password_reset_sent",
    "accounts:password_reset_confirm",
    "accounts:password_reset_link",
}
# The logged-in user's own account: nothing of any employer in them.
OWN_ACCOUNT = {
    "home",
    "logout",
    "accounts:after_login",
    "accounts:choose_role",
    "accounts:no_role",
    "accounts:keep_alive",
    "accounts:password_change",
    "accounts:password_change_done",
    "two_factor:profile",
    "two_factor:setup",
    "two_factor:qr",
    "two_factor:setup_complete",
    "two_factor:backup_tokens",
    "two_factor:disable",
    "two_factor:phone_create",
    "two_factor:phone_delete",
    "deductions:month_list",
    "messaging:inbox",
    "messaging:new",
    # The active role's own: no employer in the address, only `request.role` is acted on
    # (tests/accounts/test_give_up_role.py, test_invite_colleague.py).
    "accounts:invite_colleague",
    "accounts:give_up_role",
}
# Messages belong to users: tests/messaging/test_thread.py and test_attachment_download.py
# walk these as someone who is neither sender nor recipient.
USER_SCOPED = {"messaging:thread", "messaging:attachment"}
EMPLOYER_SCOPED = {name for name, _ in BASIS_URLS + PERIOD_URLS} | {
    f"deductions:{name}" for name in LIST_URLS
}
STAFF = {
    "deductions:staff_overview_current": [],
    "deductions:staff_overview": ["2021-02"],
    "deductions:staff_overview_csv": ["2021-02"],
    "deductions:staff_month_changes_csv": ["2021-02"],
    "deductions:old_list_overview": [],
    "deductions:old_list_overview_month": ["2021-02"],
    "messaging:staff_inbox": [],
    "messaging:staff_new": [],
    "messaging:staff_thread": [uuid.uuid4()],
    "messaging:staff_mark_handled": [uuid.uuid4()],
}


def url_names(resolver=None, namespace=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from url_names(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_is_placed_in_exactly_one_group():
    groups = [PUBLIC, OWN_ACCOUNT, USER_SCOPED, EMPLOYER_SCOPED, set(STAFF)]
    names = set(url_names())
    unplaced = {name for name in names if not any(name in group for group in groups)}
    assert unplaced == set()
    placed_twice = {name for name in names if sum(name in group for group in groups) > 1}
    assert placed_twice == set()


@pytest.mark.parametrize(("name", "args"), STAFF.items())
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_payroll_contact_gets_404_on_every_staff_url(owner_client, name, args, method):
    response = getattr(owner_client, method)(reverse(name, args=args))
    assert response.status_code == 404
