"""Demo deduction lists: delivered lists for the last months before this one, a supplementary
list and a member marked "Sluttet". Idempotent: a month that has lists is left alone.

Avinor AS (2,000 members) gets one delivered month only, so loading stays quick; its latest
months are left for trying the upload.
"""

import random
from decimal import Decimal

from accounts.models import User
from deductions.lists.services import list_deliver, list_start
from deductions.models import Basis, Category, DeductionListLine, Reason
from deductions.money import ZERO
from deductions.period import Period

# employer number: (contact's user ID, months back from this month that are delivered)
DELIVERED = {
    "94001761": ("10000001", [1, 2, 3]),
    "94002001": ("10000001", [1, 2]),
    "94003001": ("10000001", [2]),
    "00080000": ("10000002", [3]),
}
SUPPLEMENT = ("94001761", 2)


def load(out):
    current = Period.current()
    users = User.objects.in_bulk([user for user, _ in DELIVERED.values()], field_name="username")
    delivered = 0
    for number, (username, months_back) in DELIVERED.items():
        actor = users.get(username)
        if actor is None:
            continue
        for back in months_back:
            basis = (
                Basis.objects.published()
                .select_related("employer")
                .filter(employer__number=number, period=current - back)
                .first()
            )
            if basis is None or basis.lists.exists():
                continue
            _deliver_main(basis, actor, mark_left=back == 1)
            delivered += 1
            if (number, back) == SUPPLEMENT:
                _deliver_supplement(basis, actor)
                delivered += 1
    out.write(f"Trekklister: {delivered} leverte lister (PDF-ene lages av oppgavekjøreren)")


def _dues(rng):
    income = Decimal(rng.randrange(32_000, 75_000))
    return (income * Decimal("0.011")).quantize(Decimal("0.01"))


def _deliver_main(basis, actor, *, mark_left):
    rng = random.Random(f"trekkportal-demo-list-{basis.employer.number}-{basis.period}")  # noqa: S311
    deduction_list = list_start(basis=basis, actor=actor, prefill=False)
    lines = []
    rows = basis.deducted_lines().order_by("name", "member_number")
    for position, row in enumerate(rows.iterator(chunk_size=2000)):
        line = DeductionListLine(
            deduction_list=deduction_list,
            position=position,
            basis_line=row,
            national_id=row.national_id,
            name=row.name,
        )
        if mark_left and position == 0:
            line.reason = Reason.LEFT
        dues = row.apprentice_amount if row.category == Category.APPRENTICE else _dues(rng)
        line.set_amounts(dues, row.home_insurance_amount, row.travel_insurance_amount)
        lines.append(line)
    DeductionListLine.objects.bulk_create(lines, batch_size=500)
    list_deliver(deduction_list=deduction_list, actor=actor)


def _deliver_supplement(basis, actor):
    from deductions.national_ids import synthetic_national_id

    deduction_list = list_start(basis=basis, actor=actor)
    line = DeductionListLine(
        deduction_list=deduction_list,
        position=0,
        national_id=synthetic_national_id(9_000),
        name="Etterslep Eva",
    )
    line.set_amounts(Decimal("512.40"), ZERO, ZERO)
    line.save()
    list_deliver(deduction_list=deduction_list, actor=actor)
