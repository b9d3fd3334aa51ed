"""Tables for download: the month's prefilled list template."""

from deductions.basis.exports import Table
from deductions.lists.upload import COLUMNS
from deductions.models import Category

TEMPLATE_HEADER = [label for label, _, _ in COLUMNS.values()]


def template_table(basis):
    """This month's list to fill in: everyone on deduction, insurance and apprentices prefilled;
    dues, Sum and Årsak left for the payroll office."""
    rows = []
    lines = basis.deducted_lines().order_by("name", "member_number")
    for line in lines.iterator(chunk_size=2000):
        apprentice = line.category == Category.APPRENTICE
        rows.append(
            [
                line.national_id,
                line.name,
                line.apprentice_amount if apprentice else "",
                line.home_insurance_amount,
                line.travel_insurance_amount,
                "",
                "",
                "",
            ]
        )
    title = f"Trekkliste {basis.period} – {basis.employer.name} ({basis.employer.number})"
    return Table(title, TEMPLATE_HEADER, rows, None)
