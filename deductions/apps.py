from django.apps import AppConfig


class DeductionsConfig(AppConfig):
    name = "deductions"
    verbose_name = "Trekk"
