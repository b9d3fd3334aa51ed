"""The `deductions` URL namespace: the basis pages, the deduction lists and the staff's month.

Every `<period:...>` in these URLs reaches the view as a `Period`; a month that cannot exist
(`2021-13`) matches no URL and is a 404 before any view runs.
"""

from django.urls import include, path, register_converter

from deductions.period import Period

app_name = "deductions"


class PeriodConverter:
    """`2021-03` in a URL, a `Period` in the view."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value):
        return Period.parse(value)  # ValueError: the URL does not match

    def to_url(self, value):
        return value.slug if isinstance(value, Period) else str(value)


register_converter(PeriodConverter, "period")

urlpatterns = [
    path("", include("deductions.basis.urls")),
    path("", include("deductions.lists.urls")),
    path("", include("deductions.cycle.urls")),
]
