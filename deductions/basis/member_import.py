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

Each row is "from fra_maned the member is deducted at this employer with these items", until
its til_maned or the member's next row: a member's rows replace their history from the first
fra_maned on (the history before it is kept). Nothing is guessed: a file that contradicts
itself or the register (two rows from the same month, a stop after the next row's start, one
member number with two names or national IDs) has an error on every row concerned, naming the
other row, and nothing is imported until the file is corrected.

A register export has about 100,000 rows, so the work runs in the task worker
(`deductions/basis/tasks.py`) with a `MemberImport` row for the page to watch:
`member_import_check` reads and checks the file and counts what the import would do;
`member_import_apply` reads it again and writes every change set-based (bulk inserts and
updates in chunks), in one transaction: all or nothing. An import applied twice changes nothing
the second time: only the difference between the file and the register is written.
"""

import csv
import io
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone
from stdnum.no import fodselsnummer

from accounts.models import AuditEvent
from deductions.models import Category, Deduction, Member, MemberImport
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
# Rows between two progress reports, and rows (or ids) in one query or bulk write.
PROGRESS_EVERY = 5_000
CHUNK = 2_000


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, in Norwegian."""


@dataclass(slots=True)
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


def check_header(text):
    """What can be told at once, in the request: the header's columns, and that rows follow.
    The number of data lines (for the progress bar); ImportFileError otherwise."""
    _reader(text)
    lines = io.StringIO(text)  # one line at a time: a 20 MB file never becomes a list of lines
    next(lines)
    count = sum(1 for line in lines if line.strip())
    if not count:
        raise ImportFileError("Filen har ingen rader, bare overskriftsraden.")
    return count


def _reader(text):
    first = next(iter(io.StringIO(text)), "")
    if not first.strip():
        raise ImportFileError("Filen er tom.")
    reader = csv.DictReader(io.StringIO(text), delimiter=uploads.csv_separator(first))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError("Disse kolonnene mangler i overskriftsraden: " + ", ".join(missing))
    reader.fieldnames = header
    return reader


def read(text, *, progress=None):
    """Every row parsed and checked on its own and against the others; nothing is saved.
    `progress(rows_read)` is called every PROGRESS_EVERY rows."""
    reader = _reader(text)
    employers = Employer.objects.in_bulk(field_name="number")
    rows = []
    for number, record in enumerate(reader, start=2):
        rows.append(_parse(number, record, employers))
        if progress is not None and len(rows) % PROGRESS_EVERY == 0:
            progress(len(rows))
    if not rows:
        raise ImportFileError("Filen har ingen rader, bare overskriftsraden.")
    _check_across_rows(rows)
    return rows


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
    """Rows that contradict each other: each gets an error naming the other."""
    first_by_number, first_by_national_id = {}, {}
    for row in rows:
        other = first_by_number.setdefault(row.member_number, row)
        if other.national_id != row.national_id:
            _contradiction(row, other, "Samme medlemsnummer har et annet fødselsnummer")
        elif other.name != row.name:
            _contradiction(row, other, "Samme medlemsnummer har et annet navn")
        other = first_by_national_id.setdefault(row.national_id, row)
        if other.member_number != row.member_number:
            _contradiction(row, other, "Samme fødselsnummer har et annet medlemsnummer")
    for _, member_rows in groupby(_by_member(rows), key=attrgetter("member_number")):
        _check_spells(list(member_rows))


def _contradiction(row, other, message):
    row.errors.append(f"{message} på linje {other.line}.")
    other.errors.append(f"{message} på linje {row.line}.")


def _check_spells(rows):
    """One member's rows in month order: no two from the same month, and no row running past
    the start of the next (an open row is ended by the next; a stop after it is a contradiction).
    """
    previous = reach = None  # the row before; the earlier row that runs furthest
    for row in rows:
        if previous is not None and previous.from_period == row.from_period:
            _contradiction(
                row, previous, f"Samme medlem har en annen rad fra {row.from_period.slug}"
            )
        elif reach is not None and reach.last_period and reach.last_period >= row.from_period:
            reach.errors.append(
                f"Stopper {reach.last_period.slug}, men linje {row.line} begynner "
                f"{row.from_period.slug}: radene overlapper."
            )
            row.errors.append(
                f"Begynner {row.from_period.slug}, men linje {reach.line} stopper først "
                f"{reach.last_period.slug}: radene overlapper."
            )
        if reach is None or _end(row) >= _end(reach):
            reach = row
        previous = row


def _end(row):
    return row.last_period.index if row.last_period else float("inf")


def _by_member(rows):
    """The rows with a month, by member and month (then line), as the history is built."""
    dated = (row for row in rows if row.from_period is not None)
    return sorted(dated, key=lambda row: (row.member_number, row.from_period, row.line))


@dataclass
class Summary:
    """What a file does to the register: the counts staff confirm, and the rows in error.

    `errors` are dicts (line, member number, name, messages), ready to be stored as JSON; never
    a national ID. The rest are the writes `plan(..., for_import=True)` plans and `write`
    applies: new members with their spells, members and spells to update, spells to delete.
    """

    row_count: int = 0
    member_count: int = 0
    new_count: int = 0
    changed_count: int = 0
    stopped_count: int = 0
    unchanged_count: int = 0
    errors: list = field(default_factory=list)
    new_members: list = field(default_factory=list)
    changed_members: list = field(default_factory=list)
    created_spells: list = field(default_factory=list)
    updated_spells: list = field(default_factory=list)
    deleted_spell_ids: list = field(default_factory=list)


def plan(rows, *, for_import=False):
    """Compares the rows with the register and counts what importing them changes. `for_import`
    also plans the writes, and locks the members concerned until the transaction ends (two
    imports at once wait for each other instead of mixing)."""
    summary = Summary(row_count=len(rows))
    numbers = {row.member_number for row in rows}
    summary.member_count = len(numbers)
    members = _members(numbers, lock=for_import)
    _check_against_register(rows, members)
    summary.errors = [
        {"line": row.line, "member": row.member_number, "name": row.name, "errors": row.errors}
        for row in rows
        if row.errors
    ]
    if summary.errors:
        return summary
    history = _history([member.pk for member in members.values()])
    now = timezone.now()
    for number, group in groupby(_by_member(rows), key=attrgetter("member_number")):
        member_rows = list(group)
        member = members.get(number)
        if member is None:
            summary.new_count += 1
            if for_import:
                _plan_new_member(summary, member_rows)
            continue
        latest = member_rows[-1]
        changed = (member.name, member.employee_number) != (latest.name, latest.employee_number)
        if changed:
            member.name, member.employee_number, member.updated_at = (
                latest.name,
                latest.employee_number,
                now,
            )
            summary.changed_members.append(member)
        old = history.get(member.pk, [])
        stopped_before = old[-1][1].last_period if old else None
        changed |= _plan_history(summary, member, old, member_rows)
        if not changed:
            summary.unchanged_count += 1
        elif latest.last_period not in (None, stopped_before):  # a stop that is new
            summary.stopped_count += 1
        else:
            summary.changed_count += 1
    return summary


def _members(numbers, *, lock):
    members = {}
    numbers = sorted(numbers)
    for start in range(0, len(numbers), CHUNK):
        query = Member.objects.filter(number__in=numbers[start : start + CHUNK]).only(
            "number", "name", "national_id", "employee_number"
        )
        if lock:
            query = query.select_for_update()
        members.update((member.number, member) for member in query)
    return members


def _check_against_register(rows, members):
    """A member number that has another national ID in the register, and a national ID that
    belongs to another member there: never overwritten, always an error."""
    national_ids = sorted({row.national_id for row in rows})
    owners = {}
    for start in range(0, len(national_ids), CHUNK):
        owners.update(
            Member.objects.filter(national_id__in=national_ids[start : start + CHUNK]).values_list(
                "national_id", "number"
            )
        )
    for row in rows:
        owner = owners.get(row.national_id)
        if owner is not None and owner != row.member_number:
            row.errors.append(
                f"Fødselsnummeret tilhører et annet medlem i registeret (medlemsnr. {owner})."
            )
        member = members.get(row.member_number)
        if member is not None and member.national_id != row.national_id:
            row.errors.append("Medlemsnummeret har et annet fødselsnummer i registeret.")


class Spell(NamedTuple):
    """One spell of a member's history as plain values: 100,000 of these compare in a blink,
    where model instances would cost more than the queries."""

    first_period: Period
    last_period: Period | None
    employer_id: int
    category: str
    home_insurance: bool
    travel_insurance: bool

    def deduction(self, member_id, pk=None):
        return Deduction(pk=pk, member_id=member_id, **self._asdict())


def _history(member_ids):
    """{member id: [(pk, Spell), ...] in month order}."""
    history = {}
    for start in range(0, len(member_ids), CHUNK):
        spells = Deduction.objects.filter(member_id__in=member_ids[start : start + CHUNK])
        for pk, member_id, *values in spells.order_by("member_id", "first_period").values_list(
            "pk", "member_id", *Spell._fields
        ):
            history.setdefault(member_id, []).append((pk, Spell(*values)))
    return history


def _spells(rows):
    """The history the rows make: each until its til_maned or the month before the next."""
    for row, following in zip(rows, [*rows[1:], None], strict=True):
        last = row.last_period or (following.from_period.previous() if following else None)
        yield Spell(row.from_period, last, row.employer.pk, row.category, row.home, row.travel)


def _plan_new_member(summary, rows):
    latest = rows[-1]
    member = Member(
        number=latest.member_number,
        name=latest.name,
        national_id=latest.national_id,
        employee_number=latest.employee_number,
    )
    summary.new_members.append((member, [spell.deduction(None) for spell in _spells(rows)]))


def _plan_history(summary, member, old, rows):
    """The writes that turn `old` into the history the rows say, from their first month on:
    a spell running into it is cut, the ones after it are replaced. True when anything changes.
    """
    start = rows[0].from_period
    later = {}
    changed = False
    for pk, spell in old:
        if spell.first_period >= start:
            later[spell.first_period] = (pk, spell)
        elif spell.last_period is None or spell.last_period >= start:
            cut = spell._replace(last_period=start.previous())
            summary.updated_spells.append(cut.deduction(member.pk, pk))
            changed = True
    for new in _spells(rows):
        pk, spell = later.pop(new.first_period, (None, None))
        if pk is None:
            summary.created_spells.append(new.deduction(member.pk))
            changed = True
        elif spell != new:
            summary.updated_spells.append(new.deduction(member.pk, pk))
            changed = True
    summary.deleted_spell_ids.extend(pk for pk, _ in later.values())
    return changed or bool(later)


def write(summary):
    """Applies a planned summary; call inside the transaction that planned it."""
    Member.objects.bulk_create([member for member, _ in summary.new_members], batch_size=CHUNK)
    for member, spells in summary.new_members:
        for spell in spells:
            spell.member_id = member.pk
        summary.created_spells.extend(spells)
    Member.objects.bulk_update(
        summary.changed_members, ["name", "employee_number", "updated_at"], batch_size=CHUNK
    )
    ids = summary.deleted_spell_ids
    for start in range(0, len(ids), CHUNK):
        Deduction.objects.filter(pk__in=ids[start : start + CHUNK]).delete()
    Deduction.objects.bulk_update(summary.updated_spells, [*Spell._fields], batch_size=CHUNK)
    Deduction.objects.bulk_create(summary.created_spells, batch_size=CHUNK)


def member_import_check(*, member_import):
    """Reads and checks the stored file and counts what importing it would do: READY or
    INVALID. Reads only; safe to run again."""
    try:
        rows = read(_text(member_import), progress=member_import.record_progress)
        summary = plan(rows)
    except ImportFileError as error:
        member_import.record_summary(Summary(errors=[_file_error(error)]), status=_invalid())
        return
    except BaseException as error:
        _record_failure(member_import, error, status=MemberImport.Status.CHECKING)
        raise
    status = _invalid() if summary.errors else MemberImport.Status.READY
    member_import.record_summary(summary, status=status)


def member_import_apply(*, ref, attempt):
    """Imports a confirmed file: all its rows in one transaction, or none.

    Only the run holding the import's current `attempt` writes (checked under a row lock), so a
    task run twice, or started again while a run presumed dead was alive, imports once. The
    register may have changed since the check: the file is checked again under the lock, and a
    file that no longer holds ends INVALID with nothing written.
    """
    claimed = MemberImport.objects.filter(
        ref=ref, status=MemberImport.Status.QUEUED, attempt=attempt
    ).update(status=MemberImport.Status.IMPORTING, updated_at=timezone.now())
    if not claimed:
        return None
    member_import = MemberImport.objects.get(ref=ref)
    try:
        rows = read(_text(member_import), progress=member_import.record_progress)
        member_import.record_progress(len(rows))
        with transaction.atomic():
            locked = MemberImport.objects.select_for_update().get(pk=member_import.pk)
            if locked.status != MemberImport.Status.IMPORTING or locked.attempt != attempt:
                return None
            summary = plan(rows, for_import=True)
            if summary.errors:
                locked.record_summary(summary, status=_invalid())
                return locked
            write(summary)
            AuditEvent.objects.record(
                "members_imported",
                actor=locked.confirmed_by,
                obj=locked,
                rows=summary.row_count,
                members=summary.member_count,
                new=summary.new_count,
                changed=summary.changed_count,
                stopped=summary.stopped_count,
            )
            locked.record_summary(summary, status=MemberImport.Status.DONE)
            return locked
    except BaseException as error:
        # A crash, or the worker told to stop at once: the transaction is rolled back.
        _record_failure(member_import, error, status=MemberImport.Status.IMPORTING, attempt=attempt)
        raise


def _text(member_import):
    with member_import.file.open("rb") as file:
        return decode(file.read())


def _invalid():
    return MemberImport.Status.INVALID


def _file_error(error):
    return {"line": 1, "member": "", "name": "", "errors": [str(error)]}


def _record_failure(member_import, error, *, status, attempt=None):
    """FAILED with a line for staff, unless the import has moved on (started again)."""
    if isinstance(error, ImportFileError):
        failure = str(error)
    elif isinstance(error, SystemExit | KeyboardInterrupt):
        failure = "Arbeidsprosessen ble stoppet underveis; ingenting er importert."
    else:
        failure = "En uventet feil stoppet arbeidet; ingenting er importert. Se serverloggen."
    MemberImport.objects.filter(
        pk=member_import.pk, status=status, attempt=attempt or member_import.attempt
    ).update(status=MemberImport.Status.FAILED, failure=failure, updated_at=timezone.now())
