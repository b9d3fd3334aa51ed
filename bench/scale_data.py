"""Synthetic data at the scale of the largest unions, for benchmarks and load tests.

Employers of very uneven size (one of `largest` members, a handful of a few thousand, a long tail
of small ones), members with ten years of deduction history in which a few percent change every
month (insurance on or off, a move to another employer, a pause, an apprentice who becomes an
ordinary member), payroll contacts of whom some hold several roles, the rates, and then every
month's basis made by `basis_generate`, the same code production runs.

Rows are written with PostgreSQL's COPY (psycopg 3 `cursor.copy()`); SQLite gets plain
`executemany` batches and is refused above `SQLITE_MAX_MEMBERS`. Fictional people only: names
from a list, valid but synthetic national IDs, `.example` mail addresses.
"""

import math
import random
import resource
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from deductions.basis.demo import FIRST_NAMES, LAST_NAMES
from deductions.basis.services import basis_generate
from deductions.models import Basis, Category, Deduction, Member, Rate
from deductions.period import Period
from employers.models import Employer

SQLITE_MAX_MEMBERS = 5_000
# Every contact made here logs in with this password (one hash, computed once).
CONTACT_PASSWORD = "skala-data-passord"

# Per member and month: the chance of a change, and what kind of change it is.
CHANGE_RATE = 0.015
CHANGE_KINDS = (("home", 0.45), ("travel", 0.30), ("move", 0.12), ("pause", 0.13))
STARTS_LATER = 0.15  # members whose deduction starts after the first month
APPRENTICES = 0.03
HOME, TRAVEL = 0.6, 0.3


class ScaleDataError(Exception):
    """The database cannot take the data asked for (not empty, or too much for SQLite)."""


@dataclass
class ScaleReport:
    employers: int = 0
    members: int = 0
    deductions: int = 0
    contacts: int = 0
    roles: int = 0
    months: int = 0
    bases: int = 0
    lines: int = 0
    largest_employer: str = ""
    first: Period | None = None
    last: Period | None = None
    seconds: dict = field(default_factory=dict)


def employer_sizes(members, employers, largest):
    """How many members each employer gets: the first exactly `largest` (or a quarter of all
    when there are few), then a Zipf-like tail: a handful of large employers, most with a few
    dozen or less, every one at least one. The sizes add up to `members`."""
    if employers < 1 or members < employers:
        raise ScaleDataError("Det må være minst ett medlem per bedrift.")
    if employers == 1:
        return [members]
    first = max(1, min(largest, members // 4, members - (employers - 1)))
    rest, count = members - first, employers - 1
    cap = max(1, int(first * 0.8), math.ceil(rest / count))
    weights = [1 / (rank + 1) ** 0.9 for rank in range(count)]
    scale = rest / sum(weights)
    sizes = [min(cap, max(1, int(weight * scale))) for weight in weights]
    # Spread what rounding and the cap left over (or took too much) over the tail.
    missing = rest - sum(sizes)
    step = 1 if missing > 0 else -1
    index = count - 1
    while missing:
        size = sizes[index] + step
        if 1 <= size <= cap:
            sizes[index] = size
            missing -= step
        index = index - 1 if index > 0 else count - 1
    return [first, *sizes]


_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def national_ids():
    """Valid, distinct, synthetic fødselsnumre (born 1960-1999), as many as asked for."""
    first = date(1960, 1, 1).toordinal()
    births = [date.fromordinal(first + n).strftime("%d%m%y") for n in range(14_600)]
    for individual in range(100, 500):
        for n in range(len(births)):
            body = f"{births[(n * 7919) % len(births)]}{individual:03d}"
            k1 = 11 - sum(int(d) * w for d, w in zip(body, _W1, strict=True)) % 11
            k1 = 0 if k1 == 11 else k1
            if k1 == 10:
                continue
            body += str(k1)
            k2 = 11 - sum(int(d) * w for d, w in zip(body, _W2, strict=True)) % 11
            k2 = 0 if k2 == 11 else k2
            if k2 != 10:
                yield f"{body}{k2}"


def generate(*, members, employers, months, contacts, largest=5_000, basis_months=None,
             seed=2026, out=None):  # fmt: skip
    """Fills an empty database; returns a ScaleReport. `basis_months`: generate the bases of
    only the last so many months (default: all of them)."""
    _check_database(members)
    rng = random.Random(seed)
    report = ScaleReport(months=months)
    report.last = Period.current().next()
    report.first = report.last - (months - 1)
    sizes = employer_sizes(members, employers, largest)
    say = out or (lambda text: None)

    with _timed(report, "bedrifter og medlemmer"), transaction.atomic():
        report.employers = _write_employers(rng, sizes)
        report.members = _write_members(rng, members, sizes)
        report.largest_employer = _employer_number(0)
    say(f"{report.employers} bedrifter, {report.members} medlemmer")

    with _timed(report, "trekkhistorikk og satser"), transaction.atomic():
        _write_rates(report.first, months)
        report.deductions = _write_history(rng, sizes, report.first, report.last)
    say(f"{report.deductions} trekkforhold over {months} måneder")

    with _timed(report, "trekkontakter og roller"), transaction.atomic():
        report.contacts, report.roles = _write_contacts(rng, contacts, employers)
    say(f"{report.contacts} trekkontakter med {report.roles} roller")

    _reset_sequences()
    _analyze()
    generated = months if basis_months is None else min(months, basis_months)
    with _timed(report, "trekkgrunnlag"):
        for offset in range(months - generated, months):
            started = time.monotonic()
            result = basis_generate(period=report.first + offset)
            report.bases += result.bases
            report.lines += result.lines
            say(
                f"{result.period}: {result.bases} trekkgrunnlag, {result.lines} på trekk, "
                f"{result.changes} endringer ({time.monotonic() - started:.1f} s)"
            )
            if (offset - (months - generated)) % 12 == 0:
                # Statistics as production's autovacuum would keep them: after the first month
                # every line is a change, and a plan made on that reads the whole table.
                _analyze()
    _analyze()
    return report


def _check_database(members):
    if connection.vendor != "postgresql" and members > SQLITE_MAX_MEMBERS:
        raise ScaleDataError(
            f"Over {SQLITE_MAX_MEMBERS} medlemmer krever PostgreSQL (sett DATABASE_URL til en "
            "egen database, for eksempel postgres://postgres@127.0.0.1:5432/trekk_bench)."
        )
    for model in (Employer, Member, Deduction, Basis, Rate):
        if model.objects.exists():
            raise ScaleDataError(
                f"Databasen har allerede {model._meta.verbose_name_plural}: skaladata lages bare "
                "i en tom database (for eksempel trekk_bench)."
            )


class _timed:
    def __init__(self, report, label):
        self.report, self.label = report, label

    def __enter__(self):
        self.started = time.monotonic()

    def __exit__(self, *exc):
        self.report.seconds[self.label] = time.monotonic() - self.started


def _employer_number(index):
    return f"{10_000_000 + index}"


def _write_employers(rng, sizes):
    kinds = ["kommune", "sykehus", "direktorat", "etat", "AS", "stiftelse", "tilsyn", "skole"]

    def rows():
        for index, size in enumerate(sizes):
            name = f"{rng.choice(LAST_NAMES)} {rng.choice(kinds)} {index + 1}"
            if index == 0:
                name = f"Storetaten ({size} medlemmer)"
            yield {
                "id": index + 1,
                "number": _employer_number(index),
                "name": name,
                "address": f"Postboks {rng.randrange(1, 9999)}",
                "postcode": f"{rng.randrange(1, 9999):04d}",
                "city": "OSLO",
            }

    return _copy(Employer, rows())


def _write_members(rng, members, sizes):
    ids = national_ids()

    def rows():
        for n in range(members):
            yield {
                "id": n + 1,
                "number": f"{1_000_000 + n}",
                "name": f"{rng.choice(LAST_NAMES)} {rng.choice(FIRST_NAMES)}",
                "national_id": next(ids),
                "employee_number": f"{rng.randrange(1, 999_999)}" if n % 3 else "",
            }

    return _copy(Member, rows())


def _write_rates(first, months):
    Rate.objects.create(
        valid_from=first,
        dues_percent=Decimal("1.10"),
        home_insurance=Decimal("85.00"),
        travel_insurance=Decimal("91.00"),
        apprentice_total=Decimal("42.00"),
    )
    if months > 1:
        Rate.objects.create(
            valid_from=first + months // 2,
            dues_percent=Decimal("1.10"),
            home_insurance=Decimal("89.00"),
            travel_insurance=Decimal("95.00"),
            apprentice_total=Decimal("45.00"),
        )


def _write_history(rng, sizes, first, last):
    """Each member's spells: a start, then changes at random intervals (on average one per
    1/CHANGE_RATE months), until the last month."""
    employer_of = [index + 1 for index, size in enumerate(sizes) for _ in range(size)]
    bounds = list(accumulate(sizes))
    kinds, kind_weights = zip(*CHANGE_KINDS, strict=True)
    cumulative = list(accumulate(kind_weights))
    months = last - first + 1
    first_index, last_index = first.index, last.index

    def random_employer():
        return bisect_right(bounds, rng.randrange(bounds[-1])) + 1

    def gap():
        return 1 + int(rng.expovariate(CHANGE_RATE))

    def rows():
        for member_index, employer in enumerate(employer_of):
            member = member_index + 1
            start = first_index
            if months > 1 and rng.random() < STARTS_LATER:
                start += rng.randrange(1, months)
            apprentice = rng.random() < APPRENTICES
            home = not apprentice and rng.random() < HOME
            travel = not apprentice and rng.random() < TRAVEL
            apprentice_until = start + rng.randrange(12, 37) if apprentice else None
            while start <= last_index:
                change = start + gap()
                if apprentice_until is not None and apprentice_until < change:
                    change, kind = max(apprentice_until, start + 1), "ordinary"
                else:
                    kind = kinds[bisect_right(cumulative, rng.random() * cumulative[-1])]
                end = change - 1
                pause = rng.randrange(1, 25) if kind == "pause" else 0
                yield {
                    "member_id": member,
                    "employer_id": employer,
                    "first_period": start,
                    "last_period": None if end >= last_index else end,
                    "category": Category.APPRENTICE if apprentice else Category.ORDINARY,
                    "home_insurance": home,
                    "travel_insurance": travel,
                }
                if end >= last_index:
                    break
                start = change + pause
                if kind == "ordinary":
                    apprentice, apprentice_until = False, None
                    home = rng.random() < HOME
                elif kind == "home" and not apprentice:
                    home = not home
                elif kind == "travel" and not apprentice:
                    travel = not travel
                elif kind == "move" or (kind == "pause" and rng.random() < 0.3):
                    employer = random_employer()

    return _copy(Deduction, rows(), pk=False)


def _write_contacts(rng, contacts, employers):
    """Every employer has a contact; contacts beyond one per employer are second contacts, and
    one in ten contacts (an accounting office, say) acts for two to five employers."""
    password = make_password(CONTACT_PASSWORD)
    now = timezone.now()

    def users():
        for n in range(contacts):
            yield {
                "id": n + 1,
                "username": f"{20_000_000 + n}",
                "password": password,
                "full_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "email": f"kontakt{n}@bedrift.example",
                "date_joined": now,
            }

    written = _copy(User, users())
    pairs = set()
    for n in range(max(contacts, employers)):
        pairs.add((n % contacts + 1, n % employers + 1))
    for user in range(1, contacts + 1):
        if rng.random() < 0.1 or user == 1:
            for _ in range(rng.randrange(1, 5)):
                pairs.add((user, rng.randrange(employers) + 1))
    roles = ({"user_id": user, "employer_id": employer} for user, employer in sorted(pairs))
    return written, _copy(Role, roles, pk=False)


def _copy(model, rows, *, pk=True):
    """Writes `rows` (dicts of attname -> Python value) into `model`'s table; columns a row
    leaves out get the field's default. COPY on PostgreSQL, batches elsewhere."""
    rows = iter(rows)
    try:
        head = next(rows)
    except StopIteration:
        return 0
    fields = [
        f for f in model._meta.concrete_fields if pk or not f.primary_key or f.attname in head
    ]
    now = timezone.now()
    field_of = {f.attname: f for f in fields}
    defaults = {}
    for f in fields:
        if f.attname not in head:
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            defaults[f.attname] = now if auto else f.get_default()

    defaults = {name: field_of[name].get_db_prep_save(value, connection)
                for name, value in defaults.items()}  # fmt: skip
    attnames = [f.attname for f in fields]
    if connection.vendor == "postgresql":
        # psycopg adapts ints, strings, booleans, Decimals and datetimes itself: rows go as given.
        def values(row):
            return [row[name] if name in row else defaults[name] for name in attnames]
    else:

        def values(row):
            return [
                f.get_db_prep_save(row[f.attname], connection)
                if f.attname in row
                else defaults[f.attname]
                for f in fields
            ]

    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in _chain(head, rows):
                    copy.write_row(values(row))
                    count += 1
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            batch = []
            for row in _chain(head, rows):
                batch.append(values(row))
                if len(batch) == 5_000:
                    cursor.executemany(sql, batch)
                    count, batch = count + len(batch), []
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _chain(head, rows):
    yield head
    yield from rows


def _reset_sequences():
    models = [Employer, Member, Deduction, User, Role, Rate]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _analyze():
    """Fresh planner statistics after a bulk load, so the first joins are planned well."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def describe(report):
    """The report as the command prints it."""
    total = sum(report.seconds.values())
    lines = [
        f"Skaladata {report.first}–{report.last}: {report.employers} bedrifter (største "
        f"{report.largest_employer}), {report.members} medlemmer, {report.deductions} "
        f"trekkforhold, {report.contacts} trekkontakter med {report.roles} roller, "
        f"{report.bases} trekkgrunnlag med {report.lines} linjer på trekk.",
    ]
    lines += [f"  {label}: {seconds:.1f} s" for label, seconds in report.seconds.items()]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"  i alt: {total:.1f} s, høyeste minnebruk {peak:.0f} MB")
    return "\n".join(lines)
