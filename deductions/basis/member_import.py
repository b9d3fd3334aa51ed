"""Import of members and their deductions from the union register's CSV export.

One row per member and change. Columns (header row required, names as below, any order;
separator `;` or `,`; UTF-8 with or without BOM, else Windows-1252):

| column          | required | meaning                                                          |
| --------------- | -------- | ---------------------------------------------------------------- |
| medlemsnummer   | yes      | the member's number in the register (digits)                     |
| navn            | yes      | "Etternavn Fornavn"                                              |
| fodselsnummer   | yes      | 11 digits, check digits verified                                 |
| ansattnummer    | no       | the member's employee number at the employer                     |
| bedriftsnummer  | yes      | the employer's 8-digit number (must exist)                       |
| fra_maned       | yes      | first month with these items, `YYYY-MM`                          |
| til_maned       | no       | last month deducted (stop), `YYYY-MM`; empty: until further      |
| kategori        | no       | `ordinær` (default) or `lærling`                                 |
| innbo           | no       | home insurance: `ja`/`nei` (also j/n, 1/0, x/empty)              |
| reise           | no       | travel insurance: `ja`/`nei`                                     |

Each row is "from fra_maned the member is deducted at this employer with these items" (the
history before it is kept). Every row is validated first; the import runs only when no row has
an error, and then in one transaction: all or nothing.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from stdnum.no import fodselsnummer

from accounts.models import AuditEvent
from deductions.models import Category, Member
from deductions.period import Period
from employers.models import Employer
from trekkportal import uploads

MAX_BYTES = uploads.MEMBER_IMPORT.max_bytes  # the limits of every upload are in one place
REQUIRED = ["medlemsnummer", "navn", "fodselsnummer", "bedriftsnummer", "fra_maned"]
OPTIONAL = ["ansattnummer", "til_maned", "kategori", "innbo", "reise"]
YES = {"ja", "j", "1", "x", "yes", "y", "true"}
NO = {"nei", "n", "0", "", "no", "false"}
CATEGORIES = {
    "": Category.ORDINARY,
    "ordinær": Category.ORDINARY,
    "ordinaer": Category.ORDINARY,
    "ordinary": Category.ORDINARY,
    "lærling": Category.APPRENTICE,
    "laerling": Category.APPRENTICE,
    "apprentice": Category.APPRENTICE,
}


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, in Norwegian."""


@dataclass
class Row:
    line: int
    member_number: str = ""
    name: str = ""
    national_id: str = ""
    employee_number: str = ""
    employer: Employer | None = None
    from_period: Period | None = None
    last_period: Period | None = None
    category: str = Category.ORDINARY
    home: bool = False
    travel: bool = False
    errors: list = field(default_factory=list)


@dataclass
class Preview:
    rows: list

    @property
    def errors(self):
        return [row for row in self.rows if row.errors]

    @property
    def is_valid(self):
        return bool(self.rows) and not self.errors

    @property
    def member_count(self):
        return len({row.member_number for row in self.rows})


def decode(data):
    """Text from bytes: UTF-8 (with or without BOM), else Windows-1252."""
    if len(data) > MAX_BYTES:
        raise ImportFileError("Filen er for stor (høyst 20 MB).")
    try:
        return uploads.decode_text(data)
    except uploads.NotText as error:
        raise ImportFileError(
            "Filen er ikke en CSV-fil (den inneholder binære data)."
            if error.binary
            else "Filen har ukjent tegnkoding (bruk UTF-8)."
        ) from None


def preview(text):
    """Every row parsed and checked; nothing is saved."""
    lines = text.splitlines()
    if not lines:
        raise ImportFileError("Filen er tom.")
    reader = csv.DictReader(io.StringIO(text), delimiter=uploads.csv_separator(lines[0]))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError("Disse kolonnene mangler i overskriftsraden: " + ", ".join(missing))
    reader.fieldnames = header
    employers = Employer.objects.in_bulk(field_name="number")
    rows = []
    for number, record in enumerate(reader, start=2):
        rows.append(_parse(number, record, employers))
    _check_across_rows(rows)
    return Preview(rows)


def _parse(line, record, employers):
    def value(name):
        return (record.get(name) or "").strip()

    row = Row(line=line)
    row.member_number = value("medlemsnummer")
    if not row.member_number.isdigit() or len(row.member_number) > 12:
        row.errors.append("Medlemsnummeret må være sifre (høyst 12).")
    row.name = value("navn")
    if not row.name or len(row.name) > 200:
        row.errors.append("Navn mangler (eller er lengre enn 200 tegn).")
    row.national_id = value("fodselsnummer").replace(" ", "")
    if not fodselsnummer.is_valid(row.national_id):
        row.errors.append("Fødselsnummeret er ikke gyldig.")
    row.employee_number = value("ansattnummer")[:30]
    row.employer = employers.get(value("bedriftsnummer"))
    if row.employer is None:
        row.errors.append(f"Ukjent bedriftsnummer «{value('bedriftsnummer')}».")
    row.from_period = _period(value("fra_maned"), "fra_maned", row, required=True)
    row.last_period = _period(value("til_maned"), "til_maned", row, required=False)
    if row.from_period and row.last_period and row.last_period < row.from_period:
        row.errors.append("til_maned er før fra_maned.")
    category = CATEGORIES.get(value("kategori").lower())
    if category is None:
        row.errors.append(f"Ukjent kategori «{value('kategori')}» (ordinær eller lærling).")
    else:
        row.category = category
    row.home = _yes_no(value("innbo"), "innbo", row)
    row.travel = _yes_no(value("reise"), "reise", row)
    if row.category == Category.APPRENTICE and (row.home or row.travel):
        row.errors.append("Lærlinger betaler bare et fast beløp, ikke forsikring.")
    return row


def _period(text, column, row, *, required):
    if not text:
        if required:
            row.errors.append(f"{column} mangler (ÅÅÅÅ-MM).")
        return None
    try:
        return Period.parse(text)
    except ValueError:
        row.errors.append(f"{column} «{text}» er ikke en måned (ÅÅÅÅ-MM).")
        return None


def _yes_no(text, column, row):
    text = text.lower()
    if text in YES:
        return True
    if text not in NO:
        row.errors.append(f"{column} må være ja eller nei, ikke «{text}».")
    return False


def _check_across_rows(rows):
    """One national ID per member number, in the file and against members already known."""
    by_number, by_national_id = {}, {}
    for row in rows:
        if by_number.setdefault(row.member_number, row.national_id) != row.national_id:
            row.errors.append("Samme medlemsnummer har ulike fødselsnumre i filen.")
        if by_national_id.setdefault(row.national_id, row.member_number) != row.member_number:
            row.errors.append("Samme fødselsnummer står på ulike medlemsnumre i filen.")
    known = dict(
        Member.objects.filter(national_id__in=list(by_national_id)).values_list(
            "national_id", "number"
        )
    )
    for row in rows:
        owner = known.get(row.national_id)
        if owner is not None and owner != row.member_number:
            row.errors.append(
                f"Fødselsnummeret tilhører et annet medlem i registeret (medlemsnr. {owner})."
            )


@transaction.atomic
def members_import(*, preview, request):
    """Applies a valid preview: all rows or, on any error, none."""
    if not preview.is_valid:
        raise ImportFileError("Filen har feil; ingenting er importert.")
    ordered = sorted(preview.rows, key=lambda row: (row.member_number, row.from_period))
    for row in ordered:
        member, _ = Member.objects.update_or_create(
            number=row.member_number,
            defaults={
                "name": row.name,
                "national_id": row.national_id,
                "employee_number": row.employee_number,
            },
        )
        member.change_deduction(
            employer=row.employer,
            from_period=row.from_period,
            category=row.category,
            home=row.home,
            travel=row.travel,
        )
        if row.last_period:
            member.stop_deduction(last_period=row.last_period)
    AuditEvent.objects.record(
        "members_imported",
        request=request,
        employer=None,
        rows=len(preview.rows),
        members=preview.member_count,
    )
    return len(ordered)
