"""The rows of the list form, built in Python with `format_html` (every value escaped), and the
`kr` filter of the list pages. Why not a template: see `line_row`."""

from functools import lru_cache

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from deductions.lists.forms import REASON_CHOICES

register = template.Library()


def _input(name, label, attributes):
    """The format of one input cell: `{prefix}`, `{label}` (the row's), `{<name>}` (the value)
    and `{<name>_css}` (" is-invalid") are filled, and escaped, by `format_html` per row."""
    return (
        f'<td><label class="visually-hidden" for="{{prefix}}-{name}">{label}, {{label}}</label>'
        f'<input id="{{prefix}}-{name}" name="{{prefix}}-{name}" value="{{{name}}}" '
        f'class="form-control form-control-sm{{{name}_css}}"{attributes}></td>'
    )


# One format per row, so each value is escaped once however often the row repeats it: a
# `format_html` per cell escaped the row's label six times and was five times slower.
CELLS = (
    _input("dues", "Kontingent", ' inputmode="decimal" size="8" data-amount')
    + _input("home", "Innboforsikring", ' inputmode="decimal" size="7" data-amount')
    + _input("travel", "Reiseforsikring", ' inputmode="decimal" size="7" data-amount')
    + '<td class="num" data-line-total>{total}</td>'
    '<td><label class="visually-hidden" for="{prefix}-reason">Ikke trukket, årsak, {label}'
    '</label><select id="{prefix}-reason" name="{prefix}-reason" '
    'class="form-select form-select-sm{reason_css}" data-reason>{options}</select></td>'
    + _input("comment", "Kommentar", ' maxlength="500"')
    + "</tr>"
)
LINE_ROW = (
    '<tr data-line{danger}><th scope="row">{name}{added}</th>'
    '<td class="font-monospace">{national_id}</td>' + CELLS
)
NEW_ROW = (
    "<tr data-line{danger}>"
    + _input("name", "Navn", ' maxlength="200"')
    + _input("national_id", "Fødselsnummer", ' inputmode="numeric" maxlength="13"')
    + CELLS
)
ADDED = (
    ' <span class="badge text-bg-secondary">lagt til</span>'
    '<label class="small fw-normal d-block"><input type="checkbox" name="{prefix}-remove"> Fjern'
    '<span class="visually-hidden"> {label}</span></label>'
)
ERRORS = (
    '<tr class="table-danger"><td colspan="8" class="small text-danger" role="alert">{}</td></tr>'
)
INVALID = mark_safe(" is-invalid")
TEXT_END, TEXT_END_INVALID = mark_safe(" text-end"), mark_safe(" text-end is-invalid")
DANGER = mark_safe(' class="table-danger"')


@lru_cache(maxsize=16)
def reason_options(selected):
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if value == selected else "", label)
            for value, label in REASON_CHOICES
        ),
    )


@register.simple_tag
def line_row(row, new=False):
    """One `<tr>` of the form (and a second one naming its errors).

    In Python, not a template: the form of the largest employer has 5,000 lines and 25,000
    inputs, and a template doing the same rows was 88-91 % of the page's time (rows of 2,000
    lines: 387-420 ms by template, 93-101 ms here; `bench/rendering.py`, docs/performance.md,
    «Templates or Python strings»). The large-employer issue (10) needs this page quick.
    """
    errors, values = row.errors, row.values
    fields = {
        "danger": DANGER if errors else "",
        "prefix": row.prefix,
        "label": row.label,
        "dues": values.get("dues", ""),
        "dues_css": TEXT_END_INVALID if "dues" in errors else TEXT_END,
        "home": values.get("home", ""),
        "home_css": TEXT_END_INVALID if "home" in errors else TEXT_END,
        "travel": values.get("travel", ""),
        "travel_css": TEXT_END_INVALID if "travel" in errors else TEXT_END,
        "reason_css": INVALID if "reason" in errors else "",
        "options": reason_options(values.get("reason", "")),
        "comment": values.get("comment", ""),
        "comment_css": INVALID if "comment" in errors else "",
    }
    if new:
        html = format_html(
            NEW_ROW,
            name=values.get("name", ""),
            name_css=INVALID if "name" in errors else "",
            national_id=values.get("national_id", ""),
            national_id_css=INVALID if "national_id" in errors else "",
            total="",
            **fields,
        )
    else:
        line = row.line
        added = format_html(ADDED, prefix=row.prefix, label=row.label) if line.is_added else ""
        total = number_format(line.total, decimal_pos=2, use_l10n=True, force_grouping=True)
        html = format_html(
            LINE_ROW,
            name=line.name,
            added=added,
            national_id=line.national_id,
            total=total,
            **fields,
        )
    if errors:
        html += format_html(ERRORS, " ".join(str(message) for message in errors.values()))
    return html


@register.filter
def kr(amount):
    """`1 234,50` (Norwegian grouping with a no-break space): a plain format, several times
    faster than `floatformat` on the 10,000 amounts of a 2,000-line list."""
    return f"{amount:,.2f}".replace(",", "\u00a0").replace(".", ",")
