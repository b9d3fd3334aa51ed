"""The rows of the two basis pages, built in Python with `format_html` (every value escaped).

Not a template: a page shows 100 lines, and a template doing the same rows was 22-30 % of the
page's time (3.9-5.7 ms against 2.3-3.0 ms here; `bench/rendering.py`, docs/performance.md,
«Templates or Python strings»). One format per row, so each value is escaped once.
"""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from deductions.money import kr

register = template.Library()

DASH = "–"
BR = mark_safe("<br>")
# `data-label`: the column's name above each cell when a row is a block of its own on a phone
# (`table-stack` in trekkportal.css).
WHO = (
    '<tr><th scope="row">{name}</th>'
    '<td data-label="Fødselsnummer" class="font-monospace">{national_id}</td>'
    '<td data-label="Medlemsnr.">{member_number}</td>'
    '<td data-label="Ansattnr.">{employee_number}</td>'
)
CHANGE_ROW = (
    WHO + '<td data-label="Endring">{changes}</td>'
    '<td data-label="Trekkes fra denne måneden">{items}</td></tr>'
)
FULL_ROW = (
    WHO + '<td data-label="Kontingent">{dues}</td>'
    '<td data-label="Innboforsikring" class="num">{home}</td>'
    '<td data-label="Reiseforsikring" class="num">{travel}</td>'
    '<td data-label="Lærling" class="num">{apprentice}</td>'
    '<td data-label="Sum faste beløp" class="num">{total}</td></tr>'
)


def _who(line):
    return {
        "name": line.name,
        "national_id": line.national_id,
        "member_number": line.member_number,
        "employee_number": line.employee_number or DASH,
    }


@register.simple_tag
def change_rows(lines, basis):
    """«Vis kun endringer»: who, what changed, and what is deducted from this month."""
    return format_html_join(
        "\n",
        CHANGE_ROW,
        (
            {
                **_who(line),
                "changes": ", ".join(line.change_descriptions()),
                "items": format_html_join(BR, "{}", ((item,) for item in line.items(basis)))
                or "Skal ikke trekkes",
            }
            for line in lines
        ),
    )


def _amount(flag, amount):
    return kr(amount) if flag else DASH


@register.simple_tag
def full_rows(lines, basis):
    """«Vis hele trekkgrunnlaget»: who, the dues rate, and the fixed amounts."""
    return format_html_join(
        "\n",
        FULL_ROW,
        (
            {
                **_who(line),
                "dues": basis.dues_percent_text if line.dues else "Lærling",
                "home": _amount(line.home_insurance, line.home_insurance_amount),
                "travel": _amount(line.travel_insurance, line.travel_insurance_amount),
                "apprentice": _amount(line.apprentice_amount, line.apprentice_amount),
                "total": kr(line.fixed_total),
            }
            for line in lines
        ),
    )
