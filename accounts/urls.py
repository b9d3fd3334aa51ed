from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("innlogget/", views.after_login, name="after_login"),
    path("rolle/", views.choose_role, name="choose_role"),
    path("ingen-rolle/", views.no_role, name="no_role"),
    path("aktiv/", views.keep_alive, name="keep_alive"),
    path("glemt-passord/", views.password_reset, name="password_reset"),
    path("glemt-passord/sendt/", views.password_reset_sent, name="password_reset_sent"),
    path("glemt-passord/nytt/", views.password_reset_confirm, name="password_reset_confirm"),
    path(
        "glemt-passord/lenke/<str:token>/",
        views.password_reset_link,
        name="password_reset_link",
    ),
    path("inviter-kollega/", views.invite_colleague, name="invite_colleague"),
    path("gi-fra-meg-rollen/", views.give_up_role, name="give_up_role"),
    path("passord/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "passord/endret/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
