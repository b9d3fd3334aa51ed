"""The rates members are deducted, as data with a valid-from month (staff edit them)."""

from django.core.validators import MinValueValidator
from django.db import models

from deductions.fields import PeriodField
from deductions.money import ZERO


class RateQuerySet(models.QuerySet):
    def for_period(self, period):
        """The rates valid in `period` (the newest row from then or before), or None."""
        return self.filter(valid_from__lte=period).order_by("-valid_from").first()


class Rate(models.Model):
    """All rates valid from a month until the next row's month."""

    valid_from = PeriodField(
        "gjelder fra",
        unique=True,
        error_messages={"unique": "Det finnes allerede satser fra denne måneden."},
    )
    dues_percent = models.DecimalField(
        "kontingent (prosent)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
        help_text="Prosent av pensjonsgivende inntekt, for eksempel 1,10.",
    )
    home_insurance = models.DecimalField(
        "innboforsikring (kr)", max_digits=8, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    travel_insurance = models.DecimalField(
        "reiseforsikring (kr)", max_digits=8, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    apprentice_total = models.DecimalField(
        "lærling, fast beløp (kr)",
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
        help_text="Lærlinger trekkes bare dette beløpet, ingenting annet.",
    )

    objects = RateQuerySet.as_manager()

    class Meta:
        verbose_name = "sats"
        verbose_name_plural = "satser"
        ordering = ["-valid_from"]

    def __str__(self):
        return f"Satser fra {self.valid_from}"
