"""What the phone and accessibility tests look at: a contact's months with a delivered list, a
draft and an answered thread, and the addresses of the pages a contact and staff use."""

from django.test import Client
from django.urls import reverse

from accounts.middleware import ROLE_SESSION_KEY
from accounts.models import Role
from tests.deductions.basis_data import FEB, JAN, two_published_months
from tests.deductions.lists.conftest import deliver, form_data, start_list
from tests.messaging.conftest import reply_from_staff, send_from_contact

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def assert_no_sideways_scroll(page):
    """The page is no wider than the window: nothing hides to the right."""
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide in a {width} px window"


def _contact_client(user, employer):
    client = Client()
    client.force_login(user)
    session = client.session
    session[ROLE_SESSION_KEY] = Role.objects.get(user=user, employer=employer).pk
    session.save()
    return client


def delivered_january(owner, employer):
    """Two published months; January's list delivered, as Kari would through the pages."""
    two_published_months(employer)
    client = _contact_client(owner, employer)
    january = start_list(client, JAN)
    client.post(reverse("deductions:list_edit", args=[january.public_id]), form_data(january))
    deliver(client, january)
    return client, january


def contact_and_staff_pages(owner, employer, staff):
    """January delivered, February saved as a draft, one answered thread: the pages' URLs, the
    contact's first and the staff's (names starting with `staff_`) after."""
    client, january = delivered_january(owner, employer)
    february = start_list(client, FEB)
    client.post(reverse("deductions:list_edit", args=[february.public_id]), form_data(february))
    thread = send_from_contact(owner, employer, subject="Medlem sluttet i februar").thread
    reply_from_staff(thread, staff)
    return {
        "front": reverse("home"),
        "months": reverse("deductions:month_list"),
        "basis_changes": reverse("deductions:basis_changes", args=[FEB.slug]),
        "basis_full": reverse("deductions:basis_full", args=[FEB.slug]),
        "list_form": reverse("deductions:list_edit", args=[february.public_id]),
        "list_confirm": reverse("deductions:list_confirm", args=[february.public_id]),
        "list_detail": reverse("deductions:list_detail", args=[january.public_id]),
        "list_locked": reverse("deductions:list_edit", args=[january.public_id]),
        "list_upload": reverse("deductions:list_upload", args=[FEB.slug]),
        "inbox": reverse("messaging:inbox"),
        "thread": reverse("messaging:thread", args=[thread.public_id]),
        "new_message": reverse("messaging:new"),
        "password_change": reverse("accounts:password_change"),
        "invite_colleague": reverse("accounts:invite_colleague"),
        "give_up_role": reverse("accounts:give_up_role"),
        "two_factor": reverse("two_factor:profile"),
        "user_guide": reverse("user_guide"),
        "not_found": "/finnes-ikke/",
        "staff_overview": reverse("deductions:staff_overview", args=[FEB.slug]),
        "staff_inbox": reverse("messaging:staff_inbox"),
        "staff_thread": reverse("messaging:staff_thread", args=[thread.public_id]),
        "staff_new_message": reverse("messaging:staff_new"),
    }
