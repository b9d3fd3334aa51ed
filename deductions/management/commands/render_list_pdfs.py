import time

from django.core.management.base import BaseCommand

from deductions.lists.services import pdfs_render_pending
from trekkportal.words import counted


class Command(BaseCommand):
    help = (
        "Makes the PDF of every delivered deduction list that has none yet (run from cron every "
        "minute). Safe to run on several hosts at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, help="Høyst så mange PDF-er denne gangen.")

    def handle(self, *args, limit=None, **options):
        started = time.monotonic()
        rendered, failed = pdfs_render_pending(limit=limit)
        seconds = time.monotonic() - started
        if rendered or options["verbosity"] > 1:
            self.stdout.write(f"{counted(rendered, 'PDF', 'PDF-er')} laget ({seconds:.1f} s).")
        if failed:
            # Cron mails what a job prints on stderr; the log has each error.
            pdfs = counted(failed, "trekkliste-PDF", "trekkliste-PDF-er")
            self.stderr.write(f"{pdfs} kunne ikke lages; se loggen.")
            raise SystemExit(1)
