"""The people who log in, and the roles through which they act for an employer."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField

from accounts.validators import validate_user_id
from messaging.models import OutboxMessage
from messaging.outbox import send_soon


class UserManager(DjangoUserManager):
    def free_user_id(self):
        """A random 8-digit user ID that nobody has yet."""
        while True:
            candidate = f"{secrets.randbelow(90_000_000) + 10_000_000}"
            if not self.filter(username=candidate).exists():
                return candidate

    def _create_user(self, username, email, password, **extra_fields):
        return super()._create_user(
            username or self.free_user_id(), email, password, **extra_fields
        )


class User(AbstractUser):
    """A person who logs in: a payroll contact, or union staff.

    The username is an 8-digit ID handed out by the union. Staff who create a
    user without one get a free random ID.
    """

    username = models.CharField(
        "brukernavn",
        max_length=8,
        unique=True,
        blank=True,
        validators=[validate_user_id],
        help_text="Åtte sifre. La feltet stå tomt for å få en ledig ID.",
        error_messages={"unique": "Det finnes allerede en bruker med denne ID-en."},
    )
    first_name = None
    last_name = None
    full_name = models.CharField("navn", max_length=200)
    email = models.EmailField("e-post", blank=True)
    mobile = PhoneNumberField("mobilnummer", blank=True, region="NO")
    notify_by_sms = models.BooleanField(
        "varsel på SMS",
        default=False,
        help_text="Varsel om nye meldinger sendes også på SMS.",
    )

    objects = UserManager()

    REQUIRED_FIELDS = ["full_name", "email"]

    class Meta:
        verbose_name = "bruker"
        verbose_name_plural = "brukere"
        ordering = ["full_name"]

    def __str__(self):
        return f"{self.full_name} ({self.username})" if self.full_name else self.username

    def save(self, *args, **kwargs):
        if not self.username:
            self.username = User.objects.free_user_id()
        super().save(*args, **kwargs)

    def record_password_changed_notice(self):
        """Tell the user their password was changed: by e-mail, or by SMS when there is none
        (through the outbox, after the response; the text is `render_password_changed`'s)."""
        if self.email:
            channel, address = OutboxMessage.Channel.EMAIL, self.email
        elif self.mobile:
            channel, address = OutboxMessage.Channel.SMS, self.mobile.as_e164
        else:
            return
        notice = OutboxMessage.objects.create(
            kind=OutboxMessage.Kind.PASSWORD_CHANGED,
            channel=channel,
            recipient=self,
            address=address,
        )
        send_soon([notice])

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name


class RoleQuerySet(models.QuerySet):
    def usable(self):
        """Roles that give access now: an active employer."""
        return self.filter(employer__active=True).select_related("employer")

    def for_user(self, user):
        return self.usable().filter(user=user).order_by("employer__name")


class Role(models.Model):
    """A user acting for one employer. Handing over a role is deleting one row and adding one."""

    class Kind(models.TextChoices):
        CONTACT = "contact", "Trekkontakt"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="roles",
        verbose_name="bruker",
    )
    employer = models.ForeignKey(
        "employers.Employer", on_delete=models.CASCADE, related_name="roles", verbose_name="bedrift"
    )
    kind = models.CharField("type", max_length=20, choices=Kind.choices, default=Kind.CONTACT)
    created_at = models.DateTimeField("opprettet", auto_now_add=True)

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = "rolle"
        verbose_name_plural = "roller"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "employer"], name="one_role_per_user_and_employer"
            ),
        ]

    def __str__(self):
        return f"{self.employer.name} - {self.get_kind_display()}"
