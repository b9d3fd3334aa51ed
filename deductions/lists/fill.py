"""«Fyll inn fra forrige liste»: the dues of a draft's empty lines, copied from each person's
last delivered list, so a large employer whose dues rarely change types only the differences.

Which list is "the last delivered list of the person": among the employer's earlier months, the
latest main list that is delivered now (status «Levert») and holds the person's national ID. The
choices behind that, decided here once:

- Only main lists. A supplementary list holds only what came in addition to a month's main
  list, so its amount is no month's dues.
- A list staff have reopened is not used: its lines may be changing. The month before it counts
  instead, for the people on it.
- The person's line in that list is copied as it is: if they were not deducted then (a reason,
  or no dues), nothing is copied and the line stays empty, to be filled by hand.
- Only lines with no dues and no reason are filled: what is typed is never overwritten.
- People with no line in any earlier list (new this month) are left empty.

Looked up in one query per 2,000 national IDs; the filled lines are written back by delete and
insert in batches, like `list_save`.
"""

from dataclasses import dataclass

from django.db import transaction

from accounts.models import AuditEvent
from deductions.lists.services import BATCH, _count, _locked_copy
from deductions.models import DeductionList, DeductionListLine
from deductions.money import ZERO
from trekkportal.words import counted

# How far back a person is looked for: a year of main lists.
MONTHS_BACK = 12
CHUNK = 2000


@dataclass
class FillResult:
    filled: int
    new: int
    period: object  # the latest month copied from (deductions.period.Period), None if none

    @property
    def message(self):
        """«Fylte inn 1 234 linjer fra listen for oktober 2026; 12 nye personer står tomme.»"""
        if self.period is None:
            return "Fant ingen levert trekkliste fra en tidligere måned å fylle inn fra."
        lines = _counted(self.filled, "linje", "linjer")
        text = f"Fylte inn {lines} fra listen for {self.period.long_label}"
        if self.new:
            empty = "tom" if self.new == 1 else "tomme"
            text += f"; {_counted(self.new, 'ny person', 'nye personer')} står {empty}"
        return text + "."


def _counted(count, singular, plural):
    """`counted` with thousands apart: «1 234 linjer» (a no-break space, as money is shown)."""
    number, noun = counted(count, singular, plural).split(" ", 1)
    return f"{int(number):,}".replace(",", "\u00a0") + " " + noun


def previous_lists(deduction_list):
    """The employer's delivered main lists of earlier months, the latest first (at most a
    year's). Empty for a supplementary list: the fill is for the month's main list."""
    if deduction_list.is_supplementary:
        return DeductionList.objects.none()
    basis = deduction_list.basis
    return (
        DeductionList.objects.for_employer(basis.employer)
        .main()
        .delivered()
        .filter(basis__period__lt=basis.period)
        .select_related("basis")
        .order_by("-basis__period")[:MONTHS_BACK]
    )


def _previous_dues(lists, national_ids):
    """{national ID: dues in the latest of `lists` that has the person} (0 if not deducted)."""
    order = {item.pk: rank for rank, item in enumerate(lists)}
    found = {}  # national ID -> (rank, dues)
    national_ids = sorted(national_ids)
    for start in range(0, len(national_ids), CHUNK):
        rows = DeductionListLine.objects.filter(
            deduction_list_id__in=list(order), national_id__in=national_ids[start : start + CHUNK]
        ).values_list("national_id", "deduction_list_id", "dues", "reason")
        for national_id, list_id, dues, reason in rows.iterator(chunk_size=CHUNK):
            rank = order[list_id]
            if national_id not in found or rank < found[national_id][0]:
                found[national_id] = (rank, ZERO if reason else dues)
    return {national_id: dues for national_id, (_, dues) in found.items()}


@transaction.atomic
def list_fill_from_previous(*, deduction_list, actor, request=None):
    """Fills the empty lines of the draft `deduction_list` from each person's last delivered
    list (see the module's docstring). ListLocked if it is delivered. Returns a FillResult."""
    locked = _locked_copy(deduction_list)
    lists = list(previous_lists(locked))
    if not lists:
        return FillResult(filled=0, new=0, period=None)
    lines = list(locked.lines.all())
    empty = [line for line in lines if not line.dues and not line.reason]
    previous = _previous_dues(lists, {line.national_id for line in empty})
    filled = [line for line in empty if previous.get(line.national_id)]
    new = sum(1 for line in empty if line.national_id not in previous)
    for line in filled:
        line.set_amounts(previous[line.national_id], line.home_insurance, line.travel_insurance)
        line.copied_from_previous = True
    stale = [line.pk for line in filled]
    for start in range(0, len(stale), BATCH):
        DeductionListLine.objects.filter(pk__in=stale[start : start + BATCH]).delete()
    DeductionListLine.objects.bulk_create(filled, batch_size=BATCH)
    _count(locked, lines)
    locked.updated_by = actor
    locked.save()
    period = lists[0].basis.period
    AuditEvent.objects.record(
        "list_filled_from_previous",
        request=request,
        actor=actor,
        employer=locked.basis.employer,
        obj=locked,
        period=period.slug,
        filled=len(filled),
        new=new,
        total=str(locked.total),
    )
    deduction_list.refresh_from_db()
    return FillResult(filled=len(filled), new=new, period=period)
