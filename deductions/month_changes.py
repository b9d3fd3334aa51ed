"""Every employer's changes in one month, one row per member: the staff's CSV of the month.

Read as plain rows (`BasisLine.objects.month_changes`), not model objects: at 10,000 employers
a month has 6,000-8,000 changed lines, and building a model object for each cost more than the
query (docs/performance.md, figure 2).
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


def month_change_rows(period):
    """The rows under HEADER, streamed from the database in employer and name order."""
    for row in BasisLine.objects.month_changes(period).iterator(chunk_size=2000):
        get = row.__getitem__
        yield [
            row["employer_number"],
            row["employer_name"],
            row["member_number"],
            row["name"],
            row["national_id"],
            row["employee_number"],
            ", ".join(wording.change_descriptions(get)),
            "; ".join(wording.items(get, wording.dues_text(row["dues_percent"])))
            or "Skal ikke trekkes",
        ]
