"""Every employer's changes in one month, one row per member: the staff's CSV of the month.

Read as plain tuples (`BasisLine.objects.month_changes`), not model objects, and each distinct
set of change flags and of items is put into words once: a month has 6,000-8,000 changed lines
across 10,000 employers but only a few dozen distinct texts (docs/performance.md, figure 2).
"""

from deductions.models import BasisLine, wording

HEADER = [
    "Bedriftsnummer",
    "Bedrift",
    "Medlemsnr.",
    "Navn",
    "Fødselsnummer",
    "Ansattnr.",
    "Endring",
    "Trekkes nå",
]
WHO = ["employer_number", "employer_name", "member_number", "name", "national_id"]
ITEMS = [*wording.ITEM_FIELDS, "dues_percent"]


def month_change_rows(period):
    """The rows under HEADER, streamed from the database in employer and name order."""
    columns = [*WHO, "employee_number", *wording.CHANGE_FLAGS, *ITEMS]
    changes_at = len(WHO) + 1
    items_at = changes_at + len(wording.CHANGE_FLAGS)
    change_texts, item_texts = {}, {}
    rows = BasisLine.objects.month_changes(period).values_list(*columns)
    for row in rows.iterator(chunk_size=2000):
        flags, items = row[changes_at:items_at], row[items_at:]
        if flags not in change_texts:
            change_texts[flags] = _change_text(dict(zip(wording.CHANGE_FLAGS, flags, strict=True)))
        if items not in item_texts:
            item_texts[items] = _items_text(dict(zip(ITEMS, items, strict=True)))
        yield [*row[:changes_at], change_texts[flags], item_texts[items]]


def _change_text(flags):
    return ", ".join(wording.change_descriptions(flags.__getitem__))


def _items_text(values):
    listed = wording.items(values.__getitem__, wording.dues_text(values["dues_percent"]))
    return "; ".join(listed) or "Skal ikke trekkes"
