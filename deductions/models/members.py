"""Members and what each of them is deducted, month by month, over time."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from stdnum.no import fodselsnummer

from deductions.fields import PeriodField


def validate_national_id(value):
    if not fodselsnummer.is_valid(value or ""):
        raise ValidationError(
            "Fødselsnummeret er ikke gyldig (elleve sifre med riktige kontrollsifre).",
            code="invalid_national_id",
        )


class Category(models.TextChoices):
    ORDINARY = "ordinary", "Ordinær"
    APPRENTICE = "apprentice", "Lærling"


class Member(models.Model):
    """A union member. Where and what they are deducted is in `deductions` (the history)."""

    number = models.CharField(
        "medlemsnummer",
        max_length=12,
        unique=True,
        error_messages={"unique": "Det finnes allerede et medlem med dette medlemsnummeret."},
    )
    name = models.CharField("navn", max_length=200, help_text="Etternavn Fornavn")
    national_id = models.CharField(
        "fødselsnummer",
        max_length=11,
        unique=True,
        validators=[validate_national_id],
        error_messages={"unique": "Det finnes allerede et medlem med dette fødselsnummeret."},
    )
    employee_number = models.CharField("ansattnummer", max_length=30, blank=True)
    created_at = models.DateTimeField("opprettet", auto_now_add=True)
    updated_at = models.DateTimeField("sist endret", auto_now=True)

    class Meta:
        verbose_name = "medlem"
        verbose_name_plural = "medlemmer"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.number})"

    @property
    def public_ref(self):
        return self.number

    def deduction_in(self, period):
        """The member's deduction in `period`, or None."""
        return self.deductions.in_period(period).select_related("employer").first()

    @transaction.atomic
    def change_deduction(
        self, *, employer, from_period, category=Category.ORDINARY, home=False, travel=False
    ):
        """From `from_period` on, the member is deducted at `employer` with these items.

        Earlier months keep their history; a spell running into `from_period` ends the month
        before; anything planned from `from_period` on is replaced.
        """
        self._cut_history(from_period)
        deduction = Deduction(
            member=self,
            employer=employer,
            first_period=from_period,
            category=category,
            home_insurance=home,
            travel_insurance=travel,
        )
        deduction.full_clean()
        deduction.save()
        return deduction

    @transaction.atomic
    def stop_deduction(self, *, last_period):
        """The member is deducted for the last time in `last_period`."""
        self._cut_history(last_period.next())

    def _cut_history(self, from_period):
        locked = Deduction.objects.select_for_update().filter(member=self)
        locked.filter(first_period__gte=from_period).delete()
        locked.filter(
            Q(last_period__isnull=True) | Q(last_period__gte=from_period),
            first_period__lt=from_period,
        ).update(last_period=from_period.previous())


class DeductionQuerySet(models.QuerySet):
    def in_period(self, period):
        """Deductions that run in `period`."""
        return self.filter(
            Q(last_period__isnull=True) | Q(last_period__gte=period), first_period__lte=period
        )


class Deduction(models.Model):
    """One spell of a member's deduction at one employer with the same items.

    The history of a member is a sequence of these, never overlapping: a change closes one spell
    (`last_period`) and opens the next (`first_period`). `last_period` empty means open-ended.
    Apprentices pay a flat total and nothing else, so they carry no insurance.
    """

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="deductions", verbose_name="medlem"
    )
    employer = models.ForeignKey(
        "employers.Employer",
        on_delete=models.PROTECT,
        related_name="deductions",
        verbose_name="bedrift",
    )
    first_period = PeriodField("første måned")
    last_period = PeriodField("siste måned", null=True, blank=True, help_text="Tom: løpende.")
    category = models.CharField(
        "kategori", max_length=20, choices=Category.choices, default=Category.ORDINARY
    )
    home_insurance = models.BooleanField("innboforsikring", default=False)
    travel_insurance = models.BooleanField("reiseforsikring", default=False)

    objects = DeductionQuerySet.as_manager()

    class Meta:
        verbose_name = "trekkforhold"
        verbose_name_plural = "trekkforhold"
        ordering = ["member", "first_period"]
        indexes = [
            models.Index(fields=["first_period", "last_period"], name="deduction_periods"),
            models.Index(fields=["employer", "first_period"], name="deduction_employer_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_period__isnull=True)
                | Q(last_period__gte=models.F("first_period")),
                name="deduction_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["member", "first_period"], name="one_deduction_start_per_member_and_month"
            ),
        ]

    def __str__(self):
        end = self.last_period or "løpende"
        return f"{self.member.name}: {self.employer} {self.first_period}–{end}"

    def clean(self):
        if self.last_period and self.first_period and self.last_period < self.first_period:
            raise ValidationError({"last_period": "Siste måned kan ikke være før første måned."})
        if self.category == Category.APPRENTICE and (self.home_insurance or self.travel_insurance):
            raise ValidationError(
                "Lærlinger betaler et fast beløp og ingenting annet, heller ikke forsikring."
            )
        if self.member_id and self.first_period:
            overlapping = Deduction.objects.filter(member_id=self.member_id).exclude(pk=self.pk)
            overlapping = overlapping.filter(
                Q(last_period__isnull=True) | Q(last_period__gte=self.first_period)
            )
            if self.last_period:
                overlapping = overlapping.filter(first_period__lte=self.last_period)
            if overlapping.exists():
                raise ValidationError("Medlemmet har allerede et trekkforhold i disse månedene.")
