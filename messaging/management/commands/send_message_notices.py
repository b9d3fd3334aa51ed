from django.core.management.base import BaseCommand

from messaging.models import OutboxMessage
from messaging.outbox import send_pending

Kind = OutboxMessage.Kind

# What a request sends at once and this command retries; the staff digest only this command.
NOTICES = [Kind.MESSAGE_NOTICE, Kind.PASSWORD_RESET, Kind.PASSWORD_CHANGED]


class Command(BaseCommand):
    help = (
        "Sends waiting notices about new messages (and retries failed ones, with the password "
        "links and notices a request could not send), then one batched e-mail to the staff "
        "team. Safe to run from cron on several hosts at once."
    )

    def handle(self, *args, **options):
        notices = send_pending(kinds=NOTICES)
        digest = send_pending(kinds=[Kind.STAFF_DIGEST])
        self.stdout.write(
            f"Varsler sendt: {notices.sent}, feilet: {notices.failed}. "
            f"Meldinger i samlevarsel til staben: {digest.sent}, feilet: {digest.failed}."
        )
        if notices.failed or digest.failed:
            self.stderr.write("Noen varsler feilet; de prøves igjen ved neste kjøring.")
