from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
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


PERIOD_LINKS = ["basis_changes", "basis_full", "list_new", "list_upload"]
SLUG = "2000-01"  # stands in for the period in each link, reversed once per page
# `data-label`: the column's name above each cell when the table is one card per month on a
# phone (`table-stack` in trekkportal.css).
MONTH_ROW = (
    '<tr><th scope="row">{label}</th>'
    '<td data-label="Status">{status}'
    '<div class="small" data-testid="payment-status">{payment}</div></td>'
    '<td data-label="Trekkgrunnlag"><a href="{basis_changes}">Vis kun endringer</a> '
    '<span class="text-body-secondary">({change_count}'
    '<span class="visually-hidden"> {change_noun}</span>)</span><br>'
    '<a href="{basis_full}">Vis hele trekkgrunnlaget</a></td>'
    '<td data-label="KID"><span class="font-monospace">{kid}</span></td>'
    '<td data-label="Trekklisteinnlevering"><a href="{list_new}">{register_label}</a><br>'
    '<a href="{list_upload}" class="small">Last opp fil</a></td>'
    '<td data-label="Trekklistearkiv" data-testid="list-archive">{archive}</td></tr>'
)
NOT_PAID = mark_safe('<span class="text-body-secondary">Ikke betalt</span>')
PAID_WITH_DIFFERENCE = (
    'Betalt kr {}<br><span class="text-danger">Avvik mot trekkliste: kr {}</span>'
)


@register.simple_tag
def month_rows(months):
    """One `<tr>` per month: status and payment, the basis links, KID, the list cells.

    In Python, not a template: a template doing the same rows was 32-36 % of the time of
    /trekk/maneder/ (24 months; 17-22 % of the front page's 12), twice the time of this (5.3-6.4
    ms against 2.6-3.2 ms), chiefly through its five `{% url %}` a row where this reverses each
    link once a page (`bench/rendering.py`; docs/performance.md, «Templates or Python strings»).
    """
    links = {name: reverse(f"deductions:{name}", args=[SLUG]) for name in PERIOD_LINKS}
    return format_html_join("\n", MONTH_ROW, (_month_row(basis, links) for basis in months))


def _month_row(basis, links):
    slug, lists = basis.period.slug, basis.month_lists
    archive = (
        (reverse("deductions:list_detail", args=[item.public_id]), item.archive_label)
        for item in lists.delivered
    )
    return {
        **{name: link.replace(SLUG, slug) for name, link in links.items()},
        "label": basis.period.table_label,
        "status": basis.delivery_status,
        "payment": _payment_status(basis),
        "change_count": basis.change_count,
        "change_noun": "endring" if basis.change_count == 1 else "endringer",
        "kid": basis.kid,
        "register_label": lists.register_label,
        "archive": format_html_join(mark_safe("<br>"), '<a href="{}">{}</a>', archive),
    }


def _payment_status(basis):
    """Beside Levert / Ikke levert: what is paid, and any difference against the lists."""
    if getattr(basis, "paid_total", None) is None:
        return NOT_PAID
    if basis.payment_difference:
        return format_html(
            PAID_WITH_DIFFERENCE,
            money.kr(basis.paid_total),
            money.kr(basis.payment_difference),
        )
    return format_html("Betalt kr {}", money.kr(basis.paid_total))
