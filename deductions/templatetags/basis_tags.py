"""The rows of the two basis pages, rendered in Python (as the list form's rows are, see
`list_tags`): a page shows up to 100 lines, and a template variable costs several times a plain
escaped f-string; the rows were most of «Vis kun endringer» (docs/performance.md, figure 3)."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

from deductions.money import kr

register = template.Library()

DASH = "–"


def _who(line):
    return (
        f'<th scope="row">{escape(line.name)}</th>'
        f'<td class="font-monospace">{escape(line.national_id)}</td>'
        f"<td>{escape(line.member_number)}</td>"
        f"<td>{escape(line.employee_number or DASH)}</td>"
    )


@register.simple_tag
def change_rows(lines, basis):
    """«Vis kun endringer»: who, what changed, and what is deducted from this month."""
    rows = []
    for line in lines:
        changes = escape(", ".join(line.change_descriptions()))
        items = "<br>".join(escape(item) for item in line.items(basis)) or "Skal ikke trekkes"
        rows.append(f"<tr>{_who(line)}<td>{changes}</td><td>{items}</td></tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 (every value passed through escape)


def _amount(flag, amount):
    return f'<td class="num">{kr(amount) if flag else DASH}</td>'


@register.simple_tag
def full_rows(lines, basis):
    """«Vis hele trekkgrunnlaget»: who, the dues rate, and the fixed amounts."""
    rows = []
    for line in lines:
        dues = escape(basis.dues_percent_text) if line.dues else "Lærling"
        rows.append(
            f"<tr>{_who(line)}<td>{dues}</td>"
            f"{_amount(line.home_insurance, line.home_insurance_amount)}"
            f"{_amount(line.travel_insurance, line.travel_insurance_amount)}"
            f"{_amount(line.apprentice_amount, line.apprentice_amount)}"
            f'<td class="num">{kr(line.fixed_total)}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (every value passed through escape)
