from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Brukere og roller"

    def ready(self):
        from accounts import signals  # noqa: F401  (audit of logins and lockouts)
        from trekkportal.admin import name_third_party_models

        # Here, as the first of our apps: most of the libraries named are login and two-factor.
        name_third_party_models(self.apps)
