import time

from django.core.management.base import BaseCommand

from deductions.cycle.mailings import default_reminder_period, reminders_send
from deductions.management.commands._cycle import Progress, parse_period, report
from messaging.outbox import command_run


class Command(BaseCommand):
    help = (
        "After a period's list deadline, reminds the contacts of every employer that has not "
        "delivered its deduction list, once per employer and period. Run daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period",
            help="Måneden som ÅÅÅÅ-MM (standard: siste måned der fristen for trekkliste er ute).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Vis hva som ville blitt sendt; send ingenting."
        )

    def handle(self, *args, period=None, dry_run=False, **options):
        period = parse_period(period, default_reminder_period())
        progress = Progress(self.stdout)
        started = time.monotonic()
        with command_run() as stop:
            try:
                result = reminders_send(
                    period=period, dry_run=dry_run, progress=progress, stop=stop
                )
            finally:
                progress.finish()
            seconds = time.monotonic() - started
            report(self, "Påminnelse om trekkliste", result, seconds, dry_run, stop)
