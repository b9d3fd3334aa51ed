"""The rows of the list form, rendered in Python: the form of a 2,000-line list has 10,000
inputs. `bench/rendering.py` measured the same rows as a template at 88-91 % of the page (page
151 -> 501 ms at 2,000 lines, 344 -> 1,129 ms at 5,000), and with one `format_html` per row at
2.8 times the rows' time of the plain strings below (90 against 32 ms at 2,000 lines). So the
rows are plain strings, and every value goes through the standard library's `escape`
(tests/deductions/lists/test_list_tags.py feeds them hostile names and values)."""

from functools import lru_cache
from html import escape

from django import template
from django.utils.safestring import mark_safe

from deductions import money
from deductions.lists.forms import REASON_CHOICES

register = template.Library()

AMOUNTS = [
    ("dues", "Kontingent", 8),
    ("home", "Innboforsikring", 7),
    ("travel", "Reiseforsikring", 7),
]

MAXLENGTH_200, MAXLENGTH_500 = ' maxlength="200"', ' maxlength="500"'


@lru_cache(maxsize=16)
def reason_options(selected):
    return "".join(
        f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
        f"{escape(label)}</option>"
        for value, label in REASON_CHOICES
    )


def _input(row, name, label, attributes="", css=""):
    p, invalid = row.prefix, " is-invalid" if name in row.errors else ""
    return (
        f'<label class="visually-hidden" for="{p}-{name}">{escape(label)}, {escape(row.label)}'
        f'</label><input id="{p}-{name}" name="{p}-{name}" '
        f'value="{escape(str(row.values.get(name, "")))}" '
        f'class="form-control form-control-sm{css}{invalid}"{attributes}>'
    )


def _copied(row):
    """The mark of dues filled in from the last list (deductions.lists.fill), until changed."""
    if not row.line.copied_from_previous:
        return ""
    return ' <span class="badge text-bg-info" data-copied>kopiert fra forrige liste</span>'


def _was(row):
    """The line's values as shown, fingerprinted (`l-N-was`): a save leaves a line alone that
    its user did not change, and reports one a colleague changed meanwhile (list_save)."""
    if row.line is None:
        return ""
    was = row.was or row.line.fingerprint
    return f'<input type="hidden" name="{row.prefix}-was" value="{escape(was)}" data-was>'


@register.simple_tag
def line_row(row, new=False):
    """One `<tr>` of the form (and a second one naming its errors). Every value is escaped."""
    cells = []
    if new:
        cells.append(f'<td data-label="Navn">{_input(row, "name", "Navn", MAXLENGTH_200)}</td>')
        attributes = ' inputmode="numeric" maxlength="13"'
        national_id = _input(row, "national_id", "Fødselsnummer", attributes)
        cells.append(f'<td data-label="Fødselsnummer">{national_id}</td>')
    else:
        remove = ""
        if row.line.is_added:
            remove = (
                ' <span class="badge text-bg-secondary">lagt til</span>'
                f'<label class="small fw-normal d-block"><input type="checkbox" '
                f'name="{row.prefix}-remove"> Fjern<span class="visually-hidden"> '
                f"{escape(row.label)}</span></label>"
            )
        cells.append(f'<th scope="row">{escape(row.line.name)}{remove}{_copied(row)}</th>')
        cells.append(f'<td class="font-monospace">{escape(row.line.national_id)}</td>')
    for name, label, size in AMOUNTS:
        attributes = f' inputmode="decimal" size="{size}" data-amount'
        amount = _input(row, name, label, attributes, " text-end")
        cells.append(f'<td data-label="{label}">{amount}</td>')
    total = saved = ""
    if row.line is not None:
        total = money.kr(row.line.total)
        saved = f' data-saved="{int(row.line.total * 100)}"'  # in øre, for the list's total
    cells.append(f'<td class="num" data-label="Sum" data-line-total>{total}</td>')
    invalid = " is-invalid" if "reason" in row.errors else ""
    cells.append(
        f'<td data-label="Ikke trukket"><label class="visually-hidden" '
        f'for="{row.prefix}-reason">Ikke trukket, årsak, '
        f'{escape(row.label)}</label><select id="{row.prefix}-reason" name="{row.prefix}-reason" '
        f'class="form-select form-select-sm{invalid}" data-reason>'
        f"{reason_options(row.values.get('reason', ''))}</select></td>"
    )
    comment = _input(row, "comment", "Kommentar", MAXLENGTH_500)
    cells.append(f'<td data-label="Kommentar">{comment}{_was(row)}</td>')
    danger = ' class="table-danger" data-errors' if row.errors else ""
    html = f"<tr data-line{saved}{danger}>{''.join(cells)}</tr>"
    if row.errors:
        messages = escape(" ".join(str(message) for message in row.errors.values()))
        html += (
            '<tr class="table-danger" data-line-errors>'
            f'<td colspan="8" class="small text-danger" role="alert">{messages}</td></tr>'
        )
    return mark_safe(html)  # noqa: S308 (built above; every value passed through escape)
