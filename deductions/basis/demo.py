"""Demo members with three years of deduction history, rates, and every month's basis.

Fictional people (synthetic national IDs). Idempotent: members are keyed by member number,
a member's history is only written when they have none, and published months are left alone.
"""

import random
import time
from decimal import Decimal

from django.db import connection

from deductions.basis.services import basis_generate
from deductions.models import Basis, BasisLine, Category, Deduction, Member, Rate
from deductions.national_ids import synthetic_national_id
from deductions.period import Period
from employers.models import Employer

MONTHS = 36

LAST_NAMES = [
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen",
    "Lund", "Sørensen", "Jakobsen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg",
    "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen", "Mathisen",
    "Lie", "Amundsen", "Nguyen", "Rasmussen", "Ali", "Lunde", "Solheim", "Berntsen", "Moe",
    "Kristensen", "Bakke", "Hauge", "Aasen", "Østby", "Ødegård", "Sæther", "Hoff",
]  # fmt: skip
FIRST_NAMES = [
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg",
    "Hilde", "Anna", "Solveig", "Marianne", "Randi", "Ida", "Nina", "Maria", "Elisabeth",
    "Kristin", "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Thomas",
    "Hans", "Geir", "Tor", "Morten", "Terje", "Odd", "Erik", "Martin", "Andreas", "John",
    "Linda", "Åse", "Øystein", "Ståle", "Sigrid", "Håkon", "Emma", "Jonas", "Nora", "Mohammed",
]  # fmt: skip

# employer number: (how many members, chance per member and month of a change, first numbers)
EMPLOYERS = {
    "94001761": (40, 0.05, 0),
    "00080000": (2000, 0.006, 1000),
    "94002001": (6, 0.01, 4000),
    "94003001": (5, 0.01, 4100),
}

RATES = [
    (0, Decimal("1.10"), Decimal("85.00"), Decimal("91.00"), Decimal("42.00")),
    # A rate change two years in: the month's basis prices by the rates valid then.
    (24, Decimal("1.10"), Decimal("89.00"), Decimal("95.00"), Decimal("45.00")),
]


def load(out):
    last = Period.current().next()
    first = last - (MONTHS - 1)
    for offset, dues, home, travel, apprentice in RATES:
        Rate.objects.get_or_create(
            valid_from=first + offset,
            defaults={
                "dues_percent": dues,
                "home_insurance": home,
                "travel_insurance": travel,
                "apprentice_total": apprentice,
            },
        )
    employers = Employer.objects.in_bulk(list(EMPLOYERS), field_name="number")
    members = 0
    for number, (count, change_rate, start) in EMPLOYERS.items():
        if number in employers:
            members += _load_employer(employers[number], count, change_rate, start, first, last)
    started = time.monotonic()
    for n in range(MONTHS):
        _analyze()
        basis_generate(period=first + n)
    seconds = time.monotonic() - started
    out.write(
        f"Trekk: {members} medlemmer, trekkgrunnlag {first}–{last} "
        f"({MONTHS} måneder generert på {seconds:.1f} s)"
    )


def _analyze():
    """PostgreSQL plans the generator's joins from table statistics, which tables filled
    within this one transaction do not have yet."""
    if connection.vendor == "postgresql":
        tables = [model._meta.db_table for model in (Member, Deduction, Basis, BasisLine)]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(tables))


def _load_employer(employer, count, change_rate, start, first, last):
    rng = random.Random(f"trekkportal-demo-{employer.number}")  # noqa: S311 (demo data)
    Member.objects.bulk_create(
        [
            Member(
                number=f"{3_000_000 + start + n}",
                name=f"{rng.choice(LAST_NAMES)} {rng.choice(FIRST_NAMES)}",
                national_id=synthetic_national_id(start + n),
                employee_number=f"{10_000 + n}" if n % 3 else "",
            )
            for n in range(count)
        ],
        ignore_conflicts=True,
    )
    numbers = [f"{3_000_000 + start + n}" for n in range(count)]
    members = list(Member.objects.filter(number__in=numbers).order_by("number"))
    with_history = set(
        Deduction.objects.filter(member__in=members).values_list("member_id", flat=True)
    )
    spells = []
    for n, member in enumerate(members):
        if member.pk not in with_history:
            spells += _history(rng, employer, member, n, change_rate, first, last)
    Deduction.objects.bulk_create(spells)
    return len(members)


def _history(rng, employer, member, n, change_rate, first, last):
    """One member's spells: a random walk through the months, with a few set pieces."""
    months = last - first + 1
    category = Category.ORDINARY
    home, travel = rng.random() < 0.6, rng.random() < 0.3
    begin = first if rng.random() < 0.8 else first + rng.randrange(1, months)
    end = None if rng.random() < 0.85 else begin + rng.randrange(1, months)
    if n == 0:  # the apprentice who becomes an ordinary member halfway
        category, home, travel, begin, end = Category.APPRENTICE, False, False, first, None
    spells = []
    current = begin
    state = (category, home, travel)
    month = begin + 1
    while month <= last and (end is None or month <= end):
        new = state
        if n == 0 and month == first + months // 2:
            new = (Category.ORDINARY, True, False)
        elif state[0] == Category.ORDINARY and rng.random() < change_rate:
            if rng.random() < 0.5:
                new = (state[0], not state[1], state[2])
            else:
                new = (state[0], state[1], not state[2])
        if new != state:
            spells.append(_spell(employer, member, current, month - 1, state))
            current, state = month, new
        month += 1
    spells.append(_spell(employer, member, current, end if end and end < last else None, state))
    return spells


def _spell(employer, member, first, last, state):
    category, home, travel = state
    return Deduction(
        member=member,
        employer=employer,
        first_period=first,
        last_period=last,
        category=category,
        home_insurance=home,
        travel_insurance=travel,
    )
