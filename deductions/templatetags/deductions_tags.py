from django import template

from deductions.models import Basis
from deductions.models.lists import MonthLists
from deductions.models.payments import with_paid_total

register = template.Library()

FRONT_PAGE_MONTHS = 12


@register.inclusion_tag("deductions/_month_table.html", takes_context=True)
def month_table(context):
    """The front page's month table for the active role's employer: the last 12 months."""
    employer = context["request"].role.employer
    months = list(
        with_paid_total(Basis.objects.published())
        .for_employer(employer)
        .select_related("employer")
        .order_by("-period")[: FRONT_PAGE_MONTHS + 1]
    )
    return {
        "employer": employer,
        "months": MonthLists.attach(months[:FRONT_PAGE_MONTHS]),
        "has_older": len(months) > FRONT_PAGE_MONTHS,
    }
