"""What the deduction lists tell the monthly cycle about a period, across employers, in SQL.

The rules themselves ("delivered once", "counted in the month's total", "reopened") are the
`DeductionList` queryset's; this module only turns them into what the reminders and the staff's
month page ask per employer. The month table applies the same rules to lists it has loaded
(`deductions.models.lists.MonthLists`).
"""

from django.db import models
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from deductions.models import DeductionList

MONEY = models.DecimalField(max_digits=14, decimal_places=2)


def delivered_employers(period):
    """Employers whose main list for `period` was delivered at least once (a reopened list
    included), as a values("pk") queryset."""
    from employers.models import Employer

    delivered = (
        DeductionList.objects.main()
        .delivered_once()
        .filter(basis__period=period)
        .values("basis__employer")
    )
    return Employer.objects.filter(pk__in=delivered).values("pk")


def list_total(*, period, employer_ref="pk"):
    """The total of `period`'s lists counted in the month (main and supplementary) for the
    outer row's employer, as an expression for annotate(); NULL when none is."""
    return _per_employer(_lists(period, employer_ref).delivered(), Sum("total"), MONEY)


def employer_month(period, employer_ref="pk"):
    """Annotations for employer rows: what their lists of `period` say.

    `delivered` (the main list was delivered once), `reopened` (a list is reopened now),
    `lists_delivered` (how many lists were delivered once), `list_total` (what the counted
    lists add up to, NULL when none is) and `list_deviations` (their reconciliation warnings).
    """
    lists = _lists(period, employer_ref)
    return {
        "delivered": Exists(lists.main().delivered_once()),
        "reopened": Exists(lists.reopened()),
        "lists_delivered": Coalesce(
            _per_employer(lists.delivered_once(), Count("pk"), IntegerField()), Value(0)
        ),
        "list_total": list_total(period=period, employer_ref=employer_ref),
        "list_deviations": Coalesce(
            _per_employer(lists.delivered(), Sum("deviation_count"), IntegerField()), Value(0)
        ),
    }


def _lists(period, employer_ref):
    return DeductionList.objects.filter(
        basis__employer=OuterRef(employer_ref), basis__period=period
    )


def _per_employer(lists, aggregate, output_field):
    """`aggregate` over the outer employer's `lists`, as a scalar subquery."""
    summed = lists.values("basis__employer").annotate(value=aggregate).values("value")
    return Subquery(summed, output_field=output_field)
