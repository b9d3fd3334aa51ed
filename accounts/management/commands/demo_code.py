from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Prints the current two-factor code of a demo user's app (development only)."

    def add_arguments(self, parser):
        parser.add_argument("user_id", nargs="?", default="90000001")

    def handle(self, *args, user_id, **options):
        if not settings.DEBUG:
            raise CommandError("Bare tilgjengelig når DEBUG er på.")
        device = TOTPDevice.objects.filter(user__username=user_id, confirmed=True).first()
        if device is None:
            raise CommandError(f"Brukeren {user_id} har ingen autentiseringsapp.")
        from django_otp.oath import TOTP

        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
