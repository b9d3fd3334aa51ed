""" "Glemt passord": single-use links to set a (first or new) password.

Every request is a row, whatever came of it, so the limits can count them and staff
can see what happened when someone says the link never came. Only a hash of the
token is stored; the token itself exists in the link and nowhere else.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.lockout import client_ip
from accounts.models.audit import AuditEvent
from accounts.models.users import User
from trekkportal.mail import send_templated_mail
from trekkportal.sms import SmsError, send_sms

logger = logging.getLogger(__name__)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class PasswordResetQuerySet(models.QuerySet):
    def in_last_hour(self):
        return self.filter(created_at__gte=timezone.now() - timedelta(hours=1))

    def valid(self):
        """Links that can still be used: sent, unused, unexpired, for an active user."""
        return self.filter(
            outcome=PasswordReset.Outcome.SENT,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )

    def for_token(self, token):
        return self.valid().filter(token_hash=hash_token(token)).select_related("user").first()


class PasswordResetManager(models.Manager.from_queryset(PasswordResetQuerySet)):
    def over_limit(self, *, username, ip_address):
        """Links sent for this ID, or requests from this address, in the last hour."""
        recent = self.in_last_hour()
        return (
            recent.filter(username=username, outcome=PasswordReset.Outcome.SENT).count()
            >= settings.PASSWORD_RESET_MAX_PER_USER_PER_HOUR
            or recent.filter(ip_address=ip_address).count()
            >= settings.PASSWORD_RESET_MAX_PER_IP_PER_HOUR
        )

    def request_link(self, *, username, channel, request):
        """Record a request and send a link when the ID, address and limits allow it.

        The caller learns nothing from the outcome: the person asking gets the same
        answer whatever happened here.
        """
        ip_address = client_ip(request)
        user = User.objects.filter(username=username, is_active=True).first()
        now = timezone.now()
        reset = self.model(
            username=username,
            user=user,
            channel=channel,
            ip_address=ip_address,
            created_at=now,
            expires_at=now + PasswordReset.validity(channel),
        )
        token = None
        if self.over_limit(username=username, ip_address=ip_address):
            reset.outcome = PasswordReset.Outcome.LIMITED
        elif user is None:
            reset.outcome = PasswordReset.Outcome.UNKNOWN_USER
        elif not reset.address:
            reset.outcome = PasswordReset.Outcome.NO_ADDRESS
        else:
            token = secrets.token_urlsafe(32)
            reset.token_hash = hash_token(token)
            reset.outcome = PasswordReset.Outcome.SENT
        reset.save()
        AuditEvent.objects.record(
            "password_reset_requested",
            request=request,
            actor=user,
            user_id=username,
            channel=channel,
            outcome=reset.outcome,
        )
        if token is not None:
            try:
                reset.send_link(token)
            except (OSError, SmsError):
                # Still the same answer to the person asking; staff see it in admin.
                logger.exception("Password reset link to user %s could not be sent", username)
                reset.outcome = PasswordReset.Outcome.FAILED
                reset.save(update_fields=["outcome"])
        return reset


class PasswordReset(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "E-post"
        SMS = "sms", "SMS"

    class Outcome(models.TextChoices):
        SENT = "sent", "lenke sendt"
        UNKNOWN_USER = "unknown_user", "ukjent eller deaktivert bruker"
        NO_ADDRESS = "no_address", "ingen adresse registrert for valgt kanal"
        LIMITED = "limited", "for mange forespørsler"
        FAILED = "failed", "sending feilet"

    username = models.CharField("oppgitt brukernavn", max_length=8, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="password_resets",
        verbose_name="bruker",
    )
    channel = models.CharField("kanal", max_length=10, choices=Channel.choices)
    outcome = models.CharField("utfall", max_length=20, choices=Outcome.choices)
    token_hash = models.CharField("hash av lenken", max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField("bedt om", default=timezone.now, db_index=True)
    expires_at = models.DateTimeField("utløper")
    used_at = models.DateTimeField("brukt", null=True, blank=True)
    ip_address = models.GenericIPAddressField("IP-adresse", null=True, blank=True, db_index=True)

    objects = PasswordResetManager()

    class Meta:
        verbose_name = "forespørsel om nytt passord"
        verbose_name_plural = "forespørsler om nytt passord"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.username} {self.get_channel_display()} {self.created_at:%d.%m.%Y %H:%M}"

    @staticmethod
    def validity(channel):
        if channel == PasswordReset.Channel.SMS:
            return settings.PASSWORD_RESET_SMS_VALIDITY
        return settings.PASSWORD_RESET_EMAIL_VALIDITY

    @property
    def address(self):
        if self.user is None:
            return ""
        if self.channel == self.Channel.SMS:
            return self.user.mobile.as_e164 if self.user.mobile else ""
        return self.user.email

    def send_link(self, token):
        """Send the link to the address on file; always built from SITE_URL, never the Host."""
        url = settings.SITE_URL + reverse("accounts:password_reset_link", args=[token])
        minutes = int(self.validity(self.channel).total_seconds() // 60)
        if self.channel == self.Channel.SMS:
            send_sms(
                self.address,
                f"Sett nytt passord i Trekkportalen (lenken virker i {minutes} minutter "
                f"og kan brukes én gang): {url}",
            )
        else:
            send_templated_mail(
                "accounts/email/password_reset",
                {"user": self.user, "url": url, "minutes": minutes},
                self.address,
            )

    def complete(self, password, *, request):
        """Set the password, use up this link and every other open one, tell the user.

        Returns False when the link was used meanwhile (a double submit). Other sessions
        end because the password is part of the session's hash; no one is logged in here.
        """
        from axes.utils import reset as reset_lockouts

        user = self.user
        with transaction.atomic():
            claimed = PasswordReset.objects.filter(pk=self.pk, used_at__isnull=True).update(
                used_at=timezone.now()
            )
            if not claimed:
                return False
            PasswordReset.objects.filter(user=user, used_at__isnull=True).update(
                used_at=timezone.now()
            )
            user.set_password(password)
            user.save(update_fields=["password"])
            AuditEvent.objects.record(
                "password_reset_completed", request=request, actor=user, channel=self.channel
            )
        reset_lockouts(username=user.username)
        try:
            user.send_password_changed_notice()
        except (OSError, SmsError):
            logger.exception("Password change notice to user %s could not be sent", user.username)
        return True
