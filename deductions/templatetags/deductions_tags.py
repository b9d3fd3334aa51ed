from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from deductions import money
from deductions.models import Basis
from deductions.models.lists import MonthLists
from deductions.models.payments import with_paid_total

register = template.Library()
register.filter("kr", money.kr)  # `{{ amount|kr }}`: 1 234,50

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


# The month rows are built in Python, as the basis rows are (`basis_tags`): the front page's
# twelve rows through two includes and five {% url %} tags each were over half of its time.
PERIOD_LINKS = ["basis_changes", "basis_full", "list_new", "list_upload"]
SLUG = "2000-01"  # stands in for the period in each link, reversed once per page


@register.simple_tag
def month_rows(months):
    """One `<tr>` per month: status and payment, the basis links, KID, the list cells."""
    links = {name: reverse(f"deductions:{name}", args=[SLUG]) for name in PERIOD_LINKS}
    rows = []
    for basis in months:
        slug = basis.period.slug
        url = {name: escape(link.replace(SLUG, slug)) for name, link in links.items()}
        lists = basis.month_lists
        archive = "<br>".join(
            f'<a href="{escape(reverse("deductions:list_detail", args=[item.public_id]))}">'
            f"{escape(item.archive_label)}</a>"
            for item in lists.delivered
        )
        rows.append(
            f'<tr><th scope="row">{escape(basis.period.table_label)}</th>'
            f"<td>{escape(basis.delivery_status)}{_payment_status(basis)}</td>"
            f'<td><a href="{url["basis_changes"]}">Vis kun endringer</a> '
            f'<span class="text-body-secondary">({basis.change_count}'
            f'<span class="visually-hidden"> endringer</span>)</span><br>'
            f'<a href="{url["basis_full"]}">Vis hele trekkgrunnlaget</a></td>'
            f'<td><span class="font-monospace">{escape(basis.kid)}</span></td>'
            f'<td><a href="{url["list_new"]}">{escape(lists.register_label)}</a><br>'
            f'<a href="{url["list_upload"]}" class="small">Last opp fil</a></td>'
            f'<td data-testid="list-archive">{archive}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (every value passed through escape)


def _payment_status(basis):
    """Beside Levert / Ikke levert: what is paid, and any difference against the lists."""
    if getattr(basis, "paid_total", None) is None:
        status = '<span class="text-body-secondary">Ikke betalt</span>'
    else:
        status = f"Betalt kr {money.kr(basis.paid_total)}"
        if basis.payment_difference:
            status += (
                '<br><span class="text-danger">Avvik mot trekkliste: '
                f"kr {money.kr(basis.payment_difference)}</span>"
            )
    return f'<div class="small" data-testid="payment-status">{status}</div>'
