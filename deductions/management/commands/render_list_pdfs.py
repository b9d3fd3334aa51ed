from django.core.management.base import BaseCommand

from deductions.lists.pdfs import pdfs_enqueue_missing
from trekkportal.words import counted


class Command(BaseCommand):
    help = (
        "Queues the PDF of every delivered deduction list that was never queued, for the task "
        "worker (a catch-up: delivery queues it). Safe to run on several hosts at once."
    )

    def handle(self, *args, **options):
        queued = pdfs_enqueue_missing()
        if queued or options["verbosity"] > 1:
            self.stdout.write(
                f"{counted(queued, 'trekkliste-PDF', 'trekkliste-PDF-er')} lagt i kø."
            )
