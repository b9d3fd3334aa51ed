"""What the deduction lists tell the monthly cycle: who delivered a period's list, and its total.

The reminders and the staff's month overview ask these two functions. (The employer's month
table still reads its lists through `MonthLists` on the basis.)
"""

from django.db import models
from django.db.models import OuterRef, Subquery, Sum

from deductions.models import DeductionList

MONEY = models.DecimalField(max_digits=14, decimal_places=2)


def delivered_employers(period):
    """Employers whose main list for `period` has been delivered (a reopened list was
    delivered too: staff are handling it), as a values("pk") queryset."""
    from employers.models import Employer

    delivered = DeductionList.objects.filter(
        basis__period=period, kind=DeductionList.Kind.MAIN, version__gt=0
    ).values("basis__employer")
    return Employer.objects.filter(pk__in=delivered).values("pk")


def list_total(*, employer_ref="pk", period=None, period_ref=None):
    """The delivered lists' total (main and supplementary) for the outer row's employer and
    `period` (or the outer row's period, `period_ref`), as an expression for annotate(); NULL
    when nothing is delivered."""
    lists = DeductionList.objects.filter(
        basis__employer=OuterRef(employer_ref), status=DeductionList.Status.DELIVERED
    )
    if period_ref is not None:
        lists = lists.filter(basis__period=OuterRef(period_ref))
    else:
        lists = lists.filter(basis__period=period)
    summed = lists.values("basis__employer").annotate(total=Sum("total")).values("total")
    return Subquery(summed, output_field=MONEY)
