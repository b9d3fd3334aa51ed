"""URLs of a month's basis for the active role's employer."""

from django.urls import path

from deductions.basis import views

urlpatterns = [
    path("maneder/", views.month_list, name="month_list"),
    path("<period:period>/", views.basis_full, name="basis_full"),
    path("<period:period>/endringer/", views.basis_changes, name="basis_changes"),
    path(
        "<period:period>/<str:view>/last-ned.<str:fmt>",
        views.basis_download,
        name="basis_download",
    ),
]
