"""Deduction lists ("trekklister"): what an employer reports it actually deducted in a month.

A month's first list is the "trekkliste"; after it is delivered, further lists of the same month
are "tilleggslister". A list is a draft until delivered, then locked; staff may reopen it, and
each delivery is kept as a version (its lines as they were, and its PDF).
"""

import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import localtime

from deductions.models.basis import Basis
from deductions.money import ZERO, money_field


class Reason(models.TextChoices):
    """Why a member on the basis was not deducted ("Ikke trukket")."""

    LEFT = "left", "Sluttet"
    UNPAID_LEAVE = "unpaid_leave", "Permisjon uten lønn"
    SICK_PAY = "sick_pay", "Sykepenger fra NAV"
    LAID_OFF = "laid_off", "Permittert"
    OTHER = "other", "Annet"


def _upload_name(instance, filename):
    """Uploaded files are stored under a generated name; the original name is kept as data."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"trekklister/filer/{uuid.uuid4().hex}.{suffix}"


def _pdf_name(instance, filename):
    return f"trekklister/pdf/{uuid.uuid4().hex}.pdf"


class DeductionListQuerySet(models.QuerySet):
    """The two meanings of "delivered", each defined here once (and mirrored for a loaded list
    by `DeductionList.is_delivered` and `DeductionList.delivered_once`):

    - `delivered()`: counted in the month's total. A reopened list is not: its lines may change.
    - `delivered_once()`: the employer has delivered it, a reopened list included (staff are
      handling it, so no reminder; the month is not "Ikke levert").
    """

    def for_employer(self, employer):
        return self.filter(basis__employer=employer)

    def main(self):
        return self.filter(kind=DeductionList.Kind.MAIN)

    def delivered(self):
        return self.filter(status=DeductionList.Status.DELIVERED)

    def delivered_once(self):
        return self.filter(version__gt=0)

    def reopened(self):
        return self.filter(status=DeductionList.Status.REOPENED)

    def open(self):
        return self.exclude(status=DeductionList.Status.DELIVERED)


class DeductionList(models.Model):
    class Kind(models.TextChoices):
        MAIN = "main", "Trekkliste"
        SUPPLEMENTARY = "supplementary", "Tilleggsliste"

    class Status(models.TextChoices):
        DRAFT = "draft", "Utkast"
        DELIVERED = "delivered", "Levert"
        REOPENED = "reopened", "Gjenåpnet"

    class Source(models.TextChoices):
        FORM = "form", "Nettskjema"
        UPLOAD = "upload", "Filopplasting"

    public_id = models.UUIDField("referanse", default=uuid.uuid4, unique=True, editable=False)
    basis = models.ForeignKey(
        Basis, on_delete=models.PROTECT, related_name="lists", verbose_name="trekkgrunnlag"
    )
    kind = models.CharField("type", max_length=20, choices=Kind.choices, default=Kind.MAIN)
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField("kilde", max_length=20, choices=Source.choices, default=Source.FORM)

    created_at = models.DateTimeField("opprettet", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="opprettet av",
    )
    updated_at = models.DateTimeField("sist lagret", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="sist lagret av",
    )
    delivered_at = models.DateTimeField("levert", null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="levert av",
    )
    version = models.PositiveIntegerField("antall leveringer", default=0)
    reopen_reason = models.TextField("årsak til gjenåpning", blank=True)

    # Counted when saved and delivered.
    line_count = models.PositiveIntegerField("antall linjer", default=0)
    total = money_field("sum")
    deviation_count = models.PositiveIntegerField("antall avvik", default=0)

    original_file = models.FileField("opplastet fil", upload_to=_upload_name, blank=True)
    original_filename = models.CharField("opprinnelig filnavn", max_length=255, blank=True)

    objects = DeductionListQuerySet.as_manager()

    class Meta:
        verbose_name = "trekkliste"
        verbose_name_plural = "trekklister"
        ordering = ["basis", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["basis"], condition=Q(kind="main"), name="one_main_list_per_month"
            ),
            models.UniqueConstraint(
                fields=["basis"],
                condition=~Q(status="delivered"),
                name="one_open_list_per_month",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.basis}"

    @property
    def public_ref(self):
        return str(self.public_id)

    @property
    def employer(self):
        return self.basis.employer

    @property
    def period(self):
        return self.basis.period

    @property
    def is_delivered(self):
        """Counted in the month's total (`DeductionList.objects.delivered()`)."""
        return self.status == self.Status.DELIVERED

    @property
    def delivered_once(self):
        """Delivered at least once, a reopened list included (`objects.delivered_once()`)."""
        return self.version > 0

    @property
    def is_supplementary(self):
        return self.kind == self.Kind.SUPPLEMENTARY

    @property
    def archive_label(self):
        """ "Trekkliste registrert 24.02.2021" (the archive column's link text)."""
        day = self.delivered_at or self.created_at
        return f"{self.get_kind_display()} registrert {localtime(day):%d.%m.%Y}"

    def latest_delivery(self):
        return self.deliveries.order_by("-number").first()


def line_fingerprint(dues, home, travel, reason, comment):
    """A short hash of a line's values as saved. The form sends back the one it showed
    (`l-N-was`), so a save can tell a line its user changed from one a colleague changed
    since (`deductions.lists.services`): amounts as numbers, so `100` and `100,00` are one."""
    text = "\x1f".join((f"{dues:.2f}", f"{home:.2f}", f"{travel:.2f}", reason, comment))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class DeductionListLine(models.Model):
    """One person on a list: from the basis (`basis_line`) or added by the employer."""

    deduction_list = models.ForeignKey(
        DeductionList, on_delete=models.CASCADE, related_name="lines", verbose_name="trekkliste"
    )
    position = models.PositiveIntegerField("rekkefølge")
    basis_line = models.ForeignKey(
        "deductions.BasisLine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="linje i trekkgrunnlaget",
    )
    national_id = models.CharField("fødselsnummer", max_length=11)
    name = models.CharField("navn", max_length=200)
    dues = money_field("kontingent")
    home_insurance = money_field("innboforsikring")
    travel_insurance = money_field("reiseforsikring")
    total = money_field("sum")
    reason = models.CharField(
        "ikke trukket, årsak", max_length=20, choices=Reason.choices, blank=True
    )
    comment = models.CharField("kommentar", max_length=500, blank=True)
    # Dues filled in from the person's last delivered list (`deductions.lists.fill`), shown as
    # «kopiert fra forrige liste» until a save or an upload changes the line.
    copied_from_previous = models.BooleanField("kopiert fra forrige liste", default=False)

    class Meta:
        verbose_name = "linje i trekkliste"
        verbose_name_plural = "linjer i trekkliste"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["deduction_list", "position"], name="one_line_per_list_position"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.deduction_list})"

    @property
    def is_added(self):
        return self.basis_line_id is None

    @property
    def not_deducted(self):
        return bool(self.reason)

    def set_amounts(self, dues, home, travel):
        """A member not deducted has no amounts; the total is always the sum of the items."""
        if self.reason:
            dues = home = travel = ZERO
        self.dues, self.home_insurance, self.travel_insurance = dues, home, travel
        self.total = dues + home + travel

    @property
    def fingerprint(self):
        return line_fingerprint(
            self.dues, self.home_insurance, self.travel_insurance, self.reason, self.comment
        )


class ListDelivery(models.Model):
    """One delivery of a list: who, when, the totals and the lines as they were, and the PDF."""

    deduction_list = models.ForeignKey(
        DeductionList,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name="trekkliste",
    )
    number = models.PositiveIntegerField("versjon")
    delivered_at = models.DateTimeField("levert")
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="levert av",
    )
    line_count = models.PositiveIntegerField("antall linjer")
    total = money_field("sum")
    deviation_count = models.PositiveIntegerField("antall avvik", default=0)
    lines = models.JSONField("linjer ved levering", default=list)
    pdf = models.FileField("PDF", upload_to=_pdf_name, blank=True)
    # The PDF is made by the task worker; these say it was queued, or that its last try failed.
    pdf_queued_at = models.DateTimeField("PDF i kø", null=True, blank=True)
    pdf_failed_at = models.DateTimeField("PDF feilet", null=True, blank=True)

    class Meta:
        verbose_name = "levering"
        verbose_name_plural = "leveringer"
        ordering = ["deduction_list", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["deduction_list", "number"], name="one_delivery_per_version"
            ),
        ]

    def __str__(self):
        return f"Versjon {self.number} av {self.deduction_list}"


class MonthStatus(models.TextChoices):
    """A month's lists in one word, as the month table and the staff's month page show them.
    The value is the staff page's filter (`?vis=levert`)."""

    NOT_DELIVERED = "ikke-levert", "Ikke levert"
    DELIVERED = "levert", "Levert"
    REOPENED = "gjenapnet", "Gjenåpnet"

    @classmethod
    def of(cls, *, delivered, reopened):
        """`delivered`: the main list was delivered once; `reopened`: a list of the month
        (main or supplementary) is reopened now."""
        if not delivered:
            return cls.NOT_DELIVERED
        return cls.REOPENED if reopened else cls.DELIVERED

    @classmethod
    def expression(cls, *, delivered, reopened):
        """`of` in SQL, over two boolean annotations named `delivered` and `reopened`."""
        return models.Case(
            models.When(Q(**{delivered: False}), then=models.Value(cls.NOT_DELIVERED.value)),
            models.When(Q(**{reopened: True}), then=models.Value(cls.REOPENED.value)),
            default=models.Value(cls.DELIVERED.value),
            output_field=models.CharField(),
        )


@dataclass
class MonthLists:
    """A month's lists as the month table shows them."""

    delivered: list = field(default_factory=list)
    open_list: DeductionList | None = None
    paid_total: Decimal | None = None

    @property
    def list_total(self):
        """What the delivered lists (main and supplementary) add up to; None before any is."""
        totals = [item.total for item in self.delivered if item.is_delivered]
        return sum(totals) if totals else None

    @property
    def main_delivered(self):
        return any(item.kind == DeductionList.Kind.MAIN for item in self.delivered)

    @property
    def status(self):
        reopened = (
            self.open_list is not None and self.open_list.status == DeductionList.Status.REOPENED
        )
        return MonthStatus.of(delivered=self.main_delivered, reopened=reopened)

    @property
    def status_label(self):
        return self.status.label

    @property
    def payment_difference(self):
        """Paid less the delivered lists' total; None unless both exist."""
        listed = self.list_total
        if self.paid_total is None or listed is None:
            return None
        return self.paid_total - listed

    @property
    def register_label(self):
        if self.open_list is not None:
            if self.open_list.is_supplementary:
                return "Fortsett tilleggsliste i nettskjema"
            return "Fortsett trekkliste i nettskjema"
        if self.main_delivered:
            return "Registrer tilleggsliste i nettskjema"
        return "Registrer trekkliste i nettskjema"

    @classmethod
    def attach(cls, bases):
        """Sets `basis.month_lists` on each basis, in one query for all of them, and what the
        month table reads beside it: `basis.delivery_status` ("Levert", "Gjenåpnet", "Ikke
        levert") and `basis.payment_difference` (from `paid_total`, see `with_paid_total`)."""
        bases = list(bases)
        by_basis = {basis.pk: cls(paid_total=getattr(basis, "paid_total", None)) for basis in bases}
        lists = DeductionList.objects.filter(basis__in=list(by_basis)).order_by(
            "delivered_at", "created_at", "id"
        )
        for item in lists:
            if item.delivered_once:
                by_basis[item.basis_id].delivered.append(item)
            if not item.is_delivered:
                by_basis[item.basis_id].open_list = item
        for basis in bases:
            month = basis.month_lists = by_basis[basis.pk]
            basis.delivery_status = month.status_label
            basis.payment_difference = month.payment_difference
        return bases
