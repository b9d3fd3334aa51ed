"""The list form's autosave status line, with what its script needs to know (list_autosave.js):
where to save, how soon, and where to log in again if the session has ended."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

from accounts.middleware import login_url

register = template.Library()


@register.inclusion_tag("deductions/lists/_autosave_status.html")
def autosave_status(deduction_list):
    draft = reverse("deductions:list_edit", args=[deduction_list.public_id])
    return {
        "list_id": str(deduction_list.public_id),
        "save_url": reverse("deductions:list_autosave", args=[deduction_list.public_id]),
        "keep_alive_url": reverse("accounts:keep_alive"),
        "login_url": f"{login_url()}?{urlencode({'next': draft})}",
        "delay_ms": int(settings.LIST_AUTOSAVE_DELAY * 1000),
        "max_delay_ms": int(settings.LIST_AUTOSAVE_MAX_DELAY * 1000),
        "keep_alive_ms": int(settings.LIST_KEEP_ALIVE_INTERVAL * 1000),
    }
