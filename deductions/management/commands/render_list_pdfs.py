import time

from django.core.management.base import BaseCommand

from deductions.lists.services import pdfs_render_pending


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
            self.stdout.write(f"{rendered} PDF-er laget ({seconds:.1f} s).")
        if failed:
            # Cron mails what a job prints on stderr; the log has each error.
            self.stderr.write(f"{failed} trekkliste-PDF-er kunne ikke lages; se loggen.")
            raise SystemExit(1)
