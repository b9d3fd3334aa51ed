from django.contrib import admin
from django.urls import include, path
from two_factor.admin import AdminSiteOTPRequired
from two_factor.plugins.phonenumber.views import PhoneDeleteView, PhoneSetupView
from two_factor.views import (
    BackupTokensView,
    DisableView,
    ProfileView,
    QRGeneratorView,
    SetupCompleteView,
    SetupView,
)

from accounts.views import LoginView, LogoutView
from employers import views as employer_views

# Django admin is for staff who have passed two-factor.
admin.site.__class__ = AdminSiteOTPRequired
admin.site.site_header = "Trekkportalen – administrasjon"
admin.site.site_title = "Trekkportalen"
admin.site.index_title = "Administrasjon"

two_factor_patterns = (
    [
        path("logg-inn/", LoginView.as_view(), name="login"),
        path("konto/tofaktor/", ProfileView.as_view(), name="profile"),
        path("konto/tofaktor/oppsett/", SetupView.as_view(), name="setup"),
        path("konto/tofaktor/qr/", QRGeneratorView.as_view(), name="qr"),
        path("konto/tofaktor/oppsett/ferdig/", SetupCompleteView.as_view(), name="setup_complete"),
        path("konto/tofaktor/reservekoder/", BackupTokensView.as_view(), name="backup_tokens"),
        path("konto/tofaktor/deaktiver/", DisableView.as_view(), name="disable"),
        path("konto/tofaktor/telefon/", PhoneSetupView.as_view(), name="phone_create"),
        path(
            "konto/tofaktor/telefon/<int:pk>/slett/",
            PhoneDeleteView.as_view(),
            name="phone_delete",
        ),
    ],
    "two_factor",
)

urlpatterns = [
    path("", employer_views.home, name="home"),
    path("brukerveiledning/", employer_views.user_guide, name="user_guide"),
    path("", include(two_factor_patterns)),
    path("logg-ut/", LogoutView.as_view(), name="logout"),
    path("konto/", include("accounts.urls")),
    path("trekk/", include("deductions.urls")),
    path("meldinger/", include("messaging.urls")),
    path("admin/", admin.site.urls),
]
