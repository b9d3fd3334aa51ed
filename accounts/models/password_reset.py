""" "Glemt passord": single-use links to set a (first or new) password.

Every request is a row, whatever came of it, so the limits can count them and staff
can see what happened when someone says the link never came. Only a hash of the
token is stored. The link goes out through the outbox after the response; its row holds a
random nonce from which the token is made with SECRET_KEY (`reset_token`), so the database
alone holds neither the token nor enough to make it.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.lockout import client_ip
from accounts.models.audit import AuditEvent
from accounts.models.users import User
from messaging.models import OutboxMessage
from messaging.outbox import Skip, send_soon
from trekkportal.mail import render_templated_mail


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def reset_token(nonce):
    """The link's token, made from the outbox row's nonce and SECRET_KEY."""
    return salted_hmac("accounts.password_reset", nonce, algorithm="sha256").hexdigest()


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
        user = User.objects.filter(username=username, is_active=True).first()
        reset = self._unsaved(
            username=username,
            user=user,
            channel=channel,
            request=request,
            validity=PasswordReset.validity(channel),
        )
        nonce = None
        if self.over_limit(username=username, ip_address=reset.ip_address):
            reset.outcome = PasswordReset.Outcome.LIMITED
        elif user is None:
            reset.outcome = PasswordReset.Outcome.UNKNOWN_USER
        elif not reset.address:
            reset.outcome = PasswordReset.Outcome.NO_ADDRESS
        else:
            nonce = reset.issue_token()
        reset.save()
        AuditEvent.objects.record(
            "password_reset_requested",
            request=request,
            actor=user,
            user_id=username,
            channel=channel,
            outcome=reset.outcome,
        )
        if nonce is not None:
            # Sent after the response, which is then the same whatever happened here.
            reset.send_link(nonce)
        return reset

    def first_password_link(self, *, user, request, invited_by=""):
        """A first-password link for a user staff (or an invitation) just made: the same
        row and the same link as «Glemt passord», valid for FIRST_PASSWORD_LINK_VALIDITY
        (the person may not read the mail within the hour), by e-mail when there is an
        address, else by SMS. Returns None when the user has neither."""
        reset = self._unsaved(
            username=user.username,
            user=user,
            channel=PasswordReset.Channel.EMAIL if user.email else PasswordReset.Channel.SMS,
            request=request,
            validity=settings.FIRST_PASSWORD_LINK_VALIDITY,
        )
        if not reset.address:
            return None
        nonce = reset.issue_token()
        reset.save()
        reset.send_link(nonce, invited_by=invited_by)
        return reset

    def _unsaved(self, *, username, user, channel, request, validity):
        now = timezone.now()
        return self.model(
            username=username,
            user=user,
            channel=channel,
            ip_address=client_ip(request),
            created_at=now,
            expires_at=now + validity,
        )


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

    def issue_token(self):
        """A fresh nonce for the outbox row; only the hash of the token it makes is kept."""
        nonce = secrets.token_urlsafe(32)
        self.token_hash = hash_token(reset_token(nonce))
        self.outcome = PasswordReset.Outcome.SENT
        return nonce

    def send_link(self, nonce, **context):
        link = OutboxMessage.objects.create(
            kind=OutboxMessage.Kind.PASSWORD_RESET,
            channel=self.channel,
            recipient=self.user,
            address=self.address,
            dedupe_key=f"{OutboxMessage.Kind.PASSWORD_RESET}:{self.pk}",
            context={"reset": self.pk, "nonce": nonce, **context},
        )
        send_soon([link])

    @property
    def minutes_valid(self):
        return int((self.expires_at - self.created_at).total_seconds() // 60)

    def link(self, token):
        """Always built from SITE_URL, never from the request's Host."""
        return settings.SITE_URL + reverse("accounts:password_reset_link", args=[token])

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
        user.record_password_changed_notice()
        return True


def render_reset_links(rows):
    """The outbox's renderer for reset links: a link no longer usable (used, expired, or the
    user deactivated) is not sent."""
    resets = PasswordReset.objects.valid().select_related("user")
    resets = resets.in_bulk([row.context.get("reset") for row in rows])
    for row in rows:
        reset = resets.get(row.context.get("reset"))
        if reset is None:
            yield [row], Skip()
            continue
        url = reset.link(reset_token(row.context["nonce"]))
        minutes = reset.minutes_valid
        invited_by = row.context.get("invited_by", "")
        if row.channel == OutboxMessage.Channel.SMS:
            opening = (
                "Du er invitert som trekkontakt i Trekkportalen "
                f"(brukernavn {reset.user.username}). "
                if invited_by
                else ""
            )
            yield (
                [row],
                f"{opening}Sett nytt passord i Trekkportalen (lenken virker i {minutes} minutter "
                f"og kan brukes én gang): {url}",
            )
        else:
            yield (
                [row],
                render_templated_mail(
                    "accounts/email/password_reset",
                    {"user": reset.user, "url": url, "minutes": minutes, "invited_by": invited_by},
                ),
            )


def render_password_changed(rows):
    """The outbox's renderer for «passordet ditt er endret»."""
    for row in rows:
        if row.recipient is None:
            yield [row], Skip()
        elif row.channel == OutboxMessage.Channel.SMS:
            yield (
                [row],
                f"Passordet ditt i Trekkportalen ble endret. Var det ikke deg, kontakt "
                f"{settings.UNION_NAME} på {settings.UNION_REPLY_TO}.",
            )
        else:
            yield (
                [row],
                render_templated_mail("accounts/email/password_changed", {"user": row.recipient}),
            )
