from django.urls import path

from messaging import staff_views, views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("ny/", views.new, name="new"),
    path("<uuid:public_id>/", views.thread, name="thread"),
    path("vedlegg/<uuid:public_id>/", views.attachment, name="attachment"),
    path("stab/", staff_views.inbox, name="staff_inbox"),
    path("stab/ny/", staff_views.new, name="staff_new"),
    path("stab/<uuid:public_id>/", staff_views.thread, name="staff_thread"),
    path("stab/<uuid:public_id>/behandlet/", staff_views.mark_handled, name="staff_mark_handled"),
]
