import time

from django.core.management.base import BaseCommand, CommandError

from deductions.basis.services import GenerationRefused, basis_generate
from deductions.period import Period
from trekkportal.words import counted


class Command(BaseCommand):
    help = (
        "Generates and publishes the deduction basis of a month for every active employer "
        "(default: next month), after any unpublished months since the last published one. "
        "Published months are left as they are; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="Måneden som ÅÅÅÅ-MM (standard: neste måned).")
        parser.add_argument("--draft", action="store_true", help="Lag utkast uten å publisere.")

    def handle(self, *args, period=None, draft=False, **options):
        try:
            period = Period.parse(period) if period else Period.current().next()
        except ValueError:
            raise CommandError(f"Ugyldig måned {period!r}: skriv ÅÅÅÅ-MM.") from None
        started = time.monotonic()
        try:
            result = basis_generate(period=period, publish=not draft)
        except GenerationRefused as error:
            raise CommandError(str(error)) from None
        seconds = time.monotonic() - started
        state = "utkast" if draft else "publisert"
        for earlier in result.earlier:
            self.stdout.write(
                f"{earlier.period}: {earlier.bases} trekkgrunnlag {state}, {earlier.lines} på "
                f"trekk, {counted(earlier.changes, 'endring', 'endringer')}."
            )
        if not result.bases:
            self.stdout.write(f"{period}: alle bedrifter har allerede publisert trekkgrunnlag.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{period}: {result.bases} trekkgrunnlag {state}, {result.lines} på trekk, "
                    f"{counted(result.changes, 'endring', 'endringer')} ({seconds:.2f} s)."
                )
            )
        for note in (result.earlier_text, result.compared_text):
            if note:
                self.stdout.write(note)
