"""A month's basis as a table (either view), and that table as CSV, XLSX or PDF.

Every text cell that a spreadsheet could take for a formula gets a leading apostrophe, in CSV and
XLSX alike (`trekkportal.downloads.neutralise`).
"""

import io
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.base import ContentFile
from openpyxl import Workbook

from deductions import money
from deductions.models import Basis
from trekkportal.downloads import neutralise
from trekkportal.pdf import render_pdf

FULL, CHANGES = "grunnlag", "endringer"
VIEWS = {FULL: "Hele trekkgrunnlaget", CHANGES: "Endringer"}
FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


FULL_HEADER = [
    "Medlemsnr.",
    "Navn",
    "Fødselsnummer",
    "Ansattnr.",
    "Kategori",
    "Kontingent",
    "Innboforsikring",
    "Reiseforsikring",
    "Lærling",
    "Sum faste beløp",
]


@dataclass
class Table:
    title: str
    header: list
    rows: list
    total: list | None


def basis_table(basis, view):
    """The rows of one view of `basis`, sorted by name, with a total row for the full view."""
    if view == FULL:
        lines = basis.deducted_lines()
        header = FULL_HEADER
        rows = [_full_row(basis, line) for line in _ordered(lines)]
        total = [
            "",
            f"Sum ({basis.line_count} på trekk)",
            "",
            "",
            "",
            "",
            basis.home_insurance_total,
            basis.travel_insurance_total,
            basis.apprentice_total,
            basis.fixed_total,
        ]
    else:
        lines = basis.changes()
        header = ["Medlemsnr.", "Navn", "Fødselsnummer", "Ansattnr.", "Endring", "Trekkes nå"]
        rows = [
            [
                line.member_number,
                line.name,
                line.national_id,
                line.employee_number,
                ", ".join(line.change_descriptions()),
                "; ".join(line.items(basis)) or "Ingenting",
            ]
            for line in _ordered(lines)
        ]
        total = None
    title = f"{VIEWS[view]} {basis.period} – {basis.employer.name} ({basis.employer.number})"
    return Table(title, header, rows, total)


def _ordered(lines):
    return lines.order_by("name", "member_number").iterator(chunk_size=2000)


def _full_row(basis, line):
    return [
        line.member_number,
        line.name,
        line.national_id,
        line.employee_number,
        line.get_category_display(),
        basis.dues_text if line.dues else "",
        line.home_insurance_amount,
        line.travel_insurance_amount,
        line.apprentice_amount,
        line.fixed_total,
    ]


def csv_rows(table):
    """The rows under the header, total last, for `trekkportal.downloads.streamed_csv`: amounts
    with a decimal comma (an XLSX keeps them as numbers)."""
    for row in [*table.rows, table.total] if table.total else table.rows:
        yield [money.cell(cell) if isinstance(cell, Decimal) else cell for cell in row]


def as_xlsx(table):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(table.title))
    sheet.append([table.title])
    sheet.append(table.header)
    for row in table.rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
    if table.total:
        sheet.append([_xlsx_cell(cell) for cell in table.total])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_title(text):
    """A worksheet name Excel takes: at most 31 characters, none of []:*?/\\ and no apostrophe
    at either end. openpyxl raises on the rest, and employers are named `Astma: [AS]`."""
    title = re.sub(r"[\[\]:*?\\]", "", text.replace("/", "-"))[:31].strip(" '")
    return title or "Ark1"


def _xlsx_cell(value):
    if isinstance(value, Decimal):
        return value
    return neutralise(value)


def as_pdf(basis, view):
    """The PDF of a view: rendered once (by the task worker, `render_basis_pdfs`), then kept in
    storage (a published month is frozen)."""
    field = "full_pdf" if view == FULL else "changes_pdf"
    stored = getattr(basis, field)
    if stored:
        with stored.open("rb") as file:
            return file.read()
    table = basis_table(basis, view)
    content = render_pdf(
        "deductions/basis_pdf.html",
        {"basis": basis, "table": table, "view": view, "view_title": VIEWS[view]},
    )
    name = stored.storage.save(
        stored.field.generate_filename(basis, f"{uuid.uuid4().hex}.pdf"),
        ContentFile(content),
    )
    # Two requests may render at once: the first to record its file wins, the other's goes.
    if Basis.objects.filter(pk=basis.pk, **{field: ""}).update(**{field: name}):
        setattr(basis, field, name)
    else:
        stored.storage.delete(name)
    return content
