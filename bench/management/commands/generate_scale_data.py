import time

from django.core.management.base import BaseCommand, CommandError

from bench import scale_data


class Command(BaseCommand):
    help = (
        "Fills an empty database with synthetic data at scale (employers of uneven size, members "
        "with years of deduction history, contacts with several roles) and generates every "
        "month's basis. For benchmarks: use a database of its own, on PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=20_000, help="Antall medlemmer.")
        parser.add_argument("--employers", type=int, default=500, help="Antall bedrifter.")
        parser.add_argument("--months", type=int, default=24, help="Måneder med historikk.")
        parser.add_argument(
            "--contacts", type=int, help="Antall trekkontakter (standard: 1,5 per bedrift)."
        )
        parser.add_argument(
            "--largest", type=int, default=5_000, help="Medlemmer i den største bedriften."
        )
        parser.add_argument(
            "--basis-months",
            type=int,
            help="Lag trekkgrunnlag bare for de siste N månedene (standard: alle).",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Frø for tilfeldige data.")

    def handle(self, *args, **options):
        members, employers, months = options["members"], options["employers"], options["months"]
        contacts = options["contacts"] or max(1, employers * 3 // 2)
        if min(members, employers, months, contacts) < 1:
            raise CommandError("Antall medlemmer, bedrifter, måneder og kontakter må være minst 1.")
        started = time.monotonic()
        try:
            report = scale_data.generate(
                members=members,
                employers=employers,
                months=months,
                contacts=contacts,
                largest=options["largest"],
                basis_months=options["basis_months"],
                seed=options["seed"],
                out=lambda text: self.stdout.write(f"  {text}"),
            )
        except scale_data.ScaleDataError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(scale_data.describe(report)))
        self.stdout.write(f"Ferdig på {time.monotonic() - started:.1f} s.")
