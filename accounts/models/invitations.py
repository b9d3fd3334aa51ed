"""Contacts hand over their role: a contact invites a colleague, staff approve, and a contact
who is not the last one can give up their own role.

The role opens members' national ID numbers, so an invitation waits for staff unless
ROLE_INVITATIONS_NEED_APPROVAL is off. On approval the colleague gets a first-password link
through «Glemt passord» (`PasswordReset.objects.first_password_link`), or, when they already
have a user, just the role and a message. Staff hear of every invitation and every role given
up through a secure message to the staff inbox; every step is in the audit trail.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from accounts.models.audit import AuditEvent
from accounts.models.password_reset import PasswordReset
from accounts.models.users import Role, User


def _tell_staff(*, sender, employer, subject, body):
    from messaging.services import thread_start

    thread_start(sender=sender, subject=subject, body=body, employer=employer)


class LastContact(Exception):
    """The employer would be left without a contact."""


class RoleInvitationManager(models.Manager):
    def waiting_for(self, *, employer, email):
        return self.filter(
            employer=employer, email__iexact=email, status=RoleInvitation.Status.PENDING
        )

    @transaction.atomic
    def invite(self, *, role, full_name, email, mobile, request):
        """A colleague invited by `role`'s user for `role`'s employer (never another one)."""
        inviter, employer = role.user, role.employer
        invitation = self.create(
            employer=employer,
            invited_by=inviter,
            full_name=full_name,
            email=email,
            mobile=mobile,
        )
        AuditEvent.objects.record(
            "role_invited", request=request, employer=employer, obj=invitation
        )
        wait = settings.ROLE_INVITATIONS_NEED_APPROVAL
        _tell_staff(
            sender=inviter,
            employer=employer,
            subject=f"Ny trekkontakt invitert: {full_name}",
            body=(
                f"{inviter.full_name} har invitert {full_name} ({email}) som trekkontakt for "
                f"{employer.name}. "
                + (
                    "Invitasjonen venter på godkjenning under «Invitasjoner» i administrasjonen."
                    if wait
                    else "Invitasjonen er godkjent automatisk."
                )
            ),
        )
        if not wait:
            invitation.approve(by=None, request=request)
        return invitation


class RoleInvitation(models.Model):
    """A contact's invitation of a colleague as contact for one employer."""

    class Status(models.TextChoices):
        PENDING = "pending", "Venter"
        APPROVED = "approved", "Godkjent"
        REFUSED = "refused", "Avvist"

    employer = models.ForeignKey(
        "employers.Employer",
        on_delete=models.CASCADE,
        related_name="role_invitations",
        verbose_name="bedrift",
    )
    full_name = models.CharField("navn", max_length=200)
    email = models.EmailField("e-post")
    mobile = PhoneNumberField("mobilnummer", blank=True, region="NO")
    status = models.CharField(
        "status", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="invitert av",
    )
    created_at = models.DateTimeField("invitert", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="avgjort av",
        help_text="Tom når invitasjonen ble godkjent automatisk.",
    )
    decided_at = models.DateTimeField("avgjort", null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="bruker",
        help_text="Brukeren som fikk rollen.",
    )

    objects = RoleInvitationManager()

    class Meta:
        verbose_name = "invitasjon"
        verbose_name_plural = "invitasjoner"
        ordering = ["-created_at"]
        constraints = [
            # A double click, or two colleagues at once: one invitation waits per person.
            models.UniqueConstraint(
                "employer",
                Lower("email"),
                condition=models.Q(status="pending"),
                name="one_waiting_invitation_per_email",
            )
        ]

    def __str__(self):
        return f"{self.full_name} - {self.employer.name}"

    def _decide(self, status, *, by):
        """Claim the pending invitation; False when someone else decided it first."""
        now = timezone.now()
        claimed = RoleInvitation.objects.filter(pk=self.pk, status=self.Status.PENDING).update(
            status=status, decided_by=by, decided_at=now
        )
        if claimed:
            self.status, self.decided_by, self.decided_at = status, by, now
        return bool(claimed)

    @transaction.atomic
    def approve(self, *, by, request):
        """Give the role: to the user with this e-mail, or to a new user who gets a
        first-password link. `by` is None for an invitation approved automatically."""
        if not self._decide(self.Status.APPROVED, by=by):
            return False
        user = User.objects.filter(email__iexact=self.email, is_active=True).first()
        created = user is None
        if created:
            user = User(full_name=self.full_name, email=self.email, mobile=self.mobile or "")
            user.set_unusable_password()
            user.save()
        Role.objects.get_or_create(user=user, employer=self.employer)
        self.user = user
        self.save(update_fields=["user"])
        AuditEvent.objects.record(
            "role_invitation_approved",
            request=request,
            actor=by,
            employer=self.employer,
            obj=self,
            user_id=user.username,
            new_user=created,
            automatic=by is None,
        )
        inviter = self.invited_by.full_name if self.invited_by else settings.UNION_NAME
        if created:
            PasswordReset.objects.first_password_link(
                user=user, request=request, invited_by=inviter
            )
        else:
            from messaging.services import thread_start

            thread_start(
                sender=by or self.invited_by,
                contact=user,
                employer=self.employer,
                subject=f"Du er trekkontakt for {self.employer.name}",
                body=(
                    f"{inviter} har invitert deg som trekkontakt for {self.employer.name}. "
                    "Du finner bedriften under «Endre rolle» når du logger inn."
                ),
            )
        return True

    def refuse(self, *, by, request):
        if not self._decide(self.Status.REFUSED, by=by):
            return False
        AuditEvent.objects.record(
            "role_invitation_refused", request=request, employer=self.employer, obj=self
        )
        return True


@transaction.atomic
def role_give_up(*, role, request):
    """The contact leaves `role`, unless they are the employer's last contact (the lock on
    the employer's roles keeps two contacts from both leaving at once)."""
    roles = list(Role.objects.select_for_update().filter(employer=role.employer).order_by("pk"))
    if len(roles) < 2:
        raise LastContact
    role.delete()
    AuditEvent.objects.record("role_given_up", request=request, employer=role.employer)
    _tell_staff(
        sender=role.user,
        employer=role.employer,
        subject=f"Trekkontakt har gitt fra seg rollen: {role.user.full_name}",
        body=(
            f"{role.user.full_name} ({role.user.username}) er ikke lenger trekkontakt for "
            f"{role.employer.name}."
        ),
    )
