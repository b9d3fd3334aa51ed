"""PeriodField: a model field holding a `deductions.period.Period`.

Storage: one integer, the month index `year * 12 + month - 1` (2021/03 is 24254). Ordering and
ranges are plain integer comparisons, and "the month before" is `period - 1` in SQL, which keeps
set-based queries (joins against last month) simple on SQLite and PostgreSQL alike.
Lookups take a Period, an index, or a `2021-03` / `2021/03` string.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from deductions.period import Period


def to_period(value):
    """A Period from a Period, a month index or a `YYYY-MM` string; None stays None."""
    if value is None or value == "" or isinstance(value, Period):
        return value or None
    if isinstance(value, int):
        return Period.from_index(value)
    if isinstance(value, str):
        return Period.parse(value)
    raise ValueError(f"not a period: {value!r}")


class PeriodFormField(forms.CharField):
    """Typed as `2021-03` or `2021/03`; shown as `2021-03`."""

    default_error_messages = {"invalid": "Skriv måneden som ÅÅÅÅ-MM, for eksempel 2021-03."}

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"placeholder": "ÅÅÅÅ-MM", "size": 8, "maxlength": 7})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Period):
            return value.slug
        if isinstance(value, int):
            return Period.from_index(value).slug
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return Period.parse(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class PeriodField(models.IntegerField):
    description = "A month (year and month), stored as a month index"

    @property
    def validators(self):
        # IntegerField's range validators compare with ints; a Period is always in range.
        return [*self.default_validators, *self._validators]

    def from_db_value(self, value, expression, connection):
        return None if value is None else Period.from_index(value)

    def to_python(self, value):
        try:
            return to_period(value)
        except ValueError:
            raise ValidationError(
                "Skriv måneden som ÅÅÅÅ-MM, for eksempel 2021-03.", code="invalid"
            ) from None

    def get_prep_value(self, value):
        value = to_period(value)
        return None if value is None else value.index

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return value.slug if value else ""

    def formfield(self, **kwargs):
        # The admin gives integer fields a number widget; a period is typed as text.
        widget = kwargs.get("widget")
        if widget is not None:
            widget_class = widget if isinstance(widget, type) else type(widget)
            if issubclass(widget_class, forms.NumberInput):
                kwargs.pop("widget")
        return models.Field.formfield(self, **{"form_class": PeriodFormField, **kwargs})
