from django.core.management.base import BaseCommand

from messaging.notices import send_notices, send_staff_digest


class Command(BaseCommand):
    help = (
        "Sends waiting notices about new messages (and retries failed ones), then one "
        "batched e-mail to the staff team. Safe to run from cron on several hosts at once."
    )

    def handle(self, *args, **options):
        sent, failed = send_notices()
        digest_sent, digest_failed = send_staff_digest()
        self.stdout.write(
            f"Varsler sendt: {sent}, feilet: {failed}. "
            f"Meldinger i samlevarsel til staben: {digest_sent}, feilet: {digest_failed}."
        )
        if failed or digest_failed:
            self.stderr.write("Noen varsler feilet; de prøves igjen ved neste kjøring.")
