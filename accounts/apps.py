from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Brukere og roller"

    def ready(self):
        from accounts import signals  # noqa: F401  (audit of logins and lockouts)
