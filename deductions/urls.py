from django.urls import include, path, register_converter

from deductions import staff_views, views

app_name = "deductions"


class PeriodSlugConverter:
    """`2021-03` in URLs; the view turns it into a Period (and 404s on nonsense)."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return getattr(value, "slug", value)


register_converter(PeriodSlugConverter, "period")

urlpatterns = [
    path("maneder/", views.month_list, name="month_list"),
    path("<period:period>/", views.basis_full, name="basis_full"),
    path("<period:period>/endringer/", views.basis_changes, name="basis_changes"),
    path(
        "<period:period>/<str:view>/last-ned.<str:fmt>",
        views.basis_download,
        name="basis_download",
    ),
    path("stab/", staff_views.overview_current, name="staff_overview_current"),
    path("stab/<period:period>/", staff_views.overview, name="staff_overview"),
    path("stab/<period:period>/oversikt.csv", staff_views.overview_csv, name="staff_overview_csv"),
    path(
        "stab/<period:period>/endringer.csv",
        staff_views.month_changes_csv,
        name="staff_month_changes_csv",
    ),
]
urlpatterns += [path("", include("deductions.list_urls"))]
