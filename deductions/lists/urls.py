"""URLs of the deduction lists, included in the `deductions` namespace."""

from django.urls import path

from deductions.lists import upload_views
from deductions.lists import views as list_views

urlpatterns = [
    path("<period:period>/trekkliste/ny/", list_views.list_new, name="list_new"),
    path("<period:period>/trekkliste/last-opp/", upload_views.list_upload, name="list_upload"),
    path(
        "<period:period>/trekkliste/mal.<str:fmt>", upload_views.list_template, name="list_template"
    ),
    path("trekklister/<uuid:public_id>/", list_views.list_detail, name="list_detail"),
    path("trekklister/<uuid:public_id>/rediger/", list_views.list_edit, name="list_edit"),
    path(
        "trekklister/<uuid:public_id>/autolagre/",
        list_views.list_autosave,
        name="list_autosave",
    ),
    path("trekklister/<uuid:public_id>/lim-inn/", list_views.list_paste, name="list_paste"),
    path("trekklister/<uuid:public_id>/lever/", list_views.list_confirm, name="list_confirm"),
    path("trekklister/<uuid:public_id>/pdf/", list_views.list_pdf, name="list_pdf"),
]
