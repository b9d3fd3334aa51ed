"""The staff's view of one period across all employers: notice sent, list delivered, paid,
difference and what deviates. One annotated employer query, filtered and paged in SQL."""

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from deductions.lists import delivery
from deductions.models import Basis, Payment
from employers.models import Employer
from messaging.models import OutboxMessage

MONEY = DecimalField(max_digits=14, decimal_places=2)

FILTERS = {
    "alle": ("Alle bedrifter", Q()),
    "avvik": ("Med avvik", None),  # built from the others below
    "varsel-feilet": (
        "Varsel feilet eller ikke sendt",
        Q(notices_failed__gt=0) | Q(notices_sent=0),
    ),
    "ikke-levert": ("Trekkliste ikke levert", Q(delivered=False)),
    "ikke-betalt": ("Ikke betalt", Q(paid_total__isnull=True)),
    "differanse": ("Betalt avviker fra trekkliste", Q(difference__isnull=False) & ~Q(difference=0)),
}


def _deviation_q():
    return (
        Q(basis_status__isnull=True)
        | FILTERS["varsel-feilet"][1]
        | FILTERS["ikke-levert"][1]
        | FILTERS["ikke-betalt"][1]
        | FILTERS["differanse"][1]
    )


def _count(queryset):
    counted = queryset.values("employer").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def employer_overview(period, show="alle", query=""):
    """Employers (active, or with a basis for `period`) annotated with the period's facts."""
    notices = OutboxMessage.objects.filter(
        kind=OutboxMessage.Kind.MONTHLY_NOTICE, period=period, employer=OuterRef("pk")
    )
    basis = Basis.objects.filter(employer=OuterRef("pk"), period=period)
    employers = (
        Employer.objects.filter(Q(active=True) | Exists(basis))
        .annotate(
            basis_status=Subquery(basis.values("status")[:1]),
            notices_sent=_count(notices.filter(status=OutboxMessage.Status.SENT)),
            notices_failed=_count(notices.filter(status=OutboxMessage.Status.FAILED)),
            delivered=Case(
                When(pk__in=delivery.delivered_employers(period), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            paid_total=Payment.objects.filter(period=period).paid_total_subquery(
                employer_ref="pk", period_ref=None
            ),
            list_total=delivery.list_total(period=period),
        )
        .annotate(difference=ExpressionWrapper(F("paid_total") - F("list_total"), MONEY))
    )
    condition = _deviation_q() if show == "avvik" else FILTERS.get(show, FILTERS["alle"])[1]
    employers = employers.filter(condition)
    if query:
        employers = employers.filter(Q(name__icontains=query) | Q(number=query))
    return employers.order_by("name", "number")


def deviations(row):
    """What is wrong with an employer's period, in staff's words."""
    found = []
    if row.basis_status != Basis.Status.PUBLISHED:
        found.append("Trekkgrunnlag ikke publisert")
    if row.notices_failed:
        found.append("Varsel feilet")
    elif not row.notices_sent:
        found.append("Varsel ikke sendt")
    if not row.delivered:
        found.append("Trekkliste ikke levert")
    if row.paid_total is None:
        found.append("Ikke betalt")
    elif row.difference:
        found.append("Betalt for lite" if row.difference < 0 else "Betalt for mye")
    return found
