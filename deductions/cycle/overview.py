"""The staff's month: one period across all employers (notices, lists, payments, deviations).

One annotated employer query, filtered and paged in SQL, serves the page and its CSV. Each
deviation is defined once below, as a condition on that query: the same condition fills the
row's «Avvik» cell, and the «Med avvik» filter is all of them together.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from deductions.lists import delivery
from deductions.models import Basis, Payment
from deductions.models.lists import MonthStatus
from employers.models import Employer
from messaging.models import OutboxMessage

MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class Deviation:
    """Something wrong with an employer's month: `flag` is annotated from `condition`."""

    flag: str
    condition: Q
    text: str  # formatted with the row: "{row.list_deviations}"


NOTICE_FAILED = Q(notices_failed__gt=0)
NOTICE_NOT_SENT = Q(notices_failed=0, notices_sent=0)
PAID_TOO_LITTLE = Q(difference__lt=0)
PAID_TOO_MUCH = Q(difference__gt=0)

DEVIATIONS = (
    Deviation("basis_missing", Q(basis_published=False), "Trekkgrunnlag ikke publisert"),
    Deviation("notice_failed", NOTICE_FAILED, "Varsel feilet"),
    Deviation("notice_not_sent", NOTICE_NOT_SENT, "Varsel ikke sendt"),
    Deviation("list_missing", Q(delivered=False), "Trekkliste ikke levert"),
    Deviation(
        "list_deviates", Q(list_deviations__gt=0), "Avvik i trekkliste: {row.list_deviations}"
    ),
    Deviation("not_paid", Q(paid_total__isnull=True), "Ikke betalt"),
    Deviation("paid_too_little", PAID_TOO_LITTLE, "Betalt for lite"),
    Deviation("paid_too_much", PAID_TOO_MUCH, "Betalt for mye"),
)


def _status(status):
    return Q(list_status=status.value)


# `?vis=`: value -> (label, rows shown).
FILTERS = {
    "alle": ("Alle bedrifter", Q()),
    "avvik": ("Med avvik", reduce(or_, (deviation.condition for deviation in DEVIATIONS))),
    "varsel-feilet": ("Varsel feilet eller ikke sendt", NOTICE_FAILED | NOTICE_NOT_SENT),
    MonthStatus.NOT_DELIVERED.value: ("Trekkliste ikke levert", _status(MonthStatus.NOT_DELIVERED)),
    MonthStatus.DELIVERED.value: ("Trekkliste levert", _status(MonthStatus.DELIVERED)),
    MonthStatus.REOPENED.value: ("Trekkliste gjenåpnet", _status(MonthStatus.REOPENED)),
    "avvik-i-trekkliste": ("Avvik i trekkliste", Q(list_deviations__gt=0)),
    "ikke-betalt": ("Ikke betalt", Q(paid_total__isnull=True)),
    "differanse": ("Betalt avviker fra trekkliste", PAID_TOO_LITTLE | PAID_TOO_MUCH),
}


def _count(queryset):
    counted = queryset.values("employer").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def employer_month_rows(period, show="alle", query=""):
    """Employers (active, or with a basis for `period`) annotated with the period's facts,
    filtered by `show` (a FILTERS key) and `query` (name, or the employer number)."""
    notices = OutboxMessage.objects.filter(
        kind=OutboxMessage.Kind.MONTHLY_NOTICE, period=period, employer=OuterRef("pk")
    )
    basis = Basis.objects.filter(employer=OuterRef("pk"), period=period)
    rows = (
        Employer.objects.filter(Q(active=True) | Exists(basis))
        .annotate(
            basis_published=Exists(basis.published()),
            notices_sent=_count(notices.filter(status=OutboxMessage.Status.SENT)),
            notices_failed=_count(notices.filter(status=OutboxMessage.Status.FAILED)),
            **delivery.employer_month(period),
            paid_total=Payment.objects.filter(period=period).paid_total_subquery(
                employer_ref="pk", period_ref=None
            ),
        )
        .annotate(
            difference=ExpressionWrapper(F("paid_total") - F("list_total"), MONEY),
            list_status=MonthStatus.expression(delivered="delivered", reopened="reopened"),
        )
    )
    rows = rows.filter(FILTERS.get(show, FILTERS["alle"])[1])
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(number=query))
    return rows.order_by("name", "number")


def with_deviations(rows):
    """`rows` (employer_month_rows) with a flag per deviation, for `described`."""
    flags = {
        deviation.flag: ExpressionWrapper(deviation.condition, BooleanField())
        for deviation in DEVIATIONS
    }
    return rows.annotate(**flags)


def month_totals(rows):
    """The month totals line of `rows` (employer_month_rows): how many employers, how many
    of them delivered their list, and what the counted lists add up to."""
    return rows.aggregate(  # named apart from the annotations they sum, or they replace them
        employer_count=Count("pk"),
        delivered_count=Count("pk", filter=Q(delivered=True)),
        delivered_total=Coalesce(Sum("list_total"), Value(0), output_field=MONEY),
    )


def described(rows):
    """Each row (`with_deviations`) with `status_label` (the month's lists in one word) and
    `deviations` (in staff's words)."""
    for row in rows:
        row.status_label = MonthStatus(row.list_status).label
        row.deviations = [
            deviation.text.format(row=row)
            for deviation in DEVIATIONS
            if getattr(row, deviation.flag)
        ]
        yield row
