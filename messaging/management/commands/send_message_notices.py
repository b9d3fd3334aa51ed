from django.core.management.base import BaseCommand

from messaging.models import OutboxMessage
from messaging.outbox import command_run, send_pending

Kind = OutboxMessage.Kind

# What a request sends at once and this command retries; the staff digest only this command.
NOTICES = [Kind.MESSAGE_NOTICE, Kind.PASSWORD_RESET, Kind.PASSWORD_CHANGED]


class Command(BaseCommand):
    help = (
        "Sends waiting notices about new messages (and retries failed ones, with the password "
        "links and notices a request could not send), then one batched e-mail to the staff "
        "team. Safe to run from cron on several hosts at once. SIGTERM or Ctrl-C: the mail in "
        "flight is finished, the rest given back."
    )

    def handle(self, *args, **options):
        with command_run() as stop:
            notices = send_pending(kinds=NOTICES, stop=stop)
            digest = send_pending(kinds=[Kind.STAFF_DIGEST], stop=stop)
        held = notices.held_elsewhere + digest.held_elsewhere
        line = (
            f"Varsler sendt: {notices.sent}, feilet: {notices.failed}. "
            f"Meldinger i samlevarsel til staben: {digest.sent}, feilet: {digest.failed}."
            + (f" {held} holdes av en annen kjøring." if held else "")
        )
        if stop:
            raise stop.error(line)
        self.stdout.write(line)
        if notices.failed or digest.failed:
            self.stderr.write(
                "Noen varsler feilet; se «Utgående e-post og SMS» i administrasjonen. "
                "Midlertidige feil prøves igjen ved neste kjøring."
            )
