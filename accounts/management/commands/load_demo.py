from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Each part of the domain loads its own demo data, in this order.
DEMO_MODULES = [
    "employers.demo",
    "accounts.demo",
    "deductions.basis.demo",
    "deductions.lists.demo",
    "messaging.demo",
]


class Command(BaseCommand):
    help = "Loads the fictional demo data (idempotent). Refuses to run when DEBUG is false."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demodata lastes bare når DEBUG er på, aldri i produksjon.")
        with transaction.atomic():
            for path in DEMO_MODULES:
                import_module(path).load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demodata er lastet."))
