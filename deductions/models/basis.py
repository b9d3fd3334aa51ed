"""The monthly deduction basis ("trekkgrunnlag"): per employer and month, a frozen snapshot of
who is deducted what, and what changed since the month before.

Bases are made by `deductions.basis.services.basis_generate` in a few set-based statements; a
published basis never changes again.
"""

from functools import partial

from django.db import models
from django.db.models import F
from django.utils.functional import cached_property

from deductions.fields import PeriodField
from deductions.kid import kid_for
from deductions.models import wording
from deductions.models.members import Category
from deductions.money import ZERO, money_field


class BasisQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Basis.Status.PUBLISHED)

    def for_employer(self, employer):
        return self.filter(employer=employer)


class Basis(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Utkast"
        PUBLISHED = "published", "Publisert"

    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.PROTECT, related_name="bases", verbose_name="bedrift"
    )
    period = PeriodField("måned")
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.DRAFT)
    generated_at = models.DateTimeField("generert", null=True, blank=True)
    published_at = models.DateTimeField("publisert", null=True, blank=True)

    # The rates valid in the month, frozen with the lines.
    dues_percent = models.DecimalField(
        "kontingent (prosent)", max_digits=5, decimal_places=2, default=ZERO
    )
    home_insurance_rate = money_field("innboforsikring (kr)")
    travel_insurance_rate = money_field("reiseforsikring (kr)")
    apprentice_rate = money_field("lærling, fast beløp (kr)")

    # Counted from the lines when generated.
    line_count = models.PositiveIntegerField("antall på trekk", default=0)
    change_count = models.PositiveIntegerField("antall endringer", default=0)
    home_insurance_count = models.PositiveIntegerField("antall med innboforsikring", default=0)
    travel_insurance_count = models.PositiveIntegerField("antall med reiseforsikring", default=0)
    apprentice_count = models.PositiveIntegerField("antall lærlinger", default=0)
    home_insurance_total = money_field("sum innboforsikring")
    travel_insurance_total = money_field("sum reiseforsikring")
    apprentice_total = money_field("sum lærlinger")
    fixed_total = money_field("sum faste beløp")

    # Rendered once by the task worker, then served from storage (the month is frozen); queued
    # when the month is published or on first download, and marked when the last try failed.
    full_pdf = models.FileField("PDF, hele trekkgrunnlaget", upload_to="trekkgrunnlag/", blank=True)
    changes_pdf = models.FileField("PDF, endringer", upload_to="trekkgrunnlag/", blank=True)
    pdf_queued_at = models.DateTimeField("PDF i kø", null=True, blank=True)
    pdf_failed_at = models.DateTimeField("PDF feilet", null=True, blank=True)

    objects = BasisQuerySet.as_manager()

    class Meta:
        verbose_name = "trekkgrunnlag"
        verbose_name_plural = "trekkgrunnlag"
        ordering = ["-period", "employer__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "period"], name="one_basis_per_employer_and_month"
            ),
        ]
        indexes = [models.Index(fields=["period", "status"], name="basis_period_status")]

    def __str__(self):
        return f"{self.employer} {self.period}"

    @property
    def public_ref(self):
        return f"{self.employer.number}/{self.period.slug}"

    @property
    def kid(self):
        return kid_for(self.employer.number, self.period)

    @cached_property
    def dues_percent_text(self):
        """The dues rate as a clerk writes it: `1,1 %`."""
        return wording.percent(self.dues_percent or ZERO)

    @cached_property
    def dues_text(self):
        """How the dues line reads: `1,1 % av pensjonsgivende inntekt`."""
        return wording.dues_text(self.dues_percent or ZERO)

    def deducted_lines(self):
        """Everyone on deduction this month ("Vis hele trekkgrunnlaget")."""
        return self.lines.filter(deducted=True)

    def changes(self):
        """Members with a change against last month ("Vis kun endringer"), stops included."""
        return self.lines.filter(changed=True)


class BasisLineQuerySet(models.QuerySet):
    def month_changes(self, period):
        """Every employer's changed lines in `period`, as plain rows in employer and name order,
        for listings across employers (model objects cost more than the query here). Each row
        has the fields `wording` reads, the employer's number and name, and `dues_percent`."""
        return (
            self.filter(basis__period=period, basis__status=Basis.Status.PUBLISHED, changed=True)
            .values(
                "member_number",
                "name",
                "national_id",
                "employee_number",
                *wording.CHANGE_FLAGS,
                *wording.ITEM_FIELDS,
                employer_number=F("basis__employer__number"),
                employer_name=F("basis__employer__name"),
                dues_percent=F("basis__dues_percent"),
            )
            .order_by("basis__employer__name", "basis__employer__number", "name", "member_number")
        )


class BasisLine(models.Model):
    """One member in one month's basis, frozen: name, national ID, items and amounts as they were.

    A member who stopped this month has a line too (`deducted` false, no amounts), so the
    changes show the stop.
    """

    # Indexed through the composite indexes below, which start with them: a single-column
    # member index made PostgreSQL scan every month of a member to find last month's line.
    basis = models.ForeignKey(
        Basis,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name="trekkgrunnlag",
        db_index=False,
    )
    member = models.ForeignKey(
        "deductions.Member",
        null=True,
        on_delete=models.SET_NULL,
        related_name="basis_lines",
        verbose_name="medlem",
        db_index=False,
    )
    member_number = models.CharField("medlemsnummer", max_length=12)
    name = models.CharField("navn", max_length=200)
    national_id = models.CharField("fødselsnummer", max_length=11)
    employee_number = models.CharField("ansattnummer", max_length=30, blank=True)

    deducted = models.BooleanField("på trekk", default=True)
    category = models.CharField("kategori", max_length=20, choices=Category.choices)
    dues = models.BooleanField("kontingent", default=False)
    home_insurance = models.BooleanField("innboforsikring", default=False)
    travel_insurance = models.BooleanField("reiseforsikring", default=False)
    home_insurance_amount = money_field("innboforsikring (kr)")
    travel_insurance_amount = money_field("reiseforsikring (kr)")
    apprentice_amount = money_field("lærling (kr)")
    fixed_total = money_field("sum faste beløp")

    # Against the month before; `changed` is any of them.
    changed = models.BooleanField("endret", default=False)
    started = models.BooleanField("start trekk", default=False)
    stopped = models.BooleanField("stopp trekk", default=False)
    home_started = models.BooleanField("start innboforsikring", default=False)
    home_stopped = models.BooleanField("stopp innboforsikring", default=False)
    travel_started = models.BooleanField("start reiseforsikring", default=False)
    travel_stopped = models.BooleanField("stopp reiseforsikring", default=False)
    became_ordinary = models.BooleanField("fra lærling til ordinær", default=False)
    became_apprentice = models.BooleanField("fra ordinær til lærling", default=False)

    objects = BasisLineQuerySet.as_manager()

    class Meta:
        verbose_name = "linje i trekkgrunnlag"
        verbose_name_plural = "linjer i trekkgrunnlag"
        ordering = ["name", "member_number"]
        constraints = [
            models.UniqueConstraint(fields=["basis", "member"], name="one_line_per_member"),
        ]
        indexes = [
            models.Index(fields=["basis", "name"], name="basisline_basis_name"),
            models.Index(fields=["basis", "national_id"], name="basisline_basis_national_id"),
            models.Index(fields=["basis", "changed"], name="basisline_basis_changed"),
            models.Index(fields=["member", "basis"], name="basisline_member_basis"),
        ]

    def __str__(self):
        return f"{self.name} ({self.basis})"

    def change_descriptions(self):
        """What changed, in a payroll clerk's words."""
        return wording.change_descriptions(partial(getattr, self))

    def items(self, basis=None):
        """What is deducted, as the clerk reads it: `["Kontingent 1,1 % ...", "Innbo kr 85,00"]`."""
        return wording.items(partial(getattr, self), (basis or self.basis).dues_text)
