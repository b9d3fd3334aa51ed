"""What the cycle's mail commands share: reading a period, progress on a terminal, and the
summary line (the only output under cron)."""

import time

from django.core.management.base import CommandError

from deductions.period import Period
from trekkportal.words import counted


def parse_period(text, default):
    if not text:
        return default
    try:
        return Period.parse(text)
    except ValueError:
        raise CommandError(f"Ugyldig måned {text!r}: skriv ÅÅÅÅ-MM.") from None


class Progress:
    """`\\r 123/15000 sendt` on a terminal, at most ten times a second; nothing otherwise."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.shown = 0.0
        self.enabled = stdout.isatty()

    def __call__(self, done, total):
        now = time.monotonic()
        if self.enabled and (now - self.shown > 0.1 or done == total):
            self.shown = now
            self.stdout.write(f"\r{done}/{total} behandlet", ending="")
            self.stdout.flush()

    def finish(self):
        if self.enabled and self.shown:
            self.stdout.write("")


def report(command, label, result, seconds, dry_run, stop=None):
    """Writes the dry run's list or the summary line; CommandError (exit 1) while mail is
    left unsent that no other run holds, or after a signal (`stop`, exit 128 + its number)."""
    period = result.period.mail_label
    if dry_run:
        for employer, email in result.would_send:
            command.stdout.write(f"{employer.number} {employer.name}: {email}")
        mails = counted(len(result.would_send), "e-post", "e-poster")
        command.stdout.write(
            f"Prøvekjøring, {label} {period}: {mails} ville blitt sendt. Ingenting er sendt."
        )
        return
    held = f", {result.held_elsewhere} holdes av en annen kjøring" if result.held_elsewhere else ""
    line = (
        f"{label} {period}: {result.sent} sendt, {result.failed} feilet, "
        f"{result.remaining} gjenstår{held} ({seconds:.1f} s)."
    )
    if stop:
        raise stop.error(line)
    if not result.ok:
        raise CommandError(
            f"{line} Se feilene under «Utgående e-post og SMS» i administrasjonen; "
            "kjør kommandoen igjen for å prøve på nytt."
        )
    command.stdout.write(command.style.SUCCESS(line))
