"""URLs of the staff's month across all employers."""

from django.urls import path

from deductions.cycle import views

urlpatterns = [
    path("stab/", views.overview_current, name="staff_overview_current"),
    path("stab/<period:period>/", views.overview, name="staff_overview"),
    path("stab/<period:period>/oversikt.csv", views.overview_csv, name="staff_overview_csv"),
    path(
        "stab/<period:period>/endringer.csv",
        views.month_changes_csv,
        name="staff_month_changes_csv",
    ),
    # The lists' own staff page until it became part of the month page.
    path("trekklister/oversikt/", views.old_list_overview, name="old_list_overview"),
    path(
        "trekklister/oversikt/<period:period>/",
        views.old_list_overview,
        name="old_list_overview_month",
    ),
]
