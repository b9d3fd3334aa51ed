"""The monthly deduction basis ("trekkgrunnlag"): per employer and month, a frozen snapshot of
who is deducted what, and what changed since the month before.

Bases are made by `deductions.services.basis_generate` in a few set-based statements; a
published basis never changes again.
"""

from decimal import Decimal
from functools import lru_cache

from django.db import models
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import get_language

from deductions.fields import PeriodField
from deductions.kid import kid_for
from deductions.models.members import Category

ZERO = Decimal("0.00")


def money_field(verbose_name):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, default=ZERO)


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

    # Rendered once on first download, then served from storage (the month is frozen).
    full_pdf = models.FileField("PDF, hele trekkgrunnlaget", upload_to="trekkgrunnlag/", blank=True)
    changes_pdf = models.FileField("PDF, endringer", upload_to="trekkgrunnlag/", blank=True)

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
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def kid(self):
        return kid_for(self.employer.number, self.period)

    @cached_property
    def dues_percent_text(self):
        """The dues rate as a clerk writes it: `1,1 %`. Kept once made: every line's `items()`
        reads it, and number formatting was a third of listing a month's changes."""
        percent = self.dues_percent.normalize() if self.dues_percent else ZERO
        return f"{number_format(percent, use_l10n=True)} %"

    @cached_property
    def dues_text(self):
        """How the dues line reads: `1,1 % av pensjonsgivende inntekt`."""
        return f"{self.dues_percent_text} av pensjonsgivende inntekt"

    @property
    def delivery_status(self):
        """The month's status in the month table ("Levert" once its list is delivered)."""
        from deductions.models.lists import MonthLists

        if not hasattr(self, "month_lists"):
            MonthLists.attach([self])
        return self.month_lists.status_label

    def deducted_lines(self):
        """Everyone on deduction this month ("Vis hele trekkgrunnlaget")."""
        return self.lines.filter(deducted=True)

    def changes(self):
        """Members with a change against last month ("Vis kun endringer"), stops included."""
        return self.lines.filter(changed=True)


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

    @property
    def is_apprentice(self):
        return self.category == Category.APPRENTICE

    CHANGE_WORDS = [
        ("started", "Start trekk"),
        ("stopped", "Stopp trekk"),
        ("home_started", "Start innboforsikring"),
        ("home_stopped", "Stopp innboforsikring"),
        ("travel_started", "Start reiseforsikring"),
        ("travel_stopped", "Stopp reiseforsikring"),
        ("became_ordinary", "Overgang fra lærling til ordinært medlem"),
        ("became_apprentice", "Overgang fra ordinært medlem til lærling"),
    ]

    def change_descriptions(self):
        """What changed, in a payroll clerk's words."""
        return [words for flag, words in self.CHANGE_WORDS if getattr(self, flag)]

    def items(self, basis=None):
        """What is deducted, as the clerk reads it: `["Kontingent 1,1 % ...", "Innbo kr 85,00"]`."""
        basis = basis or self.basis
        if not self.deducted:
            return []
        if self.is_apprentice:
            return [f"Lærling, fast beløp kr {_kr(self.apprentice_amount)}"]
        items = [f"Kontingent {basis.dues_text}"]
        if self.home_insurance:
            items.append(f"Innboforsikring kr {_kr(self.home_insurance_amount)}")
        if self.travel_insurance:
            items.append(f"Reiseforsikring kr {_kr(self.travel_insurance_amount)}")
        return items


def _kr(amount):
    return _kr_in(amount, get_language())


@lru_cache(maxsize=512)
def _kr_in(amount, language):
    """A month has a handful of distinct amounts and thousands of lines: each is formatted once
    per language (number_format was most of listing a month's changes)."""
    return number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
