import time

from django.core.management.base import BaseCommand, CommandError

from deductions.basis.services import GenerationRefused, missing_months
from deductions.cycle.mailings import default_notice_period, notices_send
from deductions.management.commands._cycle import Progress, parse_period, report
from employers.models import Employer
from messaging.outbox import command_run


class Command(BaseCommand):
    help = (
        "Publishes next month's basis (if needed, after any months missing before it) and "
        "mails every payroll contact of every active employer the monthly notice, once per "
        "employer, month and contact. Safe to run again or on two hosts at once; exits "
        "non-zero while mail is left unsent that no other run holds. SIGTERM or Ctrl-C: the "
        "mail in flight is finished, the rest given back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="Måneden som ÅÅÅÅ-MM (standard: neste måned).")
        parser.add_argument("--employer", help="Bare denne bedriften (bedriftsnummer).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Vis hva som ville blitt sendt; send ingenting."
        )

    def handle(self, *args, period=None, employer=None, dry_run=False, **options):
        period = parse_period(period, default_notice_period())
        if employer is not None:
            found = Employer.objects.active().filter(number=employer).first()
            if found is None:
                raise CommandError(f"Fant ingen aktiv bedrift med nummer {employer!r}.")
            employer = found
        progress = Progress(self.stdout)
        started = time.monotonic()
        with command_run() as stop:
            try:
                missing = missing_months(period) if dry_run else []
                result = notices_send(
                    period=period, employer=employer, dry_run=dry_run, progress=progress, stop=stop
                )
            except GenerationRefused as error:
                raise CommandError(str(error)) from None
            finally:
                progress.finish()
            if missing:
                months = ", ".join(str(month) for month in missing)
                self.stdout.write(f"Prøvekjøring: {months} mangler og ville blitt publisert først.")
            if result.generation is not None and result.generation.earlier:
                self.stdout.write(result.generation.earlier_text)
                for earlier in result.generation.earlier:
                    self.stdout.write(
                        f"Varsel for {earlier.period} er ikke sendt: kjør send_monthly_notices "
                        f"--period {earlier.period.slug} om bedriftene skal ha det."
                    )
            seconds = time.monotonic() - started
            report(self, "Varsel om trekkgrunnlag", result, seconds, dry_run, stop)
